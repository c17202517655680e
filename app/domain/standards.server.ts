/** The standards registry: listing what a caller may see, reading one, importing seed files. */
import { createHash } from "node:crypto";
import { and, asc, eq, inArray, like, or, type SQL } from "drizzle-orm";
import { standardDrafts, standards, type StandardStatus } from "../../db/schema";
import { can, type Actor } from "../policies/policy";
import { db } from "../utils/db.server";
import { recordAudit } from "./audit.server";

export type StandardRow = typeof standards.$inferSelect;

/** Hex SHA-256 of a text's UTF-8 bytes (the contract's revision hash). */
export function textHash(markdown: string): string {
  return createHash("sha256").update(markdown, "utf8").digest("hex");
}

const PUBLISHED: StandardStatus[] = ["published", "superseded", "withdrawn"];

/** The standards a caller may see, filtered by committee, status and a plain-text query. */
export function listStandards(actor: Actor | null, filter: { committee?: string; status?: StandardStatus; q?: string } = {}): StandardRow[] {
  const where: (SQL | undefined)[] = [];
  if (filter.committee) where.push(eq(standards.committee, filter.committee));
  if (filter.status) where.push(eq(standards.status, filter.status));
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => "\\" + c)}%`;
    where.push(or(like(standards.title, pattern), like(standards.scope, pattern), like(standards.id, pattern)));
  }
  // Visibility is pushed into SQL for the common cases, then confirmed by the policy per row.
  if (!actor) where.push(inArray(standards.status, PUBLISHED));
  else if (actor.role !== "admin") where.push(or(inArray(standards.status, PUBLISHED), inArray(standards.committee, actor.committees.length ? actor.committees : ["-"])));
  return db()
    .select()
    .from(standards)
    .where(and(...where))
    .orderBy(asc(standards.id))
    .all()
    .filter((s) => can(actor, "standard.read", s));
}

/** One standard, or undefined (callers check `standard.read` and answer 404 otherwise). */
export function getStandard(id: string): StandardRow | undefined {
  return db().select().from(standards).where(eq(standards.id, id)).get();
}

/** The working draft of a standard. */
export function getDraft(id: string) {
  return db().select().from(standardDrafts).where(eq(standardDrafts.standardId, id)).get();
}

/** Imports a standard from a seed file unless it exists already (idempotent). Returns true when imported. */
export function importStandard(meta: { id: string; title: string; committee: string; scope: string }, markdown: string): boolean {
  return db().transaction(() => {
    if (getStandard(meta.id)) return false;
    db().insert(standards).values({ id: meta.id, committee: meta.committee, title: meta.title, scope: meta.scope, status: "draft" }).run();
    db().insert(standardDrafts).values({ standardId: meta.id, markdown, hash: textHash(markdown) }).run();
    recordAudit({ actorId: null, action: "standard.imported", subjectType: "standard", subjectId: meta.id, data: { title: meta.title, hash: textHash(markdown) } });
    return true;
  });
}
