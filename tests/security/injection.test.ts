/**
 * Injection: script elements, event-handler attributes and `javascript:` links put into every
 * place a member can write — the draft (Markdown through the draft API, as the editor stores it),
 * rule text, comments, member and organisation names — must come out inert wherever they are shown:
 * the rendered pages (as signed-in readers and as the public), the Atom feed, the mail in the
 * outbox, and the published release's HTML. The assertions are on what a browser would execute in
 * the HTML it receives (tests/security/support.ts `executableParts`), not on internals.
 *
 * Log injection: newlines and control characters in names and paths must not forge log lines.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Parser } from "htmlparser2";
import { createAdmin, createOrg, createUser, sessionCookieFor } from "../support/factories";
import { call } from "../support/http";
import type { TestPortal } from "../support/portal";
import { publishTestRelease } from "../support/releases";
import { cspNonce, executableParts, startPagesPortal } from "./support";

const STANDARD = "EWTP-TAR-001";

/** Every payload, each tagged with a number so a finding says which one got through. */
const PAYLOADS = [
  `<script>alert(1)</script>`,
  `<img src=x onerror="alert(2)">`,
  `<a href="javascript:alert(3)">raw link</a>`,
  `[markdown link](javascript:alert(4))`,
  `[mixed case](JaVaScRiPt:alert(5))`,
  `[entity](&#106;avascript:alert(6))`,
  `![image](javascript:alert(7))`,
  `<svg onload="alert(8)"></svg>`,
  `<iframe src="javascript:alert(9)"></iframe>`,
  `<a href="  javascript:alert(10)">spaced</a>`,
  `[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMSk8L3NjcmlwdD4=)`,
  `"><script>alert(12)</script>`,
];
const EVIL = PAYLOADS.join("\n\n");

let portal: TestPortal;
let adminCookie: string;
let memberCookie: string;
let version: string;
let proposalId: string;
const logLines: string[] = [];

beforeAll(async () => {
  portal = await startPagesPortal();
  // Everything the portal logs, one call per line it means to write.
  for (const level of ["log", "warn", "error", "info"] as const) {
    const original = console[level].bind(console);
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logLines.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(" "));
      void original;
    });
  }
  const admin = (await createAdmin()).user;
  adminCookie = sessionCookieFor(admin.id);
  const org = createOrg({ kind: "company", name: `Evil <img src=x onerror=alert(20)> Corp` });
  const member = await createUser({ org, role: "member", committees: ["TAR"], name: `Mallory <script>alert(21)</script>` });
  memberCookie = sessionCookieFor(member.id);

  // The draft as the editor stores it (the draft API), with payloads in the prose and in a rule's title and description.
  const draft = await call(portal, `/standards/${STANDARD}/draft`, { cookie: adminCookie });
  expect(draft.status, draft.text).toBe(200);
  const markdown = (draft.body.markdown as string)
    .replace(/"title": "EU: import VAT charged at the point of sale under IOSS"/, `"title": "IOSS <script>alert(30)</script><img src=x onerror=alert(31)>"`)
    .replace(/"description": "A B2C consignment into the EU customs territory with an intrinsic value not exceeding EUR 150 that is declared/, `"description": "<a href=\\"javascript:alert(32)\\">x</a> A B2C consignment into the EU customs territory with an intrinsic value not exceeding EUR 150 that is declared`)
    .replace(/\n## /, `\n${EVIL}\n\n## `);
  expect(markdown).toContain("alert(30)");
  const saved = await call(portal, `/standards/${STANDARD}/draft`, { method: "PUT", cookie: adminCookie, body: { markdown } });
  expect(saved.status, saved.text).toBe(200);

  // A comment and a reply with the payloads, by the member with the evil name.
  const comment = await call(portal, `/standards/${STANDARD}/comments`, { method: "POST", cookie: memberCookie, body: { body: EVIL, kind: "technical" } });
  expect(comment.status, comment.text).toBe(201);
  const reply = await call(portal, `/comments/${comment.body.comment.id}/replies`, { method: "POST", cookie: adminCookie, body: { body: `Re: ${PAYLOADS[0]} @Mallory` } });
  expect(reply.status, reply.text).toBe(201);

  // An invitation (mail in the outbox) to someone with an evil name in the evil organisation.
  const invited = await call(portal, "/users", { method: "POST", cookie: adminCookie, body: { email: "victim@example.org", name: `Victim <img src=x onerror=alert(40)>`, orgId: org.id, role: "member", committees: ["TAR"] } });
  expect(invited.status, invited.text).toBe(201);

  // A proposal with the payloads in its title, rationale and text, by the member (on a frozen revision).
  expect((await call(portal, `/standards/${STANDARD}/revisions`, { method: "POST", cookie: adminCookie })).status).toBe(201);
  const proposal = await call(portal, "/proposals", {
    method: "POST",
    cookie: memberCookie,
    body: { kind: "amendment", title: `Amend <img src=x onerror=alert(50)>`, rationale: `Because ${PAYLOADS[0]} ${PAYLOADS[3]}`, standardId: STANDARD },
  });
  expect(proposal.status, proposal.text).toBe(201);
  proposalId = proposal.body.proposal.id;
  const text = await call(portal, `/proposals/${proposalId}/draft`, { method: "PUT", cookie: memberCookie, body: { markdown: `${markdown}\n\n${EVIL}\n` } });
  expect(text.status, text.text).toBe(200);
  // A mention of the admin in a comment: a notification whose text quotes the comment.
  await call(portal, `/standards/${STANDARD}/comments`, { method: "POST", cookie: memberCookie, body: { body: `@[Admin](${admin.id}) look: ${PAYLOADS[1]}`, kind: "general" } });

  // Published: the release's files, pages and the feed carry the same text.
  version = publishTestRelease({ standard: STANDARD, adminId: admin.id, markdown: `${markdown}\n\nAs published.\n` }).version;
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await portal?.close();
});

