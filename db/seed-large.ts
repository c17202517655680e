/**
 * The large seed (issue #7): fills a DATA_DIR, migrated and seeded like production, with realistic
 * data for the page and vote benchmarks — 500 standards, 5,000 revisions, 100,000 comments, 2,000
 * members in 200 organisations and the five committees, 300 ballots with their frozen rolls and
 * votes — deterministically (a seeded PRNG), from the paragraphs, tables and rules of standards/.
 *
 *   DATA_DIR=./data-large npm run seed:large [-- --force] [-- --scale 0.1]
 *
 * Refuses a database that already has members, comments or ballots unless `--force` is given.
 *
 * Invariants kept: standards go through `importStandard` (draft row, analysis cache, FTS index,
 * status event, audit entry) and `changeStatus`; revisions are inserted (never updated) with the
 * SHA-256 of their Markdown, its Lexical JSON, rule set and conformance results; every ballot and
 * vote writes the audit entries the app writes (ballot.created, ballot.opened, vote.cast,
 * vote.changed, ballot.closed), chained with `entryHash` exactly like `recordAudit`, so
 * `audit:verify` passes; closed ballots carry the tally of `tally()` over their roll and votes.
 * Not made: signed checkpoints for the seeded closes (the daily checkpoint covers them), releases,
 * proposals, notifications and collaboration updates.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import canonicalize from "canonicalize";
import { hashPassword } from "../app/auth/password.server";
import { sha256Hex } from "../app/auth/tokens.server";
import { GENESIS_HASH, entryHash } from "../app/domain/audit.server";
import { analyseDraft } from "../app/domain/drafts.server";
import { markdownBlocks } from "../app/domain/redline";
import type { Rule } from "../app/domain/rules";
import { parseStandardFile } from "../app/domain/standard-file";
import { changeStatus, importStandard, textHash } from "../app/domain/standards.server";
import { buildRoll, tally, type BallotRule, type RollUnit } from "../app/domain/tally";
import { markdownToEditorState } from "../app/editor/markdown";
import { db } from "../app/utils/db.server";
import { readEnv, setEnv } from "../app/utils/env.server";
import { seedDatabase, standardsFolder } from "./seed";
import { prng } from "./prng";

export const LARGE_COMMITTEES = ["TAR", "LOG", "CUS", "TRU", "PAY"] as const;
/** The password every seeded member has (for signing in to a seeded portal by hand). */
export const LARGE_SEED_PASSWORD = "large seed passphrase 2026";

export type LargeSeedOptions = { scale?: number; force?: boolean; log?: (line: string) => void };
export type LargeSeedResult = {
  seconds: number;
  counts: Record<string, number>;
  /** Members with a personal access token `ewtp_pat_bench_<n>` (read-write), for load tools. */
  admin: { id: string; email: string; token: string };
  /** Open ballots (individual, on revisions), each with its voters' ids and tokens. */
  openBallots: { id: string; standardId: string; voters: { userId: string; token: string }[] }[];
  /** Example ids for the pages: a published standard, a closed ballot on a published standard. */
  examples: { publishedStandard: string; draftStandard: string; closedBallot: string; openBallot: string };
};


const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/** Whether the database already holds people's data (members, comments or ballots). */
export function hasData(): boolean {
  const c = db().$client;
  const n = (sql: string) => (c.prepare(sql).get() as { n: number }).n;
  return n("select count(*) as n from users") + n("select count(*) as n from comments") + n("select count(*) as n from ballots") > 0;
}

