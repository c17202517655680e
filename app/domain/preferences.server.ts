/** A member's own preferences that are not governance: the interface language. */
import { eq, sql } from "drizzle-orm";
import { users } from "../../db/schema";
import type { Locale } from "../i18n/i18n";
import { db } from "../utils/db.server";

/** Saves the interface language a member chose (null: follow the browser again). */
export function setUserLocale(userId: string, locale: Locale | null): void {
  db()
    .update(users)
    .set({ locale, updatedAt: sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))` })
    .where(eq(users.id, userId))
    .run();
}
