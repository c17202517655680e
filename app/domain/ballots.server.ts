/**
 * Ballots: a vote on an immutable subject — a standard's frozen revision or a submitted proposal's
 * frozen text — whose hash the ballot records. The eligible roll is frozen when the ballot opens
 * (its hash recorded); each voting unit (a person, or an organisation voted by its voting
 * representative) has one vote it may change until the close; the tally is the pure function in
 * tally.ts, computed and recorded once at the close, which a signed audit checkpoint then covers.
 *
 * Every write runs in one transaction with its audit entry ("ballot.created", "ballot.opened",
 * "vote.cast", "vote.changed", "ballot.closed", "ballot.cancelled"). A cancelled ballot records no
 * result: its reason and the hash of the votes at that moment live in its "ballot.cancelled" entry
 * (the ballots table has no column for them), and a proposal under it returns to submitted. Ballots open and close by themselves: the clock
 * (`startBallotClock`, every 15 s, and at start-up, so a close missed while the server was down
 * happens as soon as it is back) and every read or vote settles a ballot that is due first.
 *
 * Proposal subjects use the `proposals` table's columns directly (state submitted → in-ballot →
 * approved | rejected), through the small functions exported below.
 */
import { logSafe } from "../utils/log.server";
import { createHash, randomUUID } from "node:crypto";
import canonicalize from "canonicalize";
import { and, asc, desc, eq, inArray, lte, ne, or, type SQL } from "drizzle-orm";
import {
  auditEvents,
  ballotRoll,
  ballots,
  committeeMembers,
  committees,
  organizations,
  portalMeta,
  proposals,
  standardRevisions,
  standardStatusEvents,
  users,
  votes,
  type Role,
  type StandardStatus,
} from "../../db/schema";
import type { Authenticated } from "../auth/actor.server";
import { createI18n, DEFAULT_LOCALE } from "../i18n/i18n";
import { can, type Actor, type BallotResource } from "../policies/policy";
import { db } from "../utils/db.server";
import { PortalError } from "../utils/errors";
import { recordAudit } from "./audit.server";
import { checkpointCovering, signCheckpoint, signDailyCheckpointIfDue, type Checkpoint } from "./checkpoints.server";
import { documentSegments, type DocumentSegment } from "./document-view.server";
import { ROLL_PAGE_SIZE, type RollFilter, type RollQuery } from "./roll-view";
import { notify } from "./notifications.server";
import { notifyProposalDecided } from "./proposal-notices.server";
import { getRevision } from "./revisions.server";
import { publicKeyInfo, type PublicKeyInfo } from "./signing-keys.server";
import { changeStatus, getStandard } from "./standards.server";
import {
  buildRoll,
  describeRule,
  excludesDisapprovalWithoutReason,
  ruleProblem,
  tally,
  type BallotRule,
  type Position,
  type RollUnit,
  type TallyCounts,
  type Translate,
} from "./tally";

export type BallotRow = typeof ballots.$inferSelect;
export type BallotStatus = BallotRow["status"];
export type VoterUnit = BallotRow["voterUnit"];
export type ResultsVisible = BallotRow["resultsVisible"];

/** What a ballot is on: a submitted proposal, or a frozen revision of a standard. */
export type BallotSubject = { proposalId: string } | { standardId: string; revision: string };
/** Who is eligible: roles (never observers) and, optionally, committees (default: the subject's committee). */
export type Eligibility = { roles: Role[]; committees?: string[] };

export type CreateBallotInput = {
  subject: BallotSubject;
  rule: BallotRule;
  voterUnit: VoterUnit;
  eligible: Eligibility;
  quorum?: number | null;
  opensAt?: string;
  closesAt: string;
  resultsVisible?: ResultsVisible;
};

/** The roles that may be on a roll: experts and company members. Observers never vote; the secretariat runs ballots. */
export const VOTING_ROLES: readonly Role[] = ["expert", "member"];

/** How often the clock looks for ballots to open, remind about and close. */
export const BALLOT_CLOCK_MS = 15_000;
const DAY_MS = 24 * 60 * 60 * 1000;

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

// ─── Proposal subjects (the proposals table, used directly) ──────────────────────────────────────

/** What a ballot needs of a proposal: its committee, state and frozen (submitted) text and hash. */
export type ProposalSubject = {
  id: string;
  title: string;
  committee: string;
  standardId: string | null;
  state: string;
  submittedHash: string | null;
  submittedMarkdown: string | null;
};

/** A proposal as a ballot subject, or undefined. */
export function getProposalSubject(id: string): ProposalSubject | undefined {
  return db()
    .select({
      id: proposals.id,
      title: proposals.title,
      committee: proposals.committee,
      standardId: proposals.standardId,
      state: proposals.state,
      submittedHash: proposals.submittedHash,
      submittedMarkdown: proposals.submittedMarkdown,
    })
    .from(proposals)
    .where(eq(proposals.id, id))
    .get();
}

/**
 * Moves a proposal into its ballot (submitted → in-ballot), records the ballot's decision
 * (in-ballot → approved | rejected), or takes it back when its ballot is cancelled (in-ballot → submitted).
 */
export function setProposalBallotState(input: { proposalId: string; state: "in-ballot" | "approved" | "rejected" | "submitted"; at: string }): void {
  const from = input.state === "in-ballot" ? "submitted" : "in-ballot";
  const decided = input.state === "approved" || input.state === "rejected";
  db()
    .update(proposals)
    .set({ state: input.state, updatedAt: input.at, ...(decided ? { decidedAt: input.at } : {}) })
    .where(and(eq(proposals.id, input.proposalId), eq(proposals.state, from)))
    .run();
}

/** The open or scheduled ballot on a proposal, if any (the proposals pages may show it). */
export function activeBallotOnProposal(proposalId: string): BallotRow | undefined {
  return db()
    .select()
    .from(ballots)
    .where(and(eq(ballots.proposalId, proposalId), inArray(ballots.status, ["scheduled", "open"])))
    .get();
}

// ─── Subjects and visibility ─────────────────────────────────────────────────────────────────────

/** A ballot's subject, resolved: what it is, its committee, the text voted on and its hash. */
export type ResolvedSubject =
  | { kind: "revision"; standardId: string; revision: string; title: string; committee: string; standardStatus: StandardStatus; hash: string; markdown: string }
  | { kind: "proposal"; proposalId: string; standardId: string | null; title: string; committee: string; state: string; hash: string; markdown: string };

function subjectOfRow(b: BallotRow): ResolvedSubject | undefined {
  if (b.proposalId) {
    const p = getProposalSubject(b.proposalId);
    if (!p) return undefined;
    return { kind: "proposal", proposalId: p.id, standardId: p.standardId, title: p.title, committee: p.committee, state: p.state, hash: b.subjectHash, markdown: p.submittedMarkdown ?? "" };
  }
  const s = getStandard(b.standardId ?? "");
  // Only the columns a ballot needs: every vote and every read passes here, and the full revision
  // (its Lexical JSON, rule set and conformance parsed) cost about a third of a vote's CPU.
  const r =
    s &&
    db()
      .select({ number: standardRevisions.number, hash: standardRevisions.hash, markdown: standardRevisions.markdown })
      .from(standardRevisions)
      .where(and(eq(standardRevisions.standardId, s.id), eq(standardRevisions.number, b.revision ?? "")))
      .get();
  if (!s || !r) return undefined;
  return { kind: "revision", standardId: s.id, revision: r.number, title: s.title, committee: s.committee, standardStatus: s.status, hash: r.hash, markdown: r.markdown };
}

