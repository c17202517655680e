/**
 * The portal under test for bench/pages.bench.ts and bench/votes.bench.ts, in its own process: a
 * temporary DATA_DIR, the production build, the large seed (or the tiny one: the normal seed plus
 * 1% of the large data, so the same kinds of pages exist), an admin session. Prints one JSON line
 * {port, cookie, examples, voters} on stdout when it listens; ends on SIGTERM (or after --ttl s).
 *
 *   npx tsx bench/pages-server.ts --seed large|tiny [--ttl 900]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { seedLarge } from "../db/seed-large";
import { createSession, sessionCookieName } from "../app/auth/session.server";
import { readEnv, setEnv } from "../app/utils/env.server";
import { createPortal } from "../server";

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const seed = opt("seed", "large");
const ttl = Number(opt("ttl", "900"));
setTimeout(() => process.exit(3), ttl * 1000).unref();

process.env.NODE_ENV = "production";
if (!fs.existsSync(path.resolve("build/server/index.js"))) {
  console.error("No production build: run `npm run build` first.");
  process.exit(1);
}
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `ewtp-bench-pages-${seed}-`));
const initial = readEnv({ DATA_DIR: dataDir, PORT: "0", LOG_REQUESTS: "0" });
const portal = await createPortal({ mode: "production", env: initial });
const seeded = await seedLarge({ scale: seed === "large" ? 1 : 0.01 });
const port = await portal.listen(0);
const base = `http://127.0.0.1:${port}`;
setEnv({ ...initial, port, publicUrl: base, publicOrigin: base });
const { token } = createSession(seeded.admin.id);

const stop = async () => {
  await portal.close(1000);
  if (!process.env.BENCH_KEEP) fs.rmSync(dataDir, { recursive: true, force: true });
  else console.error(`kept ${dataDir}`);
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdout.write(
  JSON.stringify({ port, pid: process.pid, cookie: `${sessionCookieName()}=${token}`, seedSeconds: seeded.seconds, counts: seeded.counts, examples: seeded.examples, openBallots: seeded.openBallots }) + "\n",
);
