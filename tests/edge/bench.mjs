// `make bench-edge`: what the filter costs per request in workerd, and how big the worker is.
//
// Inputs (benches/fetch-data.sh, `make bench-data`): posts are real English text (Debian fortunes)
// cut to 1 KiB; the global set is 100,000 real English words (npm an-array-of-english-words) that
// never occur in that text, so posts are allowed and forwarded like most real posts; the mute list
// is 100 more such words, taken from the isolate's cache and, for comparison, read from KV on every
// timeline (MUTE_CHECK_INTERVAL_SECONDS=0). CPU times are those of the workerd processes (from
// /proc) over many requests; wall-clock times are measured from Node. Either way the cost of the
// filter is the difference to the same request on an unfiltered route, so the harness and the
// origin cancel out.
// Not a test: prints a Markdown table for docs/edge.md.
import { readFileSync, statSync } from "node:fs";
import { execSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { resolve } from "node:path";
import { ROOT, SECRETS, startOrigin, startWorker, login, originJson } from "./harness.mjs";

const data = (f) => readFileSync(resolve(ROOT, "benches/data", f), "utf8");
const WARM_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 400);
const COLD_ROUNDS = Number(process.env.BENCH_COLD ?? 7);

// --- inputs -------------------------------------------------------------------------------------
const corpus = data("en.txt").split("\n").filter(Boolean);
const vocabulary = new Set(corpus.join(" ").toLowerCase().match(/[a-z]+/g));
const candidates = data("words.txt").split("\n").filter((w) => /^[a-z]{4,}$/.test(w) && !vocabulary.has(w));
const step = candidates.length / 100_100;
const picked = Array.from({ length: 100_100 }, (_, i) => candidates[Math.floor(i * step)]);
const globalList = "[block spam]\n" + picked.slice(0, 100_000).join("\n") + "\n";
const muteList = "[hide]\n" + picked.slice(100_000, 100_050).join("\n") + "\n[collapse]\n" + picked.slice(100_050).join("\n") + "\n";
const posts = [];
for (let i = 0, text = ""; posts.length < 200 && i < corpus.length; i++) {
  text += (text ? " " : "") + corpus[i];
  if (text.length >= 1024) {
    posts.push(text.slice(0, 1024));
    text = "";
  }
}
const timeline = { posts: posts.slice(0, 20).map((text, i) => ({ id: `t${i}`, text, author: "bench" })) };

// --- helpers ------------------------------------------------------------------------------------
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
async function timed(fn) {
  const t = process.hrtime.bigint();
  const resp = await fn();
  await resp.arrayBuffer();
  return [Number(process.hrtime.bigint() - t) / 1e6, resp.status];
}
const postTo = (w, path, text, headers = {}) => () =>
  w.fetch(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ text }) });

// CPU time (user + system) of the workerd processes Miniflare started, in ms, from /proc.
function workerdCpuMs() {
  let ticks = 0;
  for (const pid of execSync(`pgrep -P ${process.pid} workerd || true`).toString().split("\n").filter(Boolean)) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch { /* exited */ }
  }
  return (ticks * 1000) / CLK_TCK;
}
const CLK_TCK = Number(execSync("getconf CLK_TCK").toString().trim()) || 100;
async function cpuPerRequest(n, request) {
  const before = workerdCpuMs();
  for (let i = 0; i < n; i++) await (await request(i)).arrayBuffer();
  return (workerdCpuMs() - before) / n;
}