/** The subject as the contract names it. */
function subjectRef(b: BallotRow): BallotSubject {
  return b.proposalId ? { proposalId: b.proposalId } : { standardId: b.standardId ?? "", revision: b.revision ?? "" };
}

/** Whether the actor is a voter on the ballot's roll, or belongs to an organisation that is a unit of it. */
function isOnRoll(ballotId: string, actor: Actor | null): boolean {
  if (!actor) return false;
  const row = db()
    .select({ unitId: ballotRoll.unitId })
    .from(ballotRoll)
    .where(and(eq(ballotRoll.ballotId, ballotId), or(eq(ballotRoll.voterId, actor.id), inArray(ballotRoll.unitId, [actor.id, actor.orgId]))))
    .get();
  return !!row;
}

/** What the policy decides `ballot.read` on: the subject's committee and publication status, and whether the actor is on the roll. */
function ballotResource(b: BallotRow, subject: ResolvedSubject, actor: Actor | null): BallotResource {
  const status: StandardStatus = subject.kind === "revision" ? subject.standardStatus : "draft"; // proposals are never public
  return { committee: subject.committee, status, onRoll: isOnRoll(b.id, actor) };
}

/** The ballot and its subject, or 404 when either is missing or the actor may not see it. */
function readableBallot(id: string, actor: Actor | null): { ballot: BallotRow; subject: ResolvedSubject } {
  const ballot = db().select().from(ballots).where(eq(ballots.id, id)).get();
  const subject = ballot && subjectOfRow(ballot);
  if (!ballot || !subject || !can(actor, "ballot.read", ballotResource(ballot, subject, actor))) throw new PortalError("not_found", `No ballot ${id}.`);
  return { ballot, subject };
}

// ─── Creating and opening ────────────────────────────────────────────────────────────────────────

/** Resolves a new ballot's subject and checks it may be balloted; 404 / 409 otherwise. */
function resolveNewSubject(subject: BallotSubject): ResolvedSubject {
  if ("proposalId" in subject) {
    const p = getProposalSubject(subject.proposalId);
    if (!p) throw new PortalError("not_found", `No proposal ${subject.proposalId}.`, { "subject.proposalId": "No such proposal." });
    if (p.state !== "submitted" || !p.submittedHash) {
      throw new PortalError("conflict", `Proposal ${p.id} is ${p.state}: a ballot opens only on a submitted proposal, whose text is frozen.`, { "subject.proposalId": `The proposal is ${p.state}.` });
    }
    return { kind: "proposal", proposalId: p.id, standardId: p.standardId, title: p.title, committee: p.committee, state: p.state, hash: p.submittedHash, markdown: p.submittedMarkdown ?? "" };
  }
  const s = getStandard(subject.standardId);
  if (!s) throw new PortalError("not_found", `No standard ${subject.standardId}.`, { "subject.standardId": "No such standard." });
  const r = getRevision(s.id, subject.revision);
  if (!r) throw new PortalError("not_found", `${s.id} has no revision ${subject.revision}. Freeze the draft first (POST /standards/${s.id}/revisions).`, { "subject.revision": "No such revision." });
  if (s.status === "withdrawn") throw new PortalError("conflict", `${s.id} is withdrawn: its revisions can no longer be balloted.`);
  return { kind: "revision", standardId: s.id, revision: r.number, title: s.title, committee: s.committee, standardStatus: s.status, hash: r.hash, markdown: r.markdown };
}

/** Checks a new ballot's rule, eligibility and times; throws 422 naming each field. Returns the times to store. */
function checkNewBallot(input: CreateBallotInput, now: Date): { opensAt: string; closesAt: string } {
  const problem = ruleProblem(input.rule);
  if (problem) throw new PortalError("unprocessable", `The rule is not valid: ${problem}`, { rule: problem });
  if (input.eligible.roles.includes("observer")) {
    throw new PortalError("unprocessable", "Government observers never vote: remove \"observer\" from the eligible roles.", { "eligible.roles": "Observers never vote." });
  }
  if (input.eligible.roles.includes("admin")) {
    throw new PortalError("unprocessable", "The secretariat runs ballots and does not vote: eligible roles are expert and member.", { "eligible.roles": "Admins do not vote." });
  }
  if (!input.eligible.roles.length) throw new PortalError("unprocessable", "Choose at least one eligible role (expert, member).", { "eligible.roles": "Choose at least one role." });
  const known = new Set(db().select({ code: committees.code }).from(committees).all().map((c) => c.code));
  const unknown = (input.eligible.committees ?? []).filter((c) => !known.has(c));
  if (unknown.length) throw new PortalError("unprocessable", `Unknown committee: ${unknown.join(", ")}.`, { "eligible.committees": `Unknown: ${unknown.join(", ")}` });
  if (input.quorum !== undefined && input.quorum !== null && !(input.quorum >= 0 && input.quorum <= 1)) {
    throw new PortalError("unprocessable", "The quorum is a fraction from 0 to 1 (0.5 = half of the eligible units).", { quorum: "From 0 to 1." });
  }
  // A ballot cannot open in the past: an earlier opensAt means "now".
  const opens = Math.max(input.opensAt ? Date.parse(input.opensAt) : now.getTime(), now.getTime());
  const closes = Date.parse(input.closesAt);
  if (!(closes > now.getTime())) throw new PortalError("unprocessable", "closesAt is in the past: choose a closing time after now.", { closesAt: "Must be in the future." });
  if (!(closes > opens)) throw new PortalError("unprocessable", "closesAt must be after opensAt.", { closesAt: "Must be after the opening time." });
  return { opensAt: new Date(opens).toISOString(), closesAt: new Date(closes).toISOString() };
}

/**
 * Creates a ballot (the caller checked `ballot.create`). It opens at once when `opensAt` is now or
 * earlier (freezing the roll), else it is scheduled and the clock opens it. Another open or
 * scheduled ballot on the same subject → 409.
 */
