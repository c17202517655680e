/**
 * Release serving benchmark: the portal's fast path for a ~75 KB ruleset.json against a bare
 * node:http server serving the same bytes with a precomputed ETag, measured in the same run on the
 * same machine. autocannon drives both from a second process (10 connections, no pipelining,
 * identity encoding): 200s, then 304s (If-None-Match). Prints requests/s and p99 latency with the
 * ratios portal/bare (goal: ≥ 0.7× the requests/s, p99 ≤ 2×) and writes bench/results/releases.json.
 *
 *   npx tsx bench/releases.bench.ts [--duration 10] [--connections 10] [--rounds 2]
 *
 * The portal runs its production build when one exists (else api-only: the fast path is the same),
 * on a temporary DATA_DIR, with request logging off (the bare server logs nothing either). The
 * release is published through the real path (frozen revision, approved ballot, publishRelease).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { createOrganization, createUser } from "../app/domain/members.server";
import { getDraftView } from "../app/domain/drafts.server";
import { readEnv, setEnv } from "../app/utils/env.server";
import { createPortal } from "../server";
import { publishTestRelease } from "../tests/support/releases";
import { machine as describeMachine } from "./harness";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const DURATION = option("duration", 10);
const CONNECTIONS = option("connections", 10);
const ROUNDS = option("rounds", 2);
const WARMUP_SECONDS = 2;
const TARGET_BYTES = 72 * 1024;
const STANDARD = "EWTP-TAR-001";
const GOAL = { requestsRatio: 0.7, p99Ratio: 2 };

// It must stop by itself: a hard deadline well past the planned runs.
const plannedSeconds = 4 * (WARMUP_SECONDS + 1) + 4 * ROUNDS * (DURATION + 1);
setTimeout(() => {
  console.error(`The benchmark did not finish within ${plannedSeconds + 120} s; stopping.`);
  process.exit(2);
}, (plannedSeconds + 120) * 1000).unref();

// ─── The portal, with a published release whose ruleset.json is ~75 KB ─────────────────────────

process.env.NODE_ENV ??= "production";
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ewtp-bench-releases-"));
const initial = readEnv({ DATA_DIR: dataDir, PORT: "0", LOG_REQUESTS: "0" });
const mode = fs.existsSync(path.resolve("build/server/index.js")) ? "production" : "api-only";
const portal = await createPortal({ mode, env: initial });
const portalPort = await portal.listen(0);
const portalBase = `http://127.0.0.1:${portalPort}`;
setEnv({ ...initial, port: portalPort, publicUrl: portalBase, publicOrigin: portalBase });

const org = createOrganization({ name: "Bench Secretariat", kind: "secretariat", country: "CH" }, null);
const { user: admin } = await createUser(
  { email: "bench-admin@example.org", name: "Bench Admin", orgId: org.id, role: "admin", committees: ["TAR"], votingRepresentative: false, password: "a long bench passphrase here" },
  null,
);

/** The seed draft with copies of its rules (new ids) appended until the rule set is about 75 KB. */
function largeDraft(): string {
  const markdown = getDraftView(STANDARD)!.markdown;
  const blocks = [...markdown.matchAll(/```rule\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1]) as { id: string; title: string });
  const perRule = JSON.stringify(blocks, null, 2).length / blocks.length;
  const existing = getDraftView(STANDARD)!.ruleset.rules.length;
  const extra = Math.max(0, Math.round((TARGET_BYTES - perRule * existing) / perRule));
  const copies: string[] = [];
  for (let i = 0; i < extra; i++) {
    const rule = { ...blocks[i % blocks.length], id: `${STANDARD.replace("EWTP-", "")}.R${100 + i}`, title: `${blocks[i % blocks.length].title} (variant ${i + 1})` };
    copies.push("```rule\n" + JSON.stringify(rule, null, 2) + "\n```");
  }
  return `${markdown}\n\n## Variants for the benchmark\n\n${copies.join("\n\n")}\n`;
}

const { version } = publishTestRelease({ standard: STANDARD, adminId: admin.id, markdown: largeDraft() });
const fileUrl = `${portalBase}/api/v1/standards/${STANDARD}/releases/${version}/ruleset.json`;

/** GET without decompression: the status, ETag and body. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; etag: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, etag: String(res.headers.etag ?? ""), body: Buffer.concat(chunks) }));
      })
      .on("error", reject);
  });
}

const served = await get(fileUrl, { "accept-encoding": "identity" });
if (served.status !== 200) throw new Error(`The portal answered ${served.status} for ${fileUrl}`);
const bytes = served.body;
const etag = served.etag;

// ─── The baseline: a bare node:http server with the same bytes and a precomputed ETag ─────────

const bareHeaders200 = { "Content-Type": "application/json; charset=utf-8", "Content-Length": String(bytes.length), ETag: etag, "Cache-Control": "public, max-age=31536000, immutable" };
const bareHeaders304 = { ETag: etag, "Cache-Control": "public, max-age=31536000, immutable" };
const bare = http.createServer((req, res) => {
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, bareHeaders304);
    res.end();
    return;
  }
  res.writeHead(200, bareHeaders200);
  res.end(bytes);
});
await new Promise<void>((r) => bare.listen(0, "127.0.0.1", r));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/ruleset.json`;

for (const [name, url] of [["portal", fileUrl], ["bare", bareUrl]] as const) {
  const ok = await get(url, { "accept-encoding": "identity" });
  const nm = await get(url, { "accept-encoding": "identity", "if-none-match": etag });
  if (ok.status !== 200 || !ok.body.equals(bytes) || nm.status !== 304) throw new Error(`${name}: expected 200 with the bytes and 304 on If-None-Match, got ${ok.status}/${nm.status}`);
}

// ─── autocannon, from a second process ─────────────────────────────────────────────────────────

type Run = { requestsPerSec: number; p99Ms: number; p50Ms: number; total: number; statusOk: number; errors: number; timeouts: number; serverCpuUsPerRequest: number };

const DRIVER = `
const autocannon = require("autocannon");
const o = JSON.parse(process.argv[1]);
autocannon({ url: o.url, connections: o.connections, duration: o.duration, pipelining: 1, headers: o.headers }, (err, r) => {
  if (err) { console.error(err.message); process.exit(1); }
  const byStatus = o.expect === 304 ? r["3xx"] : r["2xx"];
  process.stdout.write(JSON.stringify({ requestsPerSec: r.requests.average, p99Ms: r.latency.p99, p50Ms: r.latency.p50, total: r.requests.total, statusOk: byStatus, errors: r.errors, timeouts: r.timeouts }));
});
`;

/** Runs autocannon in a child node process for `duration` seconds and returns its figures. */
function drive(url: string, expect: 200 | 304, duration: number): Promise<Run> {
  const headers: Record<string, string> = { "accept-encoding": "identity", ...(expect === 304 ? { "if-none-match": etag } : {}) };
  const cpuBefore = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", DRIVER, JSON.stringify({ url, connections: CONNECTIONS, duration, headers, expect })], { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    const kill = setTimeout(() => child.kill("SIGKILL"), (duration + 30) * 1000);
    child.on("exit", (code) => {
      clearTimeout(kill);
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      const cpu = process.cpuUsage(cpuBefore);
      const run = JSON.parse(out) as Run;
      // CPU the serving process spent per answer: steadier than requests/s on a machine shared with other work.
      run.serverCpuUsPerRequest = (cpu.user + cpu.system) / Math.max(1, run.total);
      if (run.statusOk < run.total * 0.99) return reject(new Error(`${url}: only ${run.statusOk} of ${run.total} answers were ${expect}`));
      resolve(run);
    });
  });
}

