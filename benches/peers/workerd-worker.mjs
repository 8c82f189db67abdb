// A tiny bench worker for workerd: termgate's browser module (the same .wasm as in Node and Chromium),
// a set loaded from the compiled bytes, posts kept in the isolate between requests. workerd freezes
// its clocks while code runs, so workerd.mjs times requests from outside.
import wasm from "./termgate_browser_bg.wasm";
import { initSync, Scanner, TermSet } from "./termgate_browser.js";

initSync({ module: wasm });
let scanner = null;
let posts = [];

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/set") {
      scanner = new Scanner(TermSet.fromBytes(new Uint8Array(await request.arrayBuffer())));
      scanner.check("a first post to check, about as long as a short one");
      return new Response("ok");
    }
    if (url.pathname === "/posts") {
      // As received from an API's JSON (inputs.mjs, asReceived).
      posts = JSON.parse(JSON.stringify((await request.text()).split("\n")));
      return new Response(String(posts.length));
    }
    if (url.pathname === "/scan") {
      const reps = Number(url.searchParams.get("reps"));
      const n = Math.min(Number(url.searchParams.get("n") ?? posts.length), posts.length);
      let flagged = 0;
      for (let r = 0; r < reps; r++) {
        for (let i = 0; i < n; i++) if (scanner.verdict(posts[i]) !== "allow") flagged++;
      }
      return new Response(String(flagged));
    }
    return new Response("not found", { status: 404 });
  },
};
