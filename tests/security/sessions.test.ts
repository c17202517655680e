/**
 * Sessions through the real sign-in page and API (docs/decisions/0002-sessions.md): no fixation,
 * no reuse after sign-out, idle and absolute expiry (times moved in the database), a password
 * change ending the other sessions, a role change or disabling ending all of them, and sign-in
 * throttling that forged forwarding headers do not escape.
 *
 * The forged X-Forwarded-For case against the real server process is in
 * tests/integration/server-process.test.ts; this file adds the other forwarding headers.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sessionCookieName } from "../../app/auth/session.server";
import { ADDRESS_LIMIT, resetThrottle } from "../../app/auth/throttle.server";
import { createAdmin, createOrg, createUser, sessionCookieFor, accessTokenFor, TEST_PASSWORD } from "../support/factories";
import { call } from "../support/http";
import type { TestPortal } from "../support/portal";
import { startPagesPortal } from "./support";

let portal: TestPortal;
let adminToken: string;
let org: { id: string };

beforeAll(async () => {
  portal = await startPagesPortal();
  const admin = (await createAdmin()).user;
  adminToken = accessTokenFor(admin.id).token;
  org = createOrg({ kind: "company" });
}, 60_000);
beforeEach(() => resetThrottle());
afterAll(async () => portal?.close());

/** Signs in through the page's form; returns the status and the session cookie it sets (name=value), if any. */
async function signIn(email: string, password: string, headers: Record<string, string> = {}): Promise<{ status: number; cookie: string | null; setCookie: string }> {
  const res = await fetch(`${portal.baseUrl}/login`, {
    method: "POST",
    headers: { origin: portal.baseUrl, "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ email, password }).toString(),
    redirect: "manual",
  });
  await res.text();
  const setCookie = res.headers.get("set-cookie") ?? "";
  const m = new RegExp(`${sessionCookieName()}=([^;]*)`).exec(setCookie);
  return { status: res.status, cookie: m && m[1] ? `${sessionCookieName()}=${m[1]}` : null, setCookie };
}

/** Who the cookie signs in as, or null (401). */
async function whoIs(cookie: string): Promise<string | null> {
  const res = await call(portal, "/me", { cookie });
  if (res.status === 401) return null;
  expect(res.status, res.text).toBe(200);
  return res.body.user.id as string;
}

const sessionsOf = (userId: string) => (portal.db.$client.prepare("select count(*) as n from sessions where user_id = ?").get(userId) as { n: number }).n;

describe("sign-in", () => {
  it("issues a new session and never adopts a cookie set before (fixation)", async () => {
    const victim = await createUser({ org });
    const attacker = await createUser({ org });
    for (const planted of [`${sessionCookieName()}=aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb`, sessionCookieFor(attacker.id)]) {
      const before = planted.split("=")[1];
      const res = await signIn(victim.email, TEST_PASSWORD, { cookie: planted });
      expect(res.status).toBe(302);
      expect(res.cookie).not.toBeNull();
      expect(res.cookie!.split("=")[1]).not.toBe(before);
      expect(res.setCookie).toMatch(/HttpOnly/i);
      expect(res.setCookie).toMatch(/SameSite=Lax/i);
      expect(await whoIs(res.cookie!)).toBe(victim.id);
      // The planted cookie is still nobody, or still the attacker — never the victim.
      expect(await whoIs(planted)).not.toBe(victim.id);
    }
  });

  it("a session cannot be used after signing out", async () => {
    const user = await createUser({ org });
    const { cookie } = await signIn(user.email, TEST_PASSWORD);
    expect(await whoIs(cookie!)).toBe(user.id);
    const out = await fetch(`${portal.baseUrl}/logout`, { method: "POST", headers: { cookie: cookie!, origin: portal.baseUrl }, redirect: "manual" });
    expect(out.status).toBe(302);
    expect(out.headers.get("set-cookie")).toMatch(new RegExp(`${sessionCookieName()}=;|Max-Age=0`, "i"));
    expect(await whoIs(cookie!)).toBeNull();
    expect(sessionsOf(user.id)).toBe(0);
    // Pages too: the old cookie is the public.
    const settings = await fetch(`${portal.baseUrl}/settings`, { headers: { cookie: cookie! }, redirect: "manual" });
    expect(settings.status).toBe(302);
    expect(settings.headers.get("location")).toMatch(/^\/login/);
  });

  it("signing out by a GET (a link or image another site embeds) does nothing", async () => {
    const user = await createUser({ org });
    const cookie = sessionCookieFor(user.id);
    await fetch(`${portal.baseUrl}/logout`, { headers: { cookie }, redirect: "manual" });
    expect(await whoIs(cookie)).toBe(user.id);
  });
});

describe("expiry", () => {
  it("ends a session idle past its expiry", async () => {
    const user = await createUser({ org });
    const cookie = sessionCookieFor(user.id);
    expect(await whoIs(cookie)).toBe(user.id);
    portal.db.$client.prepare("update sessions set expires_at = ?, last_verified_at = ? where user_id = ?").run(Date.now() - 1000, Date.now() - 8 * 86400_000, user.id);
    expect(await whoIs(cookie)).toBeNull();
    expect(sessionsOf(user.id)).toBe(0);
  });

  it("ends a session past its absolute lifetime even while it is used", async () => {
    const user = await createUser({ org });
    const cookie = sessionCookieFor(user.id);
    portal.db.$client.prepare("update sessions set absolute_expires_at = ? where user_id = ?").run(Date.now() - 1000, user.id);
    expect(await whoIs(cookie)).toBeNull();
    expect(sessionsOf(user.id)).toBe(0);
  });

  it("sliding renewal never extends past the absolute lifetime", async () => {
    const user = await createUser({ org });
    const cookie = sessionCookieFor(user.id);
    const absolute = Date.now() + 30_000;
    portal.db.$client.prepare("update sessions set absolute_expires_at = ?, last_verified_at = ? where user_id = ?").run(absolute, Date.now() - 3600_000, user.id);
    expect(await whoIs(cookie)).toBe(user.id);
    const row = portal.db.$client.prepare("select expires_at as e from sessions where user_id = ?").get(user.id) as { e: number };
    expect(row.e).toBeLessThanOrEqual(absolute);
  });
});

describe("account changes end sessions", () => {
  it("changing one's password ends every other session, not this one", async () => {
    const user = await createUser({ org });
    const here = (await signIn(user.email, TEST_PASSWORD)).cookie!;
    const elsewhere = (await signIn(user.email, TEST_PASSWORD)).cookie!;
    const res = await fetch(`${portal.baseUrl}/settings`, {
      method: "POST",
      headers: { cookie: here, origin: portal.baseUrl, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "password", currentPassword: TEST_PASSWORD, newPassword: "a brand new passphrase", confirmPassword: "a brand new passphrase" }).toString(),
      redirect: "manual",
    });
    expect(res.status).toBe(200);
    expect(await whoIs(elsewhere)).toBeNull();
    expect(await whoIs(here)).toBe(user.id);
    expect((await signIn(user.email, TEST_PASSWORD)).status).toBe(401);
    expect((await signIn(user.email, "a brand new passphrase")).status).toBe(302);
  });

  it.each([
    ["a role change", { role: "expert" }],
    ["disabling the account", { status: "disabled" }],
  ])("%s ends all of the member's sessions (and a disabled account's tokens stop working)", async (_what, patch) => {
    const user = await createUser({ org, role: "member", committees: ["TAR"] });
    const cookies = [sessionCookieFor(user.id), sessionCookieFor(user.id)];
    const token = accessTokenFor(user.id).token;
    for (const c of cookies) expect(await whoIs(c)).toBe(user.id);
    const res = await call(portal, `/users/${user.id}`, { method: "PATCH", token: adminToken, body: patch });
    expect(res.status, res.text).toBe(200);
    for (const c of cookies) expect(await whoIs(c)).toBeNull();
    expect(sessionsOf(user.id)).toBe(0);
    const withToken = await call(portal, "/me", { token });
    if ("status" in patch) expect(withToken.status).toBe(401);
    // Signing in again after a role change gives the new role.
    if ("role" in patch) {
      const again = await signIn(user.email, TEST_PASSWORD);
      const me = await call(portal, "/me", { cookie: again.cookie! });
      expect(me.body.user.role).toBe("expert");
    } else {
      expect((await signIn(user.email, TEST_PASSWORD)).status).toBe(401);
    }
  });
});