export function createBallot(input: CreateBallotInput, actorId: string, now = new Date()): BallotRow {
  const times = checkNewBallot(input, now);
  const id = db().transaction(
    () => {
      const subject = resolveNewSubject(input.subject);
      const sameSubject =
        subject.kind === "proposal" ? eq(ballots.proposalId, subject.proposalId) : and(eq(ballots.standardId, subject.standardId), eq(ballots.revision, subject.revision));
      const clash = db().select({ id: ballots.id, status: ballots.status }).from(ballots).where(and(sameSubject, inArray(ballots.status, ["scheduled", "open"]))).get();
      if (clash) throw new PortalError("conflict", `Ballot ${clash.id} is already ${clash.status} on this subject; close it before opening another.`);
      const committeesOfBallot = input.eligible.committees?.length ? [...new Set(input.eligible.committees)].sort() : [subject.committee];
      const eligible = { roles: [...new Set(input.eligible.roles)].sort(), committees: committeesOfBallot };
      const row = db()
        .insert(ballots)
        .values({
          id: randomUUID(),
          proposalId: subject.kind === "proposal" ? subject.proposalId : null,
          standardId: subject.standardId,
          revision: subject.kind === "revision" ? subject.revision : null,
          subjectHash: subject.hash,
          ruleJson: JSON.stringify(input.rule),
          voterUnit: input.voterUnit,
          eligibleJson: JSON.stringify(eligible),
          quorum: input.quorum ?? null,
          opensAt: times.opensAt,
          closesAt: times.closesAt,
          resultsVisible: input.resultsVisible ?? "live",
          status: "scheduled",
          createdBy: actorId,
          createdAt: now.toISOString(),
        })
        .returning()
        .get();
      recordAudit({
        actorId,
        action: "ballot.created",
        subjectType: "ballot",
        subjectId: row.id,
        data: { subject: subjectRef(row), subjectHash: row.subjectHash, rule: input.rule, voterUnit: row.voterUnit, eligible, quorum: row.quorum, opensAt: row.opensAt, closesAt: row.closesAt, resultsVisible: row.resultsVisible },
      });
      if (Date.parse(row.opensAt) <= now.getTime()) openBallotTx(row, actorId, now);
      return row.id;
    },
    { behavior: "immediate" },
  );
  return getBallotRow(id)!;
}

function getBallotRow(id: string): BallotRow | undefined {
  return db().select().from(ballots).where(eq(ballots.id, id)).get();
}

/** The people eligible by role and committee right now: active, never observers. */
function eligibleMembers(eligibility: Eligibility) {
  const roles = eligibility.roles.filter((r) => VOTING_ROLES.includes(r));
  if (!roles.length) return [];
  const where: (SQL | undefined)[] = [eq(users.status, "active"), inArray(users.role, roles), ne(users.role, "observer")];
  const inCommittees = eligibility.committees?.length
    ? new Set(
        db()
          .select({ userId: committeeMembers.userId })
          .from(committeeMembers)
          .where(inArray(committeeMembers.committeeCode, eligibility.committees))
          .all()
          .map((r) => r.userId),
      )
    : null;
  return db()
    .select({ userId: users.id, name: users.name, orgId: users.orgId, orgName: organizations.name, orgKind: organizations.kind })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.orgId))
    .where(and(...where))
    .all()
    .filter((m) => m.orgKind !== "government" && (!inCommittees || inCommittees.has(m.userId)));
}

/** Each organisation's active voting representative (a member; never an observer). */
function representatives(orgIds: string[]): Record<string, string> {
  if (!orgIds.length) return {};
  const rows = db()
    .select({ id: users.id, orgId: users.orgId })
    .from(users)
    .where(and(inArray(users.orgId, orgIds), eq(users.votingRepresentative, true), eq(users.status, "active"), inArray(users.role, [...VOTING_ROLES])))
    .all();
  return Object.fromEntries(rows.map((r) => [r.orgId, r.id]));
}

/** The roll's hash: SHA-256 of the JCS canonical JSON of the roll's units `{unitId, voterId, label}`, sorted by unitId. */
export function rollHashOf(roll: readonly RollUnit[]): string {
  const sorted = [...roll].map((u) => ({ unitId: u.unitId, voterId: u.voterId, label: u.label })).sort((a, b) => (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0));
  return sha256(canonicalize(sorted)!);
}

/** A recorded vote as the record publishes it. */
export type RecordedVote = { unitId: string; voterId: string; position: Position; reason: string | null; castAt: string; version: number };

/** The votes' hash: SHA-256 of the JCS canonical JSON of the votes `{unitId, voterId, position, reason, castAt, version}`, sorted by unitId. */
export function votesHashOf(list: readonly RecordedVote[]): string {
  const sorted = [...list]
    .map((v) => ({ unitId: v.unitId, voterId: v.voterId, position: v.position, reason: v.reason, castAt: v.castAt, version: v.version }))
    .sort((a, b) => (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0));
  return sha256(canonicalize(sorted)!);
}

const ballotLink = (id: string) => `/ballots/${id}`;

/** Freezes the roll and opens a scheduled ballot, inside the caller's transaction. */
function openBallotTx(ballot: BallotRow, actorId: string | null, now: Date): void {
  const eligibility = JSON.parse(ballot.eligibleJson) as Eligibility;
  const members = eligibleMembers(eligibility);
  const reps = ballot.voterUnit === "organization" ? representatives([...new Set(members.map((m) => m.orgId))]) : {};
  const roll = buildRoll({ voterUnit: ballot.voterUnit, eligible: members, representatives: reps });
  for (const u of roll) db().insert(ballotRoll).values({ ballotId: ballot.id, unitId: u.unitId, voterId: u.voterId, label: u.label }).run();
  const rollHash = rollHashOf(roll);
  db().update(ballots).set({ status: "open", rollHash }).where(eq(ballots.id, ballot.id)).run();

  const subject = subjectOfRow(ballot);
  if (subject?.kind === "revision" && (subject.standardStatus === "draft" || subject.standardStatus === "review")) {
    changeStatus({ standardId: subject.standardId, to: "ballot", actorId, via: "ballot", reason: `ballot ${ballot.id} opened on revision ${subject.revision}` });
  }
  if (subject?.kind === "proposal") setProposalBallotState({ proposalId: subject.proposalId, state: "in-ballot", at: now.toISOString() });
  recordAudit({
    actorId,
    action: "ballot.opened",
    subjectType: "ballot",
    subjectId: ballot.id,
    data: { subject: subjectRef(ballot), subjectHash: ballot.subjectHash, rollHash, eligibleCount: roll.length, unitsWithoutVoter: roll.filter((u) => !u.voterId).length, closesAt: ballot.closesAt },
  });
  const title = subject ? subjectTitle(subject) : ballot.id;
  notify({
    userIds: roll.map((u) => u.voterId).filter((v): v is string => !!v),
    kind: "ballot.opened",
    link: ballotLink(ballot.id),
    message: (t) => ({
      title: t("notify.opened.title", { subject: title }),
      subject: t("notify.opened.subject", { subject: title }),
      text: t("notify.opened.text", { subject: title, closesAt: ballot.closesAt }),
    }),
  });
}

/** How people name a subject: "EWTP-TAR-001 revision 02" or "Proposal: <title>". */
function subjectTitle(s: ResolvedSubject): string {
  return s.kind === "revision" ? `${s.standardId} revision ${s.revision}` : `proposal “${s.title}”`;
}

// ─── Voting ──────────────────────────────────────────────────────────────────────────────────────

/** A vote as the API returns it. */
export type VoteView = { ballotId: string; unitId: string; voterId: string; position: Position; reason: string | null; castAt: string; version: number };

/** Writes one line about a refused vote or close to the server log (refusals write nothing to the database). */
function logRefusal(what: string, err: PortalError, context: Record<string, string | null | undefined>): void {
  const ctx = Object.entries(context)
    .map(([k, v]) => `${k}=${logSafe(v ?? "-")}`)
    .join(" ");
  console.warn(`${new Date().toISOString()} refused ${what}: ${err.status} ${err.code} ${ctx} — ${logSafe(err.message)}`);
}

/**
 * Casts or changes the caller's unit's vote. 404 when the caller may not see the ballot; 403 for a
 * role that never votes, a read-only token, someone not on the roll, or a vote for another unit;
 * 409 outside the voting window; 422 when the rule needs a reason for a disapproval and none is
 * given. The same vote sent twice counts once (no new version, no audit entry). Refusals are
 * logged and write nothing.
 */
