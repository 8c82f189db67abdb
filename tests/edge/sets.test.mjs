// Global term sets: the admin API, KV reloads, corrupt sets refused, the public compiled bytes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startOrigin, startWorker, SECRETS } from "./harness.mjs";

let origin, worker;
before(async () => {
  origin = await startOrigin();
  worker = await startWorker(origin.url);
});
after(async () => {
  await worker?.stop();
  await origin?.stop();
});

const admin = { authorization: `Bearer ${SECRETS.ADMIN_TOKEN}` };
const putList = (name, text, headers = admin) =>
  worker.fetch(`/_termgate/sets/${name}`, { method: "PUT", headers: { ...headers, "content-type": "text/plain" }, body: text });
// Miniflare's KV proxy takes ArrayBuffers, not Node Buffers.
const arrayBuffer = (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
const postText = (text) =>
  worker.fetch("/api/posts", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) });

test("admin routes refuse a missing or wrong token", async () => {
  for (const headers of [{}, { authorization: "Bearer nope" }, { authorization: `Basic ${SECRETS.ADMIN_TOKEN}` }, { authorization: `Bearer ${SECRETS.ADMIN_TOKEN}x` }]) {
    for (const method of ["GET", "PUT", "DELETE"]) {
      const resp = await worker.fetch("/_termgate/sets/default", { method, headers: { ...headers, "content-type": "text/plain" }, body: method === "PUT" ? "[block]\nzzq\n" : undefined });
      assert.equal(resp.status, 401, `${method} ${JSON.stringify(headers)}`);
      assert.equal((await resp.json()).error, "unauthorized");
    }
  }
  // Nothing changed.
  assert.equal((await postText("zzq")).status, 201);
});

test("the bundled default set is served publicly and described to admins", async () => {
  const resp = await worker.fetch("/_termgate/sets/default.tgs");
  assert.equal(resp.status, 200);
  assert.equal(resp.headers.get("content-type"), "application/octet-stream");
  const version = resp.headers.get("termgate-set-version");
  assert.match(version, /^[0-9a-f]{16}$/);
  assert.equal(resp.headers.get("etag"), `"${version}"`);
  assert.ok((await resp.arrayBuffer()).byteLength > 1000);
  const again = await worker.fetch("/_termgate/sets/default.tgs", { headers: { "if-none-match": `"${version}"` } });
  assert.equal(again.status, 304);
  const info = await (await worker.fetch("/_termgate/sets/default", { headers: admin })).json();
  assert.equal(info.source, "bundled");
  assert.equal(info.version, version);
  assert.ok(info.rules > 50);
  const list = await (await worker.fetch("/_termgate/sets/default", { headers: { ...admin, accept: "text/plain" } })).text();
  assert.match(list, /\[block spam\]\nbuy && followers\n/);
  assert.equal((await worker.fetch("/_termgate/sets/nope.tgs")).status, 404);
});

test("term lists with mistakes are refused with line and column", async () => {
  const resp = await putList("default", "[block spam]\nfine term\n[explode spam]\nx\n");
  assert.equal(resp.status, 400);
  const body = await resp.json();
  assert.equal(body.error, "compile_error");
  assert.equal(body.line, 3);
  assert.ok(body.column >= 1);
  assert.match(body.message, /^default:3:\d+: /);
  // Mute actions do not belong in a global set.
  const mute = await putList("default", "[hide]\nspoiler\n");
  assert.equal(mute.status, 400);
  assert.equal((await mute.json()).error, "action_not_allowed");
});

