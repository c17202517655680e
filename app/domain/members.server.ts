/**
 * Organisations, committees and members: creation, invitations, role changes, passwords and
 * personal access tokens. Writes that span tables run in one transaction, with their audit entry.
 */
import { randomUUID } from "node:crypto";
import { and, asc, eq, isNull, ne, sql } from "drizzle-orm";
import {
  accessTokens,
  committeeMembers,
  committees,
  organizations,
  users,
  userTokens,
  type OrgKind,
  type Role,
} from "../../db/schema";
import { ACCESS_TOKEN_PREFIX, committeesOf } from "../auth/actor.server";
import { hashPassword, verifyPassword } from "../auth/password.server";
import { invalidateUserSessions } from "../auth/session.server";
import { randomSecret, sha256Hex } from "../auth/tokens.server";
import { db } from "../utils/db.server";
import { env } from "../utils/env.server";
import { PortalError } from "../utils/errors";
import { recordAudit } from "./audit.server";
import { enqueueMail } from "./mail.server";
import type { CommitteeInput, OrgInput, UserUpdate } from "./members.schemas";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const RESET_TTL_MS = 60 * 60 * 1000;

export type Organization = typeof organizations.$inferSelect;
export type Committee = typeof committees.$inferSelect;

/** Which organisation kinds a role may belong to: government people observe, companies' people are members. */
const ROLE_ORG_KINDS: Record<Role, OrgKind[]> = {
  admin: ["secretariat"],
  expert: ["expert", "company", "secretariat"],
  member: ["company"],
  observer: ["government"],
};

/** The public shape of a user, as the API and pages show it (never the password hash). */
export function publicUser(u: typeof users.$inferSelect) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    orgId: u.orgId,
    role: u.role,
    status: u.status,
    votingRepresentative: u.votingRepresentative,
    committees: committeesOf(u.id),
    createdAt: u.createdAt,
  };
}
export type PublicUser = ReturnType<typeof publicUser>;

/** All organisations, by name. */
export function listOrganizations(): Organization[] {
  return db().select().from(organizations).orderBy(asc(organizations.name)).all();
}

/** One organisation, or undefined. */
export function getOrganization(id: string): Organization | undefined {
  return db().select().from(organizations).where(eq(organizations.id, id)).get();
}

/** Creates an organisation; names are unique regardless of case. */
export function createOrganization(input: OrgInput, actorId: string | null): Organization {
  return db().transaction(() => {
    const clash = db()
      .select({ id: organizations.id })
      .from(organizations)
      .where(sql`lower(${organizations.name}) = lower(${input.name})`)
      .get();
    if (clash) throw new PortalError("conflict", `An organisation named "${input.name}" already exists.`, { name: "This name is taken." });
    const org = db().insert(organizations).values({ id: randomUUID(), ...input }).returning().get();
    recordAudit({ actorId, action: "org.created", subjectType: "organization", subjectId: org.id, data: { name: org.name, kind: org.kind, country: org.country } });
    return org;
  });
}

/** All committees, by code. */
export function listCommittees(): Committee[] {
  return db().select().from(committees).orderBy(asc(committees.code)).all();
}

/** Creates a committee (working group). */
export function createCommittee(input: CommitteeInput, actorId: string | null): Committee {
  return db().transaction(() => {
    if (db().select().from(committees).where(eq(committees.code, input.code)).get())
      throw new PortalError("conflict", `Committee ${input.code} already exists.`, { code: "This code is taken." });
    const c = db()
      .insert(committees)
      .values({ code: input.code, name: input.name, description: input.description ?? "" })
      .returning()
      .get();
    recordAudit({ actorId, action: "committee.created", subjectType: "committee", subjectId: c.code, data: { name: c.name } });
    return c;
  });
}

function checkMembership(role: Role, org: Organization, votingRepresentative: boolean) {
  if (!ROLE_ORG_KINDS[role].includes(org.kind)) {
    const allowed = ROLE_ORG_KINDS[role].join(" or ");
    throw new PortalError("unprocessable", `A ${role} must belong to a ${allowed} organisation; ${org.name} is a ${org.kind} organisation.`, {
      role: `Not possible for a ${org.kind} organisation.`,
    });
  }
  if (votingRepresentative && role !== "member")
    throw new PortalError("unprocessable", "Only a company member can be its organisation's voting representative.", {
      votingRepresentative: "Only for members of a company.",
    });
}

