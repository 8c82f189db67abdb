// `make dev` itself: wrangler dev --local with wrangler.toml, the demo origin, KV seeded, URLs printed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { ROOT } from "./harness.mjs";

const freePort = () =>
  new Promise((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

test("make dev serves the demo through the worker with KV seeded", { timeout: 120_000 }, async () => {
  const [workerPort, originPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ["demo/origin/dev.mjs"], {
    cwd: ROOT,
    env: { ...process.env, DEV_WORKER_PORT: String(workerPort), DEV_ORIGIN_PORT: String(originPort) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  try {
    await new Promise((ok, fail) => {
      const timer = setInterval(() => out.includes("termgate dev is up.") && (clearInterval(timer), ok()), 100);
      child.once("exit", (code) => (clearInterval(timer), fail(new Error(`dev exited ${code}:\n${out}`))));
    });
    const worker = `http://127.0.0.1:${workerPort}`;
    assert.match(out, new RegExp(`demo page \\(through the worker\\)\\s+${worker}/`));
    // The page and the wasm module come from the origin through the worker.
    assert.equal((await fetch(`${worker}/`)).status, 200);
    // KV was seeded through the admin API: the default set is in KV, not only bundled.
    const health = await (await fetch(`${worker}/_termgate/health`)).json();
    assert.equal(health.sets[0].source, "kv");
    const blocked = await fetch(`${worker}/api/posts`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"text":"buy cheap followers"}' });
    assert.equal(blocked.status, 403);
    // alice's seeded mute list collapses the ramen post.
    const { token } = await (await fetch(`http://127.0.0.1:${originPort}/_demo/login`, { method: "POST", body: '{"user":"alice"}' })).json();
    const timeline = await (await fetch(`${worker}/api/timeline`, { headers: { authorization: `Bearer ${token}` } })).json();
    assert.ok(timeline.posts.some((p) => p.termgate?.action === "collapse"), JSON.stringify(timeline));
  } finally {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  }
});
