/**
 * The one place that decides who may do what. Pages, the API and the collaboration server all call
 * `can(actor, action, resource)`; the UI receives an abilities map computed here.
 *
 * Roles (see the API contract): `admin` is the secretariat; `expert` drafts, edits and votes;
 * `member` represents a company: comments, proposes, co-edits and votes (for its organisation when
 * it is the voting representative); `observer` is a government reviewer: reads drafts, comments,
 * never votes and never edits. The public (actor = null) sees only what is published.
 */
import type { Role, StandardStatus } from "../../db/schema";

/** Who is acting: a signed-in user (through a session or a personal access token), or null for the public. */
export type Actor = {
  id: string;
  role: Role;
  orgId: string;
  committees: string[];
  votingRepresentative: boolean;
  /** True when the request came with a read-only personal access token. */
  readOnly: boolean;
};

/** What an action may concern. */
export type StandardResource = { committee: string; status: StandardStatus };
export type UserResource = { id: string };
/** A proposal, for the policy: its committee and its author. Its state is the lifecycle's business (409), not the policy's (403). */
export type ProposalResource = { committee: string; createdBy: string };
/** A ballot, for reading: its subject's committee and publication status, and whether the actor is on its roll. */
export type BallotResource = StandardResource & { onRoll?: boolean };

type Rule<R> = (actor: Actor | null, resource: R) => boolean;

const PUBLISHED: StandardStatus[] = ["published", "superseded", "withdrawn"];
const isPublic = (s: StandardResource) => PUBLISHED.includes(s.status);
const isAdmin = (a: Actor | null): a is Actor => a?.role === "admin";
const signedIn = (a: Actor | null): a is Actor => a !== null;
const inCommittee = (a: Actor, committee: string) => a.committees.includes(committee);
const roleIn = (a: Actor | null, ...roles: Role[]) => a !== null && roles.includes(a.role);
const isAuthor = (a: Actor | null, p: ProposalResource) => a !== null && a.id === p.createdBy;
const readsDraftsOf = (a: Actor | null, s: { committee: string }) => isAdmin(a) || (signedIn(a) && inCommittee(a, s.committee));

/**
 * Every action of the portal and who may take it. Actions whose resource is `void` are decided
 * on the actor alone (and appear in the abilities map).
 */
const rules = {
  // Administration: the secretariat only.
  "org.list": ((a) => isAdmin(a)) as Rule<void>,
  "org.create": ((a) => isAdmin(a)) as Rule<void>,
  "committee.list": ((a) => signedIn(a)) as Rule<void>,
  "committee.create": ((a) => isAdmin(a)) as Rule<void>,
  "user.list": ((a) => isAdmin(a)) as Rule<void>,
  "user.create": ((a) => isAdmin(a)) as Rule<void>,
  "user.update": ((a) => isAdmin(a)) as Rule<void>,
  "user.disable": ((a) => isAdmin(a)) as Rule<void>,
  "outbox.read": ((a) => isAdmin(a)) as Rule<void>,
  "audit.read": ((a) => isAdmin(a)) as Rule<void>,
  /** The transparency page and the latest signed checkpoint: governance events anyone may check. */
  "audit.readPublic": (() => true) as Rule<void>,

  // One's own account.
  "account.read": ((a) => signedIn(a)) as Rule<void>,
  "account.changePassword": ((a) => signedIn(a)) as Rule<void>,
  "token.create": ((a) => signedIn(a)) as Rule<void>,
  "token.revoke": ((a) => signedIn(a)) as Rule<void>,
  "notification.read": ((a) => signedIn(a)) as Rule<void>,
  "notification.configure": ((a) => signedIn(a)) as Rule<void>,

  // Standards.
  "standard.list": (() => true) as Rule<void>,
  "standard.create": ((a) => roleIn(a, "admin", "expert")) as Rule<void>,
  "standard.read": ((a, s) => isPublic(s) || readsDraftsOf(a, s)) as Rule<StandardResource>,
  "standard.readDraft": ((a, s) => readsDraftsOf(a, s)) as Rule<StandardResource>,
  "standard.editDraft": ((a, s) =>
    readsDraftsOf(a, s) && roleIn(a, "admin", "expert", "member") && s.status !== "withdrawn") as Rule<StandardResource>,
  "standard.freezeRevision": ((a, s) => readsDraftsOf(a, s) && roleIn(a, "admin", "expert")) as Rule<StandardResource>,
  "standard.changeStatus": ((a, s) => readsDraftsOf(a, s) && roleIn(a, "admin", "expert")) as Rule<StandardResource>,

  // Comments: everyone who can read the draft, observers included.
  "comment.create": ((a, s) => readsDraftsOf(a, s)) as Rule<StandardResource>,
  "comment.resolve": ((a, s) => readsDraftsOf(a, s) && roleIn(a, "admin", "expert")) as Rule<StandardResource>,

  // Proposals and ballots.
  "proposal.create": ((a, s) => readsDraftsOf(a, s) && roleIn(a, "admin", "expert", "member")) as Rule<StandardResource>,
  /** Listing proposals: anyone signed in (the list holds only the proposals each may read). */
  "proposal.list": ((a) => signedIn(a)) as Rule<void>,
  // Everyone who reads the committee's drafts reads its proposals (observers included); the public never.
  "proposal.read": ((a, p) => readsDraftsOf(a, p)) as Rule<ProposalResource>,
  // The text: its author, the committee's editors (experts) and the secretariat.
  "proposal.edit": ((a, p) => readsDraftsOf(a, p) && (roleIn(a, "admin", "expert") || (roleIn(a, "member") && isAuthor(a, p)))) as Rule<ProposalResource>,
  // Submitting and withdrawing are the author's decisions (or the secretariat's).
  "proposal.submit": ((a, p) => readsDraftsOf(a, p) && (isAdmin(a) || (roleIn(a, "expert", "member") && isAuthor(a, p)))) as Rule<ProposalResource>,
  "proposal.withdraw": ((a, p) => readsDraftsOf(a, p) && (isAdmin(a) || (roleIn(a, "expert", "member") && isAuthor(a, p)))) as Rule<ProposalResource>,
  // Applying writes the standard (a new revision, or a new standard): its editors and the secretariat.
  "proposal.apply": ((a, p) => readsDraftsOf(a, p) && roleIn(a, "admin", "expert")) as Rule<ProposalResource>,
  "ballot.create": ((a) => isAdmin(a)) as Rule<void>,
  "ballot.close": ((a) => isAdmin(a)) as Rule<void>,
  /** Cancelling a scheduled or open ballot (no result is recorded; a proposal returns to submitted). */
  "ballot.cancel": ((a) => isAdmin(a)) as Rule<void>,
  /** A ballot is seen by whoever may read its subject, and by everyone on its roll (who must see what they vote on). */
  "ballot.read": ((a, b) => isPublic(b) || readsDraftsOf(a, b) || (signedIn(a) && b.onRoll === true)) as Rule<BallotResource>,
  /** Whether the role may ever vote; the ballot's frozen roll decides the rest. Observers never vote. */
  "ballot.vote": ((a) => a?.role === "expert" || a?.role === "member") as Rule<void>,

  /** A standard's translated title and scope (its own text stays in its language): the secretariat. */
  "standard.translate": ((a) => isAdmin(a)) as Rule<void>,

  // Releases.
  "release.publish": ((a) => isAdmin(a)) as Rule<void>,
  "webhook.create": ((a) => signedIn(a)) as Rule<void>,
  /** Listing one's own webhooks and their delivery log, and removing them. */
  "webhook.manage": ((a) => signedIn(a)) as Rule<void>,
} satisfies Record<string, Rule<never>>;

