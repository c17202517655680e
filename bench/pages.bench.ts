/**
 * Page benchmark (issue #7): four server-rendered pages — the standards list, a standard page, a
 * ballot page and search — on the large seed (500 standards, 5,000 revisions, 100,000 comments,
 * 2,000 members, 300 ballots) against the same pages on a tiny seed, as the secretariat admin (who
 * sees every draft: the heaviest reader). The portal runs its production build in a child process;
 * autocannon drives it from another (10 connections, no pipelining). Prints p50/p95/p99 and
 * requests/s per page and the ratio large/tiny of p95; writes bench/results/pages.json.
 *
 *   npm run build && npx tsx bench/pages.bench.ts [--duration 10] [--connections 10] [--quick]
 *
 * Goals: p95 on the large seed ≤ 1.25× the tiny seed's, and under 50 ms at 10 connections.
 */
import fs from "node:fs";
import path from "node:path";
import { drive, endChildren, fmtMs, machine, startPortal, type LoadRun, type PortalInfo } from "./harness";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const QUICK = args.includes("--quick");
const DURATION = option("duration", QUICK ? 3 : 10);
const CONNECTIONS = option("connections", 10);
const WARMUP = QUICK ? 1 : 3;
const GOAL = { p95Ratio: 1.25, p95Ms: 50 };

export type Page = { name: string; path: string; expect: string };
/** The four pages, with a text each must contain. */
export function pagesOf(p: PortalInfo): Page[] {
  return [
    // The list is paged (50 a page, by id): the example standard may sit on a later page.
    { name: "standards list", path: "/standards", expect: 'class="standard-item"' },
    { name: "standard page", path: `/standards/${p.examples.publishedStandard}`, expect: p.examples.publishedStandard },
    { name: "ballot page", path: `/ballots/${p.examples.closedBallot}`, expect: "revision" },
    { name: "search", path: "/search?q=customs", expect: "customs" },
  ];
}

/** Each page answers 200 with its expected text, or the run stops. */
export async function checkPages(p: PortalInfo): Promise<void> {
  for (const page of pagesOf(p)) {
    const res = await fetch(`http://127.0.0.1:${p.port}${page.path}`, { headers: { cookie: p.cookie }, redirect: "manual" });
    const text = await res.text();
    if (res.status !== 200 || !text.toLowerCase().includes(page.expect.toLowerCase())) throw new Error(`${page.path} answered ${res.status}${res.status === 200 ? ` without "${page.expect}"` : ""}`);
  }
}

export async function measurePages(p: PortalInfo, duration: number, connections: number): Promise<Record<string, LoadRun>> {
  const out: Record<string, LoadRun> = {};
  for (const page of pagesOf(p)) {
    const o = { url: `http://127.0.0.1:${p.port}${page.path}`, connections, duration, headers: { cookie: p.cookie } };
    await drive({ ...o, duration: WARMUP });
    out[page.name] = await drive(o);
    if (out[page.name].non2xx || out[page.name].errors) throw new Error(`${page.path}: ${out[page.name].non2xx} non-2xx answers, ${out[page.name].errors} errors`);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("pages.bench.ts")) {
  const planned = 2 * 4 * (WARMUP + DURATION + 2) + 2 * 120;
  setTimeout(() => {
    console.error(`The benchmark did not finish within ${planned + 120} s; stopping.`);
    endChildren();
    process.exit(2);
  }, (planned + 120) * 1000).unref();

  const atStart = machine();
  const runs: Record<string, { counts: Record<string, number>; seedSeconds: number; pages: Record<string, LoadRun> }> = {};
  for (const seed of ["tiny", "large"] as const) {
    console.log(`Starting the portal on the ${seed} seed…`);
    const portal = await startPortal(seed);
    try {
      console.log(`  seeded in ${portal.seedSeconds.toFixed(1)} s: ${JSON.stringify(portal.counts)}`);
      await checkPages(portal);
      runs[seed] = { counts: portal.counts, seedSeconds: portal.seedSeconds, pages: await measurePages(portal, DURATION, CONNECTIONS) };
    } finally {
      await portal.stop();
    }
  }

  const rows = Object.keys(runs.large.pages).map((name) => {
    const t = runs.tiny.pages[name];
    const l = runs.large.pages[name];
    const ratio = Math.max(l.p95Ms, 0.1) / Math.max(t.p95Ms, 0.1);
    return { page: name, tiny: t, large: l, p95Ratio: ratio, met: ratio <= GOAL.p95Ratio && l.p95Ms < GOAL.p95Ms };
  });
  console.log(`\nPage benchmark — production build, admin session, autocannon ${CONNECTIONS} connections, no pipelining, ${DURATION} s per page`);
  const m = atStart;
  console.log(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, load at start ${m.loadAverage.join(" ")}, at end ${machine().loadAverage.join(" ")}\n`);
  console.log(`${"page".padEnd(16)} ${"tiny p50".padStart(9)} ${"tiny p95".padStart(9)} ${"tiny r/s".padStart(9)} ${"large p50".padStart(10)} ${"large p95".padStart(10)} ${"large p99".padStart(10)} ${"large r/s".padStart(10)} ${"p95 ×".padStart(6)}  goal`);
  for (const r of rows) {
    console.log(
      `${r.page.padEnd(16)} ${fmtMs(r.tiny.p50Ms).padStart(9)} ${fmtMs(r.tiny.p95Ms).padStart(9)} ${r.tiny.requestsPerSec.toFixed(0).padStart(9)} ${fmtMs(r.large.p50Ms).padStart(10)} ${fmtMs(r.large.p95Ms).padStart(10)} ${fmtMs(r.large.p99Ms).padStart(10)} ${r.large.requestsPerSec.toFixed(0).padStart(10)} ${r.p95Ratio.toFixed(2).padStart(6)}  ${r.met ? "met" : "NOT MET"}`,
    );
  }
  console.log(`\nGoal: p95 on the large seed ≤ ${GOAL.p95Ratio}× the tiny seed's and < ${GOAL.p95Ms} ms.`);
  const resultsDir = path.resolve("bench/results");
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(
    path.join(resultsDir, "pages.json"),
    JSON.stringify(
      {
        benchmark: "pages",
        at: new Date().toISOString(),
        machine: atStart,
        loadAverageAtEnd: machine().loadAverage,
        load: { tool: "autocannon 8.0.0 (separate process)", connections: CONNECTIONS, pipelining: 1, durationSeconds: DURATION, warmupSeconds: WARMUP, as: "admin session" },
        seeds: { tiny: { counts: runs.tiny.counts, seedSeconds: runs.tiny.seedSeconds }, large: { counts: runs.large.counts, seedSeconds: runs.large.seedSeconds } },
        goal: GOAL,
        results: rows,
      },
      null,
      2,
    ) + "\n",
  );
  console.log("Wrote bench/results/pages.json");
  endChildren();
  process.exit(0);
}
