/**
 * The ballot page lists a large frozen roll a part at a time: counts for the whole roll (everyone,
 * voted, not yet voted) with links that list each part, 50 units a page, with plain links (no
 * JavaScript needed). Rendered server-side by the production build (run `npm run build` first), as
 * a browser without JavaScript gets it; the tally still covers the whole roll.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../app/auth/password.server";
import { createBallot } from "../../app/domain/ballots.server";
import { createUserWithHash } from "../../app/domain/members.server";
import { freezeRevision } from "../../app/domain/revisions.server";
import { ROLL_PAGE_SIZE } from "../../app/domain/roll-view";
import { accessTokenFor, createAdmin, createOrg, sessionCookieFor } from "../support/factories";
import { call } from "../support/http";
import type { TestPortal } from "../support/portal";
import { startPagesPortal } from "../security/support";

const UNITS = 180;
const VOTED = 12;
const ORG = "Institute for Large Rolls";
/** A person's unit on the roll, as the page labels it: their name and organisation. */
const label = (n: number) => `Roll Expert ${String(n).padStart(3, "0")} (${ORG})`;

let portal: TestPortal;
let adminCookie: string;
let voterCookie: string;
let ballotId: string;
/** The roll's labels, in the page's order. */
let names: string[];
let votedNames: Set<string>;

beforeAll(async () => {
  portal = await startPagesPortal();
  const admin = (await createAdmin()).user;
  adminCookie = sessionCookieFor(admin.id);
  const org = createOrg({ kind: "expert", name: ORG });
  const hash = await hashPassword("a long and private passphrase");
  const ids: string[] = [];
  for (let n = 0; n < UNITS; n++) {
    const { user } = createUserWithHash({ email: `roll-${n}@rolls.example`, name: `Roll Expert ${String(n).padStart(3, "0")}`, orgId: org.id, role: "expert", committees: ["TRU"] }, hash, null);
    ids.push(user.id);
  }
  const revision = freezeRevision({ standardId: "EWTP-TRU-001", actorId: admin.id });
  ballotId = createBallot(
    {
      subject: { standardId: "EWTP-TRU-001", revision: revision.number },
      rule: "simple-majority",
      voterUnit: "individual",
      eligible: { roles: ["expert"], committees: ["TRU"] },
      closesAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
      resultsVisible: "live",
    },
    admin.id,
  ).id;
  // Every 15th expert votes (names spread over the roll, not only its first page).
  votedNames = new Set();
  for (let n = 0; n < UNITS && votedNames.size < VOTED; n += 15) {
    const res = await call(portal, `/ballots/${ballotId}/vote`, { method: "PUT", token: accessTokenFor(ids[n]).token, body: { position: n % 2 ? "disapprove" : "approve", reason: "Checked." } });
    expect(res.status, res.text).toBeLessThan(300);
    votedNames.add(label(n));
  }
  voterCookie = sessionCookieFor(ids[UNITS - 1]);
  names = Array.from({ length: UNITS }, (_, n) => label(n));
}, 120_000);

afterAll(async () => {
  await portal?.close();
});

const decode = (s: string) => s.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");

type RollPage = { status: number; html: string; rows: string[]; filters: { text: string; href: string; current: boolean }[]; pageLinks: string[]; summary: string | null };

