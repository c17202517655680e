/**
 * Cross-site request refusal: every state-changing API route (and a Remix-style form POST) refuses
 * a request that carries the session cookie from another site, writes nothing but one audit entry,
 * and lets the same request through from the portal's own pages or with a bearer token.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { endpoints } from "../../app/api/router";
import { crossSiteVerdict, resetRefusalCounts, shouldAuditRefusal } from "../../app/auth/csrf.server";
import { accessTokenFor, createAdmin, createOrg, createUser, sessionCookieFor } from "../support/factories";
import { call, type CallOptions, type CallResult } from "../support/http";
import { lastAuditEvent, startPortal, tableCounts, type TestPortal } from "../support/portal";

const EVIL = "https://evil.example";

let portal: TestPortal;
let adminCookie: string;
let adminToken: string;
let targetUserId: string;

// Each test starts with a fresh per-address refusal budget (the flood bound is tested on its own).
beforeEach(() => resetRefusalCounts());

beforeAll(async () => {
  portal = await startPortal();
  const { user } = await createAdmin();
  adminCookie = sessionCookieFor(user.id);
  adminToken = accessTokenFor(user.id).token;
  const company = createOrg({ kind: "company" });
  targetUserId = (await createUser({ org: company, role: "member" })).id;
});

afterAll(async () => {
  await portal?.close();
});

const stateChanging = endpoints.filter((e) => e.method !== "get");

/** The endpoint's path with its parameters filled in with real ids. */
function concretePath(path: string): string {
  return path.replace(/\{(\w+)\}/g, () => targetUserId);
}

/** Asserts the request is refused as cross-site: 403, one `security.crossSiteRefused` audit entry, nothing else written. */
async function expectCrossSiteRefusal(request: () => Promise<CallResult>, expected: { path: string; origin?: string }): Promise<CallResult> {
  const before = tableCounts(portal.db);
  const res = await request();
  expect(res.status, res.text).toBe(403);
  const after = tableCounts(portal.db);
  expect({ ...after, audit_events: before.audit_events }).toEqual(before);
  expect(after.audit_events).toBe(before.audit_events + 1);
  const audit = lastAuditEvent(portal.db)!;
  expect(audit.action).toBe("security.crossSiteRefused");
  expect(audit.data).toMatchObject({ path: expected.path, origin: expected.origin ?? "" });
  return res;
}

/** Asserts the request got past the guard: not a cross-site 403, and no refusal audited. */
async function expectAllowed(request: () => Promise<CallResult>): Promise<CallResult> {
  const before = lastAuditEvent(portal.db)?.seq ?? 0;
  const res = await request();
  expect(res.status, res.text).not.toBe(403);
  expect(res.status).toBeLessThan(500);
  const refusals = portal.db.$client.prepare("select count(*) as n from audit_events where seq > ? and action = 'security.crossSiteRefused'").get(before);
  expect(refusals).toEqual({ n: 0 });
  return res;
}