export function castVote(input: { ballotId: string; auth: Pick<Authenticated, "actor" | "user">; position: Position; reason?: string | null; unitId?: string | null }, now = new Date()): VoteView {
  const { actor, user } = input.auth;
  try {
    settleBallot(input.ballotId, now);
    return db().transaction(
      () => {
        const { ballot } = readableBallot(input.ballotId, actor);
        if (!can(actor, "ballot.vote")) {
          const why =
            actor.readOnly ? "a read-only token cannot vote" : actor.role === "observer" ? "government observers never vote" : actor.role === "admin" ? "the secretariat runs ballots and does not vote" : `a ${actor.role} does not vote`;
          throw new PortalError("forbidden", `You may not vote: ${why}.`);
        }
        refuseOutsideWindow(ballot, now);
        const unit = db().select().from(ballotRoll).where(and(eq(ballotRoll.ballotId, ballot.id), eq(ballotRoll.voterId, user.id))).get();
        if (!unit) {
          throw new PortalError(
            "forbidden",
            ballot.voterUnit === "organization"
              ? "You are not on this ballot's roll: an organisation's vote is cast by its voting representative, as recorded when the ballot opened."
              : "You are not on this ballot's roll: it was frozen when the ballot opened, from the eligible roles and committees.",
          );
        }
        if (input.unitId && input.unitId !== unit.unitId) throw new PortalError("forbidden", `You may vote only for your own unit (${unit.label}), not for another.`, { unitId: "Not your unit." });
        const rule = JSON.parse(ballot.ruleJson) as BallotRule;
        const reason = input.reason?.trim() ? input.reason.trim() : null;
        if (input.position === "disapprove" && !reason && excludesDisapprovalWithoutReason(rule)) {
          throw new PortalError("unprocessable", "Under this ballot's rule a disapproval without a reason is not counted: say why you disapprove.", { reason: "Required for a disapproval." });
        }
        const existing = db().select().from(votes).where(and(eq(votes.ballotId, ballot.id), eq(votes.unitId, unit.unitId))).get();
        if (existing && existing.position === input.position && existing.reason === reason && existing.voterId === user.id) return toVoteView(existing);
        const castAt = now.toISOString();
        const version = (existing?.version ?? 0) + 1;
        const row = db()
          .insert(votes)
          .values({ ballotId: ballot.id, unitId: unit.unitId, voterId: user.id, position: input.position, reason, castAt, version })
          .onConflictDoUpdate({ target: [votes.ballotId, votes.unitId], set: { voterId: user.id, position: input.position, reason, castAt, version } })
          .returning()
          .get();
        recordAudit({
          actorId: user.id,
          action: existing ? "vote.changed" : "vote.cast",
          subjectType: "ballot",
          subjectId: ballot.id,
          data: { unitId: unit.unitId, position: input.position, reason, version, ...(existing ? { previous: existing.position } : {}) },
        });
        return toVoteView(row);
      },
      { behavior: "immediate" },
    );
  } catch (err) {
    if (err instanceof PortalError) logRefusal("vote", err, { ballot: input.ballotId, user: user.id, role: actor.role });
    throw err;
  }
}

function toVoteView(v: typeof votes.$inferSelect): VoteView {
  return { ballotId: v.ballotId, unitId: v.unitId, voterId: v.voterId, position: v.position, reason: v.reason, castAt: v.castAt, version: v.version };
}

/** 409 unless the ballot is open and `now` is inside its voting window. */
function refuseOutsideWindow(b: BallotRow, now: Date): void {
  const t = now.getTime();
  if (b.status === "scheduled" || t < Date.parse(b.opensAt)) throw new PortalError("conflict", `The ballot is not open yet: voting opens at ${b.opensAt}.`);
  if (b.status !== "open" || t >= Date.parse(b.closesAt)) throw new PortalError("conflict", `The ballot is ${b.status === "cancelled" ? "cancelled" : "closed"}: voting ended at ${b.closedAt ?? b.closesAt}.`);
}

// ─── Closing ─────────────────────────────────────────────────────────────────────────────────────

function rollOf(ballotId: string): RollUnit[] {
  return db().select({ unitId: ballotRoll.unitId, voterId: ballotRoll.voterId, label: ballotRoll.label }).from(ballotRoll).where(eq(ballotRoll.ballotId, ballotId)).orderBy(asc(ballotRoll.unitId)).all();
}

function votesOf(ballotId: string): RecordedVote[] {
  return db()
    .select({ unitId: votes.unitId, voterId: votes.voterId, position: votes.position, reason: votes.reason, castAt: votes.castAt, version: votes.version })
    .from(votes)
    .where(eq(votes.ballotId, ballotId))
    .orderBy(asc(votes.unitId))
    .all();
}

/** The status a standard had before its ballot opened (from its status history), to return to at the close. */
function statusBeforeBallot(standardId: string): StandardStatus {
  const event = db()
    .select({ from: standardStatusEvents.fromStatus })
    .from(standardStatusEvents)
    .where(and(eq(standardStatusEvents.standardId, standardId), eq(standardStatusEvents.toStatus, "ballot")))
    .orderBy(desc(standardStatusEvents.id))
    .limit(1)
    .get();
  return event?.from === "review" ? "review" : "draft";
}

/**
 * Closes an open ballot: tallies once, records tally and result, decides a proposal subject,
 * returns a standard to its status before the ballot (when no other ballot on it is open), writes
 * "ballot.closed", signs a checkpoint over it, and notifies the roll. By the secretariat (`actorId`)
 * or by the clock (null). Closing a closed ballot again: 409 for a person, nothing for the clock.
 */
