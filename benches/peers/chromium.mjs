// termgate's browser module in headless Chromium (Debian's, through the root package's
// playwright-core). The page and the module are served by request interception from a made-up
// origin, cross-origin isolated so performance.now() is precise to 5 µs. Prints JSON lines.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { BROWSER_PKG } from "./peers.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = join(HERE, "target", "data");
const SIZES = (process.env.BENCH_SIZES ?? "1000,10000,100000").split(",").map(Number);
const BUDGET_MS = 1000 * Number(process.env.BENCH_SECONDS ?? 1);
// localhost: a secure context without a server (every request is intercepted), so it can be isolated.
const ORIGIN = "http://localhost:9";

const profile = mkdtempSync(join(tmpdir(), "termgate-bench-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const isolated = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };
const types = { js: "text/javascript", wasm: "application/wasm", html: "text/html", set: "application/octet-stream", txt: "text/plain; charset=utf-8" };
await context.route(`${ORIGIN}/**`, (route) => {
  const path = new URL(route.request().url()).pathname.slice(1);
  const file = path === "" ? null : path.startsWith("data/") ? join(DATA, path.slice(5)) : join(BROWSER_PKG, path);
  const body = file ? readFileSync(file) : "<!doctype html><link rel=icon href='data:,'><title>bench</title>";
  route.fulfill({ status: 200, headers: { ...isolated, "Content-Type": types[(file ?? "x.html").split(".").pop()] }, body });
});

try {
  const page = await context.newPage();
  await page.goto(`${ORIGIN}/`);
  for (const lang of ["en", "ja"]) {
    for (const size of SIZES) {
      const result = await page.evaluate(async ({ lang, size, budgetMs }) => {
        if (!crossOriginIsolated) throw new Error("the bench page is not cross-origin isolated");
        const tg = await import("/termgate_browser.js");
        if (!globalThis.tgReady) globalThis.tgReady = tg.default({ module_or_path: "/termgate_browser_bg.wasm" });
        await globalThis.tgReady;
        // As received from an API's JSON (inputs.mjs, asReceived).
        const posts = JSON.parse(JSON.stringify((await (await fetch(`/data/posts-${lang}.txt`)).text()).replace(/\n$/, "").split("\n")));
        const enc = new TextEncoder();
        const sizes = posts.map((p) => enc.encode(p).length);
        const total = sizes.reduce((a, b) => a + b, 0);
        const bytes = new Uint8Array(await (await fetch(`/data/termgate-${lang}-${size}.set`)).arrayBuffer());
        let t = performance.now();
        const scanner = new tg.Scanner(tg.TermSet.fromBytes(bytes));
        scanner.check("a first post to check, about as long as a short one");
        const loadMs = performance.now() - t;
        const list = await (await fetch(`/data/list-${lang}-${size}.txt`)).text();
        t = performance.now();
        tg.TermSet.compile(list).free();
        const buildMs = performance.now() - t;
        let flagged = 0;
        for (const p of posts) if (scanner.verdict(p) !== "allow") flagged++; // warm-up
        // Past the point where the auto engine builds its warm indexes (64 bytes of text per key),
        // as natively: the way a busy set runs.
        const keys = list.split("\n").length;
        for (let seen = 0; seen <= 2 * keys * 64; seen += total) for (const p of posts) scanner.verdict(p);
        // `verdict` (as the other runtimes are timed) and `check`, round by round in turn.
        const calls = { verdict: (p) => scanner.verdict(p), check: (p) => scanner.check(p) };
        const rates = { verdict: [], check: [] };
        for (let r = 0; r < 3; r++) {
          for (const [name, call] of Object.entries(calls)) {
            let passes = 0;
            t = performance.now();
            while (passes === 0 || performance.now() - t < budgetMs / 6) {
              for (const p of posts) call(p);
              passes++;
            }
            rates[name].push((total * passes) / ((performance.now() - t) / 1e3) / 1e6);
          }
        }
        const latencies = {};
        for (const [name, call] of Object.entries(calls)) {
          const lat = [];
          for (const p of posts.slice(0, 4000)) {
            const s = performance.now();
            call(p);
            lat.push((performance.now() - s) * 1e3);
          }
          lat.sort((a, b) => a - b);
          const pct = (q) => lat[Math.round((lat.length - 1) * q)];
          latencies[name] = { p50: pct(0.5), p99: pct(0.99) };
        }
        const mbps = (xs) => [...xs].sort((a, b) => a - b)[1];
        return {
          verdict: { mbps: mbps(rates.verdict), ...latencies.verdict },
          check: { mbps: mbps(rates.check), ...latencies.check },
          loadMs, buildMs, flagged, posts: posts.length, bytes: total,
        };
      }, { lang, size, budgetMs: BUDGET_MS });
      for (const [peer, call] of [["termgate", "verdict"], ["termgate check", "check"]]) {
        console.log(JSON.stringify({
          event: "speed", peer, runtime: "wasm in Chromium", lang, size, build_ms: result.buildMs,
          load_ms: result.loadMs, mbps: result[call].mbps, p50_us: result[call].p50, p99_us: result[call].p99,
          flagged: result.flagged, posts: result.posts, bytes: result.bytes,
          note: `\`Scanner.${call}\`; headless, cross-origin isolated (timer precision 5 µs)`,
        }));
      }
    }
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
