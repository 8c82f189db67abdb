// termgate demo origin: a tiny social network behind the edge worker. No dependencies.
//
//   node demo/origin/server.mjs [--port 8788] [--host 127.0.0.1]
//   env: PORT, HOST, SESSION_SECRET, REPORT_SECRET (defaults match .dev.vars.example)
//
// Routes (docs/edge.md documents the shapes):
//   GET  /                      demo/page/index.html        GET /static/*  demo/page/*
//   GET  /pkg/*                 wasm/browser/pkg/*
//   POST /api/posts, /api/comments   store a post (JSON, form, multipart or text), 201 {"id",...}
//   GET  /api/timeline          {"posts":[{"id","text","spoiler_text"?,"author","created_at"}]}
//   GET  /api/notifications     same shape
//   POST /_termgate/reports     report batches from the worker (signature checked, dedup by id)
//   POST /_demo/login           {"user":"alice"} -> {"user","token"} (HS256, SESSION_SECRET)
//   GET  /_demo/reports         every report received, and how often each id arrived
//   GET  /_demo/received        every request stored by /api/posts and /api/comments, raw
//   POST /_demo/control         {"fail_reports": N} fail the next N batches with 503,
//                               {"fail_reports_ms": T} fail for T ms, {"reset": true} clear all
//   POST /_demo/seed            {"posts":[...], "notifications":[...]} replace the timelines
//   ANY  /echo/*                echoes method, path, query, headers and body (base64)
import { createServer } from "node:http";
import { createHmac, timingSafeEqual, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve, dirname, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const PORT = Number(arg("port") ?? process.env.PORT ?? 8788);
const HOST = arg("host") ?? process.env.HOST ?? "127.0.0.1";
const SESSION_SECRET = process.env.SESSION_SECRET ?? "dev-session-secret";
const REPORT_SECRET = process.env.REPORT_SECRET ?? "dev-report-secret";

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8", ".wasm": "application/wasm",
  ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8", ".tgs": "application/octet-stream",
  ".d.ts": "text/plain; charset=utf-8",
};

function freshState() {
  return {
    received: [],            // raw requests to the posting routes
    posts: [                 // the timeline, newest first
      { id: "seed-2", text: "Welcome to the termgate demo! Try posting something.", author: "termgate", created_at: "2026-11-28T00:00:01Z" },
      { id: "seed-1", text: "今日はラーメンを食べた。おいしかった！", author: "hanako", created_at: "2026-11-28T00:00:00Z" },
    ],
    notifications: [
      { id: "n-1", text: "alice mentioned you: see you at the meetup", author: "alice", created_at: "2026-11-28T00:00:00Z" },
    ],
    reports: new Map(),      // id -> report
    deliveries: new Map(),   // id -> times delivered (accepted)
    batches: [],             // {at, ids, delivery, status}
    failReports: 0,
    failReportsUntil: 0,
  };
}
let state = freshState();

