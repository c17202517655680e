/**
 * Sessions after Lucia's current guide: the cookie holds `<id>.<secret>`, the database holds the id
 * and the SHA-256 of the secret, compared in constant time. Sessions slide (idle expiry, renewed on
 * use) within an absolute lifetime. See docs/decisions/0002-sessions.md.
 */
import { eq, lt, or } from "drizzle-orm";
import { sessions } from "../../db/schema";
import { bookkeeping, db } from "../utils/db.server";
import { env } from "../utils/env.server";
import { hexEqual, randomSecret, sha256Hex } from "./tokens.server";

export const IDLE_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000; // a week without use ends the session
export const ABSOLUTE_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000; // no session lives longer than 30 days
const ACTIVITY_WRITE_INTERVAL_MS = 60 * 1000; // renew at most once a minute, not on every request

export type Session = typeof sessions.$inferSelect;

/** The cookie's name: `__Host-` prefixed when the portal is served over HTTPS. */
export function sessionCookieName(): string {
  return env().secure ? "__Host-ewtp_session" : "ewtp_session";
}

/** Creates a session for a user and returns the token to put in the cookie. */
export function createSession(userId: string, now = Date.now()): { token: string; session: Session } {
  const id = randomSecret(15);
  const secret = randomSecret(20);
  const session: Session = {
    id,
    secretHash: sha256Hex(secret),
    userId,
    createdAt: now,
    lastVerifiedAt: now,
    expiresAt: Math.min(now + IDLE_TIMEOUT_MS, now + ABSOLUTE_LIFETIME_MS),
    absoluteExpiresAt: now + ABSOLUTE_LIFETIME_MS,
  };
  db().insert(sessions).values(session).run();
  return { token: `${id}.${secret}`, session };
}

/** Returns the live session a token names (renewing its idle expiry), or null. */
export function validateSessionToken(token: string, now = Date.now()): Session | null {
  const [id, secret, ...rest] = token.split(".");
  if (!id || !secret || rest.length || id.length > 64 || secret.length > 64) return null;
  const d = db();
  const session = d.select().from(sessions).where(eq(sessions.id, id)).get();
  if (!session) return null;
  if (!hexEqual(session.secretHash, sha256Hex(secret))) return null;
  if (now >= session.expiresAt || now >= session.absoluteExpiresAt) {
    d.delete(sessions).where(eq(sessions.id, id)).run();
    return null;
  }
  if (now - session.lastVerifiedAt >= ACTIVITY_WRITE_INTERVAL_MS) {
    session.lastVerifiedAt = now;
    session.expiresAt = Math.min(now + IDLE_TIMEOUT_MS, session.absoluteExpiresAt);
    bookkeeping(() => d.update(sessions).set({ lastVerifiedAt: now, expiresAt: session.expiresAt }).where(eq(sessions.id, id)).run());
  }
  return session;
}

/** Ends one session. */
export function invalidateSession(sessionId: string): void {
  db().delete(sessions).where(eq(sessions.id, sessionId)).run();
}

/** Ends every session of a user, optionally keeping one (the one that changed the password). */
export function invalidateUserSessions(userId: string, exceptSessionId?: string): void {
  const d = db();
  const all = d.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId)).all();
  for (const s of all) if (s.id !== exceptSessionId) d.delete(sessions).where(eq(sessions.id, s.id)).run();
}

/** Removes expired sessions. */
export function purgeExpiredSessions(now = Date.now()): void {
  db().delete(sessions).where(or(lt(sessions.expiresAt, now), lt(sessions.absoluteExpiresAt, now))).run();
}

/** The Set-Cookie value that stores a session token. */
export function sessionCookie(token: string, expiresAt: number): string {
  const parts = [`${sessionCookieName()}=${token}`, "Path=/", "HttpOnly", "SameSite=Lax", `Expires=${new Date(expiresAt).toUTCString()}`];
  if (env().secure) parts.push("Secure");
  return parts.join("; ");
}

/** The Set-Cookie value that removes the session cookie. */
export function blankSessionCookie(): string {
  const parts = [`${sessionCookieName()}=`, "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=0"];
  if (env().secure) parts.push("Secure");
  return parts.join("; ");
}

/** Reads the session token from a Cookie header. */
export function readSessionToken(cookieHeader: string | null | undefined): string | null {
  if (!cookieHeader) return null;
  const name = sessionCookieName();
  for (const part of cookieHeader.split(";")) {
    const eqAt = part.indexOf("=");
    if (eqAt < 0) continue;
    if (part.slice(0, eqAt).trim() === name) return decodeURIComponent(part.slice(eqAt + 1).trim()) || null;
  }
  return null;
}

