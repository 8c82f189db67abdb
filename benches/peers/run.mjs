// `make bench-peers`: runs every peer on every input, one process each, one after another (the
// machine has two cores and others use them), then writes target/results.json and the results
// section of BENCHMARKS.md (report.mjs).
//
//   BENCH_SECONDS  seconds of measurement per peer and input (default 1)
//   BENCH_TIMEOUT  seconds after which a peer's process is stopped (default 60)
//   BENCH_SIZES    list sizes (default 1000,10000,100000)
//   BENCH_PEERS    only these peers (comma-separated names), for development
//   BENCH_PARTS    only these parts: speed, runtimes (workerd, Chromium), accuracy (default all)

import { spawn, execFileSync } from "node:child_process";
import { writeFileSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { PEERS, versions } from "./peers.mjs";
import { render } from "./report.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT ?? 60);
const SIZES = (process.env.BENCH_SIZES ?? "1000,10000,100000").split(",").map(Number);
const ONLY = process.env.BENCH_PEERS?.split(",");
const NATIVE = ["termgate", "termgate-walk", "termgate-automaton", "aho-corasick", "aho-corasick+norm", "daachorse", "regex", "rustrict"];
const NATIVE_BIN = join(HERE, "target", "release", "termgate-bench-peers");
const JS = Object.keys(PEERS);
const wanted = (name) => !ONLY || ONLY.includes(name);
const PARTS = (process.env.BENCH_PARTS ?? "speed,runtimes,accuracy").split(",");

/** Runs one process; resolves with its JSON lines, or a did-not-finish record when stopped. */
function run(cmd, args, { timeoutS = TIMEOUT_S, label }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: HERE, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_BACKTRACE: "0" } });
    let out = "";
    let err = "";
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, timeoutS * 1000);
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      clearTimeout(timer);
      const events = out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l));
      const secs = ((Date.now() - started) / 1e3).toFixed(1);
      if (killed || code !== 0) {
        const stage = events.some((e) => e.event === "partial") ? "scan" : events.some((e) => e.event === "built") ? "scan" : "build";
        const lines = err.trim().split("\n").filter((l) => l.trim() && !/^\s+at /.test(l) && !/^Node\.js v/.test(l));
        const panic = lines.findIndex((l) => l.includes("panicked"));
        const error = killed ? `did not finish in ${timeoutS} s` : (panic >= 0 ? lines.slice(panic, panic + 2) : lines.slice(-2)).join(" ");
        console.log(`  ${label}: ${killed ? "stopped" : "failed"} after ${secs} s in ${stage}: ${error}`);
        resolve([...events, { event: "dnf", stage, error, timeout_s: killed ? timeoutS : null }]);
      } else {
        const last = events.at(-1) ?? {};
        const fig = last.mbps !== undefined ? `${last.mbps.toFixed(2)} MB/s` : last.event;
        console.log(`  ${label}: ${fig} (${secs} s)`);
        resolve(events);
      }
    });
  });
}

const node = (args, opts) => run(process.execPath, ["--expose-gc", ...args], opts);
const results = { speed: [], accuracy: [], dnf: [] };

function collect(events, key) {
  const final = events.find((e) => e.event === "speed" || e.event === "accuracy");
  const dnf = events.find((e) => e.event === "dnf");
  if (final) results[final.event === "speed" ? "speed" : "accuracy"].push(final);
  if (dnf) {
    const built = events.find((e) => e.event === "built");
    const partial = events.find((e) => e.event === "partial");
    results.dnf.push({ ...key, ...dnf, build_ms: built?.build_ms ?? null, partial: partial ?? null });
  }
}

const t0 = Date.now();
const loadBefore = loadavg()[0];
console.log(`bench-peers: ${SIZES.join("/")} terms, ${process.env.BENCH_SECONDS ?? 1} s a measurement, ${TIMEOUT_S} s timeout`);
for (const lang of PARTS.includes("speed") ? ["en", "ja"] : []) {
  for (const size of SIZES) {
    console.log(`${lang}, ${size} terms`);
    // termgate's own JS run goes first: it saves the compiled set the others are paired with.
    for (const peer of JS.filter(wanted)) {
      const key = { peer, runtime: PEERS[peer].runtime ?? "Node (V8)", lang, size };
      collect(await node(["child.mjs", "speed", peer, lang, String(size)], { label: `${peer} (node)` }), key);
    }
    for (const peer of NATIVE.filter(wanted)) {
      const key = { peer, runtime: "native", lang, size };
      collect(await run(NATIVE_BIN, ["speed", peer, lang, String(size)], { label: `${peer} (native)` }), key);
    }
  }
}
if (wanted("termgate") && PARTS.includes("runtimes")) {
  for (const [script, runtime] of [["workerd.mjs", "wasm in workerd"], ["chromium.mjs", "wasm in Chromium"]]) {
    console.log(runtime);
    const events = await node([script], { label: runtime, timeoutS: 20 * TIMEOUT_S });
    results.speed.push(...events.filter((e) => e.event === "speed"));
    const dnf = events.find((e) => e.event === "dnf");
    if (dnf) results.dnf.push({ peer: "termgate", runtime, lang: "*", size: 0, ...dnf });
  }
}
console.log("accuracy");
for (const peer of JS.filter(wanted).filter((p) => PARTS.includes("accuracy") && PEERS[p].accuracy !== false)) {
  collect(await node(["child.mjs", "accuracy", peer], { label: `${peer} (node)` }), { peer, runtime: "Node (V8)", lang: "accuracy", size: 0 });
}
for (const peer of NATIVE.filter(wanted).filter(() => PARTS.includes("accuracy"))) {
  collect(await run(NATIVE_BIN, ["accuracy", peer], { label: `${peer} (native)` }), { peer, runtime: "native", lang: "accuracy", size: 0 });
}

const sh = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
};
results.env = {
  date: new Date().toISOString(),
  commit: sh("git", ["-C", join(HERE, "..", ".."), "rev-parse", "--short", "HEAD"]),
  dirty: sh("git", ["-C", join(HERE, "..", ".."), "status", "--porcelain", "--", "src"]) !== "",
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
  node: process.version,
  rustc: sh("rustc", ["--version"]),
  chromium: sh(process.env.CHROMIUM || "/usr/bin/chromium", ["--version"]),
  wasm_bytes: readFileSync(join(HERE, "..", "..", "wasm", "browser", "pkg", "termgate_browser_bg.wasm")).length,
  npm: versions(),
  crates: Object.fromEntries(
    [...readFileSync(join(HERE, "Cargo.lock"), "utf8").matchAll(/name = "([^"]+)"\nversion = "([^"]+)"/g)]
      .filter((m) => ["rustrict", "aho-corasick", "regex", "daachorse", "unicode-normalization"].includes(m[1]))
      .map((m) => [m[1], m[2]]),
  ),
  seconds: Number(process.env.BENCH_SECONDS ?? 1),
  timeout_s: TIMEOUT_S,
  sizes: SIZES,
  wall_s: Math.round((Date.now() - t0) / 1000),
  load: [loadBefore, loadavg()[0]].map((l) => Number(l.toFixed(1))),
};
writeFileSync(join(HERE, "target", "results.json"), JSON.stringify(results));
render(results);
console.log(`bench-peers: done in ${results.env.wall_s} s; results in BENCHMARKS.md and benches/peers/target/results.json`);
