/**
 * Search benchmark: 500 synthetic standards of realistic size (40–80 KB of standard Markdown with
 * 5–12 rules each, built from the seed standards' own paragraphs and rules) in a temporary
 * database, then ranked, highlighted, permission-filtered FTS5 searches timed against a baseline
 * measured in the same run (a primary-key lookup of a standard). Prints p50/p95 and their ratios
 * to the baseline, and writes bench/results/search.json with a description of the machine.
 *
 *   npx tsx bench/search.bench.ts [--standards 500] [--iterations 60]
 *   BENCH_KEEP=1 npx tsx bench/search.bench.ts   (keeps the temporary database, for EXPLAIN QUERY PLAN)
 *
 * The target is p95 under 50 ms for every query; the ratios are what to compare across machines.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { seedDatabase, standardsFolder } from "../db/seed";
import { prng } from "../db/prng";
import { standards as standardsTable } from "../db/schema";
import { markdownBlocks } from "../app/domain/redline";
import { search } from "../app/domain/search.server";
import { parseStandardFile } from "../app/domain/standard-file";
import { changeStatus, getStandard, importStandard } from "../app/domain/standards.server";
import type { Rule } from "../app/domain/rules";
import type { Actor } from "../app/policies/policy";
import { closeDb, db, openDatabase, setDb } from "../app/utils/db.server";
import { readEnv, setEnv } from "../app/utils/env.server";
import { machine as describeMachine, percentile } from "./harness";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const STANDARDS = option("standards", 500);
const ITERATIONS = option("iterations", 60);
const WARMUP = 5;
const TARGET_P95_MS = 50;
const COMMITTEES = ["TAR", "LOG", "CUS", "TRU", "PAY"];


function time(fn: () => unknown, iterations: number): { p50: number; p95: number; mean: number; results: number } {
  let results = 0;
  for (let i = 0; i < WARMUP; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    const out = fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (Array.isArray(out)) results = out.length;
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), mean: samples.reduce((s, x) => s + x, 0) / samples.length, results };
}

// ---------------------------------------------------------------------------------------------
// The corpus: paragraphs, tables and rules of the seed standards, recombined.

const seeds = fs
  .readdirSync(standardsFolder())
  .filter((f) => f.endsWith(".md"))
  .map((f) => parseStandardFile(fs.readFileSync(path.join(standardsFolder(), f), "utf8"), f));
const prose = seeds.flatMap((s) => markdownBlocks(s.body).filter((b) => b.kind !== "rule" && b.kind !== "heading").map((b) => b.text));
const tableRows = seeds.flatMap((s) => markdownBlocks(s.body).filter((b) => b.kind === "table-row").map((b) => b.text));
const seedRules = seeds.flatMap((s) => s.rules);
const headings = seeds.flatMap((s) => markdownBlocks(s.body).filter((b) => b.kind === "heading").map((b) => b.text.replace(/^#+\s*(\d+(\.\d+)*\s*)?/, "")));

function syntheticStandard(n: number, random: () => number) {
  const committee = COMMITTEES[n % COMMITTEES.length];
  const number = String(Math.floor(n / COMMITTEES.length) + 1).padStart(3, "0");
  const id = `EWTP-${committee}-${number}`;
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const title = `${pick(headings)} for ${pick(["marketplaces", "postal operators", "express carriers", "customs brokers", "sellers"])} (${n})`;
  const scope = `${pick(prose).slice(0, 300)} Benchmark marker benchword${n}.`;
  const targetBytes = 40_000 + Math.floor(random() * 40_000);
  const rules: Rule[] = Array.from({ length: 5 + Math.floor(random() * 8) }, (_, k) => {
    const base = pick(seedRules);
    return { ...base, id: `${committee}-${number}.R${k + 1}`, title: `${base.title} (${n}.${k + 1})` };
  });
  const parts = [`# ${id} ${title}`, `## 1 Scope`, scope];
  let section = 2;
  let ruleIndex = 0;
  let bytes = parts.join("\n\n").length;
  while (bytes < targetBytes) {
    const block: string[] = [`## ${section++} ${pick(headings)}`];
    for (let p = 0; p < 4 + Math.floor(random() * 6); p++) block.push(pick(prose));
    if (random() < 0.3) block.push(["| Item | Value | Note |", "| --- | --- | --- |", ...Array.from({ length: 6 }, () => pick(tableRows))].join("\n"));
    if (ruleIndex < rules.length) block.push("```rule\n" + JSON.stringify(rules[ruleIndex++], null, 2) + "\n```");
    const text = block.join("\n\n");
    parts.push(text);
    bytes += text.length + 2;
  }
  for (; ruleIndex < rules.length; ruleIndex++) parts.push("```rule\n" + JSON.stringify(rules[ruleIndex], null, 2) + "\n```");
  return { meta: { id, title, committee, scope }, markdown: parts.join("\n\n") + "\n" };
}

// ---------------------------------------------------------------------------------------------

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ewtp-bench-"));
setEnv(readEnv({ DATA_DIR: dataDir, LOG_REQUESTS: "0" }));
setDb(openDatabase(path.join(dataDir, "portal.db")));
seedDatabase(path.join(dataDir, "no-standards")); // committees only

const buildStart = performance.now();
const random = prng(20260101);
let corpusBytes = 0;
db().transaction(() => {
  for (let n = 0; n < STANDARDS; n++) {
    const { meta, markdown } = syntheticStandard(n, random);
    corpusBytes += Buffer.byteLength(markdown);
    importStandard(meta, markdown);
    if (n % 3 === 0) changeStatus({ standardId: meta.id, to: "published", actorId: null, via: "release" });
  }
});
db().$client.prepare("insert into search_index(search_index) values ('optimize')").run();
const buildSeconds = (performance.now() - buildStart) / 1000;
const indexRows = (db().$client.prepare("select count(*) as n from search_documents").get() as { n: number }).n;

const admin: Actor = { id: "bench-admin", role: "admin", orgId: "o", committees: [], votingRepresentative: false, readOnly: false };
const member: Actor = { id: "bench-member", role: "expert", orgId: "o", committees: ["TAR"], votingRepresentative: false, readOnly: false };
const actors: [string, Actor | null][] = [
  ["admin", admin],
  ["member (TAR)", member],
  ["public", null],
];
const queries: [string, string][] = [
  ["common word", "customs"],
  ["two words", "parcel duty"],
  ["phrase", '"de minimis"'],
  ["prefix", "consign*"],
  ["rare word", `benchword${Math.floor(STANDARDS / 2)}`],
  ["no match", "xylophonic"],
];

const ids = db().select({ id: standardsTable.id }).from(standardsTable).all().map((r) => r.id);
let k = 0;
const baseline = time(() => getStandard(ids[k++ % ids.length]), ITERATIONS * 20);

type Row = { query: string; q: string; actor: string; results: number; p50: number; p95: number; ratioP50: number; ratioP95: number };
const rows: Row[] = [];
for (const [label, q] of queries) {
  for (const [actorName, actor] of actors) {
    const t = time(() => search({ q, limit: 20 }, actor), ITERATIONS);
    rows.push({ query: label, q, actor: actorName, results: t.results, p50: t.p50, p95: t.p95, ratioP50: t.p50 / baseline.p50, ratioP95: t.p95 / baseline.p95 });
  }
}

const { loadAverage: _load, ...machine } = describeMachine();
const worstP95 = Math.max(...rows.map((r) => r.p95));
const fmt = (ms: number) => ms.toFixed(ms < 1 ? 3 : 2).padStart(8);

console.log(`\nSearch benchmark — ${STANDARDS} standards, ${(corpusBytes / 1024 / 1024).toFixed(1)} MiB of Markdown, ${indexRows} index rows (built in ${buildSeconds.toFixed(1)} s)`);
console.log(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}`);
console.log(`Baseline (primary-key lookup of a standard): p50 ${baseline.p50.toFixed(4)} ms, p95 ${baseline.p95.toFixed(4)} ms\n`);
console.log(`${"query".padEnd(12)} ${"caller".padEnd(13)} ${"hits".padStart(4)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"p50 ×base".padStart(10)} ${"p95 ×base".padStart(10)}`);
for (const r of rows) {
  console.log(
    `${r.query.padEnd(12)} ${r.actor.padEnd(13)} ${String(r.results).padStart(4)} ${fmt(r.p50)} ${fmt(r.p95)} ${r.ratioP50.toFixed(0).padStart(10)} ${r.ratioP95.toFixed(0).padStart(10)}`,
  );
}
console.log(`\nWorst p95: ${worstP95.toFixed(2)} ms — target < ${TARGET_P95_MS} ms: ${worstP95 < TARGET_P95_MS ? "met" : "NOT MET"}`);

const resultsDir = path.resolve(process.cwd(), "bench/results");
fs.mkdirSync(resultsDir, { recursive: true });
const out = {
  benchmark: "search",
  at: new Date().toISOString(),
  machine,
  corpus: { standards: STANDARDS, markdownBytes: corpusBytes, indexRows, buildSeconds },
  iterations: ITERATIONS,
  baseline: { what: "primary-key lookup of a standard (getStandard)", p50Ms: baseline.p50, p95Ms: baseline.p95 },
  targetP95Ms: TARGET_P95_MS,
  worstP95Ms: worstP95,
  targetMet: worstP95 < TARGET_P95_MS,
  results: rows.map(({ p50, p95, ...r }) => ({ ...r, p50Ms: p50, p95Ms: p95 })),
};
fs.writeFileSync(path.join(resultsDir, "search.json"), JSON.stringify(out, null, 2) + "\n");
console.log(`Wrote ${path.relative(process.cwd(), path.join(resultsDir, "search.json"))}`);

closeDb();
if (!process.env.BENCH_KEEP) fs.rmSync(dataDir, { recursive: true, force: true });
else console.log(`Kept ${dataDir}`);
