// Shared set-up for the end-to-end tests: the real demo origin as a child process on 127.0.0.1 and
// the built worker (wasm/edge/build) in real workerd through Miniflare's Node API.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Miniflare } from "miniflare";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SECRETS = {
  ADMIN_TOKEN: "test-admin-token",
  SESSION_SECRET: "test-session-secret",
  REPORT_SECRET: "test-report-secret",
};

/** Starts demo/origin/server.mjs on a free port; resolves to { url, stop }. */
export async function startOrigin(env = {}) {
  const child = spawn(process.execPath, ["demo/origin/server.mjs", "--port", "0"], {
    cwd: ROOT,
    env: { ...process.env, SESSION_SECRET: SECRETS.SESSION_SECRET, REPORT_SECRET: SECRETS.REPORT_SECRET, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const url = await new Promise((ok, fail) => {
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]);
    });
    child.once("exit", (code) => fail(new Error(`origin exited with ${code}: ${out}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
    },
  };
}

/** The built worker in workerd, in front of `origin`. `vars` override wrangler.toml's [vars]. */
export async function startWorker(origin, vars = {}, queue = {}, options = {}) {
  const mf = new Miniflare({
    modules: true,
    scriptPath: resolve(ROOT, "wasm/edge/build/index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    cf: false,
    bindings: {
      ORIGIN: origin,
      SET_CHECK_INTERVAL_SECONDS: "0",
      REPORT_RETRY_BASE_SECONDS: "1",
      REPORT_RETRY_MAX_SECONDS: "2",
      ...SECRETS,
      ...vars,
    },
    kvNamespaces: ["TERMS"],
    queueProducers: { REPORTS: { queueName: "termgate-reports" } },
    queueConsumers: {
      "termgate-reports": { maxBatchSize: 50, maxBatchTimeout: 0, maxRetries: 10, deadLetterQueue: "termgate-reports-dlq", ...queue },
    },
    ...options,
  });
  await mf.ready;
  return {
    mf,
    /** fetch through the worker; `path` is relative to the worker. */
    fetch: (path, init) => mf.dispatchFetch(new URL(path, "http://termgate.test").href, init),
    kv: () => mf.getKVNamespace("TERMS"),
    stop: () => mf.dispose(),
  };
}

/**
 * Another isolate of the same worker: a workerd of its own that shares the KV store kept in `dir`
 * with the other isolates started on it. What the worker logs is kept in `logs`, not printed;
 * `rebuilds()` counts the stored sets or mute lists it rebuilt from their term lists.
 */
export async function startIsolate(origin, dir, vars = {}) {
  const logs = [];
  const worker = await startWorker(origin, vars, {}, { kvPersist: dir, handleStructuredLogs: ({ message }) => { logs.push(message); } });
  return { ...worker, logs, rebuilds: () => logs.filter((m) => m.includes("rebuilt from its term list")).length };
}

/**
 * Runs `body(isolate)`, where `isolate(vars)` starts another isolate (`startIsolate`) on one fresh
 * KV store; stops them all and removes the store afterwards.
 */
export async function withIsolates(origin, body) {
  const dir = await mkdtemp(join(tmpdir(), "termgate-kv-"));
  const started = [];
  try {
    return await body(async (vars) => {
      const w = await startIsolate(origin, dir, vars);
      started.push(w);
      return w;
    });
  } finally {
    for (const w of started) await w.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** JSON from the origin directly (not through the worker). */
export async function originJson(origin, path, body) {
  const resp = await fetch(origin + path, body === undefined ? {} : {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  return resp.json();
}

/** A session token for `user`, issued by the origin as the demo page would get it. */
export async function login(origin, user) {
  return (await originJson(origin, "/_demo/login", { user })).token;
}

/** Polls `check` until it returns a truthy value or `ms` pass. */
export async function waitFor(check, ms = 10000, every = 50) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms`);
    await new Promise((r) => setTimeout(r, every));
  }
}
