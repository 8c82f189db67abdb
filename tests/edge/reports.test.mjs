// Reports: user problem reports, and delivery to an origin that fails for a while.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
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

const report = (body, headers = {}) =>
  worker.fetch("/_termgate/reports", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const received = async () => originJson(origin.url, "/_demo/reports");

test("incomplete user reports are refused, naming every missing field in English or Japanese", async () => {
  let resp = await report({ category: "copyright", fields: { comments: "please check", location: "the third photo" } });
  assert.equal(resp.status, 400);
  let body = await resp.json();
  assert.equal(body.error, "missing_fields");
  assert.deepEqual(body.missing.map((m) => [m.name, m.problem]), [["location", "no_url"], ["proof_of_rights", "missing"], ["claimant", "missing"]]);
  assert.match(body.message, /^missing or invalid: /);

  resp = await report({ category: "spam", fields: {} }, { "accept-language": "ja" });
  body = await resp.json();
  assert.deepEqual(body.missing.map((m) => m.name), ["header_information", "body_text"]);
  assert.equal(body.missing[0].label, "ヘッダー情報");
  assert.match(body.message, /^未入力/);

  resp = await report({ category: "unauthorized-access", fields: { logs: "sshd[1]: Failed password for root" } });
  assert.deepEqual((await resp.json()).missing.map((m) => m.name), ["date_time"]);

  resp = await report({ category: "rudeness", fields: {} });
  assert.equal(resp.status, 400);
  assert.equal((await resp.json()).error, "unknown_category");
  resp = await worker.fetch("/_termgate/reports", { method: "POST", body: "{" });
  assert.equal(resp.status, 400);
});

test("the form catalogue lists every category in order, with its labels and fields in both languages", async () => {
  const resp = await worker.fetch("/_termgate/reports/fields");
  assert.equal(resp.status, 200);
  assert.match(resp.headers.get("content-type"), /^application\/json/);
  const { categories } = await resp.json();
  assert.deepEqual(categories.map((c) => c.category), [
    "spam", "phishing", "malware", "tampering", "unauthorized-access", "copyright", "defamation", "privacy",
    "personal-info", "portrait", "trademark", "illegal", "nuisance", "harassment", "other",
  ]);
  const byName = Object.fromEntries(categories.map((c) => [c.category, c]));
  assert.deepEqual([byName.phishing.label_en, byName.phishing.label_ja], ["Phishing site", "フィッシングサイト"]);
  assert.deepEqual([byName.other.label_en, byName.other.label_ja], ["Other", "その他"]);
  for (const c of categories) {
    assert.ok(c.label_en && c.label_ja && c.label_en !== c.label_ja, `${c.category} has both labels`);
    for (const f of c.fields) assert.ok(f.name && f.kind && f.label_en && f.label_ja, `${c.category}.${f.name}`);
  }
  assert.deepEqual(byName.trademark.fields.map((f) => f.name), ["location", "trademark_proof", "comments", "claimant"]);
  assert.deepEqual(byName.spam.fields[0], { name: "header_information", kind: "multiline", label_en: "Header information", label_ja: "ヘッダー情報" });
  assert.equal(byName.copyright.fields[0].kind, "url");

  // A form built from the catalogue is what the report endpoint accepts.
  const fields = Object.fromEntries(byName.tampering.fields.map((f) => [f.name, f.kind === "url" ? "https://defaced.example/" : "x"]));
  const sent = await report({ category: "tampering", fields });
  assert.equal(sent.status, 202);
});

test("complete user reports get 202 and an id, and reach the origin", async () => {
  const token = await login(origin.url, "carol");
  const resp = await report(
    { category: "phishing", fields: { urls: "https://account-update-center.example/login", details: "Fake bank login page asking for passwords" } },
    { authorization: `Bearer ${token}` },
  );
  assert.equal(resp.status, 202);
  const { id } = await resp.json();
  const got = await waitFor(async () => (await received()).reports.find((r) => r.id === id));
  assert.equal(got.kind, "user");
  assert.equal(got.category, "phishing");
  assert.equal(got.user, "carol");
  assert.equal(got.fields.urls, "https://account-update-center.example/login");
});

test("with the report endpoint failing for a while, every report arrives once it recovers, none twice", async () => {
  await originJson(origin.url, "/_demo/control", { fail_reports_ms: 2500 });
  const ids = [];
  for (let i = 0; i < 6; i++) {
    const resp = await report({ category: "spam", fields: { header_information: `Received: from mx${i}`, body_text: `spam ${i}` } });
    assert.equal(resp.status, 202);
    ids.push((await resp.json()).id);
  }
  // Flagged posts produce reports too.
  for (let i = 0; i < 4; i++) {
    const resp = await worker.fetch("/api/posts", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: `出会い系 ${i}` }) });
    assert.equal(resp.status, 201);
  }
  const state = await waitFor(async () => {
    const s = await received();
    const flagged = s.reports.filter((r) => r.kind === "filter" && r.verdict === "flag");
    return ids.every((id) => s.deliveries[id]) && flagged.length >= 4 ? s : null;
  }, 20000, 200);
  assert.ok(state.batches.some((b) => b.status === 503), "some deliveries failed first");
  for (const id of ids) assert.equal(state.deliveries[id], 1, `report ${id} delivered ${state.deliveries[id]} times`);
  for (const [id, n] of Object.entries(state.deliveries)) assert.equal(n, 1, `report ${id} delivered ${n} times`);
  // Each accepted batch carried its ids in the header, matching its body.
  for (const b of state.batches.filter((b) => b.status === 200)) assert.ok(b.ids.length > 0);
  // Give a stray retry time to show up: still once each.
  await new Promise((r) => setTimeout(r, 1500));
  const later = await received();
  for (const [id, n] of Object.entries(later.deliveries)) assert.equal(n, 1, `report ${id} delivered ${n} times`);
});

