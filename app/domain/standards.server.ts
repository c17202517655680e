/** The standards registry: listing what a caller may see, reading one, creating, importing, and changing status. */
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { and, asc, count, desc, eq, inArray, like, or, sql, type SQL } from "drizzle-orm";
import { committeeMembers, committees, retiredRuleIds, standardDrafts, standardStatusEvents, standards, users, type Role, type StandardStatus } from "../../db/schema";
import { can, standardReadScope, type Actor } from "../policies/policy";
import { db } from "../utils/db.server";
import { PortalError } from "../utils/errors";
import { recordAudit } from "./audit.server";
import { prepareDraft, ruleIdPrefix, textHash } from "./draft-analysis";
import { writeDraftRow } from "./drafts.server";
import { checkTransition, type TransitionVia } from "./lifecycle";
import { liveDocuments } from "../collab/live.server";

export type StandardRow = typeof standards.$inferSelect;

// Where most callers have always found them (they are pure: draft-analysis.ts).
export { ruleIdPrefix, textHash };

type ListFilter = { committee?: string; status?: StandardStatus; q?: string };

/** The SQL conditions for a filter and for what the caller may read (`standardReadScope` of the policy). */
function listConditions(actor: Actor | null, filter: ListFilter): SQL | undefined {
  const where: (SQL | undefined)[] = [];
  if (filter.committee) where.push(eq(standards.committee, filter.committee));
  if (filter.status) where.push(eq(standards.status, filter.status));
  if (filter.q) {
    // SQLite's LIKE has no escape character unless told: `%` and `_` typed by a reader are literal.
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => "\\" + c)}%`;
    const matches = (column: SQLiteColumn) => sql`${column} like ${pattern} escape '\\'`;
    where.push(or(matches(standards.title), matches(standards.scope), matches(standards.id)));
  }
  const scope = standardReadScope(actor);
  if (!scope.all) {
    where.push(scope.committees.length ? or(inArray(standards.status, scope.statuses), inArray(standards.committee, scope.committees)) : inArray(standards.status, scope.statuses));
  }
  return and(...where);
}

/** The standards a caller may see, filtered by committee, status and a plain-text query. */
export function listStandards(actor: Actor | null, filter: ListFilter = {}): StandardRow[] {
  // Visibility is pushed into SQL, then confirmed by the policy per row.
  return db()
    .select()
    .from(standards)
    .where(listConditions(actor, filter))
    .orderBy(asc(standards.id))
    .all()
    .filter((s) => can(actor, "standard.read", s));
}

/** Standards on one page of the list. */
export const STANDARDS_PAGE_SIZE = 50;
export type StandardSort = "id" | "title" | "updated";
/** What the list shows of a standard. */
export type StandardListItem = { id: string; title: string; committee: string; status: StandardStatus; scope: string };
export type StandardPage = { standards: StandardListItem[]; total: number; page: number; pageCount: number; pageSize: number };

const ORDER: Record<StandardSort, SQL[]> = {
  id: [asc(standards.id)],
  title: [sql`${standards.title} collate nocase asc`, asc(standards.id)],
  updated: [desc(standards.updatedAt), asc(standards.id)],
};

/**
 * One page of the standards a caller may see: the count and the slice are both taken in SQL with
 * the same conditions and order. A page past the end gives the last page; below 1 gives the first.
 */
export function listStandardsPage(actor: Actor | null, filter: ListFilter, options: { sort?: StandardSort; page?: number; pageSize?: number } = {}): StandardPage {
  const pageSize = options.pageSize ?? STANDARDS_PAGE_SIZE;
  const where = listConditions(actor, filter);
  return db().transaction(() => {
    const total = db().select({ n: count() }).from(standards).where(where).get()?.n ?? 0;
    const pageCount = Math.max(1, Math.ceil(total / pageSize));
    const requested = Number.isFinite(options.page) ? Math.trunc(options.page!) : 1;
    const page = Math.min(Math.max(1, requested), pageCount);
    const rows = db()
      .select({ id: standards.id, title: standards.title, committee: standards.committee, status: standards.status, scope: standards.scope })
      .from(standards)
      .where(where)
      .orderBy(...ORDER[options.sort ?? "id"])
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .all()
      .filter((s) => can(actor, "standard.read", s));
    return { standards: rows, total, page, pageCount, pageSize };
  });
}

/** One standard, or undefined (callers check `standard.read` and answer 404 otherwise). */
export function getStandard(id: string): StandardRow | undefined {
  return db().select().from(standards).where(eq(standards.id, id)).get();
}

/** The working draft of a standard. */
export function getDraft(id: string) {
  // A live collaborative document may hold text not yet derived into the row: write it first.
  liveDocuments()?.flush(`standard.${id}`);
  return db().select().from(standardDrafts).where(eq(standardDrafts.standardId, id)).get();
}

/** Imports a standard from a seed file unless it exists already (idempotent). Returns true when imported. */
export function importStandard(meta: { id: string; title: string; committee: string; scope: string }, markdown: string): boolean {
  return db().transaction(() => {
    if (getStandard(meta.id)) return false;
    db().insert(standards).values({ id: meta.id, committee: meta.committee, title: meta.title, scope: meta.scope, status: "draft" }).run();
    writeDraftRow(prepareDraft(meta.id, markdown, new Set()), null);
    db().insert(standardStatusEvents).values({ standardId: meta.id, fromStatus: null, toStatus: "draft", reason: "imported", actorId: null }).run();
    recordAudit({ actorId: null, action: "standard.imported", subjectType: "standard", subjectId: meta.id, data: { title: meta.title, hash: textHash(markdown) } });
    return true;
  });
}

/** The rule ids of a standard that were removed in a frozen revision and may never be used again. */
export function retiredRuleIdsOf(standardId: string): Set<string> {
  return new Set(
    db()
      .select({ ruleId: retiredRuleIds.ruleId })
      .from(retiredRuleIds)
      .where(eq(retiredRuleIds.standardId, standardId))
      .all()
      .map((r) => r.ruleId),
  );
}

/** The Markdown a new standard starts from: a heading with its id and title, and the scope section. */
export function initialDraft(input: { id: string; title: string; scope: string }): string {
  return `# ${input.id} ${input.title}\n\n## 1 Scope\n\n${input.scope.trim()}\n`;
}

