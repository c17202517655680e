/** Signing in and out for the pages: credentials check with throttling, and the session cookie. */
import { findUserByEmail } from "../domain/members.server";
import { recordAudit } from "../domain/audit.server";
import { db } from "../utils/db.server";
import { verifyPassword } from "./password.server";
import { blankSessionCookie, createSession, invalidateSession, readSessionToken, sessionCookie, validateSessionToken } from "./session.server";
import { recordSignInFailure, recordSignInSuccess, signInRetryAfter } from "./throttle.server";

export type SignInResult = { ok: true; setCookie: string } | { ok: false; reason: "invalid" } | { ok: false; reason: "throttled"; retryAfter: number };

/** Checks email and password (throttled per account and address) and opens a session. */
export async function signIn(email: string, password: string, address: string): Promise<SignInResult> {
  const retryAfter = signInRetryAfter(email, address);
  if (retryAfter > 0) return { ok: false, reason: "throttled", retryAfter };
  const user = findUserByEmail(email);
  const valid = await verifyPassword(user?.passwordHash, password);
  if (!user || !valid || user.status !== "active") {
    recordSignInFailure(email, address);
    return { ok: false, reason: "invalid" };
  }
  recordSignInSuccess(email);
  return { ok: true, setCookie: startSession(user.id) };
}

/** Opens a session for a user and returns the Set-Cookie header value. */
export function startSession(userId: string): string {
  return db().transaction(() => {
    const { token, session } = createSession(userId);
    recordAudit({ actorId: userId, action: "session.started", subjectType: "user", subjectId: userId });
    return sessionCookie(token, session.expiresAt);
  });
}

/** Ends the request's session (if any) and returns the Set-Cookie header value that clears it. */
export function signOut(request: Request): string {
  const token = readSessionToken(request.headers.get("cookie"));
  const session = token ? validateSessionToken(token) : null;
  if (session) invalidateSession(session.id);
  return blankSessionCookie();
}
