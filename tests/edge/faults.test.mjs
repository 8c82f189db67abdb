// Bad input and failing dependencies: clean 4xx/5xx answers, nothing forwarded, no poisoned isolate.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { startOrigin, startWorker, originJson, login } from "./harness.mjs";

let origin, worker;
before(async () => {
  origin = await startOrigin();
  worker = await startWorker(origin.url, { MAX_BODY_BYTES: "4096" });
});
after(async () => {
  await worker?.stop();
  await origin?.stop();
});

const count = async () => (await originJson(origin.url, "/_demo/received")).received.length;
const post = (type, body, headers = {}) =>
  worker.fetch("/api/posts", { method: "POST", headers: { "content-type": type, ...headers }, body });

test("oversize bodies get 413 and are not forwarded", async () => {
  const before = await count();
  let resp = await post("application/json", JSON.stringify({ text: "a".repeat(5000) }), { "accept-language": "ja" });
  assert.equal(resp.status, 413);
  const body = await resp.json();
  assert.equal(body.error, "too_large");
  assert.match(body.message, /大きすぎ/);
  // Without a Content-Length: a streamed body is cut off at the limit too.
  const stream = new ReadableStream({
    start(c) {
      for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode("x".repeat(1000)));
      c.close();
    },
  });
  // The worker answers 413 as soon as the limit is passed, while the client may still be sending:
  // HTTP allows that early answer, and the client may see the connection closed instead of the
  // answer ("fetch failed"). Either way the body must not reach the origin.
  try {
    resp = await worker.fetch("/api/posts", { method: "POST", headers: { "content-type": "text/plain" }, body: stream, duplex: "half" });
    assert.equal(resp.status, 413);
  } catch (error) {
    assert.equal(error.message, "fetch failed");
  }
  assert.equal(await count(), before);
});

test("malformed, deeply nested and non-UTF-8 bodies get 400; unknown types 415", async () => {
  const before = await count();
  const cases = [
    ["application/json", '{"text": "unterminated', 400, "malformed_body"],
    ["application/json", "", 400, "malformed_body"],
    ["application/json", "[".repeat(1000) + "]".repeat(1000), 400, "too_deep"],
    ["text/plain", Buffer.from([0x66, 0xff, 0xfe]), 400, "malformed_body"],
    ["application/x-www-form-urlencoded", "text=%E3%81", 400, "malformed_body"],
    ["multipart/form-data; boundary=zz", "--zz\r\nno headers end", 400, "malformed_body"],
    ["image/png", "\x89PNG", 415, "unsupported_content_type"],
  ];
  const gz = await post("application/json", gzipSync('{"text":"kill yourself"}'), { "content-encoding": "gzip" });
  assert.equal(gz.status, 415, "compressed bodies cannot be scanned");
  for (const [type, body, status, error] of cases) {
    const resp = await post(type, body);
    assert.equal(resp.status, status, `${type} ${String(body).slice(0, 20)}`);
    assert.equal((await resp.json()).error, error, type);
  }
  assert.equal(await count(), before);
  // The isolate is fine afterwards.
  const ok = await post("application/json", '{"text":"still here"}');
  assert.equal(ok.status, 201);
});

// Bodies deeper than 4 KiB need a worker with the default 1 MiB limit.
test("deeply nested JSON within the size limit: 400, no stack overflow", async () => {
  const deep = await startWorker(origin.url);
  try {
    for (const body of ["[".repeat(200_000) + "]".repeat(200_000), '{"a":'.repeat(50_000) + "1" + "}".repeat(50_000), "[".repeat(129) + "]".repeat(129)]) {
      const resp = await deep.fetch("/api/posts", { method: "POST", headers: { "content-type": "application/json" }, body });
      assert.equal(resp.status, 400);
      assert.equal((await resp.json()).error, "too_deep");
    }
    const ok = await deep.fetch("/api/posts", { method: "POST", headers: { "content-type": "application/json" }, body: "[".repeat(100) + "]".repeat(100) });
    assert.equal(ok.status, 201, "nesting below the limit is fine");
  } finally {
    await deep.stop();
  }
});

test("UNKNOWN_CONTENT_TYPE=forward sends other types on, unscanned and marked", async () => {
  const fwd = await startWorker(origin.url, { UNKNOWN_CONTENT_TYPE: "forward" });
  try {
    const resp = await fwd.fetch("/api/posts", { method: "POST", headers: { "content-type": "application/octet-stream" }, body: "kill yourself" });
    assert.equal(resp.status, 201);
    const last = (await originJson(origin.url, "/_demo/received")).received.at(-1);
    assert.equal(last.headers["termgate-verdict"], "unscanned");
    assert.equal(Buffer.from(last.body_base64, "base64").toString(), "kill yourself");
  } finally {
    await fwd.stop();
  }
});