function checkCommittees(codes: string[]) {
  const known = new Set(listCommittees().map((c) => c.code));
  const unknown = codes.filter((c) => !known.has(c));
  if (unknown.length) throw new PortalError("unprocessable", `Unknown committee: ${unknown.join(", ")}.`, { committees: `Unknown: ${unknown.join(", ")}` });
}

function checkSingleVotingRepresentative(orgId: string, exceptUserId?: string) {
  const other = db()
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(and(eq(users.orgId, orgId), eq(users.votingRepresentative, true), exceptUserId ? ne(users.id, exceptUserId) : undefined))
    .get();
  if (other)
    throw new PortalError("conflict", `${other.name} is already this organisation's voting representative; remove that flag first.`, {
      votingRepresentative: "The organisation already has a voting representative.",
    });
}

function setCommittees(userId: string, codes: string[]) {
  db().delete(committeeMembers).where(eq(committeeMembers.userId, userId)).run();
  for (const code of [...new Set(codes)]) db().insert(committeeMembers).values({ userId, committeeCode: code }).run();
}

/** The link a person opens to accept an invitation or reset a password. */
export function tokenLink(purpose: "invite" | "reset", token: string): string {
  return `${env().publicUrl}/${purpose === "invite" ? "invite" : "reset-password"}/${token}`;
}

function issueUserToken(userId: string, purpose: "invite" | "reset"): string {
  const token = randomSecret(20);
  const ttl = purpose === "invite" ? INVITATION_TTL_MS : RESET_TTL_MS;
  db().insert(userTokens).values({ tokenHash: sha256Hex(token), userId, purpose, expiresAt: Date.now() + ttl }).run();
  return token;
}

export type NewUser = {
  email: string;
  name: string;
  orgId: string;
  role: Role;
  committees?: string[];
  votingRepresentative?: boolean;
  password?: string;
};

/**
 * Creates a member. With a password the account is active at once; without one an invitation
 * (single-use, expiring link) is mailed through the outbox.
 */
export async function createUser(input: NewUser, actorId: string | null): Promise<{ user: PublicUser; invitationLink?: string }> {
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return createUserWithHash(input, passwordHash, actorId);
}

/** Creates a member from an already hashed password (or none: invited). Runs in one transaction. */
export function createUserWithHash(input: NewUser, passwordHash: string | null, actorId: string | null): { user: PublicUser; invitationLink?: string } {
  return db().transaction(() => {
    const org = getOrganization(input.orgId);
    if (!org) throw new PortalError("unprocessable", "That organisation does not exist.", { orgId: "Choose an existing organisation." });
    const email = input.email.toLowerCase();
    if (db().select({ id: users.id }).from(users).where(eq(users.email, email)).get())
      throw new PortalError("conflict", `An account for ${email} already exists.`, { email: "This email is already registered." });
    const voting = input.votingRepresentative ?? false;
    checkMembership(input.role, org, voting);
    const codes = input.committees ?? [];
    checkCommittees(codes);
    if (voting) checkSingleVotingRepresentative(org.id);
    const row = db()
      .insert(users)
      .values({
        id: randomUUID(),
        email,
        name: input.name,
        orgId: org.id,
        role: input.role,
        status: passwordHash ? "active" : "invited",
        votingRepresentative: voting,
        passwordHash,
      })
      .returning()
      .get();
    setCommittees(row.id, codes);
    let invitationLink: string | undefined;
    if (!passwordHash) {
      invitationLink = tokenLink("invite", issueUserToken(row.id, "invite"));
      enqueueMail({
        to: email,
        subject: "Your invitation to the e-WTP Standards Portal",
        text:
          `Hello ${input.name},\n\nYou have been invited to the e-WTP Standards Portal as ${input.role} for ${org.name}.\n` +
          `Open this link within 7 days to choose your password:\n\n${invitationLink}\n\n` +
          `If you did not expect this invitation, ignore this message.\n`,
      });
    }
    recordAudit({
      actorId,
      action: passwordHash ? "user.created" : "user.invited",
      subjectType: "user",
      subjectId: row.id,
      data: { email, role: row.role, orgId: org.id, committees: codes, votingRepresentative: voting },
    });
    return { user: publicUser(row), invitationLink };
  });
}

