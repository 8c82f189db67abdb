// Global term sets: the admin API, KV reloads, corrupt sets refused, the public compiled bytes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startOrigin, startWorker, withIsolates, SECRETS } from "./harness.mjs";

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

test("a set another normalization version compiled is rebuilt from its term list, kept aside, or refused", async () => {
  // Isolates with nothing cached, sharing one KV store, as after an upgrade.
  await withIsolates(origin.url, async (isolate) => {
    const a = await isolate();
    const list = "[block spam]\nzzqold\n";
    const upload = await a.fetch("/_termgate/sets/default", { method: "PUT", headers: { ...admin, "content-type": "text/plain" }, body: list });
    assert.equal(upload.status, 201);
    const { version: rebuiltVersion } = await upload.json();
    const kv = await a.kv();
    const bytes = Buffer.from(await kv.get("set:default", "arrayBuffer"));
    // The same bytes as an older termgate would have written them: its normalization version, and
    // its own checksum, which its upload stored as the version.
    const older = Buffer.from(bytes);
    older.writeUInt16LE(older.readUInt16LE(10) - 1, 10);
    older.writeBigUInt64LE(0xaan, 32);
    await kv.put("set:default", arrayBuffer(older));
    await kv.put("setver:default", "00000000000000aa");
    const stored = async () => ({
      set: Buffer.from(await kv.get("set:default", "arrayBuffer")),
      setver: await kv.get("setver:default"),
      setsrc: await kv.get("setsrc:default"),
    });
    const before = await stored();
    const built = async () => Buffer.from((await kv.get("setbuilt:default", "arrayBuffer")) ?? new ArrayBuffer(0));
    const post = (w, text) => w.fetch("/api/posts", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) });

    // Rebuilt from setsrc:default and in use; the keys uploads write are left as they are, and the
    // rebuilt bytes are kept under setbuilt:default.
    const b = await isolate();
    assert.equal((await post(b, "zzqold here")).status, 403);
    assert.equal(b.rebuilds(), 1);
    assert.deepEqual(await stored(), before, "set:, setver: and setsrc: untouched");
    const copy = await built();
    assert.equal(copy.subarray(0, 8).toString("latin1"), "TGBUILT1");
    assert.deepEqual(copy.subarray(40), bytes, "the rebuilt bytes, as this version compiles the list");
    // The answers say which set is enforced and which stored version it stands for.
    const health = (await (await b.fetch("/_termgate/health")).json()).sets[0];
    assert.deepEqual(health, { name: "default", version: rebuiltVersion, source: "kv", rules: 1, rebuilt: true, stored_version: "00000000000000aa" });
    const described = await (await b.fetch("/_termgate/sets/default", { headers: admin })).json();
    assert.equal(described.version, rebuiltVersion);
    assert.equal(described.rebuilt, true);
    assert.equal(described.stored_version, "00000000000000aa");
    assert.equal((await b.fetch("/_termgate/sets/default.tgs")).headers.get("etag"), `"${rebuiltVersion}"`);
    assert.equal(await (await b.fetch("/_termgate/sets/default", { headers: { ...admin, accept: "text/plain" } })).text(), list);

    // A fresh isolate takes the kept copy instead of rebuilding.
    const c = await isolate();
    assert.equal((await post(c, "zzqold here")).status, 403);
    assert.equal(c.rebuilds(), 0);
    assert.deepEqual(await stored(), before);

    // The isolates know the set by the stored version (setver:), so they neither fetch nor rebuild
    // it again while it stays (SET_CHECK_INTERVAL_SECONDS is 0: KV's version is read every time).
    await kv.put("setbuilt:default", arrayBuffer(Buffer.from("garbage")));
    const logged = [b.logs.length, c.logs.length];
    for (const w of [b, c]) assert.equal((await post(w, "zzqold again")).status, 403);
    assert.deepEqual([b.logs.length, c.logs.length], logged);

    // A copy that is no rebuilt set is ignored, not an error: rebuilt again and overwritten.
    const d = await isolate();
    assert.equal((await post(d, "zzqold here")).status, 403);
    assert.equal(d.rebuilds(), 1);
    assert.ok(d.logs.some((m) => m.includes("setbuilt:default ignored: not a rebuilt set")), d.logs.join("\n"));
    assert.deepEqual(await built(), copy);

    // A copy of other stored bytes is ignored: here an isolate of the older version took a new
    // upload during the rollout, so set: holds its bytes of the new list.
    const newList = "[block spam]\nzzqnew\n";
    assert.equal((await a.fetch("/_termgate/sets/scratch", { method: "PUT", headers: { ...admin, "content-type": "text/plain" }, body: newList })).status, 201);
    const newBytes = Buffer.from(await kv.get("set:scratch", "arrayBuffer"));
    const newOlder = Buffer.from(newBytes);
    newOlder.writeUInt16LE(newOlder.readUInt16LE(10) - 1, 10);
    newOlder.writeBigUInt64LE(0xccn, 32);
    await kv.put("set:default", arrayBuffer(newOlder));
    await kv.put("setsrc:default", newList);
    await kv.put("setver:default", "00000000000000cc");
    const e = await isolate();
    assert.equal((await post(e, "zzqnew here")).status, 403);
    assert.equal((await post(e, "zzqold here")).status, 201);
    assert.equal(e.rebuilds(), 1);
    assert.ok(e.logs.some((m) => m.includes("setbuilt:default ignored: built from other bytes")), e.logs.join("\n"));
    assert.deepEqual((await built()).subarray(40), newBytes);
    // The isolates that had the old set cached take the new one, from the kept copy.
    const rebuilds = [b, c, d].map((w) => w.rebuilds());
    for (const w of [b, c, d]) assert.equal((await post(w, "zzqnew here")).status, 403);
    assert.deepEqual([b, c, d].map((w) => w.rebuilds()), rebuilds);

    // An upload deletes the kept copy (it is never used again: the uploaded bytes load as they are).
    const stale = await built();
    assert.equal((await a.fetch("/_termgate/sets/default", { method: "PUT", headers: { ...admin, "content-type": "text/plain" }, body: list })).status, 201);
    assert.equal(await kv.get("setbuilt:default"), null);
    // A stale copy stored after it (by a rebuild racing the upload) is not used.
    await kv.put("setbuilt:default", arrayBuffer(stale));
    const f = await isolate();
    assert.equal((await post(f, "zzqold here")).status, 403);
    assert.equal((await post(f, "zzqnew here")).status, 201);
    assert.equal(f.rebuilds(), 0);

    // Without a term list to rebuild from, the bytes are refused and the last good copy stays.
    await kv.delete("setsrc:default");
    older.writeBigUInt64LE(0xbbn, 32);
    await kv.put("set:default", arrayBuffer(older));
    await kv.put("setver:default", "00000000000000bb");
    assert.equal((await post(f, "zzqold here")).status, 403);
    assert.ok(f.logs.some((m) => m.includes("no term list is stored to rebuild it from")), f.logs.join("\n"));
    assert.equal((await (await f.fetch("/_termgate/health")).json()).sets[0].version, rebuiltVersion);
  });
});

