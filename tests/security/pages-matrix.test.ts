/**
 * The pages' authorization matrix: every Remix route module with a loader or an action
 * (discovered from app/routes) is probed as every kind of caller. What each probe needs is named
 * here as policy actions — the expected outcome is `can(...)` from app/policies/policy.ts on the
 * resource the URL names, read from the database at the time of the call, not a second table.
 *
 * A refusal answers the sign-in redirect (the public) or 404 when the caller may not see the
 * resource, else 403, and changes no table. An allowed call is not refused (it may be 400/409 for
 * the form's own reasons). A route module with no probes here fails the test.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { can, RESOURCE_ACTIONS, type Action } from "../../app/policies/policy";
import { TEST_PASSWORD } from "../support/factories";
import type { TestPortal } from "../support/portal";
import { ballotTarget, columns, commentTarget, fx, makeFixtures, proposalTarget, sql, standardTarget, tableHashes, type Target } from "./fixtures";
import { startPagesPortal } from "./support";

type On = "draft" | "published" | "proposal" | "ballot" | "comment" | "webhook" | "adminToken";
type Probe = {
  method: "GET" | "POST";
  /** The URL; `:draft`, `:published`, `:version`, `:proposal`, `:ballot`, `:victim` are filled from the fixtures. */
  url: string;
  form?: () => Record<string, string>;
  /** The policy actions the probe needs (all must allow), or "public" for a page anyone may use. */
  needs: Action[] | "public";
  /** The resource the URL (or form) names. */
  on?: On;
  /** The resource is named in the form, not the URL: one the caller may not see is a field error (422), as for one that does not exist. */
  inForm?: boolean;
  /** Statuses a public probe may answer besides 2xx/3xx (e.g. 404 for the setup page once set up). */
  publicStatuses?: number[];
};