/** One user by id. */
export function getUser(id: string) {
  return db().select().from(users).where(eq(users.id, id)).get();
}

/** All users with their organisation, for the admin pages. */
export function listUsers() {
  return db()
    .select({ user: users, org: organizations })
    .from(users)
    .innerJoin(organizations, eq(users.orgId, organizations.id))
    .orderBy(asc(users.name))
    .all()
    .map((r) => ({ ...publicUser(r.user), org: { id: r.org.id, name: r.org.name, kind: r.org.kind, country: r.org.country } }));
}

/** True once a secretariat admin exists (first-run setup is then closed). */
export function adminExists(): boolean {
  return !!db().select({ id: users.id }).from(users).where(eq(users.role, "admin")).get();
}

/** Changes a member's role, committees, voting flag or status; a role change or disabling ends their sessions. */
export function updateUser(id: string, patch: UserUpdate, actorId: string | null): PublicUser {
  return db().transaction(() => {
    const user = getUser(id);
    if (!user) throw new PortalError("not_found", "No such member.");
    const org = getOrganization(user.orgId)!;
    const role = patch.role ?? user.role;
    const voting = patch.votingRepresentative ?? (role === "member" ? user.votingRepresentative : false);
    checkMembership(role, org, voting);
    if (voting && !user.votingRepresentative) checkSingleVotingRepresentative(org.id, id);
    if (patch.committees) checkCommittees(patch.committees);
    if (actorId === id && (patch.role && patch.role !== "admin" || patch.status === "disabled"))
      throw new PortalError("unprocessable", "You cannot demote or disable your own account; ask another admin.");
    if (user.role === "admin" && (role !== "admin" || patch.status === "disabled")) {
      const admins = db().select({ id: users.id }).from(users).where(and(eq(users.role, "admin"), eq(users.status, "active"))).all();
      if (admins.length <= 1) throw new PortalError("conflict", "This is the last active admin; make someone else admin first.");
    }
    let status = user.status;
    if (patch.status === "disabled") status = "disabled";
    if (patch.status === "active" && user.status === "disabled") status = user.passwordHash ? "active" : "invited";
    const updated = db()
      .update(users)
      .set({ name: patch.name ?? user.name, role, votingRepresentative: voting, status, updatedAt: new Date().toISOString() })
      .where(eq(users.id, id))
      .returning()
      .get();
    if (patch.committees) setCommittees(id, patch.committees);
    const roleChanged = role !== user.role;
    const committeesChanged = patch.committees !== undefined;
    if (roleChanged || status === "disabled") invalidateUserSessions(id);
    recordAudit({
      actorId,
      action: status === "disabled" && user.status !== "disabled" ? "user.disabled" : "user.updated",
      subjectType: "user",
      subjectId: id,
      data: {
        ...(roleChanged ? { role: { from: user.role, to: role } } : {}),
        ...(committeesChanged ? { committees: patch.committees } : {}),
        ...(voting !== user.votingRepresentative ? { votingRepresentative: voting } : {}),
        ...(status !== user.status ? { status: { from: user.status, to: status } } : {}),
      },
    });
    return publicUser(updated);
  });
}

function consumeUserToken(token: string, purpose: "invite" | "reset") {
  const row = db()
    .select()
    .from(userTokens)
    .where(and(eq(userTokens.tokenHash, sha256Hex(token)), eq(userTokens.purpose, purpose), isNull(userTokens.usedAt)))
    .get();
  if (!row || row.expiresAt < Date.now()) return null;
  return row;
}

/** Looks up an unused, unexpired invitation or reset link, for the page that shows its form. */
export function peekUserToken(token: string, purpose: "invite" | "reset") {
  if (!/^[a-z2-7]{16,64}$/.test(token)) return null;
  const row = consumeUserToken(token, purpose);
  if (!row) return null;
  const user = getUser(row.userId);
  if (!user || user.status === "disabled") return null;
  return { user: publicUser(user) };
}

