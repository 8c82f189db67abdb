// Throughput of the browser module (not a test): `make bench-browser-throughput`.
//
//   node tests/browser/throughput.mjs [--chromium] [--terms 10000] [--rounds 5] [--seconds 1]
//                                     [--lang en,ja] [--emoji " 😀🔥"] [--many 50 | --verdict]
//                                     [pkg dir ...]
//
// Loads each built package (default wasm/browser/pkg; give several to compare builds back to back) in
// Node (`initSync` with the wasm bytes) or, with --chromium, in a headless Chromium page. Per language it
// compiles the benches' term list (benches/peers/inputs.mjs, the same lists as benches/inputs.rs:
// `english_list(n)`, `japanese_list(n)`), then checks every non-empty line of benches/data/en.txt
// (fortunes) or ja.txt with `Scanner.check`, one post per call (with --many N, N posts per call of
// `Scanner.checkMany`, as a timeline is checked a page at a time; with --verdict, `Scanner.verdict`,
// which answers without the matches, as a timeline needs):
//
// - warm-up: 80 bytes of posts per rule, each call timed: the longest call is the pause of a one-time
//   build, if the module's engine builds anything (`Engine::Auto` builds its whole-word table once a set
//   has walked 64 bytes per key), next to the median call;
// - then `rounds` rounds of about `seconds` each, the packages taking turns; MB/s of UTF-8 post text,
//   median of the rounds (the machine is shared: compare medians of builds run side by side).
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

import { asReceived, englishList, japaneseList, data, lines } from "../../benches/peers/inputs.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    chromium: { type: "boolean", default: false },
    terms: { type: "string", default: "10000" },
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "1" },
    lang: { type: "string", default: "en,ja" },
    // Appended to every post: `--emoji " ❤️"` checks posts that end as social posts often do.
    emoji: { type: "string", default: "" },
    many: { type: "string", default: "0" },
    verdict: { type: "boolean", default: false },
  },
});
if (opts.verdict && Number(opts.many) > 0) throw new Error("--verdict checks one post per call: not with --many");
const pkgs = (positionals.length ? positionals : [join(root, "wasm", "browser", "pkg")]).map((p) => resolve(p));
const terms = Number(opts.terms);
const rounds = Number(opts.rounds);
const seconds = Number(opts.seconds);

// As a page receives posts (inputs.mjs, asReceived).
const posts = (file) =>
  asReceived(
    lines(data(file))
      .filter((l) => l.trim() !== "")
      .map((l) => l + opts.emoji),
  );
const INPUTS = {
  en: () => ({ list: englishList(terms), posts: posts("en.txt") }),
  ja: () => ({ list: japaneseList(terms), posts: posts("ja.txt") }),
};

