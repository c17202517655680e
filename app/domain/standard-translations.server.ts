/** Translated titles and scope of standards (their own text always stays in its language). */
import { and, asc, eq } from "drizzle-orm";
import { standardTranslations } from "../../db/schema";
import { db } from "../utils/db.server";
import { recordAudit } from "./audit.server";

/** The longest translated title and scope accepted. */
export const MAX_TRANSLATED_TITLE = 300;
export const MAX_TRANSLATED_SCOPE = 4000;

/** The title and scope translated into `locale`, when the standard has them. */
export function getStandardTranslation(standardId: string, locale: string): { title: string; scope: string } | null {
  const row = db()
    .select({ title: standardTranslations.title, scope: standardTranslations.scope })
    .from(standardTranslations)
    .where(and(eq(standardTranslations.standardId, standardId), eq(standardTranslations.locale, locale)))
    .get();
  return row ?? null;
}

/** Every translation of a standard's title and scope, by locale. */
export function listStandardTranslations(standardId: string): { locale: string; title: string; scope: string }[] {
  return db()
    .select({ locale: standardTranslations.locale, title: standardTranslations.title, scope: standardTranslations.scope })
    .from(standardTranslations)
    .where(eq(standardTranslations.standardId, standardId))
    .orderBy(asc(standardTranslations.locale))
    .all();
}

/** Adds or replaces the title and scope in `locale`, and records who did it (one transaction). */
export function saveStandardTranslation(input: { standardId: string; locale: string; title: string; scope: string; actorId: string }): void {
  db().transaction((tx) => {
    tx.insert(standardTranslations)
      .values({ standardId: input.standardId, locale: input.locale, title: input.title, scope: input.scope })
      .onConflictDoUpdate({ target: [standardTranslations.standardId, standardTranslations.locale], set: { title: input.title, scope: input.scope } })
      .run();
    recordAudit({ actorId: input.actorId, action: "standard.translationSaved", subjectType: "standard", subjectId: input.standardId, data: { locale: input.locale } });
  });
}

/** Removes the translation into `locale` (readers then see the original title and scope). */
export function deleteStandardTranslation(input: { standardId: string; locale: string; actorId: string }): boolean {
  return db().transaction((tx) => {
    const removed = tx
      .delete(standardTranslations)
      .where(and(eq(standardTranslations.standardId, input.standardId), eq(standardTranslations.locale, input.locale)))
      .run();
    if (removed.changes === 0) return false;
    recordAudit({ actorId: input.actorId, action: "standard.translationRemoved", subjectType: "standard", subjectId: input.standardId, data: { locale: input.locale } });
    return true;
  });
}
