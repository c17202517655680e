// `npm start`: builds the app when the build is missing or older than the sources, then runs
// server.ts in this same process (so signals reach the real server, and its pid is this one).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { register } from "tsx/esm/api";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
process.chdir(root);
const buildEntry = path.join(root, "build/server/index.js");

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

const sources = Math.max(newestMtime(path.join(root, "app")), fs.statSync(path.join(root, "vite.config.ts")).mtimeMs, fs.statSync(path.join(root, "remix.config.js")).mtimeMs);
if (!fs.existsSync(buildEntry) || fs.statSync(buildEntry).mtimeMs < sources) {
  console.log("Building the portal (first start or sources changed)…");
  execFileSync(process.execPath, [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], { stdio: "inherit" });
}

process.env.NODE_ENV = "production";
process.env.PORTAL_MAIN = "1";
register();
await import(path.join(root, "server.ts"));
