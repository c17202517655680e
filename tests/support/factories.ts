/**
 * Test data made through the real domain functions (no mocks, no raw inserts): organisations,
 * users with passwords, browser sessions and personal access tokens. They write to the process-wide
 * database, i.e. the one the running test portal uses.
 */
import { randomUUID } from "node:crypto";
import type { OrgKind, Role } from "../../db/schema";
import { createSession, sessionCookieName } from "../../app/auth/session.server";
import {
  createAccessToken,
  createOrganization,
  createUser as createDomainUser,
  type Organization,
  type PublicUser,
} from "../../app/domain/members.server";

/** A password that satisfies PasswordSchema. */
export const TEST_PASSWORD = "correct horse battery staple";

/** A short unique suffix, so names and emails never clash between tests. */
export function unique(): string {
  return randomUUID().slice(0, 8);
}

/** Creates an organisation (default: a German company with a unique name). */
export function createOrg(input: { name?: string; kind?: OrgKind; country?: string } = {}): Organization {
  const kind = input.kind ?? "company";
  return createOrganization({ name: input.name ?? `Test ${kind} ${unique()}`, kind, country: input.country ?? "DE" }, null);
}

/** Creates an active user with a password (default role: member) in the given organisation. */
export async function createUser(input: {
  org: Pick<Organization, "id">;
  role?: Role;
  email?: string;
  name?: string;
  committees?: string[];
  votingRepresentative?: boolean;
  password?: string;
}): Promise<PublicUser & { password: string }> {
  const role = input.role ?? "member";
  const password = input.password ?? TEST_PASSWORD;
  const { user } = await createDomainUser(
    {
      email: input.email ?? `${role}-${unique()}@example.org`,
      name: input.name ?? `Test ${role}`,
      orgId: input.org.id,
      role,
      committees: input.committees ?? [],
      votingRepresentative: input.votingRepresentative ?? false,
      password,
    },
    null,
  );
  return { ...user, password };
}

/** Creates a secretariat organisation and an active admin in it. */
export async function createAdmin(input: { committees?: string[] } = {}) {
  const org = createOrg({ kind: "secretariat", country: "CH" });
  const user = await createUser({ org, role: "admin", committees: input.committees });
  return { org, user };
}

/** Opens a browser session for the user; returns the `Cookie` header value that carries it. */
export function sessionCookieFor(userId: string): string {
  const { token } = createSession(userId);
  return `${sessionCookieName()}=${token}`;
}

/** Creates a personal access token for the user; returns the plain token and its id. */
export function accessTokenFor(userId: string, options: { readOnly?: boolean; label?: string } = {}): { token: string; id: string } {
  const t = createAccessToken(userId, options.label ?? "tests", options.readOnly ?? false);
  return { token: t.token, id: t.id };
}
