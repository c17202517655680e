/**
 * The standards list page pages its results: 50 a page, counted and sliced in the database, with
 * an accessible pagination nav whose links keep the filters and sort, and a bad `page` that falls
 * back to the first or last page instead of failing. Rendered server-side by the production build
 * (run `npm run build` first), as a browser without JavaScript gets it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importStandard } from "../../app/domain/standards.server";
import { createAdmin, sessionCookieFor } from "../support/factories";
import { call } from "../support/http";
import type { TestPortal } from "../support/portal";
import { startPagesPortal } from "../security/support";

let portal: TestPortal;
let admin: string;
/** Every TAR standard, by id. */
let tarIds: string[];
/** Every TAR standard, by title (case-insensitive, then id). */
let tarByTitle: string[];

const ADDED = 63;

beforeAll(async () => {
  portal = await startPagesPortal();
  admin = sessionCookieFor((await createAdmin()).user.id);
  for (let n = 0; n < ADDED; n++) {
    const id = `EWTP-TAR-${600 + n}`;
    // Titles in an order unlike the ids, so sorting by title is visible across pages.
    const title = `${String.fromCharCode(90 - (n % 26))}${n} paging trial standard`;
    importStandard({ id, title, committee: "TAR", scope: `Scope of ${id}.` }, `# ${id} ${title}\n\n## 1 Scope\n\nScope of ${id}.\n`);
  }
  for (let n = 0; n < 3; n++) {
    importStandard({ id: `EWTP-LOG-${600 + n}`, title: `Logistics paging ${n}`, committee: "LOG", scope: "Other committee." }, `# EWTP-LOG-${600 + n}\n`);
  }
  // Titles with the characters LIKE treats as wildcards, for the search box.
  importStandard({ id: "EWTP-LOG-700", title: "Rates of 100% duty_free parcels", committee: "LOG", scope: "Wildcard characters." }, "# EWTP-LOG-700\n");
  const rows = portal.db.$client.prepare("select id, title from standards where committee = 'TAR'").all() as { id: string; title: string }[];
  tarIds = rows.map((r) => r.id).sort();
  tarByTitle = [...rows]
    .sort((a, b) => {
      const x = a.title.toLowerCase();
      const y = b.title.toLowerCase();
      return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1;
    })
    .map((r) => r.id);
});

afterAll(async () => {
  await portal?.close();
});

/** `count`: the page's one statement of how many standards there are (or which of them it shows). */
type ListPage = { status: number; html: string; ids: string[]; links: string[]; current: string[]; count: string; summary: string | null };

const decode = (s: string) => s.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");

/** Loads a list page as the admin (or the public) and reads what a user sees of it. */
async function list(query: string, as: "admin" | "public" = "admin", lang = "en"): Promise<ListPage> {
  const res = await call(portal, `/standards${query}`, { fromRoot: true, cookie: as === "admin" ? admin : undefined, headers: { "accept-language": lang } });
  const html = res.text;
  const ids = [...html.matchAll(/class="standard-item__id">([^<]+)</g)].map((m) => m[1]);
  const nav = html.match(/<nav class="pagination" aria-label="([^"]*)">([\s\S]*?)<\/nav>/);
  const links = nav ? [...nav[2].matchAll(/<a href="([^"]+)"/g)].map((m) => decode(m[1])) : [];
  const current = nav ? [...nav[2].matchAll(/<a href="([^"]+)"[^>]*aria-current="page"/g)].map((m) => decode(m[1])) : [];
  const counts = [...html.matchAll(/class="muted list-count"[^>]*>([^<]*)</g)].map((m) => decode(m[1]));
  expect(counts, "one statement of the count").toHaveLength(1);
  const summary = html.match(/pagination__summary[^>]*>([^<]*)</)?.[1] ?? null;
  return { status: res.status, html, ids, links, current, count: counts[0], summary };
}