export type Action = keyof typeof rules;
type ResourceOf<A extends Action> = Parameters<(typeof rules)[A]>[1];

/** Actions that only read: allowed to read-only tokens. */
const READ_ACTIONS = new Set<Action>([
  "org.list",
  "committee.list",
  "user.list",
  "outbox.read",
  "audit.read",
  "audit.readPublic",
  "account.read",
  "notification.read",
  "standard.list",
  "standard.read",
  "standard.readDraft",
  "ballot.read",
  "proposal.read",
  "proposal.list",
]);

/** Actions decided per resource (a standard); all others depend on the actor alone. */
export const RESOURCE_ACTIONS = new Set<Action>([
  "standard.read",
  "standard.readDraft",
  "standard.editDraft",
  "standard.freezeRevision",
  "standard.changeStatus",
  "comment.create",
  "comment.resolve",
  "proposal.create",
  "ballot.read",
  "proposal.read",
  "proposal.edit",
  "proposal.submit",
  "proposal.withdraw",
  "proposal.apply",
]);

/** The full list of actions, for the permission matrix test and the abilities map. */
export const ACTIONS = Object.keys(rules) as Action[];

/** Whether `actor` may take `action` on `resource`. */
export function can<A extends Action>(actor: Actor | null, action: A, ...resource: ResourceOf<A> extends void ? [] : [ResourceOf<A>]): boolean {
  if (actor?.readOnly && !READ_ACTIONS.has(action)) return false;
  const rule = rules[action] as Rule<unknown>;
  return rule(actor, resource[0]);
}

/** True when `action` only reads. */
export function isReadAction(action: Action): boolean {
  return READ_ACTIONS.has(action);
}

/** The actions decided on the actor alone, as a map the UI uses to show or hide controls. */
export type Abilities = Partial<Record<Action, boolean>>;

/** The abilities map for the UI. Resource-dependent actions are computed per resource by `can`. */
export function abilities(actor: Actor | null): Abilities {
  const out: Abilities = {};
  for (const action of ACTIONS) {
    if (!RESOURCE_ACTIONS.has(action)) out[action] = can(actor, action as never);
  }
  return out;
}

/**
 * Which standards `standard.read` lets an actor see, as a set a query can filter on: everything
 * (the secretariat), or the published statuses plus every status in the actor's committees. It
 * states the same rule as `standard.read` (a unit test holds them together) so lists can count and
 * page in SQL; lists still confirm each row with `can`.
 */
export type StandardReadScope = { all: true } | { all: false; statuses: StandardStatus[]; committees: string[] };
export function standardReadScope(actor: Actor | null): StandardReadScope {
  if (actor?.role === "admin") return { all: true };
  return { all: false, statuses: [...PUBLISHED], committees: actor ? [...actor.committees] : [] };
}