const best = (runs: Run[]) => runs.reduce((a, b) => (b.requestsPerSec > a.requestsPerSec ? b : a));

type Scenario = { name: string; expect: 200 | 304; bare: Run; portal: Run; requestsRatio: number; p99Ratio: number; met: boolean };
const scenarios: Scenario[] = [];
for (const expect of [200, 304] as const) {
  await drive(bareUrl, expect, WARMUP_SECONDS);
  await drive(fileUrl, expect, WARMUP_SECONDS);
  const bareRuns: Run[] = [];
  const portalRuns: Run[] = [];
  // Interleaved, so drift on a shared machine hits both sides alike.
  for (let round = 0; round < ROUNDS; round++) {
    bareRuns.push(await drive(bareUrl, expect, DURATION));
    portalRuns.push(await drive(fileUrl, expect, DURATION));
  }
  const b = best(bareRuns);
  const p = best(portalRuns);
  const requestsRatio = p.requestsPerSec / b.requestsPerSec;
  // autocannon reports latency in whole milliseconds; a 0 ms p99 is taken as 1 ms.
  const p99Ratio = Math.max(p.p99Ms, 1) / Math.max(b.p99Ms, 1);
  scenarios.push({ name: expect === 200 ? "200 (full body)" : "304 (If-None-Match)", expect, bare: b, portal: p, requestsRatio, p99Ratio, met: requestsRatio >= GOAL.requestsRatio && p99Ratio <= GOAL.p99Ratio });
}