export async function seedLarge(options: LargeSeedOptions = {}): Promise<LargeSeedResult> {
  const scale = options.scale ?? 1;
  const log = options.log ?? (() => {});
  const started = performance.now();
  seedDatabase(); // committees and standards/, as the portal does at start-up
  if (hasData() && !options.force) {
    throw new Error("The database already has members, comments or ballots. The large seed adds to an empty portal only; pass --force to add to this one anyway.");
  }
  const STANDARDS = Math.max(5, Math.round(500 * scale));
  const REVISIONS_PER_STANDARD = 10;
  const COMMENTS = Math.round(100_000 * scale);
  const MEMBERS = Math.max(50, Math.round(2000 * scale));
  const ORGS = Math.max(10, Math.round(200 * scale));
  const BALLOTS = Math.max(5, Math.round(300 * scale));
  const OPEN_BALLOTS = Math.max(2, Math.round(BALLOTS / 15));
  const random = prng(20260107);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const client = db().$client;

  // ─── Material from standards/ ─────────────────────────────────────────────────────────────────
  const seeds = fs
    .readdirSync(standardsFolder())
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => parseStandardFile(fs.readFileSync(path.join(standardsFolder(), f), "utf8"), f));
  const blocksOf = seeds.map((s) => markdownBlocks(s.body));
  const prose = blocksOf.flatMap((bs) => bs.filter((b) => b.kind === "paragraph").map((b) => b.text));
  const tableRows = blocksOf.flatMap((bs) => bs.filter((b) => b.kind === "table-row").map((b) => b.text));
  const headings = blocksOf.flatMap((bs) => bs.filter((b) => b.kind === "heading").map((b) => b.text.replace(/^#+\s*(\d+(\.\d+)*\s*)?/, "").split("\n")[0]));
  const seedRules = seeds.flatMap((s) => s.rules);
  const sentences = prose.flatMap((p) => p.split(/(?<=\.)\s+/)).filter((s) => s.length > 20 && s.length < 400 && !s.includes("|"));

  // ─── The audit chain, continued in JS exactly as recordAudit does ─────────────────────────────
  const lastAudit = client.prepare("select seq, hash from audit_events order by seq desc limit 1").get() as { seq: number; hash: string } | undefined;
  let seq = lastAudit?.seq ?? 0;
  let prevHash = lastAudit?.hash ?? GENESIS_HASH;
  const insertAudit = client.prepare("insert into audit_events (seq, at, actor_id, action, subject_type, subject_id, data, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const audit = (at: string, actorId: string | null, action: string, subjectType: string, subjectId: string | null, data: Record<string, unknown>) => {
    const entry = { seq: ++seq, at, actorId, action, subjectType, subjectId, data: JSON.stringify(data), prevHash };
    const hash = entryHash(entry);
    insertAudit.run(entry.seq, at, actorId, action, subjectType, subjectId, entry.data, prevHash, hash);
    prevHash = hash;
  };

  // Time runs forward through the seed: a year ago until now, so audit times only grow.
  const now = Date.now();
  let clock = now - 365 * 24 * 3600 * 1000;
  const tick = (ms: number) => new Date((clock += ms)).toISOString();

  // ─── Organisations and members ───────────────────────────────────────────────────────────────
  const passwordHash = await hashPassword(LARGE_SEED_PASSWORD);
  const countries = ["CN", "MY", "RW", "TH", "BE", "MX", "ET", "DE", "KE", "BR", "ID", "VN", "FR", "US", "JP"];
  const kinds = ["company", "company", "company", "company", "government", "expert"] as const;
  const orgs: { id: string; name: string; kind: string }[] = [];
  const users: { id: string; name: string; orgId: string; orgName: string; orgKind: string; role: string; committees: string[]; votingRepresentative: boolean }[] = [];
  let adminId = "";
  db().transaction(() => {
    const insOrg = client.prepare("insert into organizations (id, name, kind, country, created_at) values (?, ?, ?, ?, ?)");
    const insUser = client.prepare(
      "insert into users (id, email, name, org_id, role, status, voting_representative, password_hash, created_at, updated_at) values (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)",
    );
    const insMember = client.prepare("insert into committee_members (user_id, committee_code) values (?, ?)");
    const insToken = client.prepare("insert into access_tokens (id, user_id, label, token_hash, read_only, created_at) values (?, ?, ?, ?, 0, ?)");
    const secretariat = { id: "large-org-secretariat", name: "e-WTP Secretariat (large seed)", kind: "secretariat" };
    const at0 = tick(1000);
    insOrg.run(secretariat.id, secretariat.name, secretariat.kind, "CH", at0);
    audit(at0, null, "organization.created", "organization", secretariat.id, { name: secretariat.name, kind: secretariat.kind });
    for (let o = 0; o < ORGS; o++) {
      const kind = kinds[o % kinds.length];
      const org = { id: `large-org-${o}`, name: `${pick(["Silk", "Harbour", "Meridian", "Lotus", "Atlas", "Baobab", "Condor", "Nordic"])} ${kind === "government" ? "Customs Authority" : kind === "company" ? "Trading" : "Institute"} ${o + 1}`, kind };
      const at = tick(1000);
      insOrg.run(org.id, org.name, kind, pick(countries), at);
      audit(at, null, "organization.created", "organization", org.id, { name: org.name, kind });
      orgs.push(org);
    }
    const adminAt = tick(1000);
    adminId = "large-user-admin";
    insUser.run(adminId, "admin@large.example", "Secretariat Admin", secretariat.id, "admin", 0, passwordHash, adminAt, adminAt);
    insToken.run("large-token-admin", adminId, "bench", sha256Hex("ewtp_pat_bench_admin"), adminAt);
    audit(adminAt, null, "user.created", "user", adminId, { role: "admin", orgId: secretariat.id });
    const repOf = new Set<string>();
    for (let u = 0; u < MEMBERS; u++) {
      const org = orgs[u % orgs.length];
      const role = org.kind === "government" ? "observer" : org.kind === "expert" ? "expert" : "member";
      const rep = role === "member" && !repOf.has(org.id);
      if (rep) repOf.add(org.id);
      const id = `large-user-${u}`;
      const name = `${pick(["Amina", "Wei", "Lucía", "Kofi", "Siti", "Jonas", "Priya", "Mateo", "Yuki", "Olu"])} ${pick(["Chen", "Okafor", "Rahman", "García", "Nguyen", "Müller", "Tanaka", "Mensah", "Silva", "Haddad"])} ${u}`;
      const at = tick(500);
      insUser.run(id, `member${u}@large.example`, name, org.id, role, rep ? 1 : 0, passwordHash, at, at);
      insToken.run(`large-token-${u}`, id, "bench", sha256Hex(`ewtp_pat_bench_${u}`), at);
      const first = LARGE_COMMITTEES[u % LARGE_COMMITTEES.length];
      const mine = random() < 0.3 ? [first, LARGE_COMMITTEES[(u + 2) % LARGE_COMMITTEES.length]] : [first];
      for (const c of mine) insMember.run(id, c);
      audit(at, adminId, "user.created", "user", id, { role, orgId: org.id, committees: mine });
      users.push({ id, name, orgId: org.id, orgName: org.name, orgKind: org.kind, role, committees: mine, votingRepresentative: rep });
    }
  });
  log(`members: ${users.length + 1} in ${orgs.length + 1} organisations`);

  // ─── Standards (through importStandard: draft, analysis, FTS index, audit) ───────────────────
  type Std = { id: string; committee: string; markdown: string; lexical: ReturnType<typeof markdownToEditorState>; analysis: ReturnType<typeof analyseDraft>; status: string };
  const stds: Std[] = [];
  for (let n = 0; n < STANDARDS; n++) {
    const committee = LARGE_COMMITTEES[n % LARGE_COMMITTEES.length];
    const number = String(Math.floor(n / LARGE_COMMITTEES.length) + 101).padStart(3, "0");
    const id = `EWTP-${committee}-${number}`;
    const title = `${pick(headings)} for ${pick(["marketplaces", "postal operators", "express carriers", "customs brokers", "sellers"])}`;
    const scope = pick(prose).slice(0, 300);
    const rules: Rule[] = Array.from({ length: 3 + Math.floor(random() * 5) }, (_, k) => {
      const base = pick(seedRules);
      return { ...base, id: `${committee}-${number}.R${k + 1}`, title: `${base.title} (${k + 1})` };
    });
    const parts = [`# ${id} ${title}`, "## 1 Scope", scope];
    const sections = 4 + Math.floor(random() * 5);
    for (let s = 0; s < sections; s++) {
      parts.push(`## ${s + 2} ${pick(headings)}`);
      for (let p = 0; p < 2 + Math.floor(random() * 4); p++) parts.push(pick(prose));
      if (random() < 0.3 && tableRows.length) parts.push(["| Item | Value | Note |", "| --- | --- | --- |", ...Array.from({ length: 4 }, () => pick(tableRows))].join("\n"));
      if (rules[s]) parts.push("```rule\n" + JSON.stringify(rules[s], null, 2) + "\n```");
    }
    for (let k = sections; k < rules.length; k++) parts.push("```rule\n" + JSON.stringify(rules[k], null, 2) + "\n```");
    const markdown = parts.join("\n\n") + "\n";
    stds.push({ id, committee, markdown, lexical: markdownToEditorState(markdown), analysis: analyseDraft(id, markdown), status: "draft" });
  }
  db().transaction(() => {
    for (const s of stds) importStandard({ id: s.id, committee: s.committee, title: s.markdown.split("\n")[0].replace(/^# \S+ /, ""), scope: s.markdown.split("\n\n")[2] }, s.markdown);
  });
  // importStandard wrote its audit entries through recordAudit: continue the chain from there.
  ({ seq, hash: prevHash } = client.prepare("select seq, hash from audit_events order by seq desc limit 1").get() as { seq: number; hash: string });
  clock = Math.max(clock, Date.now() - 300 * 24 * 3600 * 1000);
  log(`standards: ${stds.length}`);

  // ─── Revisions: 10 per standard, each the draft with its own revision note ────────────────────
  const paragraphTemplate = (stds[0].lexical.root.children as unknown[]).find((c) => (c as { type: string }).type === "paragraph") as Record<string, unknown> & { children: Record<string, unknown>[] };
  const revisionCount = { n: 0 };
  const revisionOf = new Map<string, { number: string; hash: string }[]>();
  db().transaction(() => {
    const insRev = client.prepare(
      "insert into standard_revisions (standard_id, number, markdown, lexical_json, ruleset_json, conformance_json, hash, created_at, created_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const conformanceOf = new Map<string, string>();
    for (let k = 0; k < REVISIONS_PER_STANDARD; k++) {
      for (const s of stds) {
        const number = String(k).padStart(2, "0");
        const note = `Revision note ${number}: ${pick(sentences)}`;
        const markdown = `${s.markdown}\n${note}\n`;
        const lexical = structuredClone(s.lexical);
        const para = structuredClone(paragraphTemplate);
        para.children = [{ ...paragraphTemplate.children[0], text: note }];
        (lexical.root.children as unknown[]).push(para);
        const hash = textHash(markdown);
        if (!conformanceOf.has(s.id)) conformanceOf.set(s.id, JSON.stringify(s.analysis.conformance));
        const at = tick(1000);
        const author = pick(users.filter((u) => u.role === "expert" && u.committees.includes(s.committee)).slice(0, 20));
        insRev.run(s.id, number, markdown, JSON.stringify(lexical), JSON.stringify({ standard: s.id, version: `revision-${number}`, rules: s.analysis.ruleset.rules }), conformanceOf.get(s.id), hash, at, author?.id ?? null);
        audit(at, author?.id ?? null, "revision.frozen", "standard", s.id, { number, hash });
        revisionOf.set(s.id, [...(revisionOf.get(s.id) ?? []), { number, hash }]);
        revisionCount.n++;
      }
    }
  });
  log(`revisions: ${revisionCount.n}`);

  // ─── Statuses: a third published (as by a release), the standards of open ballots in ballot ───
  // Ballots: on the latest revision of standards 0..BALLOTS-1; the last OPEN_BALLOTS of them stay open.
  const openFrom = BALLOTS - OPEN_BALLOTS;
  for (let n = 0; n < stds.length; n++) {
    const s = stds[n];
    if (n >= openFrom && n < BALLOTS) {
      changeStatus({ standardId: s.id, to: "ballot", actorId: adminId, via: "ballot", reason: "ballot opened on the latest revision" });
      s.status = "ballot";
    } else if (n % 3 === 0) {
      changeStatus({ standardId: s.id, to: "published", actorId: null, via: "release" });
      s.status = "published";
    }
  }
  ({ seq, hash: prevHash } = client.prepare("select seq, hash from audit_events order by seq desc limit 1").get() as { seq: number; hash: string });
  clock = Math.max(clock, Date.now() - 200 * 24 * 3600 * 1000);

  // ─── Ballots with frozen rolls and votes ──────────────────────────────────────────────────────
  const rules: BallotRule[] = ["simple-majority", "iso", "oasis-special-majority", "consensus"];
  const openBallots: LargeSeedResult["openBallots"] = [];
  let closedExample = "";
  let voteCount = 0;
  let rollCount = 0;
  db().transaction(() => {
    const insBallot = client.prepare(
      `insert into ballots (id, proposal_id, standard_id, revision, subject_hash, rule_json, voter_unit, eligible_json, quorum, opens_at, closes_at, results_visible, status, roll_hash, tally_json, result, result_reason, closed_at, created_by, created_at)
       values (?, null, ?, ?, ?, ?, 'individual', ?, ?, ?, ?, 'live', ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insRoll = client.prepare("insert into ballot_roll (ballot_id, unit_id, voter_id, label) values (?, ?, ?, ?)");
    const closeBallotRow = client.prepare("update ballots set status = 'closed', tally_json = ?, result = ?, result_reason = ?, closed_at = ? where id = ?");
    const insVote = client.prepare("insert into votes (ballot_id, unit_id, voter_id, position, reason, cast_at, version) values (?, ?, ?, ?, ?, ?, ?)");
    for (let b = 0; b < BALLOTS; b++) {
      const s = stds[b % stds.length];
      const rev = revisionOf.get(s.id)!.at(-1)!;
      const open = b >= openFrom;
      const id = `large-ballot-${String(b).padStart(3, "0")}`;
      const rule = rules[b % rules.length];
      const eligible = { roles: ["expert", "member"], committees: [s.committee] };
      const quorum = b % 2 ? 0.5 : null;
      const createdAt = tick(60_000);
      const opensAt = createdAt;
      const closesAt = open ? new Date(now + 30 * 24 * 3600 * 1000).toISOString() : new Date(Date.parse(createdAt) + 14 * 24 * 3600 * 1000).toISOString();
      const members = users.filter((u) => (u.role === "expert" || u.role === "member") && u.orgKind !== "government" && u.committees.includes(s.committee));
      const roll: RollUnit[] = buildRoll({ voterUnit: "individual", eligible: members.map((m) => ({ userId: m.id, name: m.name, orgId: m.orgId, orgName: m.orgName })), representatives: {} });
      const rollHash = sha256(canonicalize([...roll].map((u) => ({ unitId: u.unitId, voterId: u.voterId, label: u.label })).sort((x, y) => (x.unitId < y.unitId ? -1 : x.unitId > y.unitId ? 1 : 0)))!);
      const subject = { standardId: s.id, revision: rev.number };
      audit(createdAt, adminId, "ballot.created", "ballot", id, { subject, subjectHash: rev.hash, rule, voterUnit: "individual", eligible, quorum, opensAt, closesAt, resultsVisible: "live" });
      audit(createdAt, adminId, "ballot.opened", "ballot", id, { subject, subjectHash: rev.hash, rollHash, eligibleCount: roll.length, unitsWithoutVoter: 0, closesAt });
      const cast: { unitId: string; voterId: string; position: "approve" | "disapprove" | "abstain"; reason: string | null; castAt: string; version: number }[] = [];
      for (const unit of roll) {
        if (random() > 0.7) continue;
        let version = 0;
        let position: "approve" | "disapprove" | "abstain" = "approve";
        let previous: string | undefined;
        let reason: string | null = null;
        let castAt = createdAt;
        for (let change = 0; change < (random() < 0.1 ? 2 : 1); change++) {
          previous = version ? position : undefined;
          const r = random();
          position = r < 0.75 ? "approve" : r < 0.9 ? "disapprove" : "abstain";
          reason = position === "disapprove" ? pick(sentences) : null;
          version++;
          castAt = tick(5);
          audit(castAt, unit.voterId, version > 1 ? "vote.changed" : "vote.cast", "ballot", id, { unitId: unit.unitId, position, reason, version, ...(previous ? { previous } : {}) });
        }
        cast.push({ unitId: unit.unitId, voterId: unit.voterId!, position, reason, castAt, version });
      }
      let tallyJson: string | null = null;
      let result: string | null = null;
      let resultReason: string | null = null;
      let closedAt: string | null = null;
      if (!open) {
        const outcome = tally(rule, roll, cast, { quorum });
        tallyJson = JSON.stringify(outcome.tally);
        result = outcome.result;
        resultReason = outcome.reasons.join(",") || null;
        closedAt = tick(1000);
        const votesHash = sha256(canonicalize([...cast].sort((x, y) => (x.unitId < y.unitId ? -1 : 1)).map((v) => ({ unitId: v.unitId, voterId: v.voterId, position: v.position, reason: v.reason, castAt: v.castAt, version: v.version })))!);
        audit(closedAt, null, "ballot.closed", "ballot", id, { subject, subjectHash: rev.hash, rule, quorum, rollHash, votesHash, tally: outcome.tally, result, reasons: outcome.reasons, closedBy: "closesAt" });
        if (!closedExample && s.status === "published") closedExample = id;
      }
      // Opened first (votes are accepted only while a ballot is open: a trigger), then closed.
      insBallot.run(id, s.id, rev.number, rev.hash, JSON.stringify(rule), JSON.stringify(eligible), quorum, opensAt, closesAt, "open", rollHash, null, null, null, null, adminId, createdAt);
      for (const u of roll) insRoll.run(id, u.unitId, u.voterId, u.label);
      for (const v of cast) insVote.run(id, v.unitId, v.voterId, v.position, v.reason, v.castAt, v.version);
      if (!open) closeBallotRow.run(tallyJson, result, resultReason, closedAt, id);
      rollCount += roll.length;
      voteCount += cast.length;
      if (open) {
        const n = (uid: string) => uid.slice("large-user-".length);
        openBallots.push({ id, standardId: s.id, voters: roll.map((u) => ({ userId: u.voterId!, token: `ewtp_pat_bench_${n(u.voterId!)}` })) });
      }
    }
  });
  log(`ballots: ${BALLOTS} (${OPEN_BALLOTS} open), ${rollCount} roll units, ${voteCount} votes`);

  // ─── Comments on the standards' drafts, with a reply to some ──────────────────────────────────
  let replyCount = 0;
  db().transaction(() => {
    const insComment = client.prepare(
      `insert into comments (id, doc_name, standard_id, proposal_id, author_id, kind, body, anchor_quote, anchor_prefix, anchor_suffix, state, status, response, resolved_by, resolved_at, created_at)
       values (?, ?, ?, null, ?, ?, ?, ?, ?, ?, 'attached', ?, ?, ?, ?, ?)`,
    );
    const insReply = client.prepare("insert into comment_replies (id, comment_id, author_id, body, created_at) values (?, ?, ?, ?, ?)");
    const byCommittee = new Map(LARGE_COMMITTEES.map((c) => [c, users.filter((u) => u.committees.includes(c))]));
    const kindsOfComment = ["general", "technical", "editorial"] as const;
    const statuses = ["open", "open", "open", "accepted", "modified", "rejected", "noted"] as const;
    for (let i = 0; i < COMMENTS; i++) {
      // Skewed: a few standards draw most comments, as in real drafting.
      const s = stds[Math.floor(stds.length * random() ** 2)];
      const author = pick(byCommittee.get(s.committee as (typeof LARGE_COMMITTEES)[number])!);
      const sentence = pick(sentences);
      const quoteStart = Math.floor(random() * Math.max(1, sentence.length - 40));
      const status = pick(statuses);
      const at = tick(10);
      const id = `large-comment-${i}`;
      insComment.run(
        id,
        `standard.${s.id}`,
        s.id,
        author.id,
        pick(kindsOfComment),
        `${pick(["Please clarify:", "Suggest rewording:", "Editorial:", "Technical concern:", "Agree, but"])} ${pick(sentences)}`,
        sentence.slice(quoteStart, quoteStart + 40),
        sentence.slice(Math.max(0, quoteStart - 20), quoteStart),
        sentence.slice(quoteStart + 40, quoteStart + 60),
        status,
        status === "open" ? null : pick(sentences),
        status === "open" ? null : adminId,
        status === "open" ? null : at,
        at,
      );
      if (random() < 0.2) {
        insReply.run(`large-reply-${i}`, id, pick(byCommittee.get(s.committee as (typeof LARGE_COMMITTEES)[number])!).id, pick(sentences), tick(10));
        replyCount++;
      }
    }
  });
  log(`comments: ${COMMENTS} (${replyCount} replies)`);
  client.prepare("insert into search_index(search_index) values ('optimize')").run();
  client.pragma("optimize");

  const published = stds.find((s) => s.status === "published")!;
  return {
    seconds: (performance.now() - started) / 1000,
    counts: { standards: stds.length, revisions: revisionCount.n, comments: COMMENTS, replies: replyCount, members: users.length + 1, organisations: orgs.length + 1, ballots: BALLOTS, openBallots: OPEN_BALLOTS, rollUnits: rollCount, votes: voteCount, auditEntries: seq },
    admin: { id: adminId, email: "admin@large.example", token: "ewtp_pat_bench_admin" },
    openBallots,
    examples: { publishedStandard: published.id, draftStandard: stds.find((s) => s.status === "draft")!.id, closedBallot: closedExample || "large-ballot-000", openBallot: openBallots[0]?.id ?? "" },
  };
}

// ─── CLI ─────────────────────────────────────────────────────────────────────────────────────────
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const i = args.indexOf("--scale");
  const scale = i >= 0 ? Number(args[i + 1]) : 1;
  const env = readEnv();
  setEnv(env);
  console.log(`Large seed into ${path.resolve(env.dataDir)} (scale ${scale})`);
  try {
    const r = await seedLarge({ scale, force: args.includes("--force"), log: (l) => console.log(`  ${l}`) });
    console.log(`Done in ${r.seconds.toFixed(1)} s: ${JSON.stringify(r.counts)}`);
    console.log(`Members sign in with the password "${LARGE_SEED_PASSWORD}" (e.g. ${r.admin.email}); API tokens are ewtp_pat_bench_admin and ewtp_pat_bench_<n>.`);
    process.exit(0);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
