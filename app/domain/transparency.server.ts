/**
 * The public view of governance: recent governance events from the audit record (ballots opened
 * and closed, revisions frozen, releases published, proposals decided), each with its place in the
 * hash chain. A subject the reader may not see is not named (no existence leaks).
 */
import { desc, eq, inArray } from "drizzle-orm";
import { auditEvents, ballots } from "../../db/schema";
import { can, type Actor } from "../policies/policy";
import { db } from "../utils/db.server";
import { getProposalSubject } from "./ballots.server";
import { getStandard } from "./standards.server";

/** The audit actions the transparency page lists. */
export const GOVERNANCE_ACTIONS = ["ballot.opened", "ballot.closed", "ballot.cancelled", "standard.revisionFrozen", "release.published", "proposal.decided"] as const;

/** One governance event as the public page shows it. */
export type GovernanceEvent = {
  seq: number;
  at: string;
  action: string;
  hash: string;
  /** What it concerns, when the reader may see it: a label key and values, and a link. */
  subject: { kind: "ballot" | "standard" | "proposal"; standardId?: string; revision?: string; version?: string; title?: string; link: string } | null;
  result: "approved" | "rejected" | null;
};

function readableStandard(actor: Actor | null, id: string | null | undefined) {
  const s = id ? getStandard(id) : undefined;
  return s && can(actor, "standard.read", s) ? s : undefined;
}

/** The newest governance events, newest first, described as far as the reader may see. */
export function recentGovernanceEvents(actor: Actor | null, limit = 40): GovernanceEvent[] {
  const rows = db().select().from(auditEvents).where(inArray(auditEvents.action, [...GOVERNANCE_ACTIONS])).orderBy(desc(auditEvents.seq)).limit(limit).all();
  return rows.map((e): GovernanceEvent => {
    const data = JSON.parse(e.data) as Record<string, unknown>;
    const result: GovernanceEvent["result"] = data.result === "approved" || data.result === "rejected" ? data.result : null;
    const base = { seq: e.seq, at: e.at, action: e.action, hash: e.hash, result };
    if (e.subjectType === "ballot" && e.subjectId) {
      const b = db().select().from(ballots).where(eq(ballots.id, e.subjectId)).get();
      if (b?.proposalId) {
        const p = getProposalSubject(b.proposalId);
        const visible = p && can(actor, "ballot.read", { committee: p.committee, status: "draft" });
        return { ...base, subject: visible ? { kind: "ballot" as const, title: p.title, link: `/ballots/${b.id}` } : null };
      }
      const s = readableStandard(actor, b?.standardId);
      return { ...base, subject: s && b ? { kind: "ballot" as const, standardId: s.id, revision: b.revision ?? "", link: `/ballots/${b.id}` } : null };
    }
    if (e.subjectType === "proposal" && e.subjectId) {
      const p = getProposalSubject(e.subjectId);
      const visible = p && can(actor, "standard.readDraft", { committee: p.committee, status: "draft" });
      return { ...base, subject: visible ? { kind: "proposal" as const, title: p.title, link: `/proposals/${p.id}` } : null };
    }
    const s = readableStandard(actor, e.subjectId);
    if (!s) return { ...base, subject: null };
    const revision = typeof data.number === "string" ? data.number : undefined;
    const version = typeof data.version === "string" ? data.version : undefined;
    return { ...base, subject: { kind: "standard" as const, standardId: s.id, title: s.title, revision, version, link: revision ? `/standards/${s.id}/revisions` : `/standards/${s.id}` } };
  });
}
