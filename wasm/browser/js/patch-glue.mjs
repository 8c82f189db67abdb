// Puts encode-into.mjs in place of the `encodeInto` that the glue of `wasm-bindgen --encode-into
// never` defines on its own TextEncoder (which calls `encode` and copies). Run by `make build-browser`:
//
//   node wasm/browser/js/patch-glue.mjs wasm/browser/pkg/termgate_browser.js
//
// Fails, and the build with it, unless the glue has that definition exactly once (a wasm-bindgen
// that writes it differently must be looked at, not patched blindly).
import { readFileSync, writeFileSync } from "node:fs";

const [glue] = process.argv.slice(2);
const source = readFileSync(glue, "utf8");
const definition = /^cachedTextEncoder\.encodeInto = function \(arg, view\) \{\n[^]*?\n\};\n/gm;
const found = source.match(definition) ?? [];
if (found.length !== 1) {
  console.error(`${glue}: expected one definition of cachedTextEncoder.encodeInto, found ${found.length}`);
  process.exit(1);
}
const encoder = readFileSync(new URL("encode-into.mjs", import.meta.url), "utf8")
  .replace(/^\/\/.*\n/gm, "")
  .replace(/^export function encodeInto\(/m, "function encodeInto(");
writeFileSync(
  glue,
  source.replace(
    definition,
    () =>
      `// termgate: wasm/browser/js/encode-into.mjs (Chromium's encodeInto costs more than this loop).\n` +
      `${encoder}cachedTextEncoder.encodeInto = encodeInto;\n`,
  ),
);