describe("the standards list, paged", () => {
  it("shows 50 standards on page 1 with a pagination nav leading to page 2", async () => {
    expect(tarIds.length).toBeGreaterThan(50);
    const p = await list("?committee=TAR");
    expect(p.status).toBe(200);
    expect(p.ids).toEqual(tarIds.slice(0, 50));
    expect(p.html).toContain('<nav class="pagination" aria-label="Pages">');
    expect(p.current).toEqual(["/standards?committee=TAR"]);
    expect(p.links).toContain("/standards?committee=TAR&page=2");
    expect(p.html).toMatch(/rel="next"/);
    expect(p.count).toBe(`Standards 1–50 of ${tarIds.length}`);
    // Said once: no second "Showing 1–50 of …" under the list, no "N standards" above it.
    expect(p.summary).toBeNull();
    expect(p.html).not.toContain(`${tarIds.length} standards`);
  });

  it("shows the rest on page 2, keeping the filter, with no standard of another committee", async () => {
    const p = await list("?committee=TAR&page=2");
    expect(p.status).toBe(200);
    expect(p.ids).toEqual(tarIds.slice(50, 100));
    expect(p.ids.some((id) => id.startsWith("EWTP-LOG-"))).toBe(false);
    expect(p.current).toEqual(["/standards?committee=TAR&page=2"]);
    expect(p.links).toContain("/standards?committee=TAR");
    expect(p.count).toBe(`Standards 51–${Math.min(100, tarIds.length)} of ${tarIds.length}`);
    expect(p.summary).toBeNull();
  });

  it("keeps the sort across pages and orders the whole list, not each page", async () => {
    const one = await list("?committee=TAR&sort=title");
    expect(one.links).toContain("/standards?committee=TAR&sort=title&page=2");
    const two = await list("?committee=TAR&sort=title&page=2");
    expect([...one.ids, ...two.ids]).toEqual(tarByTitle.slice(0, 100));
    expect(two.links.every((href) => href.includes("committee=TAR") && href.includes("sort=title"))).toBe(true);
  });

  it("sends only the fields the list shows to the browser", async () => {
    const p = await list("?committee=TAR");
    // The hydration data (turbo-stream) holds each listed standard as an object of indexed keys
    // right before its values: id, title, committee, status and scope — five fields, no more.
    const entry = p.html.match(/\{((?:\\"_\d+\\":-?\d+,?)+)\},\\"EWTP-TAR-600\\"/);
    expect(entry, "the standard's entry in the hydration data").not.toBeNull();
    expect(entry![1].split(",")).toHaveLength(5);
    const row = portal.db.$client.prepare("select created_at as createdAt from standards where id = 'EWTP-TAR-600'").get() as { createdAt: string };
    expect(p.html).not.toContain(row.createdAt);
  });

  it.each(["abc", "0", "-3", "", "1.5", "1e999", "%00", "2&page=x"])("answers a bad page %j with the first page, not an error", async (bad) => {
    const p = await list(`?committee=TAR&page=${bad}`);
    expect(p.status).toBe(200);
    expect(p.ids).toEqual(tarIds.slice(0, 50));
  });

  it.each(["99", "99999999999999999999999"])("answers a page past the end (%s) with the last page", async (far) => {
    const p = await list(`?committee=TAR&page=${far}`);
    expect(p.status).toBe(200);
    const last = Math.ceil(tarIds.length / 50);
    expect(p.ids).toEqual(tarIds.slice((last - 1) * 50));
    expect(p.current).toEqual([`/standards?committee=TAR&page=${last}`]);
  });

  it("finds a title by words with % and _ as typed, not as wildcards", async () => {
    expect((await list("?q=" + encodeURIComponent("100% duty_free"))).ids).toEqual(["EWTP-LOG-700"]);
    // As wildcards, "0%d" and "y_f" would match "100% duty_free" and more; typed literally they match nothing.
    expect((await list("?q=" + encodeURIComponent("0%d"))).ids).toEqual([]);
    expect((await list("?q=" + encodeURIComponent("paging_trial"))).ids).toEqual([]);
  });

  it("shows a single page without page links when everything fits, saying the count once", async () => {
    const p = await list("?committee=LOG");
    expect(p.status).toBe(200);
    expect(p.ids.length).toBeLessThanOrEqual(50);
    expect(p.links).toEqual([]);
    expect(p.html).not.toContain('class="pagination"');
    expect(p.count).toBe(`${p.ids.length} standards`);
    expect(p.summary).toBeNull();
  });

  it("says the count once in every language", async () => {
    const expected: Record<string, [string, RegExp]> = {
      de: [`Standards 1–50 von ${tarIds.length}`, /^\d+ Standards$/],
      fr: [`Normes 1 à 50 sur ${tarIds.length}`, /^\d+ normes$/],
      es: [`Normas 1–50 de ${tarIds.length}`, /^\d+ normas$/],
      zh: [`第 1–50 项标准，共 ${tarIds.length} 项`, /^\d+ 项标准$/],
      ar: [`المعايير من 1 إلى 50 من أصل ${tarIds.length}`, /^\d+ (معايير|معيارًا|معيار)$/],
    };
    for (const [lang, [range, noun]] of Object.entries(expected)) {
      const paged = await list("?committee=TAR", "admin", lang);
      expect(paged.count, lang).toBe(range);
      expect(paged.summary, lang).toBeNull();
      const single = await list("?committee=LOG", "admin", lang);
      expect(single.count, lang).toMatch(noun);
      expect(single.html, lang).not.toContain('class="pagination"');
    }
  });

  it("pages only what the public may read", async () => {
    const p = await list("", "public");
    expect(p.status).toBe(200);
    expect(p.ids.some((id) => id.startsWith("EWTP-TAR-6"))).toBe(false);
  });
});