test("after the last retry, reports go to the dead-letter queue", async () => {
  // A second worker in the same workerd consumes the dead-letter queue and records what arrives.
  const { Miniflare } = await import("miniflare");
  const { ROOT, SECRETS } = await import("./harness.mjs");
  const { resolve } = await import("node:path");
  const mf = new Miniflare({
    workers: [
      {
        name: "edge",
        modules: true,
        scriptPath: resolve(ROOT, "wasm/edge/build/index.js"),
        modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
        compatibilityDate: "2026-04-01",
        bindings: { ORIGIN: origin.url, REPORT_RETRY_BASE_SECONDS: "0", REPORT_RETRY_MAX_SECONDS: "0", ...SECRETS },
        kvNamespaces: ["TERMS"],
        queueProducers: { REPORTS: { queueName: "reports-q" } },
        queueConsumers: { "reports-q": { maxBatchTimeout: 0, maxRetries: 2, deadLetterQueue: "reports-dlq" } },
      },
      {
        name: "dlq-inspector",
        modules: true,
        compatibilityDate: "2026-04-01",
        script: `export default {
          async queue(batch, env) { for (const m of batch.messages) await env.SEEN.put(JSON.parse(m.body).id, String(m.body)); },
        };`,
        kvNamespaces: ["SEEN"],
        queueConsumers: { "reports-dlq": { maxBatchTimeout: 0 } },
      },
    ],
    cf: false,
  });
  try {
    await originJson(origin.url, "/_demo/control", { fail_reports_ms: 60_000 });
    const resp = await mf.dispatchFetch("http://termgate.test/_termgate/reports", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ category: "malware", fields: { urls: "https://driver-update-now.example/x.exe", source_code: "eval(atob(...))" } }),
    });
    assert.equal(resp.status, 202);
    const { id } = await resp.json();
    const seen = await mf.getKVNamespace("SEEN", "dlq-inspector");
    const dead = await waitFor(() => seen.get(id), 10000, 100);
    assert.equal(JSON.parse(dead).category, "malware");
    const tries = (await received()).batches.filter((b) => b.ids.includes(id));
    assert.equal(tries.length, 3, "one try and two retries");
    assert.ok(tries.every((b) => b.status === 503));
  } finally {
    await originJson(origin.url, "/_demo/control", { fail_reports_ms: 0 });
    await mf.dispose();
  }
});
