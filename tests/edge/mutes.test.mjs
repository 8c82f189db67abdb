// Mute lists: per-user storage behind session tokens, applied to timeline responses.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { startOrigin, startWorker, withIsolates, originJson, login } from "./harness.mjs";
import { draws } from "../random.mjs";

let origin, worker, alice, bob;
before(async () => {
  origin = await startOrigin();
  worker = await startWorker(origin.url);
  alice = await login(origin.url, "alice");
  bob = await login(origin.url, "bob");
  await originJson(origin.url, "/_demo/seed", {
    posts: [
      { id: "p1", text: "Big spoiler: the butler did it", author: "carol" },
      { id: "p2", text: "最終回のネタバレあり", author: "dan" },
      { id: "p3", text: "Lovely weather today", author: "erin" },
      { id: "p4", text: "no text match here", spoiler_text: "SPOILER inside the CW", author: "fay" },
      { id: "p5", text: "今日はラーメンを食べた", author: "gus" },
    ],
    notifications: [{ id: "n1", text: "someone posted a spoiler", author: "hal" }],
  });
});
after(async () => {
  await worker?.stop();
  await origin?.stop();
});

const auth = (token) => ({ authorization: `Bearer ${token}` });
const putMutes = (token, body, type = "text/plain") =>
  worker.fetch("/_termgate/mutes", { method: "PUT", headers: { ...auth(token), "content-type": type }, body });
const timeline = async (token, path = "/api/timeline") => {
  const resp = await worker.fetch(path, { headers: token ? auth(token) : {} });
  assert.equal(resp.status, 200);
  return (await resp.json()).posts;
};
const ids = (posts) => posts.map((p) => p.id);
// Miniflare's KV proxy takes ArrayBuffers, not Node Buffers.
const arrayBuffer = (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);

const ALICE_LIST = "# alice's mutes\n[hide]\nspoiler\n[collapse]\nネタバレ\nらーめん\n";

test("mute lists need a valid session token", async () => {
  for (const headers of [{}, { authorization: "Bearer not.a.token" }, { authorization: "Bearer " + alice + "x" }]) {
    const resp = await worker.fetch("/_termgate/mutes", { headers });
    assert.equal(resp.status, 401);
  }
  // A token signed with another secret (forged) is refused.
  const [h, p] = alice.split(".");
  const forged = `${h}.${p}.${createHmac("sha256", "wrong").update(`${h}.${p}`).digest("base64url")}`;
  assert.equal((await worker.fetch("/_termgate/mutes", { headers: auth(forged) })).status, 401);
});