export function closeBallot(input: { ballotId: string; actorId: string | null }, now = new Date()): BallotRow {
  return db().transaction(
    () => {
      const ballot = getBallotRow(input.ballotId);
      if (!ballot) throw new PortalError("not_found", `No ballot ${input.ballotId}.`);
      if (ballot.status !== "open") {
        if (input.actorId === null) return ballot;
        throw new PortalError("conflict", ballot.status === "scheduled" ? `The ballot has not opened yet (it opens at ${ballot.opensAt}).` : `The ballot is already ${ballot.status}.`);
      }
      const rule = JSON.parse(ballot.ruleJson) as BallotRule;
      const roll = rollOf(ballot.id);
      const recorded = votesOf(ballot.id);
      const outcome = tally(rule, roll, recorded, { quorum: ballot.quorum });
      const closedAt = now.toISOString();
      db()
        .update(ballots)
        .set({ status: "closed", tallyJson: JSON.stringify(outcome.tally), result: outcome.result, resultReason: outcome.reasons.join(",") || null, closedAt })
        .where(eq(ballots.id, ballot.id))
        .run();

      const subject = subjectOfRow(ballot);
      if (subject?.kind === "revision" && subject.standardStatus === "ballot") {
        const othersOpen = db()
          .select({ id: ballots.id })
          .from(ballots)
          .where(and(eq(ballots.standardId, subject.standardId), eq(ballots.status, "open"), ne(ballots.id, ballot.id)))
          .get();
        if (!othersOpen) {
          changeStatus({ standardId: subject.standardId, to: statusBeforeBallot(subject.standardId), actorId: input.actorId, via: "ballot", reason: `ballot ${ballot.id} closed: ${outcome.result}` });
        }
      }
      if (subject?.kind === "proposal") {
        setProposalBallotState({ proposalId: subject.proposalId, state: outcome.result, at: closedAt });
        recordAudit({ actorId: input.actorId, action: "proposal.decided", subjectType: "proposal", subjectId: subject.proposalId, data: { ballotId: ballot.id, result: outcome.result } });
        notifyProposalDecided({ proposalId: subject.proposalId, decision: outcome.result, actorId: input.actorId });
      }
      // The close is the chain's head when the checkpoint is signed, so the checkpoint signs exactly it.
      recordAudit({
        actorId: input.actorId,
        action: "ballot.closed",
        subjectType: "ballot",
        subjectId: ballot.id,
        data: {
          subject: subjectRef(ballot),
          subjectHash: ballot.subjectHash,
          rule,
          quorum: ballot.quorum,
          rollHash: ballot.rollHash,
          votesHash: votesHashOf(recorded),
          tally: outcome.tally,
          result: outcome.result,
          reasons: outcome.reasons,
          closedBy: input.actorId ? "secretariat" : "closesAt",
        },
      });
      signCheckpoint(`ballot ${ballot.id} closed`, now);

      const title = subject ? subjectTitle(subject) : ballot.id;
      notify({
        userIds: [...roll.map((u) => u.voterId).filter((v): v is string => !!v), ballot.createdBy],
        kind: "ballot.closed",
        link: ballotLink(ballot.id),
        message: (t) => {
          const result = t(`result.${outcome.result}`);
          return { title: t("notify.closed.title", { subject: title, result }), subject: t("notify.closed.subject", { subject: title, result }), text: t("notify.closed.text", { subject: title, result }) };
        },
      });
      return getBallotRow(ballot.id)!;
    },
    { behavior: "immediate" },
  );
}

/** The longest reason a cancellation may give. */
export const MAX_CANCEL_REASON = 2000;

/**
 * Cancels a scheduled or open ballot (the caller checked `ballot.cancel`): no tally and no result
 * are recorded; the reason and the hash of the votes cast so far go into the "ballot.cancelled"
 * audit entry, which a signed checkpoint then covers. A standard under it returns to its status
 * before the ballot (when no other ballot on it is open); a proposal under it returns to submitted,
 * so a new ballot can open on it. The roll (when the ballot had opened) and its creator are told,
 * with the kind "ballot.closed" — a cancelled ballot is one that ended without a result. One
 * transaction. A closed or cancelled ballot → 409; a blank reason → 422.
 */
export function cancelBallot(input: { ballotId: string; actorId: string; reason: string }, now = new Date()): BallotRow {
  const reason = input.reason.trim();
  if (!reason) throw new PortalError("unprocessable", "Say why the ballot is cancelled: the reason goes on the record.", { reason: "Required." });
  if (reason.length > MAX_CANCEL_REASON) throw new PortalError("unprocessable", `A reason has at most ${MAX_CANCEL_REASON} characters.`, { reason: `At most ${MAX_CANCEL_REASON} characters.` });
  // A ballot whose closing time has passed closes (with its result) rather than being cancelled.
  settleBallot(input.ballotId, now);
  return db().transaction(
    () => {
      const ballot = getBallotRow(input.ballotId);
      if (!ballot) throw new PortalError("not_found", `No ballot ${input.ballotId}.`);
      if (ballot.status !== "scheduled" && ballot.status !== "open") {
        throw new PortalError(
          "conflict",
          ballot.status === "closed" ? `The ballot already closed at ${ballot.closedAt} with its result recorded; a closed ballot cannot be cancelled.` : `The ballot was already cancelled at ${ballot.closedAt}.`,
        );
      }
      const wasOpen = ballot.status === "open";
      const at = now.toISOString();
      const recorded = votesOf(ballot.id);
      const roll = rollOf(ballot.id);
      db().update(ballots).set({ status: "cancelled", closedAt: at, tallyJson: null, result: null, resultReason: null }).where(eq(ballots.id, ballot.id)).run();

      const subject = subjectOfRow(ballot);
      let proposalReturned = false;
      if (wasOpen && subject?.kind === "revision" && subject.standardStatus === "ballot") {
        const othersOpen = db()
          .select({ id: ballots.id })
          .from(ballots)
          .where(and(eq(ballots.standardId, subject.standardId), eq(ballots.status, "open"), ne(ballots.id, ballot.id)))
          .get();
        if (!othersOpen) changeStatus({ standardId: subject.standardId, to: statusBeforeBallot(subject.standardId), actorId: input.actorId, via: "ballot", reason: `ballot ${ballot.id} cancelled` });
      }
      if (subject?.kind === "proposal" && subject.state === "in-ballot") {
        setProposalBallotState({ proposalId: subject.proposalId, state: "submitted", at });
        proposalReturned = true;
      }
      recordAudit({
        actorId: input.actorId,
        action: "ballot.cancelled",
        subjectType: "ballot",
        subjectId: ballot.id,
        data: {
          subject: subjectRef(ballot),
          subjectHash: ballot.subjectHash,
          reason,
          statusBefore: ballot.status,
          rollHash: ballot.rollHash,
          votesHash: votesHashOf(recorded),
          votesCast: recorded.length,
          ...(proposalReturned ? { proposalState: "submitted" } : {}),
        },
      });
      signCheckpoint(`ballot ${ballot.id} cancelled`, now);

      const title = subject ? subjectTitle(subject) : ballot.id;
      notify({
        userIds: [...roll.map((u) => u.voterId).filter((v): v is string => !!v), ballot.createdBy].filter((id) => id !== input.actorId),
        kind: "ballot.closed",
        link: ballotLink(ballot.id),
        message: (t) => ({
          title: t("notify.cancelled.title", { subject: title }),
          subject: t("notify.cancelled.subject", { subject: title }),
          text: t("notify.cancelled.text", { subject: title, reason }),
        }),
      });
      return getBallotRow(ballot.id)!;
    },
    { behavior: "immediate" },
  );
}

/** Why and when a ballot was cancelled, from its "ballot.cancelled" audit entry (null for a ballot that was not). */
export type Cancellation = { at: string; reason: string; byName: string | null; votesHash: string; votesCast: number; auditSeq: number };

/** The cancellation of a ballot, read from the audit record. */
export function cancellationOf(ballotId: string): Cancellation | null {
  const entry = db()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectType, "ballot"), eq(auditEvents.subjectId, ballotId), eq(auditEvents.action, "ballot.cancelled")))
    .orderBy(desc(auditEvents.seq))
    .get();
  if (!entry) return null;
  const data = JSON.parse(entry.data) as { reason?: string; votesHash?: string; votesCast?: number };
  const byName = entry.actorId ? (db().select({ name: users.name }).from(users).where(eq(users.id, entry.actorId)).get()?.name ?? null) : null;
  return { at: entry.at, reason: data.reason ?? "", byName, votesHash: data.votesHash ?? "", votesCast: data.votesCast ?? 0, auditSeq: entry.seq };
}

