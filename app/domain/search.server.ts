/**
 * Full-text search over the standards (SQLite FTS5; tables `search_documents` and `search_index`,
 * migration 0003).
 *
 * Rows by kind: `standard` (title; id and scope), `draft` (one per section of the draft's prose,
 * ```rule blocks removed; ref = the section heading) and `rule` (one per valid draft rule: title;
 * id and description; ref = the rule id). Later issues add `comment`, `proposal` and `release` rows
 * to the same table and their visibility to `search`. Who may see a row is decided at query time
 * from the standard's committee and status (joined from `standards`) and confirmed by the policy,
 * so a status change never needs a re-index.
 *
 * Snippets carry match markers, U+0002 before and U+0003 after each match, never HTML: the page
 * splits them with `snippetParts` and renders the matches as <mark> through React's escaping.
 */
import { eq } from "drizzle-orm";
import { standardDrafts, standards, type StandardStatus } from "../../db/schema";
import { can, type Actor } from "../policies/policy";
import { db } from "../utils/db.server";
import { cleanIndexText, draftIndexRows, type IndexRow } from "./draft-analysis";
import type { RuleSet } from "./rules";
import { extractRules } from "./standard-file";

/** Marks the start of a match in a snippet. */
export const MATCH_START = "\u0002";
/** Marks the end of a match in a snippet. */
export const MATCH_END = "\u0003";

/** Kinds of search rows the standards module writes. */
export const STANDARD_ROW_KINDS = ["standard", "draft", "rule"] as const;
/** A kind of search row written by the standards module. */
export type SearchKind = (typeof STANDARD_ROW_KINDS)[number];

/** One search hit: what matched, in which standard, a snippet with match markers, and its rank (lower is better). */
export type SearchHit = {
  kind: SearchKind;
  standardId: string;
  standardTitle: string;
  committee: string;
  status: StandardStatus;
  /** The rule id for `rule` hits, the section heading for `draft` hits (null before the first heading); null for `standard`. */
  ref: string | null;
  /** The hit's own title: the rule's for `rule` hits, the standard's otherwise. */
  title: string;
  snippet: string;
  score: number;
};

/** A search request: free text and optional filters. */
export type SearchQuery = { q: string; committee?: string; status?: StandardStatus; limit?: number };

const PUBLISHED: StandardStatus[] = ["published", "superseded", "withdrawn"];
const MAX_TERMS = 16;

/**
 * Builds a safe FTS5 MATCH expression from what a person typed: every word becomes a quoted phrase
 * token (so quotes, AND/OR/NOT/NEAR, column filters and parentheses are plain text), text in double
 * quotes stays one phrase, and a trailing * on a word is a prefix search. Terms are ANDed.
 * Returns null when nothing searchable remains (e.g. a lone `"` or `*`).
 */
export function ftsQuery(input: string): string | null {
  const terms: string[] = [];
  const pattern = /"([^"]*)"?|(\S+)/g;
  for (const m of input.matchAll(pattern)) {
    if (terms.length >= MAX_TERMS) break;
    if (m[1] !== undefined) {
      const words = m[1].match(/[\p{L}\p{N}]+/gu);
      if (words) terms.push(`"${words.join(" ")}"`);
      continue;
    }
    const raw = m[2];
    const prefix = raw.endsWith("*");
    const words = raw.match(/[\p{L}\p{N}]+/gu);
    if (!words) continue;
    terms.push(`"${words.join(" ")}"${prefix ? "*" : ""}`);
  }
  return terms.length ? terms.join(" ") : null;
}

/** Splits a snippet into plain and matched parts, for rendering matches as <mark> without HTML strings. */
export function snippetParts(snippet: string): { text: string; match: boolean }[] {
  const parts: { text: string; match: boolean }[] = [];
  let match = false;
  let text = "";
  for (const ch of snippet) {
    if (ch === MATCH_START || ch === MATCH_END) {
      if (text) parts.push({ text, match });
      text = "";
      match = ch === MATCH_START;
    } else text += ch;
  }
  if (text) parts.push({ text, match });
  return parts;
}

/**
 * Replaces a standard's rows in the search index with its current title, scope, draft sections and
 * draft rules; call inside the write's transaction. `draftRows`: the draft's rows when the caller has
 * them (`draftIndexRows` of the text it is writing); else they are made from the stored draft.
 */
export function indexStandard(standardId: string, draftRows?: readonly IndexRow[]): void {
  const client = db().$client;
  const wanted: IndexRow[] = [];
  const standard = db().select().from(standards).where(eq(standards.id, standardId)).get();
  if (standard) {
    wanted.push({ kind: "standard", ref: "", title: cleanIndexText(standard.title), body: cleanIndexText(`${standard.id}\n${standard.scope}`) });
    if (draftRows) wanted.push(...draftRows);
    else {
      const draft = db().select().from(standardDrafts).where(eq(standardDrafts.standardId, standardId)).get();
      if (draft) {
        const cached = draft.rulesetJson ? (JSON.parse(draft.rulesetJson) as RuleSet).rules : undefined;
        wanted.push(...draftIndexRows(draft.markdown, cached ?? extractRules(draft.markdown).rules));
      }
    }
  }
  // Only the rows that changed are deleted and inserted: the full-text index tokenizes every row
  // written and every row deleted, and while a draft is being typed in, one section changes at a time
  // (re-indexing a 60,000-character standard whole held the event loop for ~12 ms every few seconds).
  const existing = client
    .prepare("select id, kind, ref, title, body from search_documents where standard_id = ? and kind in ('standard', 'draft', 'rule')")
    .all(standardId) as (IndexRow & { id: number })[];
  const unchanged = new Map<string, number[]>();
  for (const row of existing) {
    const ids = unchanged.get(rowKey(row));
    if (ids) ids.push(row.id);
    else unchanged.set(rowKey(row), [row.id]);
  }
  const toInsert: IndexRow[] = [];
  for (const row of wanted) {
    const ids = unchanged.get(rowKey(row));
    if (ids && ids.length > 0) ids.pop();
    else toInsert.push(row);
  }
  const remove = client.prepare("delete from search_documents where id = ?");
  for (const ids of unchanged.values()) for (const id of ids) remove.run(id);
  const insert = client.prepare("insert into search_documents (kind, ref, standard_id, title, body) values (?, ?, ?, ?, ?)");
  for (const row of toInsert) insert.run(row.kind, row.ref, standardId, row.title, row.body);
}