/** Every route module with a loader or an action, and how to probe it. */
const PAGES: Record<string, Probe[] | { excluded: string }> = {
  "_index.tsx": [{ method: "GET", url: "/", needs: "public" }],
  "admin._index.tsx": [{ method: "GET", url: "/admin", needs: ["user.list", "outbox.read"] }],
  "admin.audit.tsx": [{ method: "GET", url: "/admin/audit", needs: ["audit.read"] }],
  "admin.ballots.new.tsx": [
    { method: "GET", url: "/admin/ballots/new", needs: ["ballot.create"] },
    { method: "POST", url: "/admin/ballots/new", form: () => ({ subject: `revision:${fx.draft}:00`, rule: "simple-majority", voterUnit: "individual", roles: "expert" }), needs: ["ballot.create"] },
  ],
  "admin.committees.tsx": [
    { method: "GET", url: "/admin/committees", needs: ["committee.list", "user.list"] },
    { method: "POST", url: "/admin/committees", form: () => ({ code: "PGX", name: "Pages matrix" }), needs: ["committee.create"] },
  ],
  "admin.members.$id.tsx": [
    { method: "GET", url: "/admin/members/:victim", needs: ["user.list"] },
    { method: "POST", url: "/admin/members/:victim", form: () => ({ intent: "save", name: "Renamed by pages", role: "member", orgId: sql<{ orgId: string }>("select org_id as orgId from users where id = ?", fx.victim)!.orgId }), needs: ["user.update"] },
    { method: "POST", url: "/admin/members/:victim", form: () => ({ intent: "status", status: "disabled" }), needs: ["user.disable"] },
  ],
  "admin.members.tsx": [
    { method: "GET", url: "/admin/members", needs: ["user.list"] },
    { method: "POST", url: "/admin/members", form: () => ({ email: `pages-${Math.random().toString(36).slice(2, 8)}@example.org`, name: "Pages invitee", orgId: sql<{ id: string }>("select id from organizations where kind = 'company' limit 1")!.id, role: "member" }), needs: ["user.create"] },
  ],
  "admin.organisations.tsx": [
    { method: "GET", url: "/admin/organisations", needs: ["org.list", "user.list"] },
    { method: "POST", url: "/admin/organisations", form: () => ({ name: `Pages Org ${Math.random().toString(36).slice(2, 8)}`, kind: "company", country: "DE" }), needs: ["org.create"] },
  ],
  "admin.outbox.tsx": [{ method: "GET", url: "/admin/outbox", needs: ["outbox.read"] }],
  "admin.tsx": [{ method: "GET", url: "/admin/audit", needs: ["user.list", "audit.read"] }],
  "ballots.$id.tsx": [
    { method: "GET", url: "/ballots/:ballot", needs: ["ballot.read"], on: "ballot" },
    { method: "POST", url: "/ballots/:ballot", form: () => ({ intent: "vote", position: "approve" }), needs: ["ballot.vote"], on: "ballot" },
    { method: "POST", url: "/ballots/:ballot", form: () => ({ intent: "close" }), needs: ["ballot.close"], on: "ballot" },
    { method: "POST", url: "/ballots/:ballot", form: () => ({ intent: "cancel", reason: "Pages matrix", confirm: "yes" }), needs: ["ballot.cancel"], on: "ballot" },
  ],
  "ballots._index.tsx": [{ method: "GET", url: "/ballots", needs: "public" }],
  "forgot-password.tsx": [{ method: "POST", url: "/forgot-password", form: () => ({ email: "nobody@example.org" }), needs: "public" }],
  "invite.$token.tsx": [
    { method: "GET", url: "/invite/not-a-token", needs: "public", publicStatuses: [404, 410] },
    { method: "POST", url: "/invite/not-a-token", form: () => ({ password: "a long enough password", confirmPassword: "a long enough password" }), needs: "public", publicStatuses: [400, 404, 410] },
  ],
  "language.tsx": [
    { method: "GET", url: "/language", needs: "public" },
    { method: "POST", url: "/language", form: () => ({ locale: "en", redirectTo: "/" }), needs: "public" },
  ],
  "login.tsx": [
    { method: "GET", url: "/login", needs: "public" },
    { method: "POST", url: "/login", form: () => ({ email: "nobody@example.org", password: "not the password" }), needs: "public", publicStatuses: [401] },
  ],
  "logout.tsx": { excluded: "signing out ends the caller's session; tests/security/sessions.test.ts" },
  "notifications.tsx": [
    { method: "GET", url: "/notifications", needs: ["notification.read"] },
    { method: "POST", url: "/notifications", form: () => ({ intent: "read" }), needs: ["notification.read"] },
    { method: "POST", url: "/notifications", form: () => ({ "ballot.opened:inPortal": "on" }), needs: ["notification.configure"] },
  ],
  "proposals.$id.tsx": [
    { method: "GET", url: "/proposals/:proposal", needs: ["proposal.read"], on: "proposal" },
    { method: "POST", url: "/proposals/:proposal", form: () => ({ intent: "submit" }), needs: ["proposal.submit"], on: "proposal" },
    { method: "POST", url: "/proposals/:proposal", form: () => ({ intent: "apply" }), needs: ["proposal.apply"], on: "proposal" },
    { method: "POST", url: "/proposals/:proposal", form: () => ({ intent: "withdraw", reason: "Pages matrix" }), needs: ["proposal.withdraw"], on: "proposal" },
  ],
  "proposals.$id_.edit.tsx": [
    { method: "GET", url: "/proposals/:proposal/edit", needs: ["proposal.read"], on: "proposal" },
    { method: "POST", url: "/proposals/:proposal/edit", form: () => ({ intent: "check-rules", sources: "[]" }), needs: ["proposal.read"], on: "proposal" },
  ],
  "proposals._index.tsx": [{ method: "GET", url: "/proposals", needs: ["proposal.list"] }],
  "proposals.new.tsx": [
    { method: "GET", url: "/proposals/new", needs: ["proposal.list"] },
    { method: "POST", url: "/proposals/new", form: () => ({ kind: "amendment", title: "Pages amendment", rationale: "Made by the pages matrix.", standardId: fx.draft }), needs: ["proposal.create"], on: "draft", inForm: true },
  ],
  "releases._index.tsx": [{ method: "GET", url: "/releases", needs: "public" }],
  "reset-password.$token.tsx": [
    { method: "GET", url: "/reset-password/not-a-token", needs: "public", publicStatuses: [404, 410] },
    { method: "POST", url: "/reset-password/not-a-token", form: () => ({ password: "a long enough password", confirmPassword: "a long enough password" }), needs: "public", publicStatuses: [400, 404, 410] },
  ],
  "search.tsx": [{ method: "GET", url: "/search?q=parcel", needs: "public" }],
  "settings.tsx": [
    { method: "GET", url: "/settings", needs: ["account.read"] },
    { method: "POST", url: "/settings", form: () => ({ intent: "token", label: "pages matrix" }), needs: ["token.create"] },
    { method: "POST", url: "/settings", form: () => ({ intent: "revoke", tokenId: adminTokenId() }), needs: ["token.revoke"], on: "adminToken", inForm: true },
    { method: "POST", url: "/settings", form: () => ({ intent: "password", currentPassword: "wrong current password", newPassword: "a new passphrase here", confirmPassword: "a new passphrase here" }), needs: ["account.changePassword"] },
  ],
  "settings_.webhooks.tsx": [
    { method: "GET", url: "/settings/webhooks", needs: ["webhook.manage"] },
    { method: "POST", url: "/settings/webhooks", form: () => ({ intent: "create", url: "https://hooks.example.com/pages", events: "release.published" }), needs: ["webhook.create"] },
    { method: "POST", url: "/settings/webhooks", form: () => ({ intent: "remove", webhookId: fx.webhook }), needs: ["webhook.manage"], on: "webhook" },
  ],
  "setup.tsx": [
    { method: "GET", url: "/setup", needs: "public", publicStatuses: [404] },
    { method: "POST", url: "/setup", form: () => ({ email: "second@example.org", name: "Second admin", password: TEST_PASSWORD }), needs: "public", publicStatuses: [404] },
  ],
  "standards.$id.tsx": [
    { method: "GET", url: "/standards/:draft", needs: ["standard.read"], on: "draft" },
    { method: "GET", url: "/standards/:published", needs: ["standard.read"], on: "published" },
  ],
  "standards.$id_.ballots.tsx": [
    { method: "GET", url: "/standards/:draft/ballots", needs: ["standard.read"], on: "draft" },
    { method: "GET", url: "/standards/:published/ballots", needs: ["standard.read"], on: "published" },
  ],
  "standards.$id_.comments.tsx": [
    { method: "GET", url: "/standards/:draft/comments", needs: ["standard.readDraft"], on: "draft" },
    { method: "POST", url: "/standards/:draft/comments", form: () => ({ intent: "reply", commentId: fx.comment, body: "A reply from the pages matrix" }), needs: ["comment.create"], on: "comment" },
    { method: "POST", url: "/standards/:draft/comments", form: () => ({ intent: "resolve", commentId: fx.comment, status: "noted", response: "Seen" }), needs: ["comment.resolve"], on: "comment" },
  ],
  "standards.$id_.comments[.]csv.tsx": [{ method: "GET", url: "/standards/:draft/comments.csv", needs: ["standard.readDraft"], on: "draft" }],
  "standards.$id_.diff.tsx": [{ method: "GET", url: "/standards/:draft/diff?from=00&to=draft", needs: ["standard.readDraft"], on: "draft" }],
  "standards.$id_.edit.tsx": [
    { method: "GET", url: "/standards/:draft/edit", needs: ["standard.readDraft"], on: "draft" },
    { method: "POST", url: "/standards/:draft/edit", form: () => ({ intent: "check-rules", sources: "[]" }), needs: ["standard.readDraft"], on: "draft" },
  ],
  "standards.$id_.releases.tsx": [
    { method: "GET", url: "/standards/:published/releases", needs: ["standard.read"], on: "published" },
    { method: "GET", url: "/standards/:draft/releases", needs: ["standard.read"], on: "draft" },
    { method: "POST", url: "/standards/:published/releases", form: () => ({ revision: "00" }), needs: ["release.publish"], on: "published" },
  ],
  "standards.$id_.releases_.$version.tsx": [
    { method: "GET", url: "/standards/:published/releases/:version", needs: "public" },
    { method: "POST", url: "/standards/:published/releases/:version", form: () => ({ input: "{}" }), needs: "public" },
  ],
  "standards.$id_.revisions.tsx": [
    { method: "GET", url: "/standards/:draft/revisions", needs: ["standard.read"], on: "draft" },
    { method: "POST", url: "/standards/:draft/revisions", form: () => ({ intent: "freeze" }), needs: ["standard.freezeRevision"], on: "draft" },
    { method: "POST", url: "/standards/:draft/revisions", form: () => ({ intent: "status", to: "review" }), needs: ["standard.changeStatus"], on: "draft" },
  ],
  "standards.$id_.translations.tsx": [
    { method: "GET", url: "/standards/:published/translations", needs: ["standard.translate", "standard.read"], on: "published" },
    {
      method: "POST",
      url: "/standards/:published/translations",
      form: () => ({ intent: "save", locale: "fr", title: "Titre traduit", scope: "Portée traduite" }),
      needs: ["standard.translate", "standard.read"],
      on: "published",
    },
  ],
  "standards._index.tsx": [{ method: "GET", url: "/standards", needs: "public" }],
  "transparency.tsx": [{ method: "GET", url: "/transparency", needs: "public" }],
};

