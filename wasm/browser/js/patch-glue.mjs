// Patches the glue that `wasm-bindgen --target web --debug --encode-into never` writes. Run by
// `make build-browser`:
//
//   node wasm/browser/js/patch-glue.mjs wasm/browser/pkg/termgate_browser.js
//
// Each patch must find what it replaces exactly once, or the build fails: a wasm-bindgen that
// writes the glue differently must be looked at, not patched blindly.
import { readFileSync, writeFileSync } from "node:fs";

// The most an argument may take in the module's memory: a string of up to MAX_STRING_UNITS UTF-16
// code units (at most three bytes each in UTF-8), a byte array of up to MAX_BYTES. Past these the
// glue throws a `RangeError` before it allocates. Without a bound, an argument the module's memory
// cannot hold made wasm-bindgen's `malloc` abort: a trap (`RuntimeError: unreachable`) instead of an
// error, and every argument short of that grew the memory, which never shrinks, for the page's
// life. A 100k-term list is about 1 MB, its compiled set a few; the edge serves sets of up to 25 MiB.
const MAX_STRING_UNITS = 1 << 24;
const MAX_BYTES = 1 << 26;

const encoder = readFileSync(new URL("encode-into.mjs", import.meta.url), "utf8")
  .replace(/^\/\/.*\n/gm, "")
  .replace(/^export function /gm, "function ");

const patches = [
  {
    // Our UTF-8 encoder (encode-into.mjs) in place of the glue's own, which calls `encode` and copies.
    what: "the definition of cachedTextEncoder.encodeInto",
    find: /^cachedTextEncoder\.encodeInto = function \(arg, view\) \{\n[^]*?\n\};\n/gm,
    replace: () =>
      `// termgate: wasm/browser/js/encode-into.mjs (Chromium's encodeInto costs more than this loop).\n${encoder}`,
  },
  {
    // ...and called on the module's whole memory, not on a view made for each string.
    what: "the call of encodeInto in passStringToWasm0",
    find: /^( +)const view = getUint8ArrayMemory0\(\)\.subarray\(ptr \+ offset, ptr \+ len\);\n +const ret = cachedTextEncoder\.encodeInto\(arg, view\);\n/gm,
    replace: (_, indent) => `${indent}const ret = encodeIntoAt(arg, getUint8ArrayMemory0(), ptr + offset, ptr + len);\n`,
  },
  {
    what: "the type check of passStringToWasm0",
    find: /^(function passStringToWasm0\(arg, malloc, realloc\) \{\n.*\n)/gm,
    replace: (found) =>
      found +
      `    // termgate: wasm/browser/js/patch-glue.mjs\n` +
      `    if (arg.length > ${MAX_STRING_UNITS}) throw new RangeError(\`a string of \${arg.length} UTF-16 code units is longer than the module takes (${MAX_STRING_UNITS})\`);\n`,
  },
  {
    what: "passArray8ToWasm0",
    find: /^(function passArray8ToWasm0\(arg, malloc\) \{\n)/gm,
    replace: (found) =>
      found +
      `    // termgate: wasm/browser/js/patch-glue.mjs\n` +
      `    if (!(arg.length <= ${MAX_BYTES})) throw new RangeError(\`an array of \${arg.length} bytes is larger than the module takes (${MAX_BYTES})\`);\n`,
  },
];

const [glue] = process.argv.slice(2);
let source = readFileSync(glue, "utf8");
for (const { what, find, replace } of patches) {
  const found = source.match(find) ?? [];
  if (found.length !== 1) {
    console.error(`${glue}: expected ${what} once, found it ${found.length} times`);
    process.exit(1);
  }
  source = source.replace(find, replace);
}
writeFileSync(glue, source);