test("an upload during another isolate's rebuild stays in KV and applies", async () => {
  // The race: isolate b reads a set an older termgate compiled and its term list, and rebuilds it;
  // meanwhile the operator uploads a new set through isolate a. KV has no compare-and-swap, so a
  // rebuild that wrote its bytes back into set:/setver: would revert the upload. A big set makes
  // the rebuild take long enough (about 2 s here) for the upload to land in the middle of it.
  await withIsolates(origin.url, async (isolate) => {
    const a = await isolate();
    const b = await isolate();
    const postTo = (w, text) => w.fetch("/api/posts", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) });
    const word = (i) => { let s = "zq"; do { s += String.fromCharCode(97 + (i % 26)); i = Math.floor(i / 26); } while (i > 0); return s; };
    const big = "[block spam]\nzzqoldrace\n" + Array.from({ length: 600000 }, (_, i) => word(i)).join("\n") + "\n";
    const put = (w, body) => w.fetch("/_termgate/sets/default", { method: "PUT", headers: { ...admin, "content-type": "text/plain" }, body });
    assert.equal((await put(a, big)).status, 201);
    const kv = await a.kv();
    const older = Buffer.from(await kv.get("set:default", "arrayBuffer"));
    older.writeUInt16LE(older.readUInt16LE(10) - 1, 10);
    await kv.put("set:default", arrayBuffer(older));

    const started = Date.now();
    const rebuilding = postTo(b, "zzqoldrace").then((r) => ({ status: r.status, at: Date.now() }));
    await new Promise((r) => setTimeout(r, 500));
    const upload = await put(a, "[block spam]\nzzqnewrace\n");
    assert.equal(upload.status, 201);
    const uploaded = (await upload.json()).version;
    const stored = Date.now();
    const rebuilt = await rebuilding;
    // The race happened: b answered with the set it rebuilt from the old term list, after the
    // upload was stored.
    assert.equal(rebuilt.status, 403, "b rebuilt the old set");
    assert.equal(b.rebuilds(), 1);
    assert.ok(rebuilt.at > stored, `b's rebuild (${rebuilt.at - started} ms) ended before the upload (${stored - started} ms): the race window was missed`);

    assert.equal(await kv.get("setver:default"), uploaded, "the upload's version stays in KV");
    assert.equal(await kv.get("setsrc:default"), "[block spam]\nzzqnewrace\n");
    // Both isolates (SET_CHECK_INTERVAL_SECONDS 0) and a third one apply the upload.
    const c = await isolate();
    for (const w of [a, b, c]) {
      assert.equal((await postTo(w, "zzqnewrace")).status, 403);
      assert.equal((await postTo(w, "zzqoldrace")).status, 201);
    }
    const served = Buffer.from(await (await c.fetch("/_termgate/sets/default.tgs")).arrayBuffer());
    assert.deepEqual(Buffer.from(await kv.get("set:default", "arrayBuffer")), served);
  });
});