const routesDir = path.resolve("app/routes");
const exportsOf = (file: string) => {
  const text = fs.readFileSync(path.join(routesDir, file), "utf8");
  return {
    loader: /export\s+(async\s+)?(function|const)\s+loader\b/.test(text),
    action: /export\s+(async\s+)?(function|const)\s+action\b/.test(text),
  };
};
const routeFiles = fs.readdirSync(routesDir).filter((f) => /\.tsx?$/.test(f));

function targetFor(on: On | undefined): Target | null {
  switch (on) {
    case "draft":
      return standardTarget(fx.draft);
    case "published":
      return standardTarget(fx.published);
    case "proposal":
      return proposalTarget(fx.proposal);
    case "ballot":
      return ballotTarget(fx.ballot);
    case "comment":
      return commentTarget(fx.comment);
    case "adminToken":
      // A token belongs to its owner: another member's token is not even visible.
      return { forAction: () => undefined, visible: (a) => a?.id === fx.webhookOwner };
    case "webhook":
      return { forAction: () => undefined, visible: (a) => a?.id === fx.webhookOwner && !!sql("select 1 from webhooks where id = ?", fx.webhook) };
    default:
      return null;
  }
}

const adminTokenId = () => sql<{ id: string }>("select id from access_tokens where user_id = ? and read_only = 1 order by created_at limit 1", fx.webhookOwner)!.id;