describe("every state-changing API route", () => {
  it("exists (the router exports at least the member administration writes)", () => {
    expect(stateChanging.map((e) => `${e.method} ${e.path}`)).toEqual(expect.arrayContaining(["post /orgs", "post /committees", "post /users", "patch /users/{id}"]));
  });

  describe.each(stateChanging.map((e) => [`${e.method.toUpperCase()} ${e.path}`, e] as const))("%s", (_name, e) => {
    const request = (options: CallOptions) => call(portal, concretePath(e.path), { method: e.method, body: {}, ...options });
    const apiPath = () => `/api/v1${concretePath(e.path)}`;

    it("refuses the session cookie with a foreign Origin (403 in the error format, only an audit entry written)", async () => {
      const res = await expectCrossSiteRefusal(() => request({ cookie: adminCookie, origin: EVIL }), { path: apiPath(), origin: EVIL });
      expect(res.body).toEqual({ error: { code: "forbidden", message: expect.stringMatching(/cross-site/i) } });
    });

    it("refuses the session cookie with Sec-Fetch-Site: cross-site", async () => {
      await expectCrossSiteRefusal(() => request({ cookie: adminCookie, origin: null, headers: { "sec-fetch-site": "cross-site" } }), { path: apiPath() });
    });

    it("refuses the session cookie with Sec-Fetch-Site: same-site (a sibling site is not the portal)", async () => {
      await expectCrossSiteRefusal(() => request({ cookie: adminCookie, origin: null, headers: { "sec-fetch-site": "same-site" } }), { path: apiPath() });
    });

    it("refuses the session cookie with Origin: null", async () => {
      await expectCrossSiteRefusal(() => request({ cookie: adminCookie, origin: "null" }), { path: apiPath(), origin: "null" });
    });

    it("allows the session cookie with Sec-Fetch-Site: same-origin", async () => {
      await expectAllowed(() => request({ cookie: adminCookie, origin: null, headers: { "sec-fetch-site": "same-origin" } }));
    });

    it("allows the session cookie with the portal's own Origin", async () => {
      await expectAllowed(() => request({ cookie: adminCookie, origin: portal.baseUrl }));
    });

    it("allows a bearer token even with a foreign Origin (no ambient credential)", async () => {
      await expectAllowed(() => request({ token: adminToken, origin: EVIL, headers: { "sec-fetch-site": "cross-site" } }));
    });
  });
});

describe("a Remix-style form POST", () => {
  const form = { rawBody: "email=admin%40example.org&password=x", contentType: "application/x-www-form-urlencoded", fromRoot: true } as const;

  it("is refused with the session cookie and a foreign Origin before any route answers", async () => {
    const res = await expectCrossSiteRefusal(() => call(portal, "/login", { method: "POST", cookie: adminCookie, origin: EVIL, ...form }), {
      path: "/login",
      origin: EVIL,
    });
    expect(res.contentType).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/cross-site/i);
  });

  it("is refused with Sec-Fetch-Site: cross-site", async () => {
    await expectCrossSiteRefusal(() => call(portal, "/login", { method: "POST", cookie: adminCookie, origin: null, headers: { "sec-fetch-site": "cross-site" }, ...form }), {
      path: "/login",
    });
  });

  it("goes past the guard from the portal's own pages (404 here: the API-only portal has no pages)", async () => {
    const sameOrigin = await expectAllowed(() => call(portal, "/login", { method: "POST", cookie: adminCookie, origin: portal.baseUrl, ...form }));
    expect(sameOrigin.status).toBe(404);
    const fetchMeta = await expectAllowed(() => call(portal, "/login", { method: "POST", cookie: adminCookie, origin: null, headers: { "sec-fetch-site": "same-origin" }, ...form }));
    expect(fetchMeta.status).toBe(404);
  });
});

describe("reads and cookie-less requests", () => {
  it("a GET with the cookie from a foreign Origin is not refused (reads change nothing)", async () => {
    const res = await expectAllowed(() => call(portal, "/me", { cookie: adminCookie, origin: EVIL, headers: { "sec-fetch-site": "cross-site" } }));
    expect(res.status).toBe(200);
  });

  it("a tool without cookies or browser headers reaches the API as the public (401, not 403)", async () => {
    const res = await expectAllowed(() => call(portal, "/orgs", { method: "POST", body: { name: "Curl Co", kind: "company", country: "DE" } }));
    expect(res.status).toBe(401);
  });

  it("a cookie-less form posted from another site is still refused (the browser says cross-site)", async () => {
    await expectCrossSiteRefusal(() => call(portal, "/orgs", { method: "POST", body: {}, origin: EVIL, headers: { "sec-fetch-site": "cross-site" } }), {
      path: "/api/v1/orgs",
      origin: EVIL,
    });
  });
});