/** Uses an invitation or reset link once: sets the password, activates the account, ends other sessions. */
export async function redeemUserToken(token: string, purpose: "invite" | "reset", password: string): Promise<PublicUser> {
  const passwordHash = await hashPassword(password);
  return db().transaction(() => {
    const row = consumeUserToken(token, purpose);
    const user = row && getUser(row.userId);
    if (!row || !user || user.status === "disabled")
      throw new PortalError("not_found", "This link is invalid, was already used, or has expired. Ask for a new one.");
    db().update(userTokens).set({ usedAt: Date.now() }).where(eq(userTokens.tokenHash, row.tokenHash)).run();
    // Any other open links of the same purpose die with this one.
    db()
      .update(userTokens)
      .set({ usedAt: Date.now() })
      .where(and(eq(userTokens.userId, user.id), eq(userTokens.purpose, purpose), isNull(userTokens.usedAt)))
      .run();
    const updated = db()
      .update(users)
      .set({ passwordHash, status: "active", updatedAt: new Date().toISOString() })
      .where(eq(users.id, user.id))
      .returning()
      .get();
    invalidateUserSessions(user.id);
    recordAudit({ actorId: user.id, action: purpose === "invite" ? "user.invitationAccepted" : "user.passwordReset", subjectType: "user", subjectId: user.id });
    return publicUser(updated);
  });
}

/** Mails a reset link if an active account has this email; says nothing either way. */
export function requestPasswordReset(email: string): void {
  db().transaction(() => {
    const user = db().select().from(users).where(eq(users.email, email.toLowerCase())).get();
    if (!user || user.status !== "active") return;
    const link = tokenLink("reset", issueUserToken(user.id, "reset"));
    enqueueMail({
      to: user.email,
      subject: "Reset your e-WTP Standards Portal password",
      text: `Hello ${user.name},\n\nSomeone asked to reset the password of your account. Open this link within one hour to choose a new one:\n\n${link}\n\nIf it was not you, ignore this message; your password stays as it is.\n`,
    });
    recordAudit({ actorId: null, action: "user.passwordResetRequested", subjectType: "user", subjectId: user.id });
  });
}

/** Changes one's own password after checking the current one; ends every other session. */
export async function changePassword(userId: string, current: string, next: string, keepSessionId?: string): Promise<void> {
  const user = getUser(userId);
  if (!user || !(await verifyPassword(user.passwordHash, current)))
    throw new PortalError("unprocessable", "The current password is not correct.", { currentPassword: "Not correct." });
  const passwordHash = await hashPassword(next);
  db().transaction(() => {
    db().update(users).set({ passwordHash, updatedAt: new Date().toISOString() }).where(eq(users.id, userId)).run();
    invalidateUserSessions(userId, keepSessionId);
    recordAudit({ actorId: userId, action: "user.passwordChanged", subjectType: "user", subjectId: userId });
  });
}

/** Creates a personal access token; the plain token is returned once and only its hash is kept. */
export function createAccessToken(userId: string, label: string, readOnly: boolean) {
  const token = ACCESS_TOKEN_PREFIX + randomSecret(24);
  return db().transaction(() => {
    const row = db().insert(accessTokens).values({ id: randomUUID(), userId, label, readOnly, tokenHash: sha256Hex(token) }).returning().get();
    recordAudit({ actorId: userId, action: "token.created", subjectType: "accessToken", subjectId: row.id, data: { label, readOnly } });
    return { token, id: row.id, label: row.label, readOnly: row.readOnly, createdAt: row.createdAt };
  });
}

/** A user's tokens (never the secret), newest first. */
export function listAccessTokens(userId: string) {
  return db()
    .select({
      id: accessTokens.id,
      label: accessTokens.label,
      readOnly: accessTokens.readOnly,
      createdAt: accessTokens.createdAt,
      lastUsedAt: accessTokens.lastUsedAt,
      revokedAt: accessTokens.revokedAt,
    })
    .from(accessTokens)
    .where(eq(accessTokens.userId, userId))
    .orderBy(sql`${accessTokens.createdAt} desc`)
    .all();
}