const fill = (url: string) =>
  url
    .replace(":draft", fx.draft)
    .replace(":published", fx.published)
    .replace(":version", fx.version)
    .replace(":proposal", fx.proposal)
    .replace(":ballot", fx.ballot)
    .replace(":victim", fx.victim);

let portal: TestPortal;

beforeAll(async () => {
  portal = await startPagesPortal();
  await makeFixtures(portal);
}, 90_000);

afterAll(async () => portal?.close());

describe("the pages' authorization matrix", () => {
  it("has probes for every route module with a loader or an action (discovered from app/routes)", () => {
    const missing: string[] = [];
    for (const file of routeFiles) {
      const { loader, action } = exportsOf(file);
      if (!loader && !action) continue;
      const entry = PAGES[file];
      if (!entry) {
        missing.push(`${file}: no entry`);
        continue;
      }
      if ("excluded" in entry) continue;
      if (loader && !entry.some((p) => p.method === "GET") && !/return redirect/.test(fs.readFileSync(path.join(routesDir, file), "utf8"))) missing.push(`${file}: its loader has no GET probe`);
      if (action && !entry.some((p) => p.method === "POST")) missing.push(`${file}: its action has no POST probe`);
    }
    expect(missing).toEqual([]);
    expect(Object.keys(PAGES).filter((f) => !routeFiles.includes(f)), "entries for route modules that no longer exist").toEqual([]);
  });

  it("answers every probe for every caller as the policy decides, and a refusal writes nothing", async () => {
    // Browsers sign in with cookies: the read-only token columns are the API matrix's.
    const callers = columns.filter((c) => !c.name.startsWith("ro:"));
    const probes = Object.values(PAGES).flatMap((e) => ("excluded" in e ? [] : e));
    // Removing the webhook last, so it is there for everything else.
    const last = (p: Probe) => Number(p.on === "webhook" || p.on === "adminToken");
    probes.sort((a, b) => last(a) - last(b));
    const mismatches: string[] = [];
    let refusals = 0;
    let allowed = 0;
    for (const probe of probes) {
      for (const column of callers) {
        const url = fill(probe.url);
        const where = `${probe.method} ${url} ${probe.form ? JSON.stringify(probe.form()).slice(0, 60) : ""} as ${column.name}`;
        const target = targetFor(probe.on);
        const headers: Record<string, string> = {};
        if (column.cookie) headers.cookie = column.cookie;
        let body: string | undefined;
        if (probe.method === "POST") {
          headers.origin = portal.baseUrl;
          headers["content-type"] = "application/x-www-form-urlencoded";
          body = new URLSearchParams(probe.form?.() ?? {}).toString();
        }
        if (probe.needs === "public") {
          const res = await fetch(portal.baseUrl + url, { method: probe.method, headers, body, redirect: "manual" });
          await res.text();
          if (!(res.status < 400 || (probe.publicStatuses ?? []).includes(res.status))) mismatches.push(`${where}: a public page answered ${res.status}`);
          continue;
        }
        const allows = (action: Action) => {
          const resource = RESOURCE_ACTIONS.has(action) ? [target?.forAction(action, column.actor)] : [];
          return can(column.actor, action as never, ...(resource as [])) && (target?.extra?.(action, column.actor) ?? true);
        };
        const visible = target?.visible?.(column.actor) ?? true;
        const may = probe.needs.every(allows) && visible;
        const actorRefused = probe.needs.some((a) => !RESOURCE_ACTIONS.has(a) && !allows(a));
        const before = may ? {} : tableHashes();
        const res = await fetch(portal.baseUrl + url, { method: probe.method, headers, body, redirect: "manual" });
        const text = await res.text();
        const toLogin = res.status === 302 && (res.headers.get("location") ?? "").startsWith("/login");
        const status = toLogin ? "login" : res.status;
        if (may) {
          allowed++;
          if (status === "login" || [401, 403, 404].includes(res.status) || res.status >= 500) mismatches.push(`${where}: allowed by the policy, answered ${status} ${text.slice(0, 120)}`);
          continue;
        }
        refusals++;
        const invisible: (number | "login")[] = probe.inForm ? [404, 422] : [404];
        const expected: (number | "login")[] = column.actor === null ? (visible ? ["login"] : ["login", ...invisible]) : visible ? [403] : actorRefused ? [403, ...invisible] : invisible;
        if (!expected.includes(status)) mismatches.push(`${where}: refused by the policy, expected ${expected.join(" or ")}, answered ${status} ${text.slice(0, 120)}`);
        const after = tableHashes();
        const changed = Object.keys(after).filter((t) => after[t] !== (before as Record<string, string>)[t]);
        if (changed.length) mismatches.push(`${where}: refused, yet wrote to ${changed.join(", ")}`);
      }
    }
    console.info(`pages authorization matrix: ${refusals} refusals checked${typeof allowed === "number" ? `, ${allowed} allowed calls` : ""}`);
    expect(mismatches).toEqual([]);
    expect(refusals).toBeGreaterThan(150);
  }, 420_000);
});
