/**
 * Who hears about a proposal, and what they are told. Called inside the transaction of the change
 * (submitting, a ballot's close, applying, withdrawing), so a refused change notifies nobody.
 *
 * Recipients: the people of the proposal's committee — members, experts and observers alike, since
 * everyone who reads the committee's drafts follows its proposals — and the author. Not the whole
 * secretariat: admins run the process and hear only when they are on the committee. The person who
 * made the change is never told about their own step. Inactive accounts and each person's
 * preferences are handled by `notify()`.
 */
import { eq } from "drizzle-orm";
import { committeeMembers, proposals } from "../../db/schema";
import { db } from "../utils/db.server";
import { notify } from "./notifications.server";

type ProposalRef = Pick<typeof proposals.$inferSelect, "id" | "title" | "committee" | "createdBy">;

/** How a proposal was decided: by its ballot, or by a person's step after it was submitted. */
export type ProposalDecision = "approved" | "rejected" | "applied" | "withdrawn";

const proposalLink = (id: string) => `/proposals/${id}`;

/** Everyone on the committee, as user ids. */
function committeePeople(committee: string): string[] {
  return db().select({ userId: committeeMembers.userId }).from(committeeMembers).where(eq(committeeMembers.committeeCode, committee)).all().map((r) => r.userId);
}

/** The proposal, by id, with what a notice needs (undefined when it is gone). */
function proposalRef(id: string): ProposalRef | undefined {
  return db().select({ id: proposals.id, title: proposals.title, committee: proposals.committee, createdBy: proposals.createdBy }).from(proposals).where(eq(proposals.id, id)).get();
}

/** A proposal was submitted: its committee hears of it (not the author, who submitted it, nor whoever did). */
export function notifyProposalSubmitted(input: { proposalId: string; actorId: string | null }): number {
  const p = proposalRef(input.proposalId);
  if (!p) return 0;
  const userIds = committeePeople(p.committee).filter((id) => id !== p.createdBy && id !== input.actorId);
  return notify({
    userIds,
    kind: "proposal.submitted",
    link: proposalLink(p.id),
    message: (t) => ({
      title: t("notify.proposalSubmitted.title", { title: p.title, committee: p.committee }),
      subject: t("notify.proposalSubmitted.subject", { title: p.title, committee: p.committee }),
      text: t("notify.proposalSubmitted.text", { title: p.title, committee: p.committee }),
    }),
  });
}

/** A submitted proposal was decided (approved or rejected by ballot, applied, or withdrawn): its author and its committee hear of it, except whoever did it. */
export function notifyProposalDecided(input: { proposalId: string; decision: ProposalDecision; actorId: string | null; revision?: string | null; standardId?: string | null }): number {
  const p = proposalRef(input.proposalId);
  if (!p) return 0;
  const userIds = [p.createdBy, ...committeePeople(p.committee)].filter((id) => id !== input.actorId);
  const values = { title: p.title, committee: p.committee, standardId: input.standardId ?? "", revision: input.revision ?? "" };
  return notify({
    userIds,
    kind: "proposal.decided",
    link: proposalLink(p.id),
    message: (t) => ({
      title: t(`notify.proposalDecided.${input.decision}.title`, values),
      subject: t(`notify.proposalDecided.${input.decision}.subject`, values),
      text: t(`notify.proposalDecided.${input.decision}.text`, values),
    }),
  });
}