/** A page as a browser gets it, and what in it would run besides the portal's own (nonce-carrying) scripts. */
async function page(path: string, cookie?: string): Promise<string> {
  const res = await fetch(portal.baseUrl + path, { headers: cookie ? { cookie } : {}, redirect: "manual" });
  const html = await res.text();
  expect(res.status, `${path}: ${html.slice(0, 300)}`).toBe(200);
  const nonce = cspNonce(res.headers);
  expect(nonce, "the page's CSP names a script nonce").toBeTruthy();
  lastRun = executableParts(html, { nonce });
  return html;
}
let lastRun: string[] = [];

describe("script in what members write is inert wherever it is shown", () => {
  const pages = [
    `/standards/${STANDARD}`,
    `/standards/${STANDARD}/comments`,
    `/standards/${STANDARD}/revisions`,
    `/standards/${STANDARD}/diff?from=00&to=draft`,
    `/standards/${STANDARD}/releases`,
    `/search?q=IOSS`,
    `/transparency`,
    `/releases`,
    `/admin/members`,
    `/admin/organisations`,
    `/admin/outbox`,
    `/proposals/new`,
    `/proposals`,
    `/notifications`,
    `/standards/${STANDARD}/edit`,
  ];

  it("the proposal's page, its editor and its comments run only the portal's own scripts", async () => {
    for (const path of [`/proposals/${proposalId}`, `/proposals/${proposalId}/edit`]) {
      const html = await page(path, adminCookie);
      expect(lastRun, path).toEqual([]);
      expect(html, path).toContain("alert(50)");
    }
  });

  it.each(pages)("%s (signed in) runs only the portal's own scripts", async (path) => {
    await page(path, adminCookie);
    expect(lastRun).toEqual([]);
  });

  it("the release page, the standard and the search as the public run only the portal's own scripts", async () => {
    for (const path of [`/standards/${STANDARD}/releases/${version}`, `/standards/${STANDARD}`, `/search?q=IOSS`, `/releases`]) {
      await page(path);
      expect(lastRun, path).toEqual([]);
    }
  });

  it("the payloads really reached the pages (as text)", async () => {
    const html = await page(`/standards/${STANDARD}/comments`, adminCookie);
    expect(html).toContain("alert(21)");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(await page(`/standards/${STANDARD}`, adminCookie)).toContain("alert(30)");
  });

  it("the published document.html has no script, handler or javascript: link", async () => {
    const res = await fetch(`${portal.apiUrl}/standards/${STANDARD}/releases/${version}/document.html`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("IOSS");
    expect(executableParts(html)).toEqual([]);
    // And were anything to slip through, the file's own policy forbids scripts on the portal's origin.
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).not.toMatch(/script-src/);
  });

  it("the Atom feed's HTML content (what a feed reader renders) is inert", async () => {
    const res = await fetch(`${portal.baseUrl}/releases.atom`);
    expect(res.status).toBe(200);
    const xml = await res.text();
    // The feed itself is well-formed XML with no live markup...
    expect(executableParts(xml)).toEqual([]);
    // ...and each entry's text as a reader would render it (entities decoded, then parsed as HTML).
    const htmlParts: string[] = [];
    let inHtml = false;
    let buffer = "";
    const parser = new Parser(
      {
        onopentag(name, attrs) {
          if (["content", "summary", "title", "subtitle"].includes(name)) {
            inHtml = true;
            buffer = attrs.type === "html" || attrs.type === "xhtml" ? "" : "";
          }
        },
        ontext(text) {
          if (inHtml) buffer += text;
        },
        onclosetag(name) {
          if (["content", "summary", "title", "subtitle"].includes(name)) {
            inHtml = false;
            htmlParts.push(buffer);
          }
        },
      },
      { xmlMode: true, decodeEntities: true },
    );
    parser.write(xml);
    parser.end();
    expect(htmlParts.length).toBeGreaterThan(0);
    for (const part of htmlParts) expect(executableParts(part), part).toEqual([]);
  });

  it("the invitation mail carries the names as plain text, with no header injection", () => {
    const mail = portal.db.$client.prepare("select * from outbox where \"to\" = 'victim@example.org'").get() as { subject: string; text: string } | undefined;
    expect(mail).toBeDefined();
    expect(mail!.subject).not.toMatch(/[\r\n]/);
    // Mail is plain text: no HTML part a mail client could run.
    expect(Object.keys(mail!)).not.toContain("html");
  });
});

