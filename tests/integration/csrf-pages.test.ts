/**
 * Cross-site refusal for the pages: every Remix route module that exports an `action` (discovered
 * from app/routes, not listed by hand) refuses a form POST that carries the session cookie from
 * another site, before the route runs.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetRefusalCounts } from "../../app/auth/csrf.server";
import { createAdmin, sessionCookieFor } from "../support/factories";
import { call } from "../support/http";
import { startPortal, tableCounts, type TestPortal } from "../support/portal";

/** The URL path a flat-routes file name answers, with parameters filled in. */
function routePath(file: string): string {
  const segments = file
    .replace(/\.tsx?$/, "")
    .split(".")
    .filter((s) => s !== "_index" && !s.startsWith("_"))
    .map((s) => (s.startsWith("$") ? "x" : s.replace(/^\((.*)\)$/, "$1")));
  return "/" + segments.join("/");
}

const routesDir = path.resolve("app/routes");
const withActions = fs
  .readdirSync(routesDir)
  .filter((f) => /\.tsx?$/.test(f))
  .filter((f) => /export\s+(async\s+)?(function|const)\s+action\b/.test(fs.readFileSync(path.join(routesDir, f), "utf8")))
  .map(routePath);

let portal: TestPortal;
let cookie: string;

beforeAll(async () => {
  portal = await startPortal();
  cookie = sessionCookieFor((await createAdmin()).user.id);
});
beforeEach(() => resetRefusalCounts());
afterAll(async () => portal?.close());

describe("pages with a form action", () => {
  it("are discovered from the route table", () => {
    expect(withActions).toEqual(expect.arrayContaining(["/login", "/logout", "/setup", "/settings", "/admin/members"]));
  });

  it.each(withActions)("%s refuses a cross-site form post carrying the session cookie", async (route) => {
    const before = tableCounts(portal.db);
    const res = await call(portal, route, {
      method: "POST",
      fromRoot: true,
      cookie,
      origin: "https://evil.example",
      rawBody: "intent=x&name=Mallory",
      contentType: "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(403);
    expect(res.text).toMatch(/Cross-site request refused/);
    const after = tableCounts(portal.db);
    expect({ ...after, audit_events: 0 }).toEqual({ ...before, audit_events: 0 });
  });

  it.each(withActions)("%s refuses a post the browser marks cross-site even without a cookie", async (route) => {
    const res = await call(portal, route, {
      method: "POST",
      fromRoot: true,
      origin: null,
      headers: { "sec-fetch-site": "cross-site" },
      rawBody: "email=a%40b.c&password=x",
      contentType: "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(403);
  });
});