/** Opens the ballot if its opening time has passed and closes it if its closing time has; returns the row as it then is. */
export function settleBallot(id: string, now = new Date()): BallotRow | undefined {
  let b = getBallotRow(id);
  if (b?.status === "scheduled" && Date.parse(b.opensAt) <= now.getTime()) {
    db().transaction(
      () => {
        const fresh = getBallotRow(id);
        if (fresh?.status === "scheduled") openBallotTx(fresh, null, now);
      },
      { behavior: "immediate" },
    );
    b = getBallotRow(id);
  }
  if (b?.status === "open" && Date.parse(b.closesAt) <= now.getTime()) b = closeBallot({ ballotId: id, actorId: null }, now);
  return b;
}

/**
 * The clock's work: opens scheduled ballots whose time has come (freezing their rolls), reminds
 * voters who have not voted 24 hours before a close, and closes ballots whose closing time has
 * passed — including any that passed while the server was down. Each ballot in its own
 * transaction; a failure on one is logged and does not stop the others.
 */
export function closeDueBallots(now = new Date()): { opened: string[]; reminded: string[]; closed: string[] } {
  const out = { opened: [] as string[], reminded: [] as string[], closed: [] as string[] };
  const iso = now.toISOString();
  const due = db()
    .select({ id: ballots.id, status: ballots.status })
    .from(ballots)
    .where(or(and(eq(ballots.status, "scheduled"), lte(ballots.opensAt, iso)), and(eq(ballots.status, "open"), lte(ballots.closesAt, iso))))
    .all();
  for (const { id, status } of due) {
    try {
      const after = settleBallot(id, now);
      if (status === "scheduled" && after && after.status !== "scheduled") out.opened.push(id);
      if (after?.status === "closed") out.closed.push(id);
    } catch (err) {
      console.error(`Ballot ${id} could not be settled:`, err);
    }
  }
  for (const b of db().select().from(ballots).where(and(eq(ballots.status, "open"), lte(ballots.closesAt, new Date(now.getTime() + DAY_MS).toISOString()))).all()) {
    try {
      if (remindNonVoters(b, now)) out.reminded.push(b.id);
    } catch (err) {
      console.error(`Ballot ${b.id}: the closing reminder failed:`, err);
    }
  }
  return out;
}

/** Once per ballot, 24 hours before its close: tells voters who have not voted. Not for ballots that run 24 hours or less (the opening notice says when they close). */
function remindNonVoters(b: BallotRow, now: Date): boolean {
  if (Date.parse(b.closesAt) - Date.parse(b.opensAt) <= DAY_MS || Date.parse(b.closesAt) <= now.getTime()) return false;
  const key = `ballot-reminder:${b.id}`;
  return db().transaction(
    () => {
      if (db().select().from(portalMeta).where(eq(portalMeta.key, key)).get()) return false;
      db().insert(portalMeta).values({ key, value: now.toISOString() }).run();
      const voted = new Set(votesOf(b.id).map((v) => v.unitId));
      const subject = subjectOfRow(b);
      const title = subject ? subjectTitle(subject) : b.id;
      notify({
        userIds: rollOf(b.id)
          .filter((u) => u.voterId && !voted.has(u.unitId))
          .map((u) => u.voterId!),
        kind: "ballot.closing",
        link: ballotLink(b.id),
        message: (t) => ({ title: t("notify.closing.title", { subject: title }), subject: t("notify.closing.subject", { subject: title }), text: t("notify.closing.text", { subject: title, closesAt: b.closesAt }) }),
      });
      return true;
    },
    { behavior: "immediate" },
  );
}

/** Starts the ballot clock (and the daily checkpoint) now and on timers; returns the function that stops it. */
export function startBallotClock(options: { intervalMs?: number } = {}): () => void {
  const tick = () => {
    try {
      closeDueBallots();
    } catch (err) {
      console.error("The ballot clock failed:", err);
    }
  };
  const daily = () => {
    try {
      signDailyCheckpointIfDue();
    } catch (err) {
      console.error("The daily audit checkpoint failed:", err);
    }
  };
  tick();
  daily();
  const ballotTimer = setInterval(tick, options.intervalMs ?? BALLOT_CLOCK_MS);
  const checkpointTimer = setInterval(daily, 60 * 60 * 1000);
  ballotTimer.unref();
  checkpointTimer.unref();
  return () => {
    clearInterval(ballotTimer);
    clearInterval(checkpointTimer);
  };
}

// ─── Reading ─────────────────────────────────────────────────────────────────────────────────────

/** A ballot as GET /ballots/{id} returns it (the contract's fields, then a few more for people and tools). */
export type BallotView = {
  id: string;
  subject: BallotSubject;
  subjectHash: string;
  rule: BallotRule;
  voterUnit: VoterUnit;
  status: BallotStatus;
  opensAt: string;
  closesAt: string;
  eligibleCount: number | null;
  rollHash: string | null;
  tally: TallyCounts | null;
  result: "approved" | "rejected" | null;
  explanation: string;
  quorum: number | null;
  resultsVisible: ResultsVisible;
  eligible: Eligibility;
  closedAt: string | null;
  reasons: string[] | null;
  stillNeeded: string | null;
  votedCount: number | null;
};

/** The words of the tally, in a locale (English by default). */
function tallyWords(locale = DEFAULT_LOCALE): Translate {
  const t = createI18n(locale).getFixedT(locale, "governance", "tally");
  return (key, values) => t(key, values ?? {}) as string;
}

/** Whether the tally and positions may be shown now: always after the close; while open only when results are live. */
function resultsShown(b: BallotRow): boolean {
  return b.status === "closed" || (b.status === "open" && b.resultsVisible === "live");
}

function toView(b: BallotRow, t: Translate): BallotView {
  const rule = JSON.parse(b.ruleJson) as BallotRule;
  const eligible = JSON.parse(b.eligibleJson) as Eligibility;
  const base = {
    id: b.id,
    subject: subjectRef(b),
    subjectHash: b.subjectHash,
    rule,
    voterUnit: b.voterUnit,
    status: b.status,
    opensAt: b.opensAt,
    closesAt: b.closesAt,
    rollHash: b.rollHash,
    quorum: b.quorum,
    resultsVisible: b.resultsVisible,
    eligible,
    closedAt: b.closedAt,
  };
  if (b.status === "scheduled" || b.status === "cancelled") {
    const explanation = `${describeRule(rule, { quorum: b.quorum, t })} ${t(b.status === "scheduled" ? "scheduled" : "cancelled", { opensAt: b.opensAt })}`;
    return { ...base, eligibleCount: null, tally: null, result: null, explanation, reasons: null, stillNeeded: null, votedCount: null };
  }
  const roll = rollOf(b.id);
  const recorded = votesOf(b.id);
  const open = b.status === "open";
  const outcome = tally(rule, roll, recorded, { quorum: b.quorum, open, t });
  if (!resultsShown(b)) {
    const explanation = `${describeRule(rule, { quorum: b.quorum, eligible: roll.length, t })} ${t("hidden", { voted: recorded.length, eligible: roll.length })}`;
    return { ...base, eligibleCount: roll.length, tally: null, result: null, explanation, reasons: null, stillNeeded: null, votedCount: recorded.length };
  }
  // Once closed, the recorded tally and result are the truth; the words are recomputed from the same roll and votes.
  const closed = b.status === "closed";
  return {
    ...base,
    eligibleCount: roll.length,
    tally: closed && b.tallyJson ? (JSON.parse(b.tallyJson) as TallyCounts) : outcome.tally,
    result: closed ? b.result : null,
    explanation: outcome.explanation,
    reasons: closed ? (b.resultReason ? b.resultReason.split(",") : []) : outcome.reasons,
    stillNeeded: outcome.stillNeeded ?? null,
    votedCount: recorded.length,
  };
}