const b64url = (buf) => Buffer.from(buf).toString("base64url");
export function signSession(user, secret = SESSION_SECRET, ttlSeconds = 86400) {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify({ sub: user, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + ttlSeconds }));
  const sig = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${sig}`;
}
function sessionUser(req) {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (!m) return null;
  const [h, p, s] = m[1].split(".");
  if (!s) return null;
  const want = createHmac("sha256", SESSION_SECRET).update(`${h}.${p}`).digest();
  const got = Buffer.from(s, "base64url");
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
  try {
    const claims = JSON.parse(Buffer.from(p, "base64url").toString());
    return claims.exp && claims.exp <= Date.now() / 1000 ? null : claims.sub;
  } catch { return null; }
}

const send = (res, status, body, headers = {}) => {
  const data = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(data);
};
const readBody = (req) => new Promise((ok, fail) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => ok(Buffer.concat(chunks)));
  req.on("error", fail);
});

async function serveFile(res, base, rel) {
  const path = normalize(join(base, rel));
  if (!path.startsWith(base + sep)) return send(res, 404, { error: "not_found" });
  try {
    const data = await readFile(path);
    const type = path.endsWith(".d.ts") ? TYPES[".d.ts"] : TYPES[extname(path)] ?? "application/octet-stream";
    res.writeHead(200, { "content-type": type, "cache-control": "no-cache" });
    res.end(data);
  } catch {
    send(res, 404, { error: "not_found", path: rel });
  }
}

// The post text of a stored request, for the timeline.
function postText(contentType, body) {
  const ct = (contentType ?? "").toLowerCase();
  try {
    if (ct.startsWith("application/json")) {
      const v = JSON.parse(body.toString());
      return { text: String(v.text ?? ""), spoiler_text: v.spoiler_text };
    }
    if (ct.startsWith("application/x-www-form-urlencoded")) {
      const v = new URLSearchParams(body.toString());
      return { text: v.get("text") ?? "", spoiler_text: v.get("spoiler_text") ?? undefined };
    }
    if (ct.startsWith("text/plain")) return { text: body.toString() };
    if (ct.startsWith("multipart/form-data")) {
      const m = /name="text"\r\n\r\n([\s\S]*?)\r\n--/.exec(body.toString());
      return { text: m ? m[1] : "" };
    }
  } catch { /* stored raw anyway */ }
  return { text: "" };
}

async function handle(req, res) {
  const url = new URL(req.url, `http://${req.headers.host ?? "localhost"}`);
  const path = url.pathname;
  const method = req.method;

  if (method === "GET" && path === "/") return serveFile(res, join(ROOT, "demo/page"), "index.html");
  if (method === "GET" && path.startsWith("/static/")) return serveFile(res, join(ROOT, "demo/page"), decodeURIComponent(path.slice(8)));
  if (method === "GET" && path.startsWith("/pkg/")) return serveFile(res, join(ROOT, "wasm/browser/pkg"), decodeURIComponent(path.slice(5)));

  if (method === "POST" && (path === "/api/posts" || path === "/api/comments")) {
    const body = await readBody(req);
    const id = randomUUID();
    const entry = {
      id, route: `${method} ${path}`, query: url.search, headers: req.headers,
      body_base64: body.toString("base64"), verdict: req.headers["termgate-verdict"] ?? null,
      matches: req.headers["termgate-matches"] ?? null, received_at: new Date().toISOString(),
    };
    state.received.push(entry);
    if (path === "/api/posts") {
      const { text, spoiler_text } = postText(req.headers["content-type"], body);
      const post = { id, text, author: sessionUser(req) ?? "anonymous", created_at: entry.received_at };
      if (spoiler_text) post.spoiler_text = spoiler_text;
      state.posts.unshift(post);
    }
    return send(res, 201, { id, verdict: entry.verdict });
  }
  if (method === "GET" && path === "/api/timeline") return send(res, 200, { posts: state.posts });
  if (method === "GET" && path === "/api/notifications") return send(res, 200, { posts: state.notifications });

  if (method === "POST" && path === "/_termgate/reports") {
    const body = await readBody(req);
    const ids = (req.headers["termgate-report-ids"] ?? "").split(",").filter(Boolean);
    // "queue" from the worker's consumer, "direct" when the queue refused the report.
    const delivery = req.headers["termgate-delivery"] ?? null;
    const failing = state.failReports > 0 || Date.now() < state.failReportsUntil;
    if (state.failReports > 0) state.failReports -= 1;
    if (failing) {
      state.batches.push({ at: Date.now(), ids, delivery, status: 503 });
      return send(res, 503, { error: "failing on purpose" });
    }
    const ts = req.headers["termgate-timestamp"] ?? "";
    const want = "v1=" + createHmac("sha256", REPORT_SECRET).update(`${ts}.`).update(body).digest("hex");
    const got = req.headers["termgate-signature"] ?? "";
    if (got.length !== want.length || !timingSafeEqual(Buffer.from(got), Buffer.from(want))) {
      state.batches.push({ at: Date.now(), ids, delivery, status: 401 });
      return send(res, 401, { error: "bad signature" });
    }
    let batch;
    try { batch = JSON.parse(body.toString()); } catch { return send(res, 400, { error: "not json" }); }
    let duplicates = 0;
    for (const r of batch.reports ?? []) {
      if (state.reports.has(r.id)) duplicates += 1; else state.reports.set(r.id, r);
      state.deliveries.set(r.id, (state.deliveries.get(r.id) ?? 0) + 1);
    }
    state.batches.push({ at: Date.now(), ids, delivery, status: 200 });
    return send(res, 200, { accepted: (batch.reports ?? []).length - duplicates, duplicates });
  }

  if (method === "POST" && path === "/_demo/login") {
    let user;
    try { user = JSON.parse((await readBody(req)).toString()).user; } catch { /* below */ }
    if (typeof user !== "string" || !/^[A-Za-z0-9_.@-]{1,64}$/.test(user)) return send(res, 400, { error: "user must be 1-64 of A-Za-z0-9_.@-" });
    return send(res, 200, { user, token: signSession(user) });
  }
  if (method === "GET" && path === "/_demo/reports") {
    return send(res, 200, {
      reports: [...state.reports.values()],
      deliveries: Object.fromEntries(state.deliveries),
      batches: state.batches,
    });
  }
  if (method === "GET" && path === "/_demo/received") return send(res, 200, { received: state.received });
  if (method === "POST" && path === "/_demo/control") {
    let c = {};
    try { c = JSON.parse((await readBody(req)).toString() || "{}"); } catch { return send(res, 400, { error: "not json" }); }
    if (c.reset) state = freshState();
    if (Number.isFinite(c.fail_reports)) state.failReports = c.fail_reports;
    if (Number.isFinite(c.fail_reports_ms)) state.failReportsUntil = Date.now() + c.fail_reports_ms;
    return send(res, 200, { fail_reports: state.failReports, fail_reports_until: state.failReportsUntil });
  }
  if (method === "POST" && path === "/_demo/seed") {
    const c = JSON.parse((await readBody(req)).toString() || "{}");
    if (Array.isArray(c.posts)) state.posts = c.posts;
    if (Array.isArray(c.notifications)) state.notifications = c.notifications;
    return send(res, 200, { posts: state.posts.length, notifications: state.notifications.length });
  }
  if (path.startsWith("/echo/")) {
    const body = await readBody(req);
    return send(res, 200, { method, path, query: url.search, headers: req.headers, body_base64: body.toString("base64") });
  }
  if (method === "GET" && path === "/favicon.ico") { res.writeHead(204); return res.end(); }
  return send(res, 404, { error: "not_found", path });
}

const server = createServer((req, res) => {
  handle(req, res).catch((e) => {
    console.error(e);
    if (!res.headersSent) send(res, 500, { error: "internal", message: String(e) });
  });
});
server.listen(PORT, HOST, () => {
  const { port } = server.address();
  // Tests read this line to learn the port when started with --port 0.
  console.log(`demo origin listening on http://${HOST}:${port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
process.on("SIGINT", () => server.close(() => process.exit(0)));