describe("log injection", () => {
  it("names with newlines or control characters are refused at the boundary", async () => {
    const before = logLines.length;
    const forged = "Eve\n2026-01-01T00:00:00.000Z GET /admin 200 1.0ms";
    const orgs = await call(portal, "/orgs", { method: "POST", cookie: adminCookie, body: { name: forged, kind: "company", country: "DE" } });
    expect(orgs.status, orgs.text).toBe(400);
    const committee = await call(portal, "/committees", { method: "POST", cookie: adminCookie, body: { code: "EVL", name: forged } });
    expect(committee.status, committee.text).toBe(400);
    const person = await call(portal, "/users", { method: "POST", cookie: adminCookie, body: { email: "eve@example.org", name: forged, orgId: "x", role: "member" } });
    expect(person.status, person.text).toBe(400);
    const standard = await call(portal, "/standards", { method: "POST", cookie: adminCookie, body: { committee: "TAR", title: forged, scope: "A scope long enough to pass." } });
    expect(standard.status, standard.text).toBe(400);
    const proposal = await call(portal, "/proposals", { method: "POST", cookie: memberCookie, body: { kind: "amendment", title: forged, rationale: "A rationale long enough.", standardId: STANDARD } });
    expect(proposal.status, proposal.text).toBe(400);
    expect(logLines.slice(before).filter((l) => /[\r\n]/.test(l))).toEqual([]);
  });

  it("a newline in a path never forges a log line (refused votes, proposal steps, requests)", async () => {
    const before = logLines.length;
    const forgedId = encodeURIComponent("x\n2026-01-01T00:00:00.000Z refused vote: forged\r");
    await call(portal, `/ballots/${forgedId}/vote`, { method: "PUT", cookie: memberCookie, body: { position: "approve" } });
    await call(portal, `/proposals/${forgedId}/submit`, { method: "POST", cookie: memberCookie });
    await call(portal, `/standards/${forgedId}`, { fromRoot: true });
    const written = logLines.slice(before);
    expect(written.filter((l) => /[\r\n\u0000-\u0008\u000b-\u001f]/.test(l))).toEqual([]);
  });
});