/** Loads the ballot page and reads its roll section as a user sees it. */
async function rollPage(query = "", cookie = adminCookie): Promise<RollPage> {
  const res = await call(portal, `/ballots/${ballotId}${query}`, { fromRoot: true, cookie, headers: { "accept-language": "en" } });
  const html = res.text;
  const section = html.match(/<section class="card" aria-labelledby="ballot-roll" id="roll">([\s\S]*?)<\/section>/)?.[1] ?? "";
  const rows = [...section.matchAll(/<tr><th scope="row">([^<]*)<\/th>/g)].map((m) => decode(m[1]));
  const filters = [...section.matchAll(/<li><a href="([^"]*)"( aria-current="true")?>([^<]*)<\/a><\/li>/g)].map((m) => ({ href: decode(m[1]), current: !!m[2], text: decode(m[3]) }));
  const nav = section.match(/<nav class="pagination"[^>]*>([\s\S]*?)<\/nav>/)?.[1] ?? "";
  const pageLinks = [...nav.matchAll(/<a href="([^"]+)"/g)].map((m) => decode(m[1]));
  const summary = nav.match(/pagination__summary[^>]*>([^<]*)</)?.[1] ?? null;
  return { status: res.status, html, rows, filters, pageLinks, summary: summary && decode(summary) };
}

describe("the ballot page's roll, for a large roll", () => {
  it("lists only the first 50 units by default, with the whole roll counted", async () => {
    const p = await rollPage();
    expect(p.status).toBe(200);
    expect(ROLL_PAGE_SIZE).toBe(50);
    expect(p.rows).toEqual(names.slice(0, 50));
    // Not the rest of the roll: neither in the table nor in the data sent to the browser.
    for (const name of names.slice(50)) expect(p.html).not.toContain(name.replace(` (${ORG})`, ""));
    expect(p.filters).toEqual([
      { text: `All (${UNITS})`, href: "?#roll", current: true },
      { text: `Voted (${VOTED})`, href: "?roll=voted#roll", current: false },
      { text: `Not yet voted (${UNITS - VOTED})`, href: "?roll=not-voted#roll", current: false },
    ]);
    expect(p.summary).toBe(`Showing 1–50 of ${UNITS}`);
    expect(p.pageLinks).toContain("?rollPage=2#roll");
    expect(p.pageLinks).toContain("?rollPage=4#roll");
    // The tally covers the whole roll, not the listed page.
    expect(p.html).toMatch(new RegExp(`tally__item--notVoted"><span class="tally__value">${UNITS - VOTED}<`));
  });

  it("lists the next pages through plain links, the last one partly full", async () => {
    const two = await rollPage("?rollPage=2");
    expect(two.rows).toEqual(names.slice(50, 100));
    const last = await rollPage("?rollPage=4");
    expect(last.rows).toEqual(names.slice(150));
    expect(last.summary).toBe(`Showing 151–${UNITS} of ${UNITS}`);
    // Past the end: the last page; nonsense: the first.
    expect((await rollPage("?rollPage=999999999999")).rows).toEqual(names.slice(150));
    expect((await rollPage("?rollPage=-2&roll=bogus")).rows).toEqual(names.slice(0, 50));
  });

  it("lists who voted, and who has not, each part with its own pages", async () => {
    const voted = await rollPage("?roll=voted");
    expect(voted.rows).toEqual(names.filter((n) => votedNames.has(n)));
    expect(voted.filters.find((f) => f.current)?.text).toBe(`Voted (${VOTED})`);
    expect(voted.pageLinks).toEqual([]); // one page: no page links, no summary
    expect(voted.summary).toBeNull();
    expect(voted.html.match(/<tr><th scope="row">[\s\S]*?<\/tr>/g)!.every((row) => row.includes("Voted "))).toBe(true);

    const notVoted = await rollPage("?roll=not-voted&rollPage=2");
    expect(notVoted.rows).toEqual(names.filter((n) => !votedNames.has(n)).slice(50, 100));
    expect(notVoted.pageLinks).toContain("?roll=not-voted#roll");
    expect(notVoted.pageLinks).toContain("?roll=not-voted&rollPage=3#roll");
  });

  it("shows a voter their own vote whatever page of the roll is listed", async () => {
    const p = await rollPage("", voterCookie);
    expect(p.status).toBe(200);
    expect(p.rows).not.toContain(names[UNITS - 1]);
    expect(p.html).toContain(`You vote for ${names[UNITS - 1]}. It has not voted yet.`);
  });
});
