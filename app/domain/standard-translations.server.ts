/** Translated titles and scope of standards (their own text always stays in its language). */
import { and, eq } from "drizzle-orm";
import { standardTranslations } from "../../db/schema";
import { db } from "../utils/db.server";

/** The title and scope translated into `locale`, when the standard has them. */
export function getStandardTranslation(standardId: string, locale: string): { title: string; scope: string } | null {
  const row = db()
    .select({ title: standardTranslations.title, scope: standardTranslations.scope })
    .from(standardTranslations)
    .where(and(eq(standardTranslations.standardId, standardId), eq(standardTranslations.locale, locale)))
    .get();
  return row ?? null;
}