test("an uploaded set replaces the default; a corrupt one never does", async () => {
  let resp = await putList("default", "# operator list\n[block spam]\nzzqbuy\n[flag nuisance]\nzzqflag\n");
  assert.equal(resp.status, 201);
  const info = await resp.json();
  assert.equal(info.rules, 2);
  assert.equal((await postText("zzqbuy now")).status, 403);
  assert.equal((await postText("buy cheap followers")).status, 201, "the bundled rules are replaced");

  // A compiled set uploaded as bytes (taken from a set compiled by the worker).
  assert.equal((await putList("scratch", "[block spam]\nzzqbytes\n")).status, 201);
  const bytes = Buffer.from(await (await worker.fetch("/_termgate/sets/scratch.tgs")).arrayBuffer());
  resp = await worker.fetch("/_termgate/sets/second", { method: "PUT", headers: { ...admin, "content-type": "application/octet-stream" }, body: bytes });
  assert.equal(resp.status, 201);
  assert.equal((await resp.json()).rules, 1);

  // Corrupt bytes through the API: refused, the current set stays.
  const corrupt = Buffer.from(bytes);
  corrupt[corrupt.length - 3] ^= 0xff;
  for (const body of [corrupt, bytes.subarray(0, 20), Buffer.from("hello")]) {
    resp = await worker.fetch("/_termgate/sets/default", { method: "PUT", headers: { ...admin, "content-type": "application/octet-stream" }, body });
    assert.equal(resp.status, 400);
    assert.equal((await resp.json()).error, "invalid_set");
  }
  assert.equal((await postText("zzqbuy now")).status, 403);

  // Corrupt bytes written into KV behind the API's back, with a new version: not loaded.
  const kv = await worker.kv();
  await kv.put("set:default", arrayBuffer(corrupt));
  await kv.put("setver:default", "00000000deadbeef");
  assert.equal((await postText("zzqbuy now")).status, 403, "the last good set keeps working");
  assert.equal((await postText("buy cheap followers")).status, 201);
  const health = await (await worker.fetch("/_termgate/health")).json();
  assert.equal(health.sets[0].version, info.version);

  // A good set in KV with a new version is picked up.
  await kv.put("set:default", arrayBuffer(bytes));
  await kv.put("setver:default", (await (await worker.fetch("/_termgate/sets/second", { headers: admin })).json()).version);
  assert.equal((await postText("zzqbytes")).status, 403);
  assert.equal((await postText("zzqbuy now")).status, 201);
});

test("a set another normalization version compiled is rebuilt from its term list, or refused", async () => {
  const upload = await putList("default", "[block spam]\nzzqold\n");
  assert.equal(upload.status, 201);
  const { version: uploaded } = await upload.json();
  const kv = await worker.kv();
  const bytes = Buffer.from(await kv.get("set:default", "arrayBuffer"));
  // The same bytes as an older termgate would have written them: its normalization version.
  const older = Buffer.from(bytes);
  older.writeUInt16LE(older.readUInt16LE(10) - 1, 10);
  const version = async () => (await (await worker.fetch("/_termgate/health")).json()).sets[0].version;

  await kv.put("set:default", arrayBuffer(older));
  await kv.put("setver:default", "00000000000000aa");
  assert.equal((await postText("zzqold here")).status, 403);
  // Rebuilt from setsrc:default, in use, and stored again under its own version.
  assert.equal(await version(), uploaded);
  assert.equal(await kv.get("setver:default"), uploaded);
  assert.deepEqual(Buffer.from(await kv.get("set:default", "arrayBuffer")), bytes);

  // Without a term list to rebuild from, the bytes are refused and the last good copy stays.
  await kv.delete("setsrc:default");
  await kv.put("set:default", arrayBuffer(older));
  await kv.put("setver:default", "00000000000000bb");
  assert.equal((await postText("zzqold here")).status, 403);
  assert.equal(await version(), uploaded);
});

test("deleting the default set brings the bundled one back", async () => {
  const resp = await worker.fetch("/_termgate/sets/default", { method: "DELETE", headers: admin });
  assert.equal(resp.status, 200);
  assert.equal((await postText("buy cheap followers")).status, 403);
  const info = await (await worker.fetch("/_termgate/sets/default", { headers: admin })).json();
  assert.equal(info.source, "bundled");
});

test("another isolate picks up a set uploaded through this one (reload by KV version)", async () => {
  // Two workerd instances sharing one KV store on disk: two isolates of the same worker.
  const dir = await mkdtemp(join(tmpdir(), "termgate-kv-"));
  const a = await startWorker(origin.url, {}, {}, { kvPersist: dir });
  const b = await startWorker(origin.url, { SET_CHECK_INTERVAL_SECONDS: "1" }, {}, { kvPersist: dir });
  const postTo = (w, text) => w.fetch("/api/posts", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) });
  try {
    assert.equal((await postTo(b, "zzqreload")).status, 201, "b caches the bundled set");
    const resp = await a.fetch("/_termgate/sets/default", { method: "PUT", headers: { ...admin, "content-type": "text/plain" }, body: "[block spam]\nzzqreload\n" });
    assert.equal(resp.status, 201);
    assert.equal((await postTo(a, "zzqreload")).status, 403);
    // b checks KV's version at most once a second, then reloads.
    const end = Date.now() + 5000;
    let status;
    while ((status = (await postTo(b, "zzqreload")).status) !== 403 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    assert.equal(status, 403);
    assert.equal((await (await b.fetch("/_termgate/sets/default", { headers: admin })).json()).source, "kv");
  } finally {
    await a.stop();
    await b.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
