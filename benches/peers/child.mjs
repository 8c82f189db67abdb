// One JS peer on one input, in its own process (run.mjs starts it with --expose-gc and stops it
// when it does not finish). Prints JSON lines, as the native side does:
//
//   node --expose-gc child.mjs speed <peer> <en|ja> <terms>
//   node --expose-gc child.mjs accuracy <peer>

import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { PEERS, termgateModule } from "./peers.mjs";
import { asReceived, lines } from "./inputs.mjs";

const DATA = join(dirname(fileURLToPath(import.meta.url)), "target", "data");
const read = (name) => readFileSync(join(DATA, name), "utf8");
const BUDGET_MS = 1000 * Number(process.env.BENCH_SECONDS ?? 1);
const enc = new TextEncoder();
const say = (o) => console.log(JSON.stringify(o));

function heap() {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

const termsOf = (list) =>
  lines(list)
    .slice(1)
    .map((t) => t.trim().replace(/^\\/, ""))
    .filter(Boolean);

/** Scans from the first text until all are done or the budget is spent: [posts, bytes, ms, flagged]. */
function pass(check, texts, sizes, lang, budgetMs) {
  const t0 = performance.now();
  let bytes = 0;
  let flagged = 0;
  for (let i = 0; i < texts.length; i++) {
    if (check(texts[i], lang)) flagged++;
    bytes += sizes[i];
    // The clock is read after every one of the first posts (a slow peer stops early), then every 16th.
    if ((i < 16 || (i & 15) === 15) && performance.now() - t0 >= budgetMs) {
      return [i + 1, bytes, performance.now() - t0, flagged];
    }
  }
  return [texts.length, bytes, performance.now() - t0, flagged];
}

/** MB/s over all of `texts`, repeating whole passes for at least `atLeastMs`. */
function rate(check, texts, sizes, lang, atLeastMs) {
  const bytes = sizes.reduce((a, b) => a + b, 0);
  const t0 = performance.now();
  let passes = 0;
  while (passes === 0 || performance.now() - t0 < atLeastMs) {
    for (let i = 0; i < texts.length; i++) check(texts[i], lang);
    passes++;
  }
  return (bytes * passes) / ((performance.now() - t0) / 1e3) / 1e6;
}

const pct = (sorted, p) => (sorted.length ? sorted[Math.round((sorted.length - 1) * p)] : null);
const median = (v) => pct([...v].sort((a, b) => a - b), 0.5);

async function speed(name, lang, size) {
  const peer = PEERS[name];
  const list = read(`list-${lang}-${size}.txt`);
  const terms = termsOf(list);
  const raw = asReceived(lines(read(`posts-${lang}.txt`)));
  // Raw matchers get their text normalized before timing, as on the native side.
  const texts = peer.prepare ? raw.map(peer.prepare) : raw;
  const sizes = texts.map((t) => enc.encode(t).length);
  const rawSizes = raw.map((t) => enc.encode(t).length);
  const setFile = join(DATA, `termgate-${lang}-${size}.set`);
  const mod = await peer.load(); // importing a package or instantiating wasm is not the set's cost

  const before = heap();
  const wasmBefore = name === "termgate" ? (await termgateModule()).memory.buffer.byteLength : 0;
  let t0 = performance.now();
  // Building includes the first check: some peers compile their regexps lazily.
  const check = peer.build(mod, terms, lang, { list });
  check("warm up", lang);
  const buildMs = performance.now() - t0;
  let loadMs = null;
  let wasmGrowth = null;
  let loadedMem = null;
  if (name === "termgate") {
    const tg = await termgateModule();
    wasmGrowth = tg.memory.buffer.byteLength - wasmBefore;
    // What a page does with the set the edge serves: load the compiled bytes, check a first post,
    // in a second copy of the module whose memory has not been through a compile.
    const bytes = tg.TermSet.compile(list).toBytes();
    writeFileSync(setFile, bytes);
    const fresh = await termgateModule("load");
    const freshBefore = fresh.memory.buffer.byteLength;
    t0 = performance.now();
    const loaded = new fresh.Scanner(fresh.TermSet.fromBytes(bytes));
    loaded.check("a first post to check, about as long as a short one");
    loadMs = performance.now() - t0;
    for (let i = 0; i < Math.min(texts.length, 2000); i++) loaded.check(texts[i]);
    loadedMem = fresh.memory.buffer.byteLength - freshBefore + bytes.length;
  }
  // For termgate, what a loaded set costs (wasm memory growth plus the bytes); the compile's peak
  // growth of the wasm memory is reported beside it.
  const buildMem = heap() - before + (wasmGrowth ?? 0);
  const mem = loadedMem ?? buildMem;
  say({ event: "built", peer: name, build_ms: buildMs });
  // termgate's auto engine walks until a set has scanned 64 bytes of text per key
  // (AUTOMATON_AFTER_BYTES_PER_KEY), then builds its warm indexes: measured, as natively, the way
  // a busy set runs, past that point.
  const busy = (f) => {
    for (let i = 0, seen = 0; seen <= 2 * terms.length * 64; i = (i + 1) % raw.length) {
      f(raw[i], lang);
      seen += rawSizes[i];
    }
  };
  if (peer.warms) busy(check);

  // termgate in this same process, from the set termgate's own run saved, round by round.
  let pair = null;
  if (name !== "termgate" && existsSync(setFile)) {
    const tg = await termgateModule();
    const scanner = new tg.Scanner(tg.TermSet.fromBytes(readFileSync(setFile)));
    pair = (text) => scanner.verdict(text) !== "allow";
    busy(pair);
  }
  // Warm-up (the JIT, lazy regexps); its figure stands in if the peer is stopped before the end.
  const [wn, wbytes, wms] = pass(check, texts, sizes, lang, BUDGET_MS / 3);
  say({ event: "partial", peer: name, mbps: wbytes / (wms / 1e3) / 1e6, posts: wn, p50_us: (wms * 1e3) / wn });
  const rounds = 3;
  const peerRates = [];
  const ratios = [];
  let done = 0;
  let bytesDone = 0;
  let flagged = 0;
  for (let r = 0; r < rounds; r++) {
    const [n, bytes, ms, f] = pass(check, texts, sizes, lang, BUDGET_MS / rounds);
    const peerRate = bytes / (ms / 1e3) / 1e6;
    peerRates.push(peerRate);
    if (n > done) [done, bytesDone, flagged] = [n, bytes, f];
    if (pair) ratios.push(rate(pair, raw.slice(0, n), rawSizes.slice(0, n), lang, 50) / peerRate);
  }
  const lat = [];
  const started = performance.now();
  for (let i = 0; i < Math.min(done, 4000); i++) {
    const t = performance.now();
    check(texts[i], lang);
    lat.push((performance.now() - t) * 1e3);
    if (performance.now() - started > BUDGET_MS / 2) break;
  }
  lat.sort((a, b) => a - b);
  say({
    event: "speed", peer: name, runtime: peer.runtime ?? "Node (V8)", lang, size, terms: terms.length,
    build_ms: buildMs, load_ms: loadMs, mem_bytes: mem, build_mem_bytes: loadedMem === null ? null : buildMem, mbps: median(peerRates),
    p50_us: pct(lat, 0.5), p99_us: pct(lat, 0.99), posts: done, posts_total: texts.length, bytes: bytesDone,
    flagged, ratio_termgate: pair ? median(ratios) : null, paired_with: "termgate wasm in this V8",
    note: peer.note,
  });
}

async function accuracy(name) {
  const list = read("list-accuracy.txt");
  const check = PEERS[name].build(await PEERS[name].load(), termsOf(list), "mixed", { list });
  const rows = lines(read("accuracy.tsv")).map((line) => {
    const [label, lang, kind, , text] = line.split("\t");
    return [label === "1", lang, kind, Boolean(check(text, lang))];
  });
  say({ event: "accuracy", peer: name, runtime: PEERS[name].runtime ?? "Node (V8)", rows, note: PEERS[name].note });
}

const [mode, name, lang, size] = process.argv.slice(2);
if (!PEERS[name]) throw new Error(`unknown peer ${name}; one of ${Object.keys(PEERS).join(", ")}`);
if (mode === "speed") await speed(name, lang, Number(size));
else if (mode === "accuracy") await accuracy(name);
else throw new Error("usage: child.mjs speed <peer> <en|ja> <terms> | accuracy <peer>");