// ─── Report ────────────────────────────────────────────────────────────────────────────────────

const machine = describeMachine();
console.log(`\nRelease serving benchmark — ruleset.json of ${(bytes.length / 1024).toFixed(1)} KB (${STANDARD} ${version}), portal in ${mode} mode`);
console.log(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}, load ${machine.loadAverage.join(" ")}`);
console.log(`autocannon: ${CONNECTIONS} connections, no pipelining, identity encoding, ${DURATION} s per run, best of ${ROUNDS}\n`);
console.log(`${"answer".padEnd(20)} ${"bare req/s".padStart(11)} ${"portal req/s".padStart(13)} ${"ratio".padStart(6)} ${"bare p99".padStart(9)} ${"portal p99".padStart(11)} ${"ratio".padStart(6)}  goal`);
for (const s of scenarios) {
  console.log(
    `${s.name.padEnd(20)} ${s.bare.requestsPerSec.toFixed(0).padStart(11)} ${s.portal.requestsPerSec.toFixed(0).padStart(13)} ${s.requestsRatio.toFixed(2).padStart(6)} ${`${s.bare.p99Ms} ms`.padStart(9)} ${`${s.portal.p99Ms} ms`.padStart(11)} ${s.p99Ratio.toFixed(2).padStart(6)}  ${s.met ? "met" : "NOT MET"}`,
  );
}
for (const s of scenarios) {
  console.log(`${s.name.padEnd(20)} server CPU per answer: bare ${s.bare.serverCpuUsPerRequest.toFixed(0)} µs, portal ${s.portal.serverCpuUsPerRequest.toFixed(0)} µs (${(s.portal.serverCpuUsPerRequest / s.bare.serverCpuUsPerRequest).toFixed(2)}×)`);
}
console.log(`\nGoal: ≥ ${GOAL.requestsRatio}× the bare server's requests/s and p99 ≤ ${GOAL.p99Ratio}× its p99, for 200s and for 304s.`);

const resultsDir = path.resolve(process.cwd(), "bench/results");
fs.mkdirSync(resultsDir, { recursive: true });
const out = {
  benchmark: "releases",
  at: new Date().toISOString(),
  machine,
  file: { standard: STANDARD, version, name: "ruleset.json", bytes: bytes.length, etag },
  portalMode: mode,
  load: { tool: "autocannon 8.0.0 (separate process)", connections: CONNECTIONS, pipelining: 1, encoding: "identity", durationSeconds: DURATION, rounds: ROUNDS, pick: "best run by requests/s, per side" },
  baseline: "bare node:http server, same bytes, precomputed ETag, 304 on exact If-None-Match",
  goal: GOAL,
  results: scenarios,
};
fs.writeFileSync(path.join(resultsDir, "releases.json"), JSON.stringify(out, null, 2) + "\n");
console.log(`Wrote ${path.relative(process.cwd(), path.join(resultsDir, "releases.json"))}`);

await new Promise<void>((r) => bare.close(() => r()));
await portal.close(1000);
fs.rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
