// The per-isolate cache of mute lists: a reader's own changes apply at once, a list written
// behind the worker's back (as another isolate would write it) only after MUTE_CHECK_INTERVAL_SECONDS,
// interval 0 reads KV on every timeline, and a list that does not load is not cached.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startOrigin, startWorker, originJson, login, waitFor } from "./harness.mjs";

// Three isolates, each with its own KV: a long interval (nothing is read again during the tests),
// a one-second one, and none.
let origin, slow, quick, always;
before(async () => {
  origin = await startOrigin();
  [slow, quick, always] = await Promise.all(
    ["600", "1", "0"].map((s) => startWorker(origin.url, { MUTE_CHECK_INTERVAL_SECONDS: s })),
  );
  await originJson(origin.url, "/_demo/seed", {
    posts: [
      { id: "p1", text: "Big spoiler: the butler did it", author: "carol" },
      { id: "p2", text: "Lovely weather today", author: "erin" },
      { id: "p3", text: "今日はラーメンを食べた", author: "gus" },
    ],
  });
});
after(async () => {
  await Promise.all([slow, quick, always].map((w) => w?.stop()));
  await origin?.stop();
});

const auth = (token) => ({ authorization: `Bearer ${token}` });
const put = (w, token, list) =>
  w.fetch("/_termgate/mutes", { method: "PUT", headers: { ...auth(token), "content-type": "text/plain" }, body: list });
const del = (w, token) => w.fetch("/_termgate/mutes", { method: "DELETE", headers: auth(token) });
/** The ids of the posts `token`'s reader sees through `w`. */
const seen = async (w, token) => {
  const resp = await w.fetch("/api/timeline", { headers: auth(token) });
  assert.equal(resp.status, 200);
  return (await resp.json()).posts.map((p) => p.id);
};
const ALL = ["p1", "p2", "p3"];
const WEATHER = "[hide]\nweather\n";
const BUTLER = "[hide]\nbutler\n";

/** The compiled bytes of `list`, as a worker stores them in KV (compiled through `always`). */
async function compiled(list) {
  const token = await login(origin.url, "compiler");
  assert.equal((await put(always, token, list)).status, 200);
  const resp = await always.fetch("/_termgate/mutes", { headers: { ...auth(token), accept: "application/octet-stream" } });
  assert.equal(resp.status, 200);
  return resp.arrayBuffer();
}

test("a reader's own PUT and DELETE apply to their next timeline at once", async () => {
  const ivy = await login(origin.url, "ivy");
  assert.deepEqual(await seen(slow, ivy), ALL, "no list (and that is cached)");
  assert.equal((await put(slow, ivy, WEATHER)).status, 200);
  assert.deepEqual(await seen(slow, ivy), ["p1", "p3"], "the new list, not the cached absence");
  assert.equal((await put(slow, ivy, BUTLER)).status, 200);
  assert.deepEqual(await seen(slow, ivy), ["p2", "p3"], "the replaced list, not the cached one");
  assert.equal((await del(slow, ivy)).status, 200);
  assert.deepEqual(await seen(slow, ivy), ALL, "deleted: unmuted at once");
  assert.equal((await put(slow, ivy, WEATHER)).status, 200);
  assert.deepEqual(await seen(slow, ivy), ["p1", "p3"]);
});

test("within the interval, a list changed behind the worker's back is not read", async () => {
  const kv = await slow.kv();
  const [weather, butler] = [await compiled(WEATHER), await compiled(BUTLER)];
  // A reader without a list: the absence is cached.
  const jo = await login(origin.url, "jo");
  assert.deepEqual(await seen(slow, jo), ALL);
  await kv.put("mute:jo", weather);
  assert.deepEqual(await seen(slow, jo), ALL, "another isolate's write is not seen yet");
  // A reader with a list: the list is cached.
  const kai = await login(origin.url, "kai");
  assert.equal((await put(slow, kai, WEATHER)).status, 200);
  assert.deepEqual(await seen(slow, kai), ["p1", "p3"]);
  await kv.put("mute:kai", butler);
  assert.deepEqual(await seen(slow, kai), ["p1", "p3"], "still the cached list");
  await kv.delete("mute:kai");
  assert.deepEqual(await seen(slow, kai), ["p1", "p3"], "still the cached list");
});

test("after the interval, a list written behind the worker's back is read", async () => {
  const kv = await quick.kv();
  const weather = await compiled(WEATHER);
  const lee = await login(origin.url, "lee");
  const start = Date.now();
  assert.deepEqual(await seen(quick, lee), ALL, "no list, cached for a second");
  await kv.put("mute:lee", weather);
  await waitFor(async () => (await seen(quick, lee)).length === 2, 10000, 100);
  // Not before the second had passed since the absence was cached (it was cached after `start`).
  assert.ok(Date.now() - start >= 1000, `picked up after ${Date.now() - start} ms`);
  assert.deepEqual(await seen(quick, lee), ["p1", "p3"]);
  await kv.delete("mute:lee");
  await waitFor(async () => (await seen(quick, lee)).length === 3, 10000, 100);
});

test("with MUTE_CHECK_INTERVAL_SECONDS=0 every timeline reads KV", async () => {
  const kv = await always.kv();
  const [weather, butler] = [await compiled(WEATHER), await compiled(BUTLER)];
  const max = await login(origin.url, "max");
  assert.deepEqual(await seen(always, max), ALL);
  await kv.put("mute:max", weather);
  assert.deepEqual(await seen(always, max), ["p1", "p3"]);
  assert.equal((await put(always, max, WEATHER)).status, 200);
  await kv.put("mute:max", butler);
  assert.deepEqual(await seen(always, max), ["p2", "p3"]);
  await kv.delete("mute:max");
  assert.deepEqual(await seen(always, max), ALL);
});

test("a list that does not load is not cached: the next timeline reads KV again", async () => {
  const kv = await slow.kv();
  const ned = await login(origin.url, "ned");
  await kv.put("mute:ned", "not a compiled set");
  const resp = await slow.fetch("/api/timeline", { headers: auth(ned) });
  assert.equal(resp.headers.get("termgate-muted"), null, "the response goes out untouched");
  assert.deepEqual((await resp.json()).posts.map((p) => p.id), ALL);
  await kv.put("mute:ned", await compiled(WEATHER));
  assert.deepEqual(await seen(slow, ned), ["p1", "p3"], "read again at once, with the long interval");
});