async function putMuteList(w, token) {
  const resp = await w.fetch("/_termgate/mutes", { method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" }, body: muteList });
  if (!resp.ok) throw new Error(await resp.text());
}
// The timeline through `w`: wall-clock differences of `token`'s reader (who has the mute list) to an
// anonymous one, paired; CPU per request of each, and of `noList`'s reader.
async function timelineCosts(w, token, noList) {
  const anonymous = () => w.fetch("/api/timeline");
  const reader = (t) => () => w.fetch("/api/timeline", { headers: { authorization: `Bearer ${t}` } });
  const deltas = [];
  for (let i = 0; i < WARM_ROUNDS / 2; i++) {
    const [plain] = await timed(anonymous);
    const [muted] = await timed(reader(token));
    deltas.push(muted - plain);
  }
  return {
    deltas,
    cpuPlain: await cpuPerRequest(WARM_ROUNDS, anonymous),
    cpuMuted: await cpuPerRequest(WARM_ROUNDS, reader(token)),
    cpuNoList: await cpuPerRequest(WARM_ROUNDS, reader(noList)),
  };
}

// --- run ----------------------------------------------------------------------------------------
const origin = await startOrigin();
const rows = [];
try {
  const worker = await startWorker(origin.url, { SET_CHECK_INTERVAL_SECONDS: "10" });
  const admin = { authorization: `Bearer ${SECRETS.ADMIN_TOKEN}`, "content-type": "text/plain" };
  let t = process.hrtime.bigint();
  const up = await worker.fetch("/_termgate/sets/default", { method: "PUT", headers: admin, body: globalList });
  const compileMs = Number(process.hrtime.bigint() - t) / 1e6;
  const setInfo = await up.json();
  if (up.status !== 201) throw new Error(JSON.stringify(setInfo));
  const token = await login(origin.url, "bench");
  await putMuteList(worker, token);
  const compiled = await (await worker.fetch("/_termgate/sets/default.tgs")).arrayBuffer();
  const version = setInfo.version;

  // Warm: interleave filtered posts and the same body on an unfiltered route.
  const filtered = [], baseline = [], deltas = [], verdicts = {};
  for (let i = 0; i < 20; i++) await timed(postTo(worker, "/api/posts", posts[i]));
  for (let i = 0; i < WARM_ROUNDS; i++) {
    const text = posts[i % posts.length];
    const [b] = await timed(postTo(worker, "/echo/bench", text));
    const [f, status] = await timed(postTo(worker, "/api/posts", text));
    baseline.push(b);
    filtered.push(f);
    deltas.push(f - b);
    verdicts[status] = (verdicts[status] ?? 0) + 1;
  }
  // CPU time of workerd per request, filtered and not (same bodies).
  const CPU_ROUNDS = WARM_ROUNDS * 2;
  const cpuPlain = await cpuPerRequest(CPU_ROUNDS, (i) => postTo(worker, "/echo/bench", posts[i % posts.length])());
  const cpuFiltered = await cpuPerRequest(CPU_ROUNDS, (i) => postTo(worker, "/api/posts", posts[i % posts.length])());

  // The posts above went into the origin's timeline; reset it to the 20 posts.
  await originJson(origin.url, "/_demo/seed", { posts: timeline.posts });
  // A signed-in reader without a mute list (most readers): the worker must learn there is none.
  const noList = await login(origin.url, "bench-nolist");
  const cached = await timelineCosts(worker, token, noList);
  await worker.stop();

  // The same timelines with MUTE_CHECK_INTERVAL_SECONDS=0: the mute list read from KV and loaded
  // on every timeline, as before the isolate cached mute lists.
  const uncachedWorker = await startWorker(origin.url, { SET_CHECK_INTERVAL_SECONDS: "10", MUTE_CHECK_INTERVAL_SECONDS: "0" });
  await putMuteList(uncachedWorker, token);
  const uncached = await timelineCosts(uncachedWorker, token, noList);
  await uncachedWorker.stop();

  // Cold: a fresh workerd per round, the compiled set put into its KV from outside. First any
  // request (isolate start), then the first post (set read from KV and loaded, nothing built), then
  // a second post.
  const coldStart = [], coldPost = [], secondPost = [];
  for (let i = 0; i < COLD_ROUNDS; i++) {
    const w = await startWorker(origin.url, { SET_CHECK_INTERVAL_SECONDS: "10" });
    const kv = await w.kv();
    await kv.put("set:default", compiled);
    await kv.put("setver:default", version);
    coldStart.push((await timed(postTo(w, "/echo/bench", posts[i])))[0]);
    const [c, status] = await timed(postTo(w, "/api/posts", posts[i + 1]));
    if (status !== 201) throw new Error(`cold post got ${status}`);
    coldPost.push(c);
    secondPost.push((await timed(postTo(w, "/api/posts", posts[i + 2])))[0]);
    await w.stop();
  }

  const wasm = readFileSync(resolve(ROOT, "wasm/edge/build/index_bg.wasm"));
  const js = statSync(resolve(ROOT, "wasm/edge/build/index.js")).size;
  const kb = (n) => `${(n / 1024).toFixed(0)} KiB (${n.toLocaleString("en")} bytes)`;
  const ms = (x) => `${x.toFixed(2)} ms`;
  rows.push(
    ["1 KiB post, warm: workerd CPU time per request, filtered / unfiltered route → added", `${ms(cpuFiltered)} / ${ms(cpuPlain)} → ${ms(cpuFiltered - cpuPlain)}`],
    ["timeline of 20 × 1 KiB posts: workerd CPU per request, 100-term mute list (cached, MUTE_CHECK_INTERVAL_SECONDS=60) / anonymous → added", `${ms(cached.cpuMuted)} / ${ms(cached.cpuPlain)} → ${ms(cached.cpuMuted - cached.cpuPlain)}`],
    ["same, mute list read from KV on every timeline (MUTE_CHECK_INTERVAL_SECONDS=0) / anonymous → added", `${ms(uncached.cpuMuted)} / ${ms(uncached.cpuPlain)} → ${ms(uncached.cpuMuted - uncached.cpuPlain)}`],
    ["timeline, signed-in reader without a mute list: workerd CPU per request, cached / read from KV every time (anonymous: the rows above)", `${ms(cached.cpuNoList)} / ${ms(uncached.cpuNoList)}`],
    ["1 KiB post, warm: filter's added time (median / p90 of filtered − unfiltered, paired)", `${ms(median(deltas))} / ${ms(p90(deltas))}`],
    ["1 KiB post, warm: whole request through the worker (median)", ms(median(filtered))],
    ["same body, unfiltered route (median)", ms(median(baseline))],
    ["timeline of 20 × 1 KiB posts, 100-term mute list, cached: added time (median / p90, paired)", `${ms(median(cached.deltas))} / ${ms(p90(cached.deltas))}`],
    ["same, mute list read from KV on every timeline: added time (median / p90, paired)", `${ms(median(uncached.deltas))} / ${ms(p90(uncached.deltas))}`],
    ["cold isolate: first request (worker start, unfiltered route, median)", ms(median(coldStart))],
    ["cold isolate: first post (100k set read from KV and loaded, median)", ms(median(coldPost))],
    ["cold isolate: second post (median)", ms(median(secondPost))],
    ["compile the 100k-term list at the edge (PUT text, incl. KV writes)", ms(compileMs)],
    ["100k-term set size (compiled) / list size", `${kb(setInfo.bytes)} / ${kb(Buffer.byteLength(globalList))}`],
    ["worker wasm raw / gzip -9", `${kb(wasm.length)} / ${kb(gzipSync(wasm, { level: 9 }).length)}`],
    ["worker JS shim raw", kb(js)],
  );
  console.log(`\nverdicts of the warm posts (status: count): ${JSON.stringify(verdicts)}; rounds: ${WARM_ROUNDS} warm, ${COLD_ROUNDS} cold`);
  console.log(`machine: ${process.arch}, node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
  console.log("| measurement | result |\n|---|---|");
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
} finally {
  await origin.stop();
}
