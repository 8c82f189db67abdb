// `TextEncoder.prototype.encodeInto` in JS, for the module's glue (`make build-browser` puts it in
// place of the glue's own call; patch-glue.mjs).
//
// wasm-bindgen copies a string into wasm memory one `charCodeAt` at a time while it is ASCII and
// hands the rest to `encodeInto`. Chromium's `encodeInto` is a call into Blink that cost a Japanese
// post about 560 ns against 200 ns for this loop (Node's: 160 ns against 240): in Chromium the module
// checks Japanese posts 1.24x faster with this, in Node 2 % slower (docs/browser.md).
//
// Same contract as the standard method: UTF-8 of `text` into `view` from its start, a lone surrogate
// as U+FFFD (EF BF BD), stopping before a character that does not fit; returns how many UTF-16 units
// were read and bytes written. Rust takes the bytes as a `str` without checking them again, so this
// must never write anything but UTF-8: encode-into.test.mjs compares it with the real method.
export function encodeInto(text, view) {
  const length = text.length;
  const room = view.length;
  let read = 0;
  let written = 0;
  while (read < length) {
    const unit = text.charCodeAt(read);
    if (unit < 0x80) {
      if (written === room) break;
      view[written++] = unit;
      read++;
    } else if (unit < 0x800) {
      if (written + 2 > room) break;
      view[written++] = 0xc0 | (unit >> 6);
      view[written++] = 0x80 | (unit & 0x3f);
      read++;
    } else if (unit < 0xd800 || unit > 0xdfff) {
      if (written + 3 > room) break;
      view[written++] = 0xe0 | (unit >> 12);
      view[written++] = 0x80 | ((unit >> 6) & 0x3f);
      view[written++] = 0x80 | (unit & 0x3f);
      read++;
    } else {
      const low = read + 1 < length ? text.charCodeAt(read + 1) : 0;
      if (unit <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
        if (written + 4 > room) break;
        const point = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
        view[written++] = 0xf0 | (point >> 18);
        view[written++] = 0x80 | ((point >> 12) & 0x3f);
        view[written++] = 0x80 | ((point >> 6) & 0x3f);
        view[written++] = 0x80 | (point & 0x3f);
        read += 2;
      } else {
        if (written + 3 > room) break;
        view[written++] = 0xef;
        view[written++] = 0xbf;
        view[written++] = 0xbd;
        read++;
      }
    }
  }
  return { read, written };
}
