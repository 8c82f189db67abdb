// termgate's browser module inside workerd (Miniflare's Node API, the root package's miniflare):
// per list, load the compiled set, then time /scan requests of R passes over the posts against a
// request of zero passes. Prints JSON lines like child.mjs.
import { readdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { Miniflare } from "miniflare";
import { BROWSER_PKG } from "./peers.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = join(HERE, "target", "data");
const SIZES = (process.env.BENCH_SIZES ?? "1000,10000,100000").split(",").map(Number);
const BUDGET_MS = 1000 * Number(process.env.BENCH_SECONDS ?? 1);

const mf = new Miniflare({
  modules: [
    { type: "ESModule", path: join(HERE, "worker.mjs"), contents: readFileSync(join(HERE, "workerd-worker.mjs"), "utf8") },
    { type: "ESModule", path: join(HERE, "termgate_browser.js"), contents: readFileSync(join(BROWSER_PKG, "termgate_browser.js"), "utf8") },
    { type: "CompiledWasm", path: join(HERE, "termgate_browser_bg.wasm"), contents: readFileSync(join(BROWSER_PKG, "termgate_browser_bg.wasm")) },
    // The JS snippets the module imports (wasm-bindgen `inline_js`), at the same relative paths.
    ...readdirSync(join(BROWSER_PKG, "snippets"), { recursive: true })
      .filter((f) => f.endsWith(".js"))
      .map((f) => ({ type: "ESModule", path: join(HERE, "snippets", f), contents: readFileSync(join(BROWSER_PKG, "snippets", f), "utf8") })),
  ],
  compatibilityDate: "2025-09-01",
  cf: false,
});
const post = async (path, body) => {
  const res = await mf.dispatchFetch(`http://bench${path}`, body === undefined ? {} : { method: "POST", body });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return text;
};
const timed = async (path) => {
  const t = performance.now();
  const out = await post(path);
  return [performance.now() - t, out];
};

try {
  await post("/scan?reps=0");
  for (const lang of ["en", "ja"]) {
    const text = readFileSync(join(DATA, `posts-${lang}.txt`), "utf8").replace(/\n$/, "");
    const bytes = Buffer.byteLength(text) - (text.split("\n").length - 1);
    await post("/posts", text);
    for (const size of SIZES) {
      const set = readFileSync(join(DATA, `termgate-${lang}-${size}.set`));
      const t = performance.now();
      await post("/set", set);
      const loadMs = performance.now() - t;
      // Past the point where the auto engine builds its warm indexes (64 bytes of text per key),
      // as natively: the way a busy set runs.
      const keys = readFileSync(join(DATA, `list-${lang}-${size}.txt`), "utf8").split("\n").length;
      await post(`/scan?reps=${Math.ceil((2 * keys * 64) / bytes)}`);
      const [base] = await timed("/scan?reps=0");
      // Warm up, then pick a repetition count that takes about a third of the budget.
      const [one, flagged] = await timed("/scan?reps=1");
      const reps = Math.max(1, Math.round(BUDGET_MS / 3 / Math.max(1, one - base)));
      const rates = [];
      for (let r = 0; r < 3; r++) {
        const [zero] = await timed("/scan?reps=0");
        const [ms] = await timed(`/scan?reps=${reps}`);
        rates.push((bytes * reps) / ((ms - zero) / 1e3) / 1e6);
      }
      rates.sort((a, b) => a - b);
      console.log(JSON.stringify({
        event: "speed", peer: "termgate", runtime: "wasm in workerd", lang, size, load_ms: loadMs,
        mbps: rates[1], flagged: Number(flagged), posts: text.split("\n").length, bytes,
        note: "browser module in workerd (Miniflare); request time minus an empty request's; load = POST of the compiled set + first check",
      }));
    }
  }
} finally {
  await mf.dispose();
}
