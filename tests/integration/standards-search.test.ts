/**
 * Full-text search through the real HTTP API: the seeded standards are indexed, saves re-index,
 * results are ranked and highlighted with markers (never HTML), and each caller finds only what
 * they may read — the public only titles and scopes of published standards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeStatus } from "../../app/domain/standards.server";
import { ftsQuery, MATCH_END, MATCH_START, snippetParts } from "../../app/domain/search.server";
import { accessTokenFor, createAdmin, createOrg, createUser } from "../support/factories";
import { call, type CallResult } from "../support/http";
import { startPortal, type TestPortal } from "../support/portal";

let portal: TestPortal;
let admin: string;
let tarExpert: string;
let logExpert: string;
let readOnly: string;

type Hit = { kind: string; standardId: string; ref: string | null; title: string; snippet: string; status: string; committee: string; score: number };

beforeAll(async () => {
  portal = await startPortal();
  const org = createOrg({ kind: "expert", country: "SG" });
  admin = accessTokenFor((await createAdmin()).user.id).token;
  const tar = await createUser({ org, role: "expert", committees: ["TAR"] });
  tarExpert = accessTokenFor(tar.id).token;
  readOnly = accessTokenFor(tar.id, { readOnly: true }).token;
  logExpert = accessTokenFor((await createUser({ org, role: "expert", committees: ["LOG"] })).id).token;
});

afterAll(async () => {
  await portal?.close();
});

async function search(q: string, token?: string, extra = ""): Promise<Hit[]> {
  const res = await call(portal, `/search?q=${encodeURIComponent(q)}${extra}`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body.results as Hit[];
}

async function newTarStandard(title: string, scope: string): Promise<string> {
  const res = await call(portal, "/standards", { method: "POST", token: tarExpert, body: { committee: "TAR", title, scope } });
  expect(res.status, res.text).toBe(201);
  return res.body.standard.id;
}

async function putDraft(id: string, markdown: string): Promise<CallResult> {
  const res = await call(portal, `/standards/${id}/draft`, { method: "PUT", token: tarExpert, body: { markdown } });
  expect(res.status, res.text).toBe(200);
  return res;
}

describe("the seeded standards", () => {
  it("are indexed at seed time: title, scope, draft text and rule titles, with match markers around each hit", async () => {
    const hits = await search("de minimis", admin);
    expect(hits.length).toBeGreaterThan(2);
    expect(hits.map((h) => h.standardId)).toContain("EWTP-CUS-001");
    expect(new Set(hits.map((h) => h.kind))).toEqual(new Set(["standard", "draft", "rule"]));
    for (const h of hits) {
      expect(h.snippet).toContain(MATCH_START);
      expect(h.snippet).toContain(MATCH_END);
      expect(h.snippet).not.toMatch(/<mark>|<b>/);
    }
    const rule = hits.find((h) => h.kind === "rule")!;
    expect(rule.ref).toMatch(/^CUS-001\.R\d+$/);
  });

  it("rule blocks' JSON is not indexed as prose: a JSON Logic operator name finds nothing in drafts", async () => {
    expect((await search("missing_some", admin)).filter((h) => h.kind === "draft")).toEqual([]);
  });

  it("diacritics fold and words stem: 'dutiés' finds 'duty'", async () => {
    const hits = await search("dutiés", admin);
    expect(hits.length).toBeGreaterThan(0);
    expect(snippetParts(hits[0].snippet).filter((p) => p.match).map((p) => p.text.toLowerCase())).toEqual(expect.arrayContaining([expect.stringMatching(/^dut/)]));
  });
});

describe("who finds what", () => {
  it("the public finds nothing in unpublished standards; members find only their committees' drafts; admins everything", async () => {
    expect(await search("customs")).toEqual([]);
    const tar = await search("customs", tarExpert);
    expect(tar.length).toBeGreaterThan(0);
    expect(new Set(tar.map((h) => h.committee))).toEqual(new Set(["TAR"]));
    const log = await search("customs", logExpert);
    expect(log.every((h) => h.committee === "LOG")).toBe(true);
    const all = await search("customs", admin);
    expect(new Set(all.map((h) => h.committee)).size).toBeGreaterThan(1);
  });

  it("a published standard: everyone finds its title and scope, but its draft text only its committee (the public never)", async () => {
    const word = "zanzibarite";
    const other = "quokkaform";
    const id = await newTarStandard(`Published ${word} standard`, `Scope of the ${word} regime for parcels.`);
    await putDraft(id, `# ${id}\n\nDraft-only text about ${other} and ${word}.\n`);
    changeStatus({ standardId: id, to: "published", actorId: null, via: "release" });

    const publicHits = await search(word);
    expect(publicHits.map((h) => [h.kind, h.standardId])).toEqual([["standard", id]]);
    expect(publicHits[0].title).toBe(`Published ${word} standard`);
    expect(await search(other)).toEqual([]);
    expect(await search(other, logExpert)).toEqual([]);
    expect((await search(word, logExpert)).map((h) => h.kind)).toEqual(["standard"]);
    expect((await search(other, tarExpert)).map((h) => [h.kind, h.standardId])).toEqual([["draft", id]]);
    expect((await search(other, readOnly)).map((h) => h.kind)).toEqual(["draft"]);
  });
});

describe("indexing follows the draft", () => {
  it("a saved draft is searchable at once, and text removed from it is no longer found", async () => {
    const id = await newTarStandard("Indexing check", "A standard that exists to test the search index.");
    await putDraft(id, `# ${id}\n\nThe wombatization clause applies.\n`);
    expect((await search("wombatization", tarExpert)).map((h) => h.standardId)).toEqual([id]);
    await putDraft(id, `# ${id}\n\nThe clause applies.\n`);
    expect(await search("wombatization", tarExpert)).toEqual([]);
  });

  it("a save rewrites only the index rows of the sections that changed, and search follows both", async () => {
    const id = await newTarStandard("Partial reindex", "A standard whose sections change one at a time.");
    const text = (second: string) => `# ${id}\n\n## 1 Scope\n\nThe numbatine scope stays as it is.\n\n## 2 Handling\n\n${second}\n\n## 3 Records\n\nThe records stay too.\n`;
    await putDraft(id, text("Parcels are bilbyform at first."));
    const rows = () => portal.db.$client.prepare("select id, ref from search_documents where standard_id = ? and kind = 'draft' order by ref").all(id) as { id: number; ref: string }[];
    const before = rows();
    await putDraft(id, text("Parcels are dunnartish now."));
    const after = rows();
    expect(after.map((r) => r.ref)).toEqual(before.map((r) => r.ref));
    const changed = after.filter((r, i) => r.id !== before[i].id).map((r) => r.ref);
    // The title row of the standard and every section but the second keep their rows.
    expect(changed).toEqual(["2 Handling"]);
    expect(await search("bilbyform", tarExpert)).toEqual([]);
    expect((await search("dunnartish", tarExpert)).map((h) => [h.ref, h.standardId])).toEqual([["2 Handling", id]]);
    expect((await search("numbatine", tarExpert)).map((h) => [h.ref, h.standardId])).toEqual([["1 Scope", id]]);
  });

  it("a draft gives one hit, its best-matching section, with the section heading as ref", async () => {
    const id = await newTarStandard("Section check", "A standard with sections that mention the same word.");
    await putDraft(id, `# ${id}\n\n## 1 Scope\n\nOne quagganite mention among many other words in this fairly long paragraph about parcels.\n\n## 2 Quagganite handling\n\nQuagganite, quagganite.\n`);
    const hits = await search("quagganite", tarExpert);
    expect(hits.map((h) => [h.kind, h.ref])).toEqual([["draft", "2 Quagganite handling"]]);
    expect(hits[0].title).toBe("Section check");
  });

  it("rule titles and descriptions are indexed, with the rule id as ref", async () => {
    const id = await newTarStandard("Rule indexing", "A standard whose rule should be found by its words.");
    const prefix = `${id.replace("EWTP-", "")}.R`;
    const rule = {
      id: `${prefix}1`,
      title: "Platypus surcharge",
      description: "A surcharge for monotreme-shaped parcels.",
      when: true,
      then: { surcharge: 1 },
      examples: [{ name: "always", input: {}, expect: { applies: true, outcome: { surcharge: 1 } } }],
    };
    await putDraft(id, `# ${id}\n\n\`\`\`rule\n${JSON.stringify(rule)}\n\`\`\`\n`);
    const hits = await search("platypus", tarExpert);
    expect(hits.map((h) => [h.kind, h.ref, h.title])).toEqual([["rule", `${prefix}1`, "Platypus surcharge"]]);
    expect((await search("monotreme", tarExpert)).map((h) => h.ref)).toEqual([`${prefix}1`]);
  });

  it("markers inside a document cannot fake a highlight", async () => {
    const id = await newTarStandard("Marker check", "A standard with control characters in its text.");
    await putDraft(id, `# ${id}\n\nA \u0002fake\u0003 highlight next to aardwolfish text.\n`);
    const [hit] = await search("aardwolfish", tarExpert);
    const marked = snippetParts(hit.snippet).filter((p) => p.match).map((p) => p.text);
    expect(marked).toEqual(["aardwolfish"]);
  });

  it("HTML in a document comes back as plain text in the snippet, for the page to escape", async () => {
    const id = await newTarStandard("HTML check", "A standard with HTML in its draft text.");
    await putDraft(id, `# ${id}\n\n<script>alert(1)</script> okapiform text.\n`);
    const [hit] = await search("okapiform", tarExpert);
    expect(hit.snippet).toContain("<script>");
    expect(snippetParts(hit.snippet)).toContainEqual({ text: "okapiform", match: true });
  });
});

describe("ranking and filters", () => {
  it("a title match ranks above a body-only match", async () => {
    const inTitle = await newTarStandard("Narwhalesque duty relief", "Relief for goods of a certain kind.");
    const inBody = await newTarStandard("Other relief", "Relief for other goods.");
    await putDraft(inBody, `# ${inBody}\n\nThis one mentions narwhalesque goods once in a long paragraph about many other things.\n`);
    const hits = await search("narwhalesque", admin);
    expect(hits[0].standardId).toBe(inTitle);
    expect(hits.map((h) => h.standardId)).toContain(inBody);
    const scores = hits.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
  });

  it("filters by committee and status", async () => {
    expect((await search("parcel", admin, "&committee=LOG")).every((h) => h.committee === "LOG")).toBe(true);
    expect((await search("parcel", admin, "&committee=LOG")).length).toBeGreaterThan(0);
    expect(await search("parcel", admin, "&committee=PAY")).toEqual([]);
    expect(await search("parcel", admin, "&status=withdrawn")).toEqual([]);
    expect((await search("parcel", admin, "&status=draft")).length).toBeGreaterThan(0);
    expect((await search("parcel", admin, "&limit=2")).length).toBe(2);
  });
});

describe("what people type", () => {
  const nasty = ['"', "*", "**", '"unbalanced', "NEAR(", "a OR", "NOT", "AND AND", "title:duty", "body:*", "(", ")(", "-x", "^x", "x:", "{a b}", "'", "\\", "%", "_", "😀", "duty NEAR/3 parcel", '""', "' or 1=1 --", "\u0000"];
  for (const q of nasty) {
    it(`${JSON.stringify(q)} is answered (200), never a 500`, async () => {
      const res = await call(portal, `/search?q=${encodeURIComponent(q)}`, { token: admin });
      expect(res.status, res.text).toBe(200);
      expect(Array.isArray(res.body.results)).toBe(true);
    });
  }

  it("an empty or missing query, an unknown status, a bad committee or limit are 400", async () => {
    for (const qs of ["", "?q=", "?q=%20%20", "?q=x&status=frozen", "?q=x&committee=tar", "?q=x&limit=0", "?q=x&limit=abc", `?q=${"x".repeat(201)}`, "?q=a&q=b"]) {
      const res = await call(portal, `/search${qs}`);
      expect(res.status, qs).toBe(400);
      expect(res.body.error.code).toBe("bad_request");
    }
  });

  it("operators are plain words and quotes make a phrase", () => {
    expect(ftsQuery("duty OR parcel")).toBe('"duty" "OR" "parcel"');
    expect(ftsQuery('"de minimis" threshold')).toBe('"de minimis" "threshold"');
    expect(ftsQuery("thresh*")).toBe('"thresh"*');
    expect(ftsQuery('title:duty "')).toBe('"title duty"');
    expect(ftsQuery('" * ( )')).toBeNull();
  });

  it("a quoted phrase matches only the words in that order", async () => {
    const hits = await search('"de minimis"', admin);
    expect(hits.length).toBeGreaterThan(0);
    expect(await search('"minimis de"', admin)).toEqual([]);
  });
});