/** Revokes one of the user's own tokens. */
export function revokeAccessToken(userId: string, tokenId: string): void {
  db().transaction(() => {
    const row = db()
      .select()
      .from(accessTokens)
      .where(and(eq(accessTokens.id, tokenId), eq(accessTokens.userId, userId)))
      .get();
    if (!row) throw new PortalError("not_found", "No such token.");
    if (row.revokedAt) return;
    db().update(accessTokens).set({ revokedAt: new Date().toISOString() }).where(eq(accessTokens.id, tokenId)).run();
    recordAudit({ actorId: userId, action: "token.revoked", subjectType: "accessToken", subjectId: tokenId });
  });
}

/** Finds a user by email. */
export function findUserByEmail(email: string) {
  return db().select().from(users).where(eq(users.email, email.toLowerCase())).get();
}

/**
 * First-run setup: creates the secretariat organisation and its first admin in one transaction.
 * Refused once any admin exists.
 */
export async function setupSecretariat(input: { orgName: string; country: string; name: string; email: string; password: string }) {
  const passwordHash = await hashPassword(input.password);
  return db().transaction(() => {
    if (adminExists()) throw new PortalError("conflict", "The portal is already set up; sign in instead.");
    const existing = db().select().from(organizations).where(sql`lower(${organizations.name}) = lower(${input.orgName})`).get();
    const org = existing?.kind === "secretariat" ? existing : createOrganization({ name: input.orgName, kind: "secretariat", country: input.country }, null);
    return createUserWithHash({ email: input.email, name: input.name, orgId: org.id, role: "admin" }, passwordHash, null).user;
  });
}

/** Which organisation kinds each role may belong to, for forms that explain it (the rule itself is enforced above). */
export function roleOrganizationKinds(): Record<Role, OrgKind[]> {
  return { admin: [...ROLE_ORG_KINDS.admin], expert: [...ROLE_ORG_KINDS.expert], member: [...ROLE_ORG_KINDS.member], observer: [...ROLE_ORG_KINDS.observer] };
}

/**
 * Head counts for the administration pages. Disabled accounts are not counted as members;
 * invited ones are (they hold a place and a committee seat), and are also counted as pending.
 */
export function membershipCounts() {
  const d = db();
  const orgsByKind: Record<OrgKind, number> = { company: 0, government: 0, expert: 0, secretariat: 0 };
  for (const r of d.select({ kind: organizations.kind, n: sql<number>`count(*)` }).from(organizations).groupBy(organizations.kind).all()) orgsByKind[r.kind] = r.n;
  const membersByRole: Record<Role, number> = { admin: 0, expert: 0, member: 0, observer: 0 };
  let pendingInvitations = 0;
  let disabled = 0;
  for (const r of d.select({ role: users.role, status: users.status, n: sql<number>`count(*)` }).from(users).groupBy(users.role, users.status).all()) {
    if (r.status === "disabled") disabled += r.n;
    else membersByRole[r.role] += r.n;
    if (r.status === "invited") pendingInvitations += r.n;
  }
  const perOrganization: Record<string, number> = {};
  for (const r of d.select({ orgId: users.orgId, n: sql<number>`count(*)` }).from(users).where(ne(users.status, "disabled")).groupBy(users.orgId).all())
    perOrganization[r.orgId] = r.n;
  const perCommittee: Record<string, number> = {};
  for (const r of d
    .select({ code: committeeMembers.committeeCode, n: sql<number>`count(*)` })
    .from(committeeMembers)
    .innerJoin(users, eq(users.id, committeeMembers.userId))
    .where(ne(users.status, "disabled"))
    .groupBy(committeeMembers.committeeCode)
    .all())
    perCommittee[r.code] = r.n;
  const committeeCount = d.select({ n: sql<number>`count(*)` }).from(committees).get()?.n ?? 0;
  // People other than the secretariat who sit in at least one committee.
  const seatedMembers =
    d
      .select({ n: sql<number>`count(distinct ${committeeMembers.userId})` })
      .from(committeeMembers)
      .innerJoin(users, eq(users.id, committeeMembers.userId))
      .where(and(ne(users.status, "disabled"), ne(users.role, "admin")))
      .get()?.n ?? 0;
  return { orgsByKind, membersByRole, pendingInvitations, disabled, perOrganization, perCommittee, committees: committeeCount, seatedMembers };
}