const rowKey = (row: IndexRow) => `${row.kind}\u0000${row.ref}\u0000${row.title}\u0000${row.body}`;

/** Removes every row of a standard from the search index. */
export function unindexStandard(standardId: string): void {
  db().$client.prepare("delete from search_documents where standard_id = ?").run(standardId);
}

/** Rebuilds the standards' rows of the search index from the database; returns how many standards were indexed. */
export function reindexAllStandards(): number {
  const ids = db().select({ id: standards.id }).from(standards).all();
  db().transaction(() => {
    db().$client.prepare("delete from search_documents where kind in ('standard', 'draft', 'rule')").run();
    for (const { id } of ids) indexStandard(id);
  });
  return ids.length;
}

type Row = Omit<SearchHit, "ref"> & { ref: string };

/**
 * Ranked full-text search over what the actor may read: the public only titles and scopes of
 * published standards; members those too, plus the drafts and rules of their committees; admins
 * everything. Ordered by BM25 (title and heading matches weigh ten times body matches); a draft
 * contributes its best-matching section only, so one long standard cannot crowd out the others.
 */
export function search(query: SearchQuery, actor: Actor | null): SearchHit[] {
  const match = ftsQuery(query.q);
  if (!match) return [];
  const limit = Math.max(1, Math.min(query.limit ?? 50, 100));
  const where: string[] = ["search_index match ?"];
  const args: unknown[] = [match];
  if (query.committee) {
    where.push("s.committee = ?");
    args.push(query.committee);
  }
  if (query.status) {
    where.push("s.status = ?");
    args.push(query.status);
  }
  const published = PUBLISHED.map(() => "?").join(", ");
  if (!actor) {
    where.push(`d.kind = 'standard' and s.status in (${published})`);
    args.push(...PUBLISHED);
  } else if (actor.role !== "admin") {
    const mine = actor.committees.length ? actor.committees : ["-"];
    const committees = mine.map(() => "?").join(", ");
    where.push(`((d.kind = 'standard' and (s.status in (${published}) or s.committee in (${committees}))) or (d.kind in ('draft', 'rule') and s.committee in (${committees})))`);
    args.push(...PUBLISHED, ...mine, ...mine);
  } else {
    where.push("d.kind in ('standard', 'draft', 'rule')");
  }
  // CROSS JOIN fixes the join order: the full-text match drives, and each match looks up its
  // document and standard by key (left to itself, SQLite may loop over the standards and run the
  // full-text query once per standard).
  const statement = db().$client.prepare(
    `select d.id as rowid, d.kind as kind, d.ref as ref, d.standard_id as standardId, s.title as standardTitle,
            s.committee as committee, s.status as status, case when d.kind = 'rule' then d.title else s.title end as title,
            bm25(search_index, 10.0, 1.0) as score
     from search_index si cross join search_documents d on d.id = si.rowid cross join standards s on s.id = d.standard_id
     where ${where.join(" and ")}
     order by score
     limit ?`,
  );
  // A draft contributes its best section only. Collapsing the best `window` rows gives exactly the
  // first groups of the full ranking (a group's first row in the window is its best row); widen the
  // window until it holds `limit` groups or every match. Cheaper than grouping all matches in SQL.
  let ranked: (Omit<Row, "snippet"> & { rowid: number })[] = [];
  for (let window = limit * 4; ; window *= 4) {
    const rows = statement.all(...args, window) as (Omit<Row, "snippet"> & { rowid: number })[];
    const seen = new Set<string>();
    ranked = rows.filter((r) => {
      const group = `${r.standardId}\u0000${r.kind}\u0000${r.kind === "rule" ? r.ref : ""}`;
      if (seen.has(group)) return false;
      seen.add(group);
      return true;
    });
    if (ranked.length >= limit || rows.length < window) break;
  }
  ranked = ranked.slice(0, limit);
  // Snippets only for the page of hits: snippet() re-reads and re-tokenizes each row's text.
  if (ranked.length === 0) return [];
  const snippets = new Map(
    (
      db()
        .$client.prepare(
          `select rowid, snippet(search_index, -1, '${MATCH_START}', '${MATCH_END}', '…', 16) as snippet
           from search_index where search_index match ? and rowid in (${ranked.map(() => "?").join(", ")})`,
        )
        // Rowids are bound as BigInt: a JS number binds as REAL, and FTS5 ignores a REAL rowid
        // constraint (it would build snippets for every match).
        .all(match, ...ranked.map((r) => BigInt(r.rowid))) as { rowid: number; snippet: string }[]
    ).map((r) => [r.rowid, r.snippet]),
  );
  const rows: Row[] = ranked.map(({ rowid, ...r }) => ({ ...r, snippet: snippets.get(rowid) ?? "" }));
  // The SQL narrows; the policy decides (the one place that does).
  return rows
    .filter((r) => can(actor, r.kind === "standard" ? "standard.read" : "standard.readDraft", { committee: r.committee, status: r.status }))
    .map((r) => ({ ...r, ref: r.ref || null }));
}
