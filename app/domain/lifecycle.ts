// The lifecycle of a standard: which status changes exist, who or what makes each, and why a change
// is refused. Pure: the caller loads the standard and records the change.
//
//   draft ⇄ review            by the committee's editors (experts) or the secretariat, by hand
//   draft | review → ballot   when a ballot opens on one of its revisions (the ballots module)
//   ballot → draft | review   when that ballot closes or is cancelled (the ballots module)
//   draft | review | ballot → published   by its first release (the releases module)
//   published → superseded    by the secretariat, or by the release of a successor
//   published | superseded → withdrawn    by the secretariat, by hand, with a reason
//
// A standard that was never published cannot be withdrawn: "withdrawn" is a public status, and a
// withdrawn draft would expose an unpublished title and scope to the public.
import type { Role, StandardStatus } from "../../db/vocabulary";

/** How a status change is made: by a person through the status endpoint, or as a side effect of a ballot or a release. */
export type TransitionVia = "manual" | "ballot" | "release";

/** One allowed status change: from, to, how it is made, and (for manual changes) which roles may make it. */
export type Transition = { from: StandardStatus; to: StandardStatus; via: TransitionVia; roles: readonly Role[]; needsReason: boolean };

const EDITORS: readonly Role[] = ["admin", "expert"];
const SECRETARIAT: readonly Role[] = ["admin"];

/** Every status change the portal allows. */
export const TRANSITIONS: readonly Transition[] = [
  { from: "draft", to: "review", via: "manual", roles: EDITORS, needsReason: false },
  { from: "review", to: "draft", via: "manual", roles: EDITORS, needsReason: false },
  { from: "draft", to: "ballot", via: "ballot", roles: [], needsReason: false },
  { from: "review", to: "ballot", via: "ballot", roles: [], needsReason: false },
  { from: "ballot", to: "draft", via: "ballot", roles: [], needsReason: false },
  { from: "ballot", to: "review", via: "ballot", roles: [], needsReason: false },
  { from: "draft", to: "published", via: "release", roles: [], needsReason: false },
  { from: "review", to: "published", via: "release", roles: [], needsReason: false },
  { from: "ballot", to: "published", via: "release", roles: [], needsReason: false },
  { from: "published", to: "superseded", via: "release", roles: [], needsReason: false },
  { from: "published", to: "superseded", via: "manual", roles: SECRETARIAT, needsReason: true },
  { from: "published", to: "withdrawn", via: "manual", roles: SECRETARIAT, needsReason: true },
  { from: "superseded", to: "withdrawn", via: "manual", roles: SECRETARIAT, needsReason: true },
];

/** The answer to "may this status change happen?": yes, or no with a reason a person can act on and whether it is about who asks (403) or the standard's state (409). */
export type TransitionCheck = { ok: true; transition: Transition } | { ok: false; kind: "state" | "role" | "reason"; message: string };

const HOW: Record<Exclude<TransitionVia, "manual">, string> = {
  ballot: "It changes when a ballot on one of its revisions opens or closes (POST /ballots).",
  release: "It changes when a release is published (POST /standards/{id}/releases).",
};

/** Checks a status change and explains a refusal: unknown change, made some other way, wrong role, or missing reason. */
export function checkTransition(input: { from: StandardStatus; to: StandardStatus; via: TransitionVia; role?: Role | null; reason?: string }): TransitionCheck {
  const { from, to, via } = input;
  if (from === to) return { ok: false, kind: "state", message: `The standard is already ${to}.` };
  const candidates = TRANSITIONS.filter((t) => t.from === from && t.to === to);
  if (candidates.length === 0) {
    const next = nextStatuses(from, "manual");
    const options = next.length ? ` From ${from} it can go to: ${next.join(", ")}.` : ` ${from} is a final status.`;
    return { ok: false, kind: "state", message: `A ${from} standard cannot become ${to}.${options}` };
  }
  const transition = candidates.find((t) => t.via === via);
  if (!transition) {
    const other = candidates.find((t) => t.via !== "manual");
    const how = other && other.via !== "manual" ? HOW[other.via] : "";
    return { ok: false, kind: "state", message: `A ${from} standard does not become ${to} by ${via === "manual" ? "a status change" : `a ${via}`}. ${how}`.trim() };
  }
  if (via === "manual" && !(input.role && transition.roles.includes(input.role))) {
    return { ok: false, kind: "role", message: `Only ${transition.roles.map(roleName).join(" or ")} may change a ${from} standard to ${to}.` };
  }
  if (transition.needsReason && !input.reason?.trim()) {
    return { ok: false, kind: "reason", message: `Say why the standard becomes ${to}: send a reason (it is shown with the status).` };
  }
  return { ok: true, transition };
}

/** The statuses a standard in `from` can move to by the given route (for a role, when given). */
export function nextStatuses(from: StandardStatus, via: TransitionVia, role?: Role): StandardStatus[] {
  const out = TRANSITIONS.filter((t) => t.from === from && t.via === via && (role === undefined || t.roles.includes(role))).map((t) => t.to);
  return [...new Set(out)];
}

function roleName(role: Role): string {
  return role === "admin" ? "the secretariat (admins)" : `${role}s of the committee`;
}
