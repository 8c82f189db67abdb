// The running demo the end-to-end tests drive: the edge worker (workerd) in front of the demo origin,
// which serves the page (demo/page) and the module (wasm/browser/pkg).
//
// TERMGATE_DEMO_URL=http://127.0.0.1:8787 uses a stack that is already running (`make dev`).
// Otherwise the edge's own start-up helper starts a fresh one on free ports and stops it afterwards.

/** Starts (or finds) the demo. Resolves to `{ url, stop }`. */
export async function startDemo() {
  if (process.env.TERMGATE_DEMO_URL) {
    return { url: process.env.TERMGATE_DEMO_URL.replace(/\/$/, ""), async stop() {} };
  }
  throw new Error("no demo stack: set TERMGATE_DEMO_URL (the edge's start-up helper is not wired in yet)");
}