test("deleting the default set brings the bundled one back", async () => {
  const resp = await worker.fetch("/_termgate/sets/default", { method: "DELETE", headers: admin });
  assert.equal(resp.status, 200);
  assert.equal((await postText("buy cheap followers")).status, 403);
  const info = await (await worker.fetch("/_termgate/sets/default", { headers: admin })).json();
  assert.equal(info.source, "bundled");
});

test("a version whose bytes are not in KV is looked at again after the interval, not on every request", async () => {
  await withIsolates(origin.url, async (isolate) => {
    const a = await isolate();
    const upload = await a.fetch("/_termgate/sets/default", { method: "PUT", headers: { ...admin, "content-type": "text/plain" }, body: "[block spam]\nzzqgood\n" });
    const { version } = await upload.json();
    const kv = await a.kv();
    // A version no bytes have (written by hand, or bytes not yet replicated): a fresh isolate keeps
    // the bundled set...
    await kv.put("setver:default", "00000000deadbeef");
    const b = await isolate({ SET_CHECK_INTERVAL_SECONDS: "2" });
    const post = (text) => b.fetch("/api/posts", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) });
    const started = Date.now();
    assert.equal((await post("zzqgood")).status, 201);
    assert.equal((await post("buy cheap followers")).status, 403, "the bundled set");
    // ...and does not ask KV again within the interval: the right version, written now, is not
    // seen until it ends. (Asking on every request fetched the bytes on every request.)
    await kv.put("setver:default", version);
    assert.equal((await post("zzqgood")).status, 201);
    assert.ok(Date.now() - started < 2000, "still within the interval");
    await new Promise((r) => setTimeout(r, 2000 - (Date.now() - started) + 100));
    assert.equal((await post("zzqgood")).status, 403);
  });
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
