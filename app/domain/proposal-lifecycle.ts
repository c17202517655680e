// The lifecycle of a proposal: which state changes exist, what makes each, and why a step is
// refused. Pure: the caller loads the proposal, checks who asks (the policy) and records the change.
//
//   draft → submitted              the author (or the secretariat) submits: the text is frozen
//   submitted → in-ballot          a ballot opens on it (the ballots module)
//   in-ballot → approved|rejected  its ballot closes (the ballots module)
//   in-ballot → submitted          its ballot is cancelled (the ballots module): a new ballot may open
//   approved → applied             an editor applies it: a new revision, or a new standard
//   draft|submitted|approved|rejected → withdrawn    the author (or the secretariat)
//
// The text is edited only while the proposal is a draft. A proposal under ballot cannot be
// withdrawn: the ballot is about its frozen text and must be closed or cancelled first.
import type { PROPOSAL_STATES } from "../../db/schema";

/** A proposal's state. */
export type ProposalState = (typeof PROPOSAL_STATES)[number];

/** What moves a proposal: a person's step through the proposal endpoints, or a ballot. */
export type ProposalStep = "submit" | "ballot" | "cancelBallot" | "apply" | "withdraw";

/** One allowed state change and the step that makes it. */
export type ProposalTransition = { from: ProposalState; to: ProposalState; step: ProposalStep };

/** Every state change a proposal may make. */
export const PROPOSAL_TRANSITIONS: readonly ProposalTransition[] = [
  { from: "draft", to: "submitted", step: "submit" },
  { from: "submitted", to: "in-ballot", step: "ballot" },
  { from: "in-ballot", to: "approved", step: "ballot" },
  { from: "in-ballot", to: "rejected", step: "ballot" },
  { from: "in-ballot", to: "submitted", step: "cancelBallot" },
  { from: "approved", to: "applied", step: "apply" },
  { from: "draft", to: "withdrawn", step: "withdraw" },
  { from: "submitted", to: "withdrawn", step: "withdraw" },
  { from: "approved", to: "withdrawn", step: "withdraw" },
  { from: "rejected", to: "withdrawn", step: "withdraw" },
];

/** The main path, in order, for a lifecycle indicator (rejected and withdrawn leave it). */
export const PROPOSAL_PATH: readonly ProposalState[] = ["draft", "submitted", "in-ballot", "approved", "applied"];

/** States no step leaves. */
export const FINAL_PROPOSAL_STATES: readonly ProposalState[] = ["applied", "withdrawn"];

/** The answer to "may this step happen now?": yes with the target state, or no with a reason a person can act on. */
export type ProposalStepCheck = { ok: true; to: ProposalState } | { ok: false; message: string };

const WHY: Record<ProposalState, string> = {
  draft: "It is still a draft: submit it first.",
  submitted: "It is submitted and waits for its ballot.",
  "in-ballot": "Its ballot is open: wait for the result, or ask the secretariat to close or cancel the ballot.",
  approved: "It was approved by ballot and waits to be applied.",
  rejected: "Its ballot rejected it.",
  applied: "It has been applied to the standard; nothing more can happen to it.",
  withdrawn: "It was withdrawn; nothing more can happen to it.",
};

const WANTS: Record<ProposalStep, string> = {
  submit: "Only a draft proposal can be submitted.",
  ballot: "A ballot opens only on a submitted proposal, and decides only a proposal under ballot.",
  cancelBallot: "Only a proposal under ballot goes back to submitted when its ballot is cancelled.",
  apply: "Only a proposal approved by ballot can be applied.",
  withdraw: "A proposal can be withdrawn while it is a draft, submitted, approved or rejected — not under ballot, and not once applied or withdrawn.",
};

/** Checks a step from a state; a refusal says what the state is, what the step needs and what to do. */
export function checkProposalStep(from: ProposalState, step: ProposalStep, to?: ProposalState): ProposalStepCheck {
  const t = PROPOSAL_TRANSITIONS.find((x) => x.from === from && x.step === step && (to === undefined || x.to === to));
  if (t) return { ok: true, to: t.to };
  return { ok: false, message: `The proposal is ${from}. ${WANTS[step]} ${WHY[from]}` };
}

/** Whether the proposal's text may still be edited (only as a draft). */
export function isEditable(state: ProposalState): boolean {
  return state === "draft";
}

/** The explanation of a refused text edit. */
export function notEditableMessage(state: ProposalState): string {
  return `The proposal is ${state}: its text was frozen when it was submitted and can no longer be edited. ${WHY[state]}`;
}

/** The steps a person may take on the proposal itself (the ballot's steps excluded). */
export function nextProposalSteps(from: ProposalState): ProposalStep[] {
  return [...new Set(PROPOSAL_TRANSITIONS.filter((t) => t.from === from && t.step !== "ballot" && t.step !== "cancelBallot").map((t) => t.step))];
}
