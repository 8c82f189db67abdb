// `TextEncoder.prototype.encodeInto` in JS, for the module's glue (`make build-browser` puts it in
// place of the glue's own call, as `encodeIntoAt` on the module's whole memory; patch-glue.mjs).
//
// wasm-bindgen copies a string into wasm memory one `charCodeAt` at a time while it is ASCII and
// hands the rest to `encodeInto`, with room for three bytes per UTF-16 unit. Chromium's
// `encodeInto` is a call into Blink that cost a Japanese post about 540 ns against 235 ns for this
// loop (Node's: 150 ns against 250): in Chromium the module checks Japanese posts about 1.2x faster
// with it, in Node about 4 % slower (docs/browser.md).
//
// The standard method's contract, into `memory[at..end]` rather than a view of its own (the glue
// writes into the module's whole memory, and a `subarray` per call cost a Japanese post about 60 ns
// of its 200 in Node): UTF-8 of `text` from `at`, a lone surrogate as U+FFFD (EF BF BD); returns
// how many UTF-16 units were read and bytes written. It never writes outside `at..end`: given less
// than three bytes per unit, which the glue never does, the standard method writes into that view.
// Rust takes the bytes as a `str` without checking them again, so this must never write anything
// but UTF-8: encode-into.test.mjs compares it with the standard method.
const standardEncoder = new TextEncoder();
const standardEncodeInto = TextEncoder.prototype.encodeInto;

export function encodeIntoAt(text, memory, at, end) {
  const length = text.length;
  if (end - at < 3 * length) return standardEncodeInto.call(standardEncoder, text, memory.subarray(at, end));
  let written = at;
  for (let read = 0; read < length; read++) {
    const unit = text.charCodeAt(read);
    // Most characters past ASCII in the posts this is for (kana, kanji) take three bytes.
    if (unit >= 0x800 && (unit < 0xd800 || unit > 0xdfff)) {
      memory[written] = 0xe0 | (unit >> 12);
      memory[written + 1] = 0x80 | ((unit >> 6) & 0x3f);
      memory[written + 2] = 0x80 | (unit & 0x3f);
      written += 3;
    } else if (unit < 0x80) {
      memory[written++] = unit;
    } else if (unit < 0x800) {
      memory[written++] = 0xc0 | (unit >> 6);
      memory[written++] = 0x80 | (unit & 0x3f);
    } else {
      const low = read + 1 < length ? text.charCodeAt(read + 1) : 0;
      if (unit <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
        const point = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
        memory[written++] = 0xf0 | (point >> 18);
        memory[written++] = 0x80 | ((point >> 12) & 0x3f);
        memory[written++] = 0x80 | ((point >> 6) & 0x3f);
        memory[written++] = 0x80 | (point & 0x3f);
        read++;
      } else {
        memory[written++] = 0xef;
        memory[written++] = 0xbf;
        memory[written++] = 0xbd;
      }
    }
  }
  return { read: length, written: written - at };
}