test("a user stores a mute list and reads it back, as text or compiled", async () => {
  assert.equal((await worker.fetch("/_termgate/mutes", { headers: auth(alice) })).status, 404);
  const resp = await putMutes(alice, ALICE_LIST);
  assert.equal(resp.status, 200);
  const info = await resp.json();
  assert.equal(info.user, "alice");
  assert.equal(info.rules, 3);
  const text = await worker.fetch("/_termgate/mutes", { headers: auth(alice) });
  assert.equal(text.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(await text.text(), ALICE_LIST);
  const bytes = await worker.fetch("/_termgate/mutes", { headers: { ...auth(alice), accept: "application/octet-stream" } });
  assert.equal(bytes.headers.get("content-type"), "application/octet-stream");
  assert.ok((await bytes.arrayBuffer()).byteLength > 0);
});

test("mute lists may hold only hide and collapse rules; errors have line and column", async () => {
  let resp = await putMutes(bob, "[block spam]\nbuy\n");
  assert.equal(resp.status, 400);
  assert.equal((await resp.json()).error, "action_not_allowed");
  resp = await putMutes(bob, "[hide]\nok\n[hide until=someday]\nx\n");
  assert.equal(resp.status, 400);
  const body = await resp.json();
  assert.equal(body.error, "compile_error");
  assert.equal(body.line, 3);
  // A set's checksum catches corruption, not forgery: users send term lists, never compiled bytes.
  resp = await putMutes(bob, "garbage bytes", "application/octet-stream");
  assert.equal(resp.status, 415);
  assert.equal((await resp.json()).error, "unsupported_content_type");
});

test("a mute list over either size limit is refused with 413, and the list stored before stays", async () => {
  const ivy = await login(origin.url, "ivy");
  assert.equal((await putMutes(ivy, "[hide]\nspoiler\n")).status, 200);
  // Over 256 KiB of text.
  let resp = await putMutes(ivy, "[hide]\n" + "spoiler\n".repeat(40_000));
  assert.equal(resp.status, 413);
  assert.equal((await resp.json()).error, "too_large");
  // Under it, but compiling to more than 1 MiB: letters and digits in turn, each digit also read
  // as the letter it looks like.
  const next = draws(11);
  const terms = new Set();
  let list = "[hide]\n";
  while (list.length < 250_000) {
    let term = "";
    for (let i = 0; i < 12; i++) term += i % 2 ? String(next(10)) : "abcdefghijklmnopqrstuvwxyz"[next(26)];
    if (!terms.has(term)) list += `${term}\n`;
    terms.add(term);
  }
  resp = await putMutes(ivy, list);
  assert.equal(resp.status, 413);
  const body = await resp.json();
  assert.equal(body.error, "compiled_too_large");
  assert.equal(body.max_bytes, 1024 * 1024);
  assert.ok(body.bytes > body.max_bytes, JSON.stringify(body));
  assert.match(body.message, /compiles to \d+ bytes, over the limit of 1048576/);
  const stored = await worker.fetch("/_termgate/mutes", { headers: auth(ivy) });
  assert.equal(await stored.text(), "[hide]\nspoiler\n");
});

test("timelines: hide removes, collapse marks, for the reader only", async () => {
  const mine = await timeline(alice);
  assert.deepEqual(ids(mine), ["p2", "p3", "p5"]);
  assert.deepEqual(mine[0].termgate, { muted: true, action: "collapse", rule: "ネタバレ" });
  assert.deepEqual(mine[2].termgate, { muted: true, action: "collapse", rule: "らーめん" });
  assert.equal(mine[1].termgate, undefined);
  // The origin's bytes are kept around the edits: key order, no re-serialization of kept posts.
  const raw = await (await worker.fetch("/api/timeline", { headers: auth(alice) })).text();
  assert.ok(raw.startsWith('{"posts":[{"id":"p2","text":"最終回のネタバレあり","author":"dan","termgate":{'), raw);
  assert.ok(raw.includes('{"id":"p3","text":"Lovely weather today","author":"erin"}'), raw);
  // Notifications too.
  assert.deepEqual(await timeline(alice, "/api/notifications"), []);
  // Bob and anonymous readers see everything, untouched.
  const direct = await (await fetch(origin.url + "/api/timeline")).text();
  for (const token of [bob, null]) {
    const resp = await worker.fetch("/api/timeline", { headers: token ? auth(token) : {} });
    assert.equal(await resp.text(), direct);
  }
});

test("a mute list another normalization version compiled is rebuilt from its term list and kept aside", async () => {
  const bytes = Buffer.from(await (await worker.kv()).get("mute:alice", "arrayBuffer"));
  const olderOf = (b) => {
    const older = Buffer.from(b);
    older.writeUInt16LE(older.readUInt16LE(10) - 1, 10);
    return older;
  };
  const older = olderOf(bytes);
  // Isolates with nothing cached, sharing one KV store, find the older version's bytes and the term
  // list in KV.
  await withIsolates(origin.url, async (isolate) => {
    const p = await isolate();
    const kv = await p.kv();
    await kv.put("mute:alice", arrayBuffer(older));
    await kv.put("mutesrc:alice", ALICE_LIST);
    const stored = async () => ({ mute: Buffer.from(await kv.get("mute:alice", "arrayBuffer")), mutesrc: await kv.get("mutesrc:alice") });
    const built = async () => Buffer.from((await kv.get("mutebuilt:alice", "arrayBuffer")) ?? new ArrayBuffer(0));
    const seen = async (w) => (await (await w.fetch("/api/timeline", { headers: auth(alice) })).json()).posts.map((post) => post.id);

    assert.deepEqual(await seen(p), ["p2", "p3", "p5"]);
    assert.equal(p.rebuilds(), 1);
    // The keys the user's uploads write are left as they are; the rebuilt list is kept aside, so
    // the next isolate does not rebuild it again...
    assert.deepEqual(await stored(), { mute: older, mutesrc: ALICE_LIST });
    const copy = await built();
    assert.equal(copy.subarray(0, 8).toString("latin1"), "TGBUILT1");
    assert.deepEqual(copy.subarray(40), bytes);
    // For a week: a copy that a rebuild racing the user's DELETE left behind holds the old list.
    const [{ expiration }] = (await kv.list({ prefix: "mutebuilt:alice" })).keys;
    const week = 7 * 24 * 3600;
    assert.ok(Math.abs(expiration - (Date.now() / 1000 + week)) < 600, `expires at ${expiration}`);
    const q = await isolate();
    assert.deepEqual(await seen(q), ["p2", "p3", "p5"]);
    assert.equal(q.rebuilds(), 0, "the kept copy is used");
    // ...and this one caches the rebuilt list (MUTE_CHECK_INTERVAL_SECONDS, 60 by default).
    await kv.delete("mute:alice");
    assert.deepEqual(await seen(p), ["p2", "p3", "p5"]);

    // A copy of other stored bytes is ignored: here an isolate of the older version took alice's
    // new list during the rollout, so mute:alice holds its bytes of that list.
    const NEW_LIST = "[hide]\nweather\n";
    const carol = await login(origin.url, "carol");
    assert.equal((await p.fetch("/_termgate/mutes", { method: "PUT", headers: { ...auth(carol), "content-type": "text/plain" }, body: NEW_LIST })).status, 200);
    const newBytes = Buffer.from(await kv.get("mute:carol", "arrayBuffer"));
    await kv.put("mute:alice", arrayBuffer(olderOf(newBytes)));
    await kv.put("mutesrc:alice", NEW_LIST);
    const r = await isolate();
    assert.deepEqual(await seen(r), ["p1", "p2", "p4", "p5"]);
    assert.equal(r.rebuilds(), 1);
    assert.ok(r.logs.some((m) => m.includes("mutebuilt:alice ignored: built from other bytes")), r.logs.join("\n"));
    const newCopy = await built();
    assert.deepEqual(newCopy.subarray(40), newBytes);

    // A corrupt copy is ignored, not an error: rebuilt again and overwritten.
    const corrupt = Buffer.from(newCopy);
    corrupt[corrupt.length - 3] ^= 0xff;
    await kv.put("mutebuilt:alice", arrayBuffer(corrupt));
    const s = await isolate();
    assert.deepEqual(await seen(s), ["p1", "p2", "p4", "p5"]);
    assert.equal(s.rebuilds(), 1);
    assert.ok(s.logs.some((m) => m.includes("mutebuilt:alice ignored: term set checksum mismatch")), s.logs.join("\n"));
    assert.deepEqual(await built(), newCopy);

    // The user's PUT and DELETE delete the kept copy.
    assert.equal((await s.fetch("/_termgate/mutes", { method: "PUT", headers: { ...auth(alice), "content-type": "text/plain" }, body: ALICE_LIST })).status, 200);
    assert.equal(await kv.get("mutebuilt:alice"), null);
    await kv.put("mutebuilt:alice", arrayBuffer(newCopy));
    assert.equal((await s.fetch("/_termgate/mutes", { method: "DELETE", headers: auth(alice) })).status, 200);
    assert.equal(await kv.get("mutebuilt:alice"), null);

    // A term list longer than an upload takes (MAX_MUTE_BYTES) was not written by one: refused,
    // not compiled; the timeline goes out unmuted. One byte less is rebuilt.
    const padded = (bytes) => ALICE_LIST + "#".repeat(bytes - Buffer.byteLength(ALICE_LIST) - 1) + "\n";
    await kv.put("mute:alice", arrayBuffer(older));
    await kv.put("mutesrc:alice", padded(256 * 1024 + 1));
    const t = await isolate();
    assert.deepEqual(await seen(t), ["p1", "p2", "p3", "p4", "p5"]);
    assert.equal(t.rebuilds(), 0);
    assert.ok(t.logs.some((m) => m.includes("its term list of 262145 bytes is larger than the 262144 an upload takes")), t.logs.join("\n"));
    await kv.put("mutesrc:alice", padded(256 * 1024));
    const u = await isolate();
    assert.deepEqual(await seen(u), ["p2", "p3", "p5"]);
    assert.equal(u.rebuilds(), 1);
  });
});

test("user B can neither read nor change user A's list", async () => {
  // Bob's requests only ever address bob's list: his GET finds none, his PUT and DELETE leave alice's alone.
  assert.equal((await worker.fetch("/_termgate/mutes", { headers: auth(bob) })).status, 404);
  assert.equal((await putMutes(bob, "[hide]\nweather\n")).status, 200);
  assert.equal((await worker.fetch("/_termgate/mutes", { method: "DELETE", headers: auth(bob) })).status, 200);
  assert.equal(await (await worker.fetch("/_termgate/mutes", { headers: auth(alice) })).text(), ALICE_LIST);
  assert.deepEqual(ids(await timeline(alice)), ["p2", "p3", "p5"]);
  // A token whose subject tries to escape its KV key is refused outright.
  const evil = await fetch(origin.url + "/_demo/login", { method: "POST", body: JSON.stringify({ user: "alice/../bob" }) });
  assert.equal(evil.status, 400);
});

test("expired mute rules stop applying, though the list is cached", async () => {
  // The worker caches bob's list from his PUT (MUTE_CHECK_INTERVAL_SECONDS is 60 by default); each
  // timeline is still scanned at its own time.
  const soon = new Date(Date.now() + 3000).toISOString().replace(/\.\d+Z$/, "Z");
  const past = "2020-01-01T00:00Z";
  assert.equal((await putMutes(bob, `[hide until=${soon}]\nweather\n[hide until=${past}]\nlovely\n[collapse]\nbutler\n`)).status, 200);
  let mine = await timeline(bob);
  assert.deepEqual(ids(mine), ["p1", "p2", "p4", "p5"], "weather hidden until it expires; the past rule never applies");
  assert.equal(mine[0].termgate.rule, "butler");
  await new Promise((r) => setTimeout(r, 3500));
  mine = await timeline(bob);
  assert.deepEqual(ids(mine), ["p1", "p2", "p3", "p4", "p5"]);
});

test("a compiled mute list is refused even when it is valid; its term list is taken; DELETE unmutes", async () => {
  const bytes = await (await worker.fetch("/_termgate/mutes", { headers: { ...auth(alice), accept: "application/octet-stream" } })).arrayBuffer();
  assert.equal((await putMutes(bob, bytes, "application/octet-stream")).status, 415);
  const list = await (await worker.fetch("/_termgate/mutes", { headers: auth(alice) })).text();
  assert.equal((await putMutes(bob, list)).status, 200);
  assert.deepEqual(ids(await timeline(bob)), ["p2", "p3", "p5"]);
  assert.equal(await (await worker.fetch("/_termgate/mutes", { headers: auth(bob) })).text(), list);
  assert.equal((await worker.fetch("/_termgate/mutes", { method: "DELETE", headers: auth(bob) })).status, 200);
  assert.equal((await timeline(bob)).length, 5);
});