describe("sign-in throttling", () => {
  it("forged forwarding headers (Forwarded, X-Real-IP, X-Forwarded-For, X-Client-IP) do not reset the per-address limit", async () => {
    const forge = (i: number): Record<string, string> => ({
      forwarded: `for=203.0.113.${i}`,
      "x-real-ip": `198.51.100.${i}`,
      "x-forwarded-for": `192.0.2.${i}`,
      "x-client-ip": `192.0.2.${i}`,
      "cf-connecting-ip": `192.0.2.${i}`,
    });
    // Different unknown accounts, so only the address limit can stop them.
    for (let i = 0; i < ADDRESS_LIMIT; i++) expect((await signIn(`nobody-${i}@example.org`, "wrong password here", forge(i))).status).toBe(401);
    const blocked = await signIn("nobody-else@example.org", "wrong password here", forge(250));
    expect(blocked.status).toBe(429);
    // Even the right password of a real account is refused from this address until the window passes.
    const user = await createUser({ org });
    expect((await signIn(user.email, TEST_PASSWORD, forge(251))).status).toBe(429);
  });
});

describe("redirects after signing in or choosing a language stay on the portal", () => {
  const hostile = ["//evil.example/", "/\\evil.example/", "/\t/evil.example/", "/\n/evil.example/", "https://evil.example/", "/\u0000//evil.example/", "javascript:alert(1)"];

  /** Where a browser would go from `location` on this portal (it strips tabs and newlines from URLs). */
  const destination = (location: string) => new URL(location.replace(/[\t\n\r]/g, ""), portal.baseUrl);

  it.each(hostile)("sign-in with redirectTo %j lands on the portal", async (redirectTo) => {
    const user = await createUser({ org });
    const res = await fetch(`${portal.baseUrl}/login`, {
      method: "POST",
      headers: { origin: portal.baseUrl, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: user.email, password: TEST_PASSWORD, redirectTo }).toString(),
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    expect(destination(res.headers.get("location")!).origin).toBe(portal.baseUrl);
  });

  it.each(hostile)("the language switcher with redirectTo %j lands on the portal", async (redirectTo) => {
    const res = await fetch(`${portal.baseUrl}/language`, {
      method: "POST",
      headers: { origin: portal.baseUrl, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ locale: "de", redirectTo }).toString(),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect(destination(res.headers.get("location")!).origin).toBe(portal.baseUrl);
  });
});
