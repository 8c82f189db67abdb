// The posting filter, end to end: workerd running the built worker, the demo origin behind it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startOrigin, startWorker, originJson, login, waitFor } from "./harness.mjs";

let origin, worker;
before(async () => {
  origin = await startOrigin();
  worker = await startWorker(origin.url);
});
after(async () => {
  await worker?.stop();
  await origin?.stop();
});

const received = async () => (await originJson(origin.url, "/_demo/received")).received;
const reports = async () => (await originJson(origin.url, "/_demo/reports")).reports;
const post = (path, contentType, body, headers = {}) =>
  worker.fetch(path, { method: "POST", headers: { "content-type": contentType, ...headers }, body });

test("allowed JSON posts reach the origin byte-identical, with method, query and headers", async () => {
  // Odd spacing, escapes and key order: any re-serialization would change these bytes.
  const body = '{ "visibility":"public",\n  "text" : "Hello \\u00e9 world 今日はラーメン",  "n": 1.50 }';
  const before = (await received()).length;
  const resp = await post("/api/posts?draft=0&x=%20y", "application/json; charset=utf-8", body, {
    "x-client": "termgate-test",
    "termgate-verdict": "spoofed by the client",
  });
  assert.equal(resp.status, 201);
  const got = await received();
  assert.equal(got.length, before + 1);
  const last = got.at(-1);
  assert.equal(Buffer.from(last.body_base64, "base64").toString(), body);
  assert.equal(last.route, "POST /api/posts");
  assert.equal(last.query, "?draft=0&x=%20y");
  assert.equal(last.headers["x-client"], "termgate-test");
  assert.equal(last.headers["content-type"], "application/json; charset=utf-8");
  assert.equal(last.headers["termgate-verdict"], "allow");
  assert.equal(last.headers["termgate-matches"], undefined);
});

test("allowed form, multipart and text posts arrive byte-identical", async () => {
  const boundary = "----termgate1234";
  const multipart =
    `--${boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\nnice weather today\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\n` +
    `a file that says buy cheap followers is not post text\r\n--${boundary}--\r\n`;
  const cases = [
    ["application/x-www-form-urlencoded", "text=hello+w%C3%B6rld&visibility=public"],
    [`multipart/form-data; boundary=${boundary}`, multipart],
    ["text/plain; charset=utf-8", "週末にシネマで映画を見た"],
  ];
  for (const [type, body] of cases) {
    const resp = await post("/api/comments", type, body);
    assert.equal(resp.status, 201, type);
    const last = (await received()).at(-1);
    assert.equal(Buffer.from(last.body_base64, "base64").toString(), body, type);
    assert.equal(last.route, "POST /api/comments");
    assert.equal(last.headers["termgate-verdict"], "allow", type);
  }
});

test("blocked posts never reach the origin; 403 names the matches, in Japanese or English", async () => {
  const before = (await received()).length;
  const text = "Buy 1000 real FOLLOWERS now";
  let resp = await post("/api/posts", "application/json", JSON.stringify({ text }), { "accept-language": "ja-JP,ja;q=0.9,en;q=0.8" });
  assert.equal(resp.status, 403);
  assert.equal(resp.headers.get("termgate-verdict"), "block");
  let body = await resp.json();
  assert.equal(body.error, "post_blocked");
  assert.match(body.message, /投稿/);
  const m = body.matches.find((x) => x.rule === "buy && followers");
  assert.ok(m, JSON.stringify(body.matches));
  assert.equal(m.field, "/text");
  assert.equal(m.category, "spam");
  assert.equal(m.action, "block");
  assert.ok(["Buy", "FOLLOWERS"].includes(text.slice(m.start, m.end)), text.slice(m.start, m.end));

  resp = await post("/api/posts", "application/json", JSON.stringify({ text: "ok", poll: { options: ["yes", "死ね"] } }), { "accept-language": "en-US" });
  assert.equal(resp.status, 403);
  body = await resp.json();
  assert.match(body.message, /not published/);
  assert.deepEqual(body.matches.map((x) => [x.field, x.start, x.end, x.start_utf16, x.end_utf16, x.category]), [["/poll/options/1", 0, 6, 0, 2, "harassment"]]);

  resp = await post("/api/comments", "application/x-www-form-urlencoded", "spoiler_text=%EF%BD%8B%EF%BD%99%EF%BD%93&text=hi");
  assert.equal(resp.status, 403);
  assert.equal((await resp.json()).matches[0].field, "spoiler_text");

  const boundary = "b0undary";
  const mp = `--${boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\nlogin at https://secure-login-verify.example/x\r\n--${boundary}--\r\n`;
  resp = await post("/api/posts", `multipart/form-data; boundary=${boundary}`, mp);
  assert.equal(resp.status, 403);
  assert.equal((await resp.json()).matches[0].category, "phishing");

  resp = await post("/api/posts", "text/plain", "k y s");
  assert.equal(resp.status, 403);

  assert.equal((await received()).length, before, "the origin received a blocked post");
  // Blocks are reported too.
  await waitFor(async () => (await reports()).some((r) => r.verdict === "block" && r.categories.includes("phishing")));
});

