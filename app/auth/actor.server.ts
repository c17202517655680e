/**
 * Who is making a request: a session cookie (browser) or a personal access token (tools), else the
 * public. Used by page loaders, the API and (later) the collaboration server alike.
 */
import { and, eq, isNull } from "drizzle-orm";
import { accessTokens, committeeMembers, users } from "../../db/schema";
import type { Actor } from "../policies/policy";
import { bookkeeping, db } from "../utils/db.server";
import { readSessionToken, validateSessionToken, type Session } from "./session.server";
import { sha256Hex } from "./tokens.server";

export type UserRow = typeof users.$inferSelect;

export type Authenticated = {
  actor: Actor;
  user: UserRow;
  via: "session" | "token";
  session?: Session;
  tokenId?: string;
};

/** The committee codes a user belongs to. */
export function committeesOf(userId: string): string[] {
  return db()
    .select({ code: committeeMembers.committeeCode })
    .from(committeeMembers)
    .where(eq(committeeMembers.userId, userId))
    .all()
    .map((r) => r.code)
    .sort();
}

/** Builds the policy's view of a user. */
export function actorFor(user: UserRow, readOnly = false): Actor {
  return {
    id: user.id,
    role: user.role,
    orgId: user.orgId,
    committees: committeesOf(user.id),
    votingRepresentative: user.votingRepresentative,
    readOnly,
  };
}

/** Resolves a session token to its active user. */
export function authenticateSession(token: string): Authenticated | null {
  const session = validateSessionToken(token);
  if (!session) return null;
  const user = db().select().from(users).where(eq(users.id, session.userId)).get();
  if (!user || user.status !== "active") return null;
  return { actor: actorFor(user), user, via: "session", session };
}

const TOKEN_PREFIX = "ewtp_pat_";

/** Resolves a personal access token to its active user, recording its use. */
export function authenticateAccessToken(token: string): Authenticated | null {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 128) return null;
  const d = db();
  const row = d
    .select()
    .from(accessTokens)
    .where(and(eq(accessTokens.tokenHash, sha256Hex(token)), isNull(accessTokens.revokedAt)))
    .get();
  if (!row) return null;
  const user = d.select().from(users).where(eq(users.id, row.userId)).get();
  if (!user || user.status !== "active") return null;
  const now = new Date().toISOString();
  // Record the last use at minute precision to avoid a write on every request.
  if (!row.lastUsedAt || row.lastUsedAt.slice(0, 16) !== now.slice(0, 16)) {
    bookkeeping(() => d.update(accessTokens).set({ lastUsedAt: now }).where(eq(accessTokens.id, row.id)).run());
  }
  return { actor: actorFor(user, row.readOnly), user, via: "token", tokenId: row.id };
}

/** The prefix of every personal access token, so leaked tokens are easy to recognise. */
export const ACCESS_TOKEN_PREFIX = TOKEN_PREFIX;

/** Authenticates from request headers: a bearer token wins over the cookie. */
export function authenticate(headers: { cookie?: string | null; authorization?: string | null }): Authenticated | null {
  const auth = headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m ? authenticateAccessToken(m[1]) : null;
  }
  const token = readSessionToken(headers.cookie);
  return token ? authenticateSession(token) : null;
}

/** Authenticates a Fetch API request (Remix loaders and actions). */
export function authenticateRequest(request: Request): Authenticated | null {
  return authenticate({ cookie: request.headers.get("cookie"), authorization: request.headers.get("authorization") });
}
