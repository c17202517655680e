/**
 * Vote benchmark (issue #7): sustained vote submissions on the large seed — the voters of the open
 * ballots each changing their vote in turn (approve ⇄ abstain), through the real API
 * (PUT /api/v1/ballots/{id}/vote, personal access tokens), every change a transaction with its audit
 * entry — against a no-op POST on a bare node:http server (goal ≥ 0.3× its requests/s); then the
 * four pages of bench/pages.bench.ts alone and again while the votes run (goal: page p95 rises no
 * more than 1.2×). Load from separate processes (autocannon, no pipelining); writes
 * bench/results/votes.json.
 *
 *   npm run build && npx tsx bench/votes.bench.ts [--duration 10] [--connections 10] [--quick]
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { drive, endChildren, fmtMs, machine, startPortal, type LoadRun } from "./harness";
import { checkPages, pagesOf } from "./pages.bench";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const QUICK = args.includes("--quick");
const DURATION = option("duration", QUICK ? 3 : 10);
const CONNECTIONS = option("connections", 10);
const WARMUP = QUICK ? 1 : 3;
const GOAL = { requestsRatio: 0.3, pageP95Rise: 1.2 };

const planned = 2 * (WARMUP + DURATION) + 2 * 4 * (DURATION + 2) + 240;
setTimeout(() => {
  console.error(`The benchmark did not finish within ${planned + 120} s; stopping.`);
  endChildren();
  process.exit(2);
}, (planned + 120) * 1000).unref();

const atStart = machine();

// The baseline: a bare node:http server answering every POST with a small JSON body.
const bare = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "2" });
    res.end("{}");
  });
});
await new Promise<void>((r) => bare.listen(0, "127.0.0.1", r));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/noop`;

console.log("Starting the portal on the large seed…");
const portal = await startPortal("large");
let out: unknown;
try {
  console.log(`  seeded in ${portal.seedSeconds.toFixed(1)} s: ${JSON.stringify(portal.counts)}`);
  await checkPages(portal);
  const voters = portal.openBallots.flatMap((b) => b.voters.map((v) => ({ ballot: b.id, token: v.token })));
  // Interleave the ballots so consecutive requests touch different ballots and voters.
  voters.sort((a, b) => (a.token < b.token ? -1 : 1));
  const base = `http://127.0.0.1:${portal.port}`;
  const votesLoad = { url: base, connections: CONNECTIONS, votes: { voters } };
  const bareLoad = { url: bareUrl, connections: CONNECTIONS, method: "POST", body: JSON.stringify({ position: "approve" }), headers: { "content-type": "application/json" } };

  await drive({ ...bareLoad, duration: WARMUP });
  const bareRun = await drive({ ...bareLoad, duration: DURATION });
  await drive({ ...votesLoad, duration: WARMUP });
  const votesRun = await drive({ ...votesLoad, duration: DURATION });
  if (votesRun.non2xx || votesRun.errors) throw new Error(`votes: ${votesRun.non2xx} non-2xx answers, ${votesRun.errors} errors`);

  // Page p95 alone, then with the vote load running in parallel (both from their own processes).
  const alone: Record<string, LoadRun> = {};
  const underVotes: Record<string, LoadRun> = {};
  for (const page of pagesOf(portal)) {
    const o = { url: `${base}${page.path}`, connections: CONNECTIONS, duration: DURATION, headers: { cookie: portal.cookie } };
    await drive({ ...o, duration: WARMUP });
    alone[page.name] = await drive(o);
    const background = drive({ ...votesLoad, duration: DURATION + 2 });
    await new Promise((r) => setTimeout(r, 1000));
    underVotes[page.name] = await drive(o);
    await background;
  }
  const requestsRatio = votesRun.requestsPerSec / bareRun.requestsPerSec;
  const pages = Object.keys(alone).map((name) => {
    const rise = Math.max(underVotes[name].p95Ms, 0.1) / Math.max(alone[name].p95Ms, 0.1);
    return { page: name, alone: alone[name], underVotes: underVotes[name], p95Rise: rise, met: rise <= GOAL.pageP95Rise };
  });

  const m = atStart;
  console.log(`\nVote benchmark — large seed, ${voters.length} voters on ${portal.openBallots.length} open ballots, autocannon ${CONNECTIONS} connections, no pipelining, ${DURATION} s per run`);
  console.log(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, load at start ${m.loadAverage.join(" ")}, at end ${machine().loadAverage.join(" ")}\n`);
  console.log(`bare no-op POST: ${bareRun.requestsPerSec.toFixed(0)} req/s, p95 ${fmtMs(bareRun.p95Ms)}`);
  console.log(`vote changes:    ${votesRun.requestsPerSec.toFixed(0)} req/s, p95 ${fmtMs(votesRun.p95Ms)}, p99 ${fmtMs(votesRun.p99Ms)} (${votesRun.total} votes)`);
  console.log(`ratio votes/bare: ${requestsRatio.toFixed(2)} (goal ≥ ${GOAL.requestsRatio}) ${requestsRatio >= GOAL.requestsRatio ? "met" : "NOT MET"}\n`);
  console.log(`${"page".padEnd(16)} ${"alone p95".padStart(10)} ${"with votes p95".padStart(15)} ${"rise".padStart(6)}  goal`);
  for (const p of pages) console.log(`${p.page.padEnd(16)} ${fmtMs(p.alone.p95Ms).padStart(10)} ${fmtMs(p.underVotes.p95Ms).padStart(15)} ${p.p95Rise.toFixed(2).padStart(6)}  ${p.met ? "met" : "NOT MET"}`);
  console.log(`\nGoals: ≥ ${GOAL.requestsRatio}× the bare server's requests/s; page p95 under vote load ≤ ${GOAL.pageP95Rise}× page p95 alone.`);
  out = {
    benchmark: "votes",
    at: new Date().toISOString(),
    machine: atStart,
    loadAverageAtEnd: machine().loadAverage,
    load: { tool: "autocannon 8.0.0 (separate processes)", connections: CONNECTIONS, pipelining: 1, durationSeconds: DURATION, warmupSeconds: WARMUP },
    seed: portal.counts,
    voters: voters.length,
    openBallots: portal.openBallots.length,
    baseline: "bare node:http server answering POST with {} (same process as the harness)",
    goal: GOAL,
    bare: bareRun,
    votes: votesRun,
    requestsRatio,
    pages,
  };
} finally {
  await portal.stop();
  await new Promise<void>((r) => bare.close(() => r()));
}
const resultsDir = path.resolve("bench/results");
fs.mkdirSync(resultsDir, { recursive: true });
fs.writeFileSync(path.join(resultsDir, "votes.json"), JSON.stringify(out, null, 2) + "\n");
console.log("Wrote bench/results/votes.json");
endChildren();
process.exit(0);