describe("crossSiteVerdict", () => {
  const ORIGIN = "https://portal.example";
  const COOKIE = "ewtp_session=abc.def";
  const base = { publicOrigin: ORIGIN };

  it.each([
    ["GET with a cookie from another site", { method: "GET", cookie: COOKIE, origin: "https://evil.example", secFetchSite: "cross-site" }, "allow"],
    ["HEAD with a cookie from another site", { method: "HEAD", cookie: COOKIE, origin: "https://evil.example" }, "allow"],
    ["OPTIONS preflight", { method: "options", origin: "https://evil.example", secFetchSite: "cross-site" }, "allow"],
    ["POST with the cookie and a foreign Origin", { method: "POST", cookie: COOKIE, origin: "https://evil.example" }, "refuse"],
    ["lower-case method with the cookie and a foreign Origin", { method: "post", cookie: COOKIE, origin: "https://evil.example" }, "refuse"],
    ["PUT with the cookie and Sec-Fetch-Site: cross-site", { method: "PUT", cookie: COOKIE, secFetchSite: "cross-site" }, "refuse"],
    ["PATCH with the cookie and Sec-Fetch-Site: same-site", { method: "PATCH", cookie: COOKIE, secFetchSite: "same-site" }, "refuse"],
    ["DELETE with the cookie and no browser headers at all", { method: "DELETE", cookie: COOKIE }, "refuse"],
    ["POST with the cookie and Origin: null", { method: "POST", cookie: COOKIE, origin: "null" }, "refuse"],
    ["POST with the cookie and an origin differing only by port", { method: "POST", cookie: COOKIE, origin: "https://portal.example:8443" }, "refuse"],
    ["POST with the cookie and an origin differing only by scheme", { method: "POST", cookie: COOKIE, origin: "http://portal.example" }, "refuse"],
    ["POST with the cookie and Sec-Fetch-Site: same-origin", { method: "POST", cookie: COOKIE, secFetchSite: "same-origin" }, "allow"],
    ["POST with the cookie and the portal's own Origin", { method: "POST", cookie: COOKIE, origin: ORIGIN }, "allow"],
    ["POST with the cookie, own Origin and Sec-Fetch-Site: none", { method: "POST", cookie: COOKIE, origin: ORIGIN, secFetchSite: "none" }, "allow"],
    ["POST with a bearer token and a foreign Origin", { method: "POST", authorization: "Bearer ewtp_pat_x", origin: "https://evil.example", secFetchSite: "cross-site" }, "allow"],
    ["POST with a bearer token and the cookie from another site", { method: "POST", authorization: "bearer ewtp_pat_x", cookie: COOKIE, origin: "https://evil.example" }, "allow"],
    ["POST with Basic credentials and the cookie from another site", { method: "POST", authorization: "Basic eDp5", cookie: COOKIE, origin: "https://evil.example" }, "refuse"],
    ["POST without cookie from another site (browser form)", { method: "POST", origin: "https://evil.example" }, "refuse"],
    ["POST without cookie, Sec-Fetch-Site: cross-site", { method: "POST", secFetchSite: "cross-site" }, "refuse"],
    ["POST without cookie or browser headers (a tool)", { method: "POST" }, "allow"],
    ["POST with only unrelated cookies and no browser headers", { method: "POST", cookie: "theme=dark; lang=de" }, "allow"],
    ["POST with a cookie whose name merely contains the session cookie's", { method: "POST", cookie: "xewtp_session=abc.def" }, "allow"],
    ["POST with the session cookie among others", { method: "POST", cookie: "theme=dark; ewtp_session=abc.def", origin: "https://evil.example" }, "refuse"],
  ] as const)("%s → %s", (_name, input, verdict) => {
    expect(crossSiteVerdict({ ...base, ...input })).toBe(verdict);
  });
});

describe("a flood of cross-site requests from one address", () => {
  it("is still refused, but audited only up to the bound, so the audit record cannot be grown at will", () => {
    resetRefusalCounts();
    const audited = Array.from({ length: 100 }, () => shouldAuditRefusal("203.0.113.9")).filter(Boolean).length;
    expect(audited).toBe(30);
    expect(shouldAuditRefusal("198.51.100.7")).toBe(true);
  });
});