/** One ballot for the caller (settled first: due openings and closes happen before it is shown); 404 when it may not see it. */
export function getBallotView(id: string, actor: Actor | null, now = new Date(), locale = DEFAULT_LOCALE): BallotView {
  settleBallot(id, now);
  const { ballot } = readableBallot(id, actor);
  return toView(ballot, tallyWords(locale));
}

/** The ballots the caller may see, newest first, filtered by standard, proposal and status. */
export function listBallots(filter: { standardId?: string; proposalId?: string; status?: BallotStatus }, actor: Actor | null, now = new Date(), locale = DEFAULT_LOCALE): BallotView[] {
  const where: (SQL | undefined)[] = [];
  if (filter.standardId) where.push(eq(ballots.standardId, filter.standardId));
  if (filter.proposalId) where.push(eq(ballots.proposalId, filter.proposalId));
  const rows = db().select().from(ballots).where(and(...where)).orderBy(desc(ballots.createdAt)).all();
  const t = tallyWords(locale);
  const out: BallotView[] = [];
  for (const row of rows) {
    const b = settleBallot(row.id, now) ?? row;
    if (filter.status && b.status !== filter.status) continue;
    const subject = subjectOfRow(b);
    if (!subject || !can(actor, "ballot.read", ballotResource(b, subject, actor))) continue;
    out.push(toView(b, t));
  }
  return out;
}

/** One unit of the roll as the ballot page shows it: who votes for it, whether it voted, and (when shown) how. */
export type RollEntry = {
  unitId: string;
  label: string;
  voterName: string | null;
  voted: boolean;
  position: Position | null;
  reason: string | null;
  castAt: string | null;
  version: number | null;
};

/** Everything the ballot page shows. */
export type BallotPage = {
  ballot: BallotView;
  subject: ResolvedSubject & { segments: DocumentSegment[]; canReadSubjectPage: boolean };
  ruleWords: string;
  /** The listed part of the roll (one page of `rollView.filter`, by label), not the whole roll. */
  roll: RollEntry[];
  /** The whole roll counted: its units, those that voted and those that have not. */
  rollCounts: { total: number; voted: number; notVoted: number };
  /** Which part `roll` is: the filter, the page, the number of pages and of units matching the filter. */
  rollView: { filter: RollFilter; page: number; pageCount: number; pageSize: number; matching: number };
  unitsWithoutVoter: number;
  positionsShown: boolean;
  /** Where the ballot stands in words (null while results are hidden or before it opens). */
  standing: { counts: string; verdict: string; stillNeeded: string | null } | null;
  me: { unitId: string; label: string; vote: VoteView | null; canVote: boolean; reasonRequired: boolean } | null;
  canClose: boolean;
  /** Whether the caller may cancel it now (the secretariat, while scheduled or open). */
  canCancel: boolean;
  /** Why and when it was cancelled, from the audit record (null unless cancelled). */
  cancellation: Cancellation | null;
  createdByName: string | null;
};

/** The roll's order on the page: one collator for every comparison (as `localeCompare`, without building one per call). */
const labelOrder = new Intl.Collator();

/**
 * The ballot page's data for the caller; 404 when it may not see the ballot. `rollQuery` picks the
 * part of the roll listed (default: the first page of everyone); counts and tally cover the whole roll.
 */
export function getBallotPage(id: string, auth: Pick<Authenticated, "actor" | "user"> | null, now = new Date(), locale = DEFAULT_LOCALE, rollQuery: RollQuery = {}): BallotPage {
  const actor = auth?.actor ?? null;
  const view = getBallotView(id, actor, now, locale);
  const { ballot, subject } = readableBallot(id, actor);
  const shown = resultsShown(ballot);
  const roll = rollOf(ballot.id);
  const recorded = votesOf(ballot.id);
  const byUnit = new Map(recorded.map((v) => [v.unitId, v]));
  // The whole roll is counted (and tallied below); only one page of it, by label, is listed.
  const voted = roll.reduce((n, u) => n + (byUnit.has(u.unitId) ? 1 : 0), 0);
  const filter: RollFilter = rollQuery.filter ?? "all";
  const matching = filter === "all" ? roll : roll.filter((u) => byUnit.has(u.unitId) === (filter === "voted"));
  const pageCount = Math.max(1, Math.ceil(matching.length / ROLL_PAGE_SIZE));
  const rollPage = Math.min(Math.max(1, Math.floor(rollQuery.page ?? 1) || 1), pageCount);
  const listed = [...matching].sort((x, y) => labelOrder.compare(x.label, y.label)).slice((rollPage - 1) * ROLL_PAGE_SIZE, rollPage * ROLL_PAGE_SIZE);
  const mine = auth ? roll.find((u) => u.voterId === auth.user.id) : undefined;
  // Names of the listed units' voters (and of whoever opened the ballot), not of the whole roll.
  const voterIds = listed.map((u) => u.voterId).filter((v): v is string => !!v);
  const names = new Map(
    voterIds.length
      ? db()
          .select({ id: users.id, name: users.name })
          .from(users)
          .where(inArray(users.id, [...voterIds, ballot.createdBy]))
          .all()
          .map((u) => [u.id, u.name])
      : db().select({ id: users.id, name: users.name }).from(users).where(eq(users.id, ballot.createdBy)).all().map((u) => [u.id, u.name]),
  );
  const myRecorded = mine ? byUnit.get(mine.unitId) : undefined;
  const myVote = myRecorded ? { ballotId: ballot.id, ...myRecorded } : undefined;
  const rule = JSON.parse(ballot.ruleJson) as BallotRule;
  const canReadSubjectPage =
    subject.kind === "revision" ? can(actor, "standard.readDraft", { committee: subject.committee, status: subject.standardStatus }) : can(actor, "standard.readDraft", { committee: subject.committee, status: "draft" });
  const words = tallyWords(locale);
  const outcome = shown ? tally(rule, roll, recorded, { quorum: ballot.quorum, open: ballot.status === "open", t: words }) : null;
  return {
    ballot: view,
    standing: outcome ? { counts: outcome.parts.counts, verdict: outcome.parts.verdict, stillNeeded: outcome.stillNeeded ?? null } : null,
    subject: { ...subject, segments: documentSegments(subject.markdown, { headingShift: 2 }), canReadSubjectPage },
    ruleWords: describeRule(rule, { quorum: ballot.quorum, eligible: ballot.status === "scheduled" ? null : roll.length, t: words }),
    roll: listed.map((u) => {
      const v = byUnit.get(u.unitId);
      return {
        unitId: u.unitId,
        label: u.label,
        voterName: u.voterId ? (names.get(u.voterId) ?? null) : null,
        voted: !!v,
        position: shown && v ? v.position : null,
        reason: shown && v ? v.reason : null,
        castAt: v ? v.castAt : null,
        version: shown && v ? v.version : null,
      };
    }),
    rollCounts: { total: roll.length, voted, notVoted: roll.length - voted },
    rollView: { filter, page: rollPage, pageCount, pageSize: ROLL_PAGE_SIZE, matching: matching.length },
    unitsWithoutVoter: roll.filter((u) => !u.voterId).length,
    positionsShown: shown,
    me:
      mine && auth
        ? {
            unitId: mine.unitId,
            label: mine.label,
            vote: myVote ? toVoteView(myVote) : null,
            canVote: view.status === "open" && can(actor, "ballot.vote"),
            reasonRequired: excludesDisapprovalWithoutReason(rule),
          }
        : null,
    canClose: view.status === "open" && can(actor, "ballot.close"),
    canCancel: (view.status === "open" || view.status === "scheduled") && can(actor, "ballot.cancel"),
    cancellation: view.status === "cancelled" ? cancellationOf(ballot.id) : null,
    createdByName: names.get(ballot.createdBy) ?? null,
  };
}

