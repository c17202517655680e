/**
 * Shared pieces of the HTTP benchmarks (pages, votes): the machine's description, a child process
 * that runs the portal, and autocannon in a second process with p95 computed from every answer.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** The `p`th percentile (nearest rank) of ascending `sorted`; NaN when there are none. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** What the figures were measured on: CPU, cores, memory, OS, Node and the load average now. */
export function machine() {
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

const children = new Set<ChildProcess>();
/** Ends every child this process started, by its pid. */
export function endChildren(): void {
  for (const c of children) if (c.exitCode === null && c.pid) process.kill(c.pid, "SIGKILL");
}
process.on("exit", endChildren);

export type PortalInfo = {
  port: number;
  pid: number;
  cookie: string;
  seedSeconds: number;
  counts: Record<string, number>;
  examples: { publishedStandard: string; draftStandard: string; closedBallot: string; openBallot: string };
  openBallots: { id: string; standardId: string; voters: { userId: string; token: string }[] }[];
  stop: () => Promise<void>;
};

/** Starts bench/pages-server.ts with a seed and waits (at most `timeoutS`) for its first line. */
export function startPortal(seed: "large" | "tiny", timeoutS = 180): Promise<PortalInfo> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/pages-server.ts", "--seed", seed, "--ttl", "1200"], { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] });
    children.add(child);
    let out = "";
    const timer = setTimeout(() => {
      if (child.pid) process.kill(child.pid, "SIGKILL");
      reject(new Error(`the ${seed} portal did not start within ${timeoutS} s`));
    }, timeoutS * 1000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${seed} portal exited with ${code}`));
    });
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      const info = JSON.parse(out.slice(0, nl)) as Omit<PortalInfo, "stop">;
      resolve({
        ...info,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            const kill = setTimeout(() => child.pid && process.kill(child.pid, "SIGKILL"), 10_000);
            child.removeAllListeners("exit");
            child.on("exit", () => {
              clearTimeout(kill);
              children.delete(child);
              done();
            });
            process.kill(child.pid!, "SIGTERM");
          }),
      });
    });
  });
}

export type LoadRun = { requestsPerSec: number; total: number; ok: number; non2xx: number; errors: number; timeouts: number; p50Ms: number; p95Ms: number; p99Ms: number };

/**
 * autocannon in a child node process, no pipelining. `votes`: instead of one request, each request
 * is a vote change by the next voter in turn (PUT /api/v1/ballots/{id}/vote with the voter's token),
 * alternating each voter's position between approve and abstain.
 */
const DRIVER = `
const autocannon = require("autocannon");
const o = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const times = [];
let n = 0;
const turn = new Map();
const opts = { url: o.url, connections: o.connections, duration: o.duration, pipelining: 1, headers: o.headers || {}, method: o.method || "GET", body: o.body };
if (o.votes) {
  opts.requests = [{ setupRequest: (req) => {
    const v = o.votes.voters[n++ % o.votes.voters.length];
    const k = (turn.get(v.token) || 0) + 1; turn.set(v.token, k);
    return { ...req, method: "PUT", path: "/api/v1/ballots/" + v.ballot + "/vote", headers: { ...req.headers, authorization: "Bearer " + v.token, "content-type": "application/json" }, body: JSON.stringify({ position: k % 2 ? "abstain" : "approve" }) };
  } }];
}
const inst = autocannon(opts, (err, r) => {
  if (err) { console.error(err.message); process.exit(1); }
  times.sort((a, b) => a - b);
  const pct = (p) => times.length ? times[Math.min(times.length - 1, Math.max(0, Math.ceil(p / 100 * times.length) - 1))] : 0;
  process.stdout.write(JSON.stringify({ requestsPerSec: r.requests.average, total: r.requests.total, ok: r["2xx"], non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, p50Ms: pct(50), p95Ms: pct(95), p99Ms: pct(99) }));
});
inst.on("response", (client, statusCode, bytes, responseTime) => times.push(responseTime));
`;

export function drive(o: { url: string; connections: number; duration: number; headers?: Record<string, string>; method?: string; body?: string; votes?: { voters: { ballot: string; token: string }[] } }): Promise<LoadRun> {
  return new Promise((resolve, reject) => {
    // The options (thousands of voter tokens for the vote load) go through a file: too long for argv.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ewtp-bench-load-")), "options.json");
    fs.writeFileSync(file, JSON.stringify(o));
    const child = spawn(process.execPath, ["-e", DRIVER, file], { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] });
    children.add(child);
    let out = "";
    child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    const kill = setTimeout(() => child.pid && process.kill(child.pid, "SIGKILL"), (o.duration + 30) * 1000);
    child.on("exit", (code) => {
      clearTimeout(kill);
      children.delete(child);
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      resolve(JSON.parse(out) as LoadRun);
    });
  });
}

export const fmtMs = (ms: number) => `${ms.toFixed(1)} ms`;
