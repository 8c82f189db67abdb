// Reports are never silently lost: reports too large for one queue message are shortened (and say
// so), user reports too large are refused whole, and when the queue cannot take a report it goes
// to the origin directly; only when that fails too is a filter report logged, in full, and a user
// report answered 503 for the reporter to send again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startOrigin, startWorker, originJson, waitFor } from "./harness.mjs";

// Cloudflare Queues' limit on one message, in bytes. Miniflare does not enforce it (it queues
// much larger messages), so the tests below check the reports' sizes themselves.
const QUEUE_MESSAGE_LIMIT = 128_000;
// No queue at all: the producer binding is missing, as after a wrangler.toml mistake.
const NO_QUEUE = { queueProducers: {}, queueConsumers: {} };

let origin, worker;
before(async () => {
  origin = await startOrigin();
  worker = await startWorker(origin.url, { REPORT_INCLUDE_TEXT: "true" });
});
after(async () => {
  await worker?.stop();
  await origin?.stop();
});

const state = () => originJson(origin.url, "/_demo/reports");
const sha256 = (s) => createHash("sha256").update(s).digest("hex");
const postJson = (w, doc) => {
  const body = JSON.stringify(doc);
  const resp = w.fetch("/api/posts", { method: "POST", headers: { "content-type": "application/json" }, body });
  return { body, resp };
};
/** A worker with no queue binding whose log lines ({level, message}) are kept in `logs`. */
const startLoggedWithoutQueue = async () => {
  const logs = [];
  const w = await startWorker(origin.url, {}, {}, {
    ...NO_QUEUE,
    handleStructuredLogs: ({ level, message }) => {
      logs.push({ level, message });
    },
  });
  return { worker: w, logs };
};
const userReport = (w, category, fields, headers = {}) => w.fetch("/_termgate/reports", {
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify({ category, fields }),
});
/** The report of the post whose body was `body`, once it has arrived, and the batch it came in. */
const arrived = (body) => waitFor(async () => {
  const s = await state();
  const report = s.reports.find((r) => r.post_sha256 === sha256(body));
  if (!report) return null;
  const batch = s.batches.find((b) => b.status === 200 && b.ids.includes(report.id));
  return { report, batch, deliveries: s.deliveries[report.id] };
}, 15000, 100);

test("a report of a 1 MiB post with REPORT_INCLUDE_TEXT goes through the queue, its text cut and marked", async () => {
  const text = "出会い系 " + "the quick brown fox jumps over the lazy dog\n".repeat(23_000);
  const { body, resp } = postJson(worker, { text, spoiler_text: "cw" });
  assert.ok(body.length > 1_000_000 && body.length <= 1_048_576, `${body.length}`);
  assert.equal((await resp).status, 201, "the post is flagged and forwarded as before");
  const { report, batch, deliveries } = await arrived(body);
  assert.equal(batch.delivery, "queue");
  assert.equal(deliveries, 1);
  assert.ok(JSON.stringify(report).length <= QUEUE_MESSAGE_LIMIT);
  assert.deepEqual(report.text_truncated, ["/text"]);
  assert.ok(report.text["/text"].length > 50_000, "most of the budget goes to the text");
  assert.ok(text.startsWith(report.text["/text"]), "the text kept is a prefix of the post's");
  assert.equal(report.text["/spoiler_text"], "cw");
  assert.equal(report.post_sha256, sha256(body), "the hash is of the whole post");
  assert.equal(report.matches.length, 1);
  assert.equal(report.matches_omitted, undefined);
});

test("a post with tens of thousands of matches: the first are listed, the rest counted", async () => {
  const text = "出会い系 ".repeat(40_000);
  const { body, resp } = postJson(worker, { text });
  assert.equal((await resp).status, 201);
  const { report, batch } = await arrived(body);
  assert.equal(batch.delivery, "queue");
  assert.equal(report.verdict, "flag");
  assert.ok(JSON.stringify(report).length <= QUEUE_MESSAGE_LIMIT);
  assert.ok(report.matches.length > 100);
  assert.ok(report.matches_omitted > 0);
  assert.equal(report.matches[0].start, 0, "the first matches are the ones listed");
  assert.deepEqual(report.categories, ["spam"]);
  assert.deepEqual(report.text_truncated, ["/text"]);
});

test("a user report too large for one queue message is refused whole with 413, giving each field's size", async () => {
  const send = (fields, headers) => userReport(worker, "spam", fields, headers);
  let resp = await send({ header_information: "Received: x\n".repeat(4_500), body_text: "b".repeat(65_000) }, { "accept-language": "ja" });
  assert.equal(resp.status, 413);
  const refused = await resp.json();
  assert.equal(refused.error, "too_large");
  assert.equal(refused.max_bytes, 120_000);
  assert.deepEqual(refused.fields.map((f) => [f.name, f.bytes]), [["header_information", 54_000], ["body_text", 65_000]]);
  assert.match(refused.message, /120,000/);
  assert.equal(refused.fields[0].label, "ヘッダー情報");

  // Just under the limit: accepted and delivered intact.
  const header = "Received: x\n".repeat(4_000);
  resp = await send({ header_information: header, body_text: "b".repeat(60_000) });
  assert.equal(resp.status, 202);
  const { id } = await resp.json();
  const got = await waitFor(async () => (await state()).reports.find((r) => r.id === id));
  assert.equal(got.fields.header_information, header);
  assert.equal(got.fields.body_text.length, 60_000);
});