/** An audit entry as the record publishes it: every field its hash covers, the data parsed. */
export type PublishedAuditEntry = { seq: number; at: string; actorId: string | null; action: string; subjectType: string; subjectId: string | null; data: unknown; prevHash: string; hash: string };

/** The record of a closed ballot: enough for anyone to recompute its result and check it against a signed checkpoint. */
export type BallotRecord = {
  ballot: BallotView;
  subject: BallotSubject & { hash: string };
  rule: BallotRule;
  quorum: number | null;
  voterUnit: VoterUnit;
  eligible: Eligibility;
  roll: RollUnit[];
  rollHash: string | null;
  votes: RecordedVote[];
  votesHash: string;
  tally: TallyCounts;
  result: "approved" | "rejected";
  reasons: string[];
  audit: PublishedAuditEntry[];
  checkpoint: Checkpoint | null;
  publicKey: PublicKeyInfo;
  howToVerify: string[];
};

/** The record of a closed ballot (409 while it is not closed; 404 when the caller may not see it). */
export function getBallotRecord(id: string, actor: Actor | null, now = new Date()): BallotRecord {
  settleBallot(id, now);
  const { ballot } = readableBallot(id, actor);
  if (ballot.status === "cancelled") {
    const c = cancellationOf(ballot.id);
    throw new PortalError("conflict", `The ballot was cancelled${c ? ` at ${c.at}` : ""}: no result was recorded, so there is no record to recompute.${c ? ` Reason: ${c.reason}` : ""}`);
  }
  if (ballot.status !== "closed" || !ballot.result || !ballot.tallyJson) {
    throw new PortalError("conflict", `The record is published when the ballot closes; it is ${ballot.status} and closes at ${ballot.closesAt}.`);
  }
  const entries = db()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectType, "ballot"), eq(auditEvents.subjectId, ballot.id)))
    .orderBy(asc(auditEvents.seq))
    .all()
    .map((e) => ({ seq: e.seq, at: e.at, actorId: e.actorId, action: e.action, subjectType: e.subjectType, subjectId: e.subjectId, data: JSON.parse(e.data) as unknown, prevHash: e.prevHash, hash: e.hash }));
  const closeEntry = entries.filter((e) => e.action === "ballot.closed").at(-1);
  const recorded = votesOf(ballot.id);
  return {
    ballot: toView(ballot, tallyWords()),
    subject: { ...subjectRef(ballot), hash: ballot.subjectHash },
    rule: JSON.parse(ballot.ruleJson) as BallotRule,
    quorum: ballot.quorum,
    voterUnit: ballot.voterUnit,
    eligible: JSON.parse(ballot.eligibleJson) as Eligibility,
    roll: rollOf(ballot.id),
    rollHash: ballot.rollHash,
    votes: recorded,
    votesHash: votesHashOf(recorded),
    tally: JSON.parse(ballot.tallyJson) as TallyCounts,
    result: ballot.result,
    reasons: ballot.resultReason ? ballot.resultReason.split(",") : [],
    audit: entries,
    checkpoint: closeEntry ? checkpointCovering(closeEntry.seq) : null,
    publicKey: publicKeyInfo("index"),
    howToVerify: [
      "rollHash = hex SHA-256 of the RFC 8785 (JCS) canonical JSON of `roll` (units {unitId, voterId, label} sorted by unitId).",
      "votesHash = hex SHA-256 of the JCS canonical JSON of `votes` ({unitId, voterId, position, reason, castAt, version} sorted by unitId).",
      "Recompute the tally from `rule`, `quorum`, `roll` and `votes` with the rule definitions of the API contract (abstentions and, where the rule says so, disapprovals without a reason excluded; quorum counts every unit that voted).",
      "Each audit entry's hash = hex SHA-256 of the JCS canonical JSON of {seq, at, actorId, action, subjectType, subjectId, data, prevHash}; the \"ballot.closed\" entry holds rollHash, votesHash, tally and result.",
      "checkpoint.signed.headHash is the hash of the audit entry at checkpoint.signed.seq (the \"ballot.closed\" entry); verify checkpoint.signatures[0].sig (base64 Ed25519) over the JCS canonical JSON of checkpoint.signed with the public key from GET /api/v1/keys (role index).",
    ],
  };
}

// ─── What a ballot can be opened on (the form's choices) ─────────────────────────────────────────

/** A subject a new ballot can be opened on: every frozen revision of a standard that is not withdrawn, and every submitted proposal, with whether a ballot is already running on it. */
export type BallotableSubject =
  | { kind: "revision"; value: string; standardId: string; title: string; committee: string; revision: string; hash: string; createdAt: string; busy: boolean }
  | { kind: "proposal"; value: string; proposalId: string; title: string; committee: string; hash: string; busy: boolean };

/** The subjects the ballot form offers, newest revisions first. */
export function listBallotableSubjects(): BallotableSubject[] {
  const running = db().select({ proposalId: ballots.proposalId, standardId: ballots.standardId, revision: ballots.revision }).from(ballots).where(inArray(ballots.status, ["scheduled", "open"])).all();
  const busyRevision = new Set(running.filter((r) => !r.proposalId).map((r) => `${r.standardId}:${r.revision}`));
  const busyProposal = new Set(running.map((r) => r.proposalId).filter(Boolean));
  const revisions = db().$client
    .prepare(
      `select r.standard_id as standardId, r.number as revision, r.hash as hash, r.created_at as createdAt, s.title as title, s.committee as committee
       from standard_revisions r join standards s on s.id = r.standard_id
       where s.status != 'withdrawn' order by s.id, r.id desc`,
    )
    .all() as { standardId: string; revision: string; hash: string; createdAt: string; title: string; committee: string }[];
  const submitted = db()
    .select({ id: proposals.id, title: proposals.title, committee: proposals.committee, hash: proposals.submittedHash })
    .from(proposals)
    .where(eq(proposals.state, "submitted"))
    .orderBy(desc(proposals.submittedAt))
    .all();
  return [
    ...revisions.map((r) => ({ kind: "revision" as const, value: `revision:${r.standardId}:${r.revision}`, ...r, busy: busyRevision.has(`${r.standardId}:${r.revision}`) })),
    ...submitted.map((p) => ({ kind: "proposal" as const, value: `proposal:${p.id}`, proposalId: p.id, title: p.title, committee: p.committee, hash: p.hash ?? "", busy: busyProposal.has(p.id) })),
  ];
}
