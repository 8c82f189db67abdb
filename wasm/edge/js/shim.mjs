// The Worker's module entry: instantiates the wasm-bindgen output synchronously (workerd hands us a
// compiled WebAssembly.Module for the .wasm import) and re-exports the Rust event handlers, like
// workers-rs's worker-build shim does. `#[event(start)]` runs inside initSync.
import wasmModule from "./index_bg.wasm";
import { initSync, fetch, queue } from "../build/bindgen/index.js";

initSync({ module: wasmModule });

export default { fetch, queue };
