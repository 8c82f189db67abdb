// Runs benches/wasi's loop, compiled for wasm32-wasip1, in Node's WASI (`make bench-core-wasm`):
//
//   node benches/wasi/run.mjs path/to/termgate-bench-wasi.wasm
//
// The repository's root is the one directory the module may read (the posts and lists under
// benches/data).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { WASI } from "node:wasi";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const [wasm] = process.argv.slice(2);
const wasi = new WASI({ version: "preview1", args: ["termgate-bench-wasi"], preopens: { [root]: root } });
const instance = await WebAssembly.instantiate(await WebAssembly.compile(readFileSync(wasm)), wasi.getImportObject());
console.log(`Node ${process.version}, WASI:`);
wasi.start(instance);