// Runs in Node or in the page (serialized with toString): self-contained, `tg` is the loaded module.
// `state` carries the scanner between calls; `phase` is "setup" (compile + warm-up) or "round".
function step(tg, state, phase, { list, posts, seconds, many, verdict }) {
  const now = () => performance.now();
  if (phase === "setup") {
    const enc = new TextEncoder();
    state.bytes = posts.map((p) => enc.encode(p).length);
    const t0 = now();
    const set = tg.TermSet.compile(list);
    const compileMs = now() - t0;
    state.scanner = new tg.Scanner(set);
    const rules = set.info.rules;
    const times = [];
    let walked = 0;
    let max = 0;
    let maxAt = 0;
    state.i = 0;
    while (walked < 80 * rules) {
      const i = state.i;
      const s = now();
      state.scanner.check(posts[i]);
      const d = now() - s;
      times.push(d);
      if (d > max) {
        max = d;
        maxAt = walked;
      }
      walked += state.bytes[i];
      state.i = (i + 1) % posts.length;
    }
    times.sort((a, b) => a - b);
    state.pages = [];
    for (let i = 0; many > 0 && i < posts.length; i += many) {
      const page = posts.slice(i, i + many);
      state.pages.push({ page, bytes: state.bytes.slice(i, i + many).reduce((a, b) => a + b, 0) });
    }
    return { compileMs, rules, warmupBytes: walked, maxCallMs: max, maxCallAfterBytes: maxAt, medianCallMs: times[times.length >> 1] };
  }
  let bytes = 0;
  let calls = 0;
  const t0 = now();
  let elapsed = 0;
  for (;;) {
    if (many > 0) {
      const { page, bytes: pageBytes } = state.pages[calls % state.pages.length];
      state.scanner.checkMany(page);
      bytes += pageBytes;
      if (++calls % 4 === 0 && (elapsed = now() - t0) >= seconds * 1000) break;
      continue;
    }
    const i = state.i;
    if (verdict) state.scanner.verdict(posts[i]);
    else state.scanner.check(posts[i]);
    bytes += state.bytes[i];
    state.i = (i + 1) % posts.length;
    if (++calls % 32 === 0 && (elapsed = now() - t0) >= seconds * 1000) break;
  }
  return { mbps: bytes / elapsed / 1000 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** One runner per package: `run(phase, input)` runs `step` against that package's module. */
async function nodeRunners() {
  return Promise.all(
    pkgs.map(async (dir, n) => {
      const mod = await import(`${pathToFileURL(join(dir, "termgate_browser.js")).href}?${n}`);
      mod.initSync({ module: readFileSync(join(dir, "termgate_browser_bg.wasm")) });
      let state = {};
      return {
        reset: () => (state = {}),
        run: (phase, input) => step(mod, state, phase, input),
      };
    }),
  );
}

async function chromiumRunners() {
  const { launch } = await import("./chromium.mjs");
  const { serve } = await import("./serve.mjs");
  const browser = await launch();
  const runners = [];
  const closers = [browser.close];
  for (const dir of pkgs) {
    const server = await serve(dir, { "/": '<!doctype html><meta charset="utf-8"><title>throughput</title>' });
    closers.push(server.close);
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/`);
    await page.evaluate(`(async () => {
      const tg = await import("/pkg/termgate_browser.js");
      await tg.default();
      window.tg = tg;
      window.state = {};
      window.step = ${step.toString()};
    })()`);
    runners.push({
      reset: () => page.evaluate(() => (window.state = {})),
      run: (phase, input) =>
        page.evaluate(([phase, input]) => window.step(window.tg, window.state, phase, input), [phase, input]),
    });
  }
  return { runners, close: async () => Promise.all(closers.reverse().map((c) => c())) };
}

const env = opts.chromium ? await chromiumRunners() : { runners: await nodeRunners(), close: async () => {} };
console.log(
  `${opts.chromium ? "Chromium" : `Node ${process.version}`}, ${terms} terms, ${rounds} × ${seconds} s rounds` +
    (Number(opts.many) > 0 ? `, checkMany of ${opts.many} posts` : opts.verdict ? ", verdict" : ""),
);
for (const lang of opts.lang.split(",")) {
  const input = { ...INPUTS[lang](), seconds, many: Number(opts.many), verdict: opts.verdict };
  const setups = [];
  for (const r of env.runners) setups.push(await r.run("setup", input));
  const mbps = env.runners.map(() => []);
  for (let k = 0; k < rounds; k++) {
    for (const [n, r] of env.runners.entries()) mbps[n].push((await r.run("round", input)).mbps);
  }
  for (const [n, dir] of pkgs.entries()) {
    const s = setups[n];
    console.log(
      `${lang} ${dir}: ${median(mbps[n]).toFixed(2)} MB/s (rounds ${mbps[n].map((x) => x.toFixed(1)).join(" ")}); ` +
        `compile ${s.compileMs.toFixed(0)} ms, ${s.rules} rules; warm-up ${(s.warmupBytes / 1e6).toFixed(2)} MB: ` +
        `longest call ${s.maxCallMs.toFixed(2)} ms after ${(s.maxCallAfterBytes / 1e6).toFixed(2)} MB, median call ${(s.medianCallMs * 1000).toFixed(0)} µs`,
    );
  }
  for (const r of env.runners) await r.reset();
}
await env.close();
