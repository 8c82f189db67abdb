// The running demo the end-to-end tests drive: the built edge worker in real workerd (Miniflare),
// listening on a free port on 127.0.0.1, in front of the demo origin (demo/origin/server.mjs), which
// serves the page (demo/page) and the module (wasm/browser/pkg). Start-up is the edge tests' own
// helper (tests/edge/harness.mjs), so both suites run the same stack.
//
// TERMGATE_DEMO_URL=http://127.0.0.1:8787 instead drives a stack that is already running (`make dev`).
import { startOrigin, startWorker } from "../edge/harness.mjs";

/** Starts (or finds) the demo. Resolves to `{ url, stop }`. */
export async function startDemo() {
  if (process.env.TERMGATE_DEMO_URL) {
    return { url: process.env.TERMGATE_DEMO_URL.replace(/\/$/, ""), async stop() {} };
  }
  const origin = await startOrigin();
  let worker;
  try {
    worker = await startWorker(origin.url, {}, {}, { host: "127.0.0.1", port: 0 });
    const url = (await worker.mf.ready).href.replace(/\/$/, "");
    return {
      url,
      async stop() {
        await worker.stop();
        await origin.stop();
      },
    };
  } catch (error) {
    await worker?.stop();
    await origin.stop();
    throw error;
  }
}