test("a 1 MiB blocked post with 149,000 matches gets a bounded 403: the first 100 listed, the rest counted", async () => {
  const n = 149_000;
  const body = JSON.stringify({ text: "死ね ".repeat(n) });
  assert.ok(Buffer.byteLength(body) > 1_000_000 && Buffer.byteLength(body) <= 1_048_576);
  const resp = await post("/api/posts", "application/json", body, { "accept-language": "ja" });
  assert.equal(resp.status, 403);
  const raw = Buffer.from(await resp.arrayBuffer());
  // BLOCKED_BODY_MAX_BYTES (docs/edge.md): uncapped, this answer was 21 MB.
  assert.ok(raw.length <= 33 * 1024, `${raw.length} bytes`);
  const answer = JSON.parse(raw.toString());
  assert.equal(answer.error, "post_blocked");
  assert.match(answer.message, /投稿/);
  assert.equal(answer.matches.length, 100);
  assert.equal(answer.matches_omitted, n - 100);
  assert.deepEqual(answer.matches.slice(0, 2).map((m) => [m.field, m.start, m.end, m.rule]), [["/text", 0, 6, "死ね"], ["/text", 7, 13, "死ね"]]);
  // The report is not capped by this: it keeps what fits in a queue message, and counts the rest.
  const sha = createHash("sha256").update(body).digest("hex");
  const report = await waitFor(async () => (await reports()).find((r) => r.post_sha256 === sha), 15000);
  assert.equal(report.verdict, "block");
  assert.equal(report.matches.length + report.matches_omitted, n);
});

test("flagged posts arrive with the verdict headers and their report reaches the origin", async () => {
  const token = await login(origin.url, "alice");
  const body = JSON.stringify({ text: "新しい出会い系サイトを見つけた" });
  const resp = await post("/api/posts", "application/json", body, { authorization: `Bearer ${token}` });
  assert.equal(resp.status, 201);
  const last = (await received()).at(-1);
  assert.equal(Buffer.from(last.body_base64, "base64").toString(), body);
  assert.equal(last.headers["termgate-verdict"], "flag");
  const [entry] = last.headers["termgate-matches"].split(",");
  const [field, span, action, category, rule] = entry.split(";");
  assert.equal(decodeURIComponent(field), "/text");
  assert.equal(action, "flag");
  assert.equal(category, "spam");
  assert.equal(decodeURIComponent(rule), "出会い系");
  const [start, end] = span.split("-").map(Number);
  assert.equal(Buffer.from(JSON.parse(body).text).subarray(start, end).toString(), "出会い系");

  const sha = createHash("sha256").update(body).digest("hex");
  const report = await waitFor(async () => (await reports()).find((r) => r.post_sha256 === sha));
  assert.equal(report.v, 1);
  assert.equal(report.kind, "filter");
  assert.equal(report.verdict, "flag");
  assert.equal(report.route, "POST /api/posts");
  assert.equal(report.user, "alice");
  assert.deepEqual(report.categories, ["spam"]);
  assert.equal(report.text, undefined, "post text is not reported unless configured");
  assert.match(report.id, /^[0-9a-f-]{36}$/);
  assert.ok(Date.parse(report.time) > Date.now() - 60_000);
});

test("warned posts arrive with the verdict header and are not reported", async () => {
  const body = JSON.stringify({ text: "you absolute idiot" });
  const resp = await post("/api/posts", "application/json", body);
  assert.equal(resp.status, 201);
  const last = (await received()).at(-1);
  assert.equal(last.headers["termgate-verdict"], "warn");
  assert.match(last.headers["termgate-matches"], /^%2Ftext;13-18;warn;harassment;idiot$/);
  await new Promise((r) => setTimeout(r, 300));
  const sha = createHash("sha256").update(body).digest("hex");
  assert.ok(!(await reports()).some((r) => r.post_sha256 === sha));
});

test("the Scunthorpe problem: innocent words stay innocent", async () => {
  for (const text of ["The assessment by my assistant was classic", "I grew up in Scunthorpe", "shiitake risotto"]) {
    const resp = await post("/api/posts", "application/json", JSON.stringify({ text }));
    assert.equal(resp.status, 201, text);
    assert.equal((await received()).at(-1).headers["termgate-verdict"], "allow", text);
  }
});

test("other routes are proxied untouched", async () => {
  const body = "kill yourself, says a test: other routes are not filtered";
  const resp = await worker.fetch("/echo/a/b?c=1&d=%2F", {
    method: "PUT",
    headers: { "content-type": "text/plain", "x-one": "1", "termgate-verdict": "client" },
    body,
  });
  assert.equal(resp.status, 200);
  const echo = await resp.json();
  assert.equal(echo.method, "PUT");
  assert.equal(echo.path, "/echo/a/b");
  assert.equal(echo.query, "?c=1&d=%2F");
  assert.equal(echo.headers["x-one"], "1");
  assert.equal(echo.headers["termgate-verdict"], "client");
  assert.equal(Buffer.from(echo.body_base64, "base64").toString(), body);
  // GET /api/posts is not a posting route either.
  const get = await worker.fetch("/api/posts");
  assert.equal(get.status, 404);
  // Status codes pass through.
  assert.equal((await worker.fetch("/nowhere")).status, 404);
});

test("the demo page and the browser module come through the worker with their content types", async () => {
  const { existsSync } = await import("node:fs");
  const { ROOT } = await import("./harness.mjs");
  const page = await worker.fetch("/");
  assert.equal(page.status, 200);
  assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
  const js = await worker.fetch("/static/app.js");
  assert.equal(js.status, 200);
  assert.equal(js.headers.get("content-type"), "text/javascript; charset=utf-8");
  const wasm = await worker.fetch("/pkg/termgate_browser_bg.wasm");
  if (existsSync(`${ROOT}/wasm/browser/pkg/termgate_browser_bg.wasm`)) {
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers.get("content-type"), "application/wasm");
  } else {
    assert.equal(wasm.status, 404, "the browser module is not built in this checkout");
  }
  assert.equal((await worker.fetch("/static/../../wrangler.toml")).status, 404);
  assert.equal((await worker.fetch("/static/..%2f..%2fwrangler.toml")).status, 404);
});