test("a user report body over 256 KiB is refused unread with 413, in Japanese or English", async () => {
  const before = (await state()).reports.length;
  const huge = { header_information: "Received: x\n", body_text: "b".repeat(300 * 1024) };
  for (const [lang, message] of [["ja", /^報告が大きすぎる.*256 KiB/], ["en", /^This report is too large.*256 KiB/]]) {
    const resp = await userReport(worker, "spam", huge, { "accept-language": lang });
    assert.equal(resp.status, 413, lang);
    const refused = await resp.json();
    assert.equal(refused.error, "too_large");
    assert.equal(refused.max_bytes, 262_144);
    assert.match(refused.message, message);
  }
  assert.equal((await state()).reports.length, before, "nothing was queued");
});

test("with no queue, filter reports go to the origin directly, signed, retried when it fails once", async () => {
  const direct = await startWorker(origin.url, { REPORT_INCLUDE_TEXT: "true" }, {}, NO_QUEUE);
  try {
    await originJson(origin.url, "/_demo/control", { fail_reports: 1 });
    const flagged = postJson(direct, { text: "出会い系サイト (direct)" });
    assert.equal((await flagged.resp).status, 201);
    const { report, batch, deliveries } = await arrived(flagged.body);
    assert.equal(batch.delivery, "direct");
    assert.deepEqual(batch.ids, [report.id], "a batch of one");
    assert.equal(deliveries, 1);
    assert.equal(report.verdict, "flag");
    assert.equal(report.text["/text"], "出会い系サイト (direct)");
    const tries = (await state()).batches.filter((b) => b.ids.includes(report.id));
    assert.deepEqual(tries.map((b) => b.status), [503, 200], "the refused try was retried");

    const blocked = postJson(direct, { text: "buy cheap followers (direct)" });
    assert.equal((await blocked.resp).status, 403);
    const b = await arrived(blocked.body);
    assert.equal(b.batch.delivery, "direct");
    assert.equal(b.report.verdict, "block");
  } finally {
    await originJson(origin.url, "/_demo/control", { fail_reports: 0 });
    await direct.stop();
  }
});

test("with no queue and the origin refusing every try, the report is logged in full, loudly", async () => {
  const { worker: direct, logs } = await startLoggedWithoutQueue();
  try {
    await originJson(origin.url, "/_demo/control", { fail_reports: 3 });
    const { body, resp } = postJson(direct, { text: "出会い系サイト (lost)" });
    assert.equal((await resp).status, 201, "the post's answer does not change");
    const lost = await waitFor(() => logs.find((l) => l.message.includes("REPORT LOST")), 15000, 100);
    assert.equal(lost.level, "error");
    const report = JSON.parse(lost.message.slice(lost.message.indexOf("{")));
    assert.equal(report.post_sha256, sha256(body));
    assert.equal(report.kind, "filter");
    const tries = (await state()).batches.filter((b) => b.ids.includes(report.id));
    assert.deepEqual(tries.map((b) => [b.delivery, b.status]), [["direct", 503], ["direct", 503], ["direct", 503]]);
  } finally {
    await originJson(origin.url, "/_demo/control", { fail_reports: 0 });
    await direct.stop();
  }
});

test("with no queue, a user report goes to the origin directly; if the origin refuses it too, 503 in the reporter's language with Retry-After", async () => {
  const { worker: direct, logs } = await startLoggedWithoutQueue();
  const phishing = (details) => ({ urls: "https://account-update-center.example/login", details });
  try {
    let resp = await userReport(direct, "phishing", phishing("fake bank login (direct)"));
    assert.equal(resp.status, 202);
    const accepted = await resp.json();
    assert.equal(accepted.status, "delivered", "not queued: there is no queue");
    const got = await waitFor(async () => {
      const s = await state();
      const report = s.reports.find((r) => r.id === accepted.id);
      return report && { report, batch: s.batches.find((b) => b.status === 200 && b.ids.includes(report.id)) };
    });
    assert.equal(got.report.fields.details, "fake bank login (direct)");
    assert.equal(got.batch.delivery, "direct");
    assert.deepEqual(got.batch.ids, [accepted.id]);

    for (const [lang, message] of [["ja", /報告を受け付けられません/], ["en", /could not be received/]]) {
      await originJson(origin.url, "/_demo/control", { fail_reports: 3 });
      const batchesBefore = (await state()).batches.length;
      resp = await userReport(direct, "phishing", phishing(`refused (${lang})`), { "accept-language": lang });
      assert.equal(resp.status, 503, lang);
      assert.equal(resp.headers.get("retry-after"), "1", "REPORT_RETRY_BASE_SECONDS");
      const refused = await resp.json();
      assert.equal(refused.error, "reports_unavailable");
      assert.match(refused.message, message);
      const tries = (await state()).batches.slice(batchesBefore);
      assert.deepEqual(tries.map((b) => [b.delivery, b.status]), [["direct", 503], ["direct", 503], ["direct", 503]]);
    }
    assert.ok(logs.some((l) => l.level === "error" && /user report \S+ answered 503/.test(l.message)), "the refusal is logged");
    assert.ok(!(await state()).reports.some((r) => r.fields?.details?.startsWith("refused")), "nothing half-delivered");

    // The reporter sends it again once the origin is back.
    resp = await userReport(direct, "phishing", phishing("refused (en)"));
    assert.equal(resp.status, 202);
    const { id } = await resp.json();
    assert.ok((await state()).reports.some((r) => r.id === id), "delivered before the 202");
  } finally {
    await originJson(origin.url, "/_demo/control", { fail_reports: 0 });
    await direct.stop();
  }
});
