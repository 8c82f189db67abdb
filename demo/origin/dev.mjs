// `make dev`: the demo origin and the edge worker (wrangler dev --local) on 127.0.0.1, KV seeded.
//
//   DEV_WORKER_PORT (8787)  the worker: open http://127.0.0.1:8787/ in a browser
//   DEV_ORIGIN_PORT (8788)  the demo origin behind it
//
// Secrets come from .dev.vars (copied from .dev.vars.example when missing). Ctrl-C stops both.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const WORKER_PORT = Number(process.env.DEV_WORKER_PORT ?? 8787);
const ORIGIN_PORT = Number(process.env.DEV_ORIGIN_PORT ?? 8788);
const WORKER = `http://127.0.0.1:${WORKER_PORT}`;
const ORIGIN = `http://127.0.0.1:${ORIGIN_PORT}`;

if (!existsSync(resolve(ROOT, ".dev.vars"))) {
  copyFileSync(resolve(ROOT, ".dev.vars.example"), resolve(ROOT, ".dev.vars"));
  console.log("created .dev.vars from .dev.vars.example");
}
const vars = Object.fromEntries(
  readFileSync(resolve(ROOT, ".dev.vars"), "utf8")
    .split("\n")
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).trim()]),
);
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

const children = [];
const start = (cmd, args, extraEnv = {}) => {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: ["ignore", "inherit", "inherit"] });
  children.push(child);
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`${args[0] ?? cmd} exited (${code ?? signal}); stopping`);
      stop(1);
    }
  });
  return child;
};
let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  setTimeout(() => process.exit(code), 500);
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

start(process.execPath, ["demo/origin/server.mjs", "--port", String(ORIGIN_PORT)], {
  SESSION_SECRET: vars.SESSION_SECRET,
  REPORT_SECRET: vars.REPORT_SECRET,
});
// Started by its own path (not through npx) so SIGTERM reaches wrangler itself.
start(resolve(ROOT, "node_modules/.bin/wrangler"), [
  "dev", "--local", "--ip", "127.0.0.1", "--port", String(WORKER_PORT),
  "--var", `ORIGIN:${ORIGIN}`, "--show-interactive-dev-session=false",
]);

async function waitUp(url, ms = 60000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up`);
}

try {
  await waitUp(`${ORIGIN}/api/timeline`);
  await waitUp(`${WORKER}/_termgate/health`);
  // Seed KV through the worker's own APIs: the default set from lists/default.txt, and a mute
  // list for the demo user alice.
  const list = readFileSync(resolve(ROOT, "lists/default.txt"), "utf8");
  let resp = await fetch(`${WORKER}/_termgate/sets/default`, {
    method: "PUT", headers: { authorization: `Bearer ${vars.ADMIN_TOKEN}`, "content-type": "text/plain" }, body: list,
  });
  if (resp.status !== 201) throw new Error(`seeding the default set: ${resp.status} ${await resp.text()}`);
  const set = await resp.json();
  const { token } = await (await fetch(`${ORIGIN}/_demo/login`, { method: "POST", body: JSON.stringify({ user: "alice" }) })).json();
  resp = await fetch(`${WORKER}/_termgate/mutes`, {
    method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
    body: "# alice's demo mute list\n[hide]\nspoiler\n[collapse]\nらーめん\n",
  });
  if (!resp.ok) throw new Error(`seeding alice's mutes: ${resp.status} ${await resp.text()}`);
  console.log(`
termgate dev is up.
  demo page (through the worker)   ${WORKER}/
  worker health                    ${WORKER}/_termgate/health
  global set (compiled, public)    ${WORKER}/_termgate/sets/default.tgs   (version ${set.version}, ${set.rules} rules)
  timeline through the worker      ${WORKER}/api/timeline
  demo origin (direct)             ${ORIGIN}/
  reports the origin received      ${ORIGIN}/_demo/reports
  session token for alice          POST ${ORIGIN}/_demo/login {"user":"alice"}
  admin token                      ADMIN_TOKEN in .dev.vars
Ctrl-C stops everything.`);
} catch (e) {
  console.error(String(e));
  stop(1);
}