/**
 * Creates a standard in a committee: allocates the next id EWTP-<committee>-NNN, creates its draft
 * (a heading and the scope section), records its first status and an audit entry, in one
 * transaction. Unknown committee → 422; a committee with 999 standards → 409.
 */
export function createStandard(input: { committee: string; title: string; scope: string; actorId: string | null }): StandardRow {
  return db().transaction(
    () => {
      const committee = db().select().from(committees).where(eq(committees.code, input.committee)).get();
      if (!committee) {
        throw new PortalError("unprocessable", `There is no committee ${input.committee}. Use the code of an existing committee (GET /committees).`, {
          committee: "unknown committee",
        });
      }
      const prefix = `EWTP-${input.committee}-`;
      const last = db()
        .select({ id: standards.id })
        .from(standards)
        .where(like(standards.id, `${prefix}%`))
        .orderBy(desc(standards.id))
        .limit(1)
        .get();
      const next = last ? Number(last.id.slice(prefix.length)) + 1 : 1;
      if (!Number.isInteger(next) || next > 999) {
        throw new PortalError("conflict", `Committee ${input.committee} has used all standard numbers (001–999). Ask the secretariat to open a new committee code.`);
      }
      const id = `${prefix}${String(next).padStart(3, "0")}`;
      const title = input.title.trim();
      const scope = input.scope.trim();
      db().insert(standards).values({ id, committee: input.committee, title, scope, status: "draft" }).run();
      const markdown = initialDraft({ id, title, scope });
      writeDraftRow(prepareDraft(id, markdown, new Set()), input.actorId);
      db().insert(standardStatusEvents).values({ standardId: id, fromStatus: null, toStatus: "draft", reason: "created", actorId: input.actorId }).run();
      recordAudit({ actorId: input.actorId, action: "standard.created", subjectType: "standard", subjectId: id, data: { committee: input.committee, title, hash: textHash(markdown) } });
      return getStandard(id)!;
    },
    { behavior: "immediate" },
  );
}

/** One recorded status change of a standard. */
export type StatusEvent = typeof standardStatusEvents.$inferSelect;

/**
 * Changes a standard's status if the lifecycle allows it for this route and role (see lifecycle.ts),
 * recording a status event and an audit entry in one transaction. A change the standard's state
 * does not allow → 409; a role that may not make it → 403; a missing reason → 400. The caller
 * checks `standard.changeStatus` (or, for ballots and releases, its own permission) first.
 */
export function changeStatus(input: {
  standardId: string;
  to: StandardStatus;
  actorId: string | null;
  role?: Role | null;
  reason?: string;
  via?: TransitionVia;
}): { standard: StandardRow; event: StatusEvent } {
  return db().transaction(
    () => {
      const standard = getStandard(input.standardId);
      if (!standard) throw new PortalError("not_found", `No standard ${input.standardId}.`);
      const check = checkTransition({ from: standard.status, to: input.to, via: input.via ?? "manual", role: input.role, reason: input.reason });
      if (!check.ok) {
        const code = check.kind === "role" ? "forbidden" : check.kind === "reason" ? "bad_request" : "conflict";
        throw new PortalError(code, check.message, check.kind === "reason" ? { reason: "required" } : undefined);
      }
      const at = new Date().toISOString();
      const reason = input.reason?.trim() ?? "";
      db().update(standards).set({ status: input.to, updatedAt: at }).where(eq(standards.id, standard.id)).run();
      const event = db()
        .insert(standardStatusEvents)
        .values({ standardId: standard.id, fromStatus: standard.status, toStatus: input.to, reason, actorId: input.actorId, at })
        .returning()
        .get();
      recordAudit({
        actorId: input.actorId,
        action: "standard.statusChanged",
        subjectType: "standard",
        subjectId: standard.id,
        data: { from: standard.status, to: input.to, reason, via: input.via ?? "manual" },
      });
      return { standard: getStandard(standard.id)!, event };
    },
    { behavior: "immediate" },
  );
}

/** The status history of a standard, oldest first. */
export function statusHistory(standardId: string): StatusEvent[] {
  return db().select().from(standardStatusEvents).where(eq(standardStatusEvents.standardId, standardId)).orderBy(asc(standardStatusEvents.id)).all();
}

/**
 * The editors of a standard: the active experts of its committee. Editors are derived, not
 * assigned, so the policy (committee + role) and this list can never disagree.
 */
export function editorsOf(standardId: string): { id: string; name: string }[] {
  const standard = getStandard(standardId);
  if (!standard) return [];
  return db()
    .select({ id: users.id, name: users.name })
    .from(users)
    .innerJoin(committeeMembers, eq(committeeMembers.userId, users.id))
    .where(and(eq(committeeMembers.committeeCode, standard.committee), eq(users.role, "expert"), eq(users.status, "active")))
    .orderBy(asc(users.name))
    .all();
}