test("FAIL_MODE: a configured set that is corrupt with no good copy fails open or closed", async () => {
  for (const mode of ["open", "closed"]) {
    const w = await startWorker(origin.url, { FAIL_MODE: mode, GLOBAL_SETS: "default, extra", SET_CHECK_INTERVAL_SECONDS: "7" });
    try {
      const kv = w.kv();
      await (await kv).put("set:extra", "definitely not a term set");
      await (await kv).put("setver:extra", "0123456789abcdef");
      const before = await count();
      const resp = await w.fetch("/api/posts", { method: "POST", headers: { "content-type": "application/json", "accept-language": "en" }, body: '{"text":"hello"}' });
      if (mode === "open") {
        assert.equal(resp.status, 201);
        const last = (await originJson(origin.url, "/_demo/received")).received.at(-1);
        assert.equal(last.headers["termgate-verdict"], "error");
        assert.equal(await count(), before + 1);
      } else {
        assert.equal(resp.status, 503);
        assert.equal((await resp.json()).error, "filter_unavailable");
        // When the worker looks at the sets again: SET_CHECK_INTERVAL_SECONDS.
        assert.equal(resp.headers.get("retry-after"), "7");
        assert.equal(await count(), before);
      }
    } finally {
      await w.stop();
    }
  }
});

test("without KV the bundled default still filters; a set that needs KV fails open or closed", async () => {
  for (const mode of ["open", "closed"]) {
    const w = await startWorker(origin.url, { FAIL_MODE: mode }, {}, { kvNamespaces: [] });
    try {
      const post = (text) => w.fetch("/api/posts", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) });
      assert.equal((await post("buy cheap followers")).status, 403, "the bundled set is a good copy");
      assert.equal((await post("hello")).status, 201);
    } finally {
      await w.stop();
    }
    const extra = await startWorker(origin.url, { FAIL_MODE: mode, GLOBAL_SETS: "default, extra" }, {}, { kvNamespaces: [] });
    try {
      const resp = await extra.fetch("/api/posts", { method: "POST", headers: { "content-type": "application/json" }, body: '{"text":"hello"}' });
      assert.equal(resp.status, mode === "open" ? 201 : 503);
      if (mode === "open") {
        const last = (await originJson(origin.url, "/_demo/received")).received.at(-1);
        assert.equal(last.headers["termgate-verdict"], "error");
      }
    } finally {
      await extra.stop();
    }
  }
});

test("a runtime error is a 500 in the client's language that hides its details; the isolate keeps working", async () => {
  // Without the KV binding, storing a mute list fails in the runtime (`env.kv`).
  const w = await startWorker(origin.url, {}, {}, { kvNamespaces: [] });
  try {
    const token = await login(origin.url, "kim");
    const put = (lang) =>
      w.fetch("/_termgate/mutes", {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "text/plain", "accept-language": lang },
        body: "[hide]\nspoiler\n",
      });
    for (const [lang, message] of [["en", /could not be handled/], ["ja", /処理できません/]]) {
      const resp = await put(lang);
      assert.equal(resp.status, 500);
      const text = await resp.text();
      assert.equal(JSON.parse(text).error, "internal");
      assert.match(JSON.parse(text).message, message);
      assert.doesNotMatch(text, /TERMS|binding|kv/i, "the runtime's error stays in the log");
    }
    const resp = await w.fetch("/api/posts", { method: "POST", headers: { "content-type": "application/json" }, body: '{"text":"hello"}' });
    assert.equal(resp.status, 201);
  } finally {
    await w.stop();
  }
});

test("an unreachable origin is a 502; blocking needs no origin", async () => {
  const down = await startOrigin();
  const url = down.url;
  await down.stop();
  const w = await startWorker(url);
  try {
    const post = (text) => w.fetch("/api/posts", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) });
    let resp = await post("hello");
    assert.equal(resp.status, 502);
    assert.equal((await resp.json()).error, "origin_unreachable");
    assert.equal((await w.fetch("/api/timeline")).status, 502);
    assert.equal((await post("kill yourself")).status, 403);
  } finally {
    await w.stop();
  }
});

test("a bad setting is a clean 500 naming the variable, in the client's language", async () => {
  const w = await startWorker(origin.url, { FAIL_MODE: "sometimes" });
  try {
    const resp = await w.fetch("/api/timeline");
    assert.equal(resp.status, 500);
    const body = await resp.json();
    assert.equal(body.error, "bad_configuration");
    assert.match(body.detail, /FAIL_MODE/);
    assert.match(body.message, /misconfigured/);
    const ja = await (await w.fetch("/api/timeline", { headers: { "accept-language": "ja" } })).json();
    assert.match(ja.message, /設定/);
    assert.match(ja.detail, /FAIL_MODE/);
  } finally {
    await w.stop();
  }
});
