/**
 * Notifications about ballots, in the portal and by mail (through the outbox), as each member
 * chooses per kind. Written in the transaction of the event that causes them.
 */
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { notificationPreferences, notifications, users } from "../../db/schema";
import { createI18n, DEFAULT_LOCALE, SUPPORTED_LOCALES, type Locale } from "../i18n/i18n";
import "../i18n/resources.server"; // every language's messages, for mail in the member's language
import { db } from "../utils/db.server";
import { env } from "../utils/env.server";
import { enqueueMail } from "./mail.server";

import { NOTIFICATION_KINDS, type NotificationKind, type Preferences } from "./notification-kinds";

export { NOTIFICATION_KINDS, type NotificationKind, type Preference, type Preferences } from "./notification-kinds";

export type NotificationRow = typeof notifications.$inferSelect;

/** A member's choices, every kind filled in (the default is both, in the portal and by mail). */
export function getPreferences(userId: string): Preferences {
  const rows = db().select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId)).all();
  const out = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, { inPortal: true, byMail: true }])) as Preferences;
  for (const r of rows) if ((NOTIFICATION_KINDS as readonly string[]).includes(r.kind)) out[r.kind as NotificationKind] = { inPortal: r.inPortal, byMail: r.byMail };
  return out;
}

/** Stores a member's choices for every kind. */
export function setPreferences(userId: string, prefs: Preferences): void {
  db().transaction(() => {
    for (const kind of NOTIFICATION_KINDS) {
      const p = prefs[kind];
      db()
        .insert(notificationPreferences)
        .values({ userId, kind, inPortal: p.inPortal, byMail: p.byMail })
        .onConflictDoUpdate({ target: [notificationPreferences.userId, notificationPreferences.kind], set: { inPortal: p.inPortal, byMail: p.byMail } })
        .run();
    }
  });
}

/** What to tell each person, in their language: a title, and a mail's subject and body. */
export type Message = (t: (key: string, values?: Record<string, unknown>) => string) => { title: string; subject: string; text: string };

/**
 * Notifies active users of one kind of event, in the portal and/or by mail as each chose.
 * `link` is a portal path (e.g. /ballots/…); mails carry it as a full URL. Call inside the
 * transaction of the event.
 */
export function notify(input: { userIds: readonly string[]; kind: NotificationKind; link: string; message: Message }): number {
  const ids = [...new Set(input.userIds)];
  if (!ids.length) return 0;
  const people = db()
    .select({ id: users.id, email: users.email, locale: users.locale, status: users.status })
    .from(users)
    .where(inArray(users.id, ids))
    .all()
    .filter((u) => u.status === "active");
  // One query for everyone's choices, and one translator and message per language (not per
  // person: building an i18n instance per recipient made a ballot for 2,000 members take seconds).
  const chosen = new Map<string, Preferences>();
  const prefRows = people.length ? db().select().from(notificationPreferences).where(inArray(notificationPreferences.userId, people.map((p) => p.id))).all() : [];
  for (const person of people) chosen.set(person.id, Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, { inPortal: true, byMail: true }])) as Preferences);
  for (const r of prefRows) if ((NOTIFICATION_KINDS as readonly string[]).includes(r.kind)) chosen.get(r.userId)![r.kind as NotificationKind] = { inPortal: r.inPortal, byMail: r.byMail };
  const texts = new Map<Locale, { m: ReturnType<Message>; footer: string }>();
  const url = `${env().publicUrl}${input.link}`;
  const textsIn = (locale: Locale) => {
    let x = texts.get(locale);
    if (!x) {
      const t = createI18n(locale).getFixedT(locale, "governance");
      x = { m: input.message((key, values) => t(key, values ?? {}) as string), footer: t("notify.mailFooter", { url, settings: `${env().publicUrl}/notifications` }) };
      texts.set(locale, x);
    }
    return x;
  };
  let sent = 0;
  for (const person of people) {
    const pref = chosen.get(person.id)![input.kind];
    if (!pref.inPortal && !pref.byMail) continue;
    const locale: Locale = SUPPORTED_LOCALES.find((l) => l === person.locale) ?? DEFAULT_LOCALE;
    const { m, footer } = textsIn(locale);
    if (pref.inPortal) db().insert(notifications).values({ userId: person.id, kind: input.kind, title: m.title, link: input.link }).run();
    if (pref.byMail) enqueueMail({ to: person.email, subject: m.subject, text: `${m.text}\n\n${footer}\n` });
    sent++;
  }
  return sent;
}

/** A member's newest notifications. */
export function listNotifications(userId: string, limit = 100): NotificationRow[] {
  return db().select().from(notifications).where(eq(notifications.userId, userId)).orderBy(desc(notifications.id)).limit(limit).all();
}

/** How many of a member's notifications are unread. */
export function unreadCount(userId: string): number {
  return (
    db()
      .select({ n: sql<number>`count(*)` })
      .from(notifications)
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
      .get()?.n ?? 0
  );
}

/** Marks all of a member's notifications read. */
export function markAllRead(userId: string, now = new Date()): void {
  db()
    .update(notifications)
    .set({ readAt: now.toISOString() })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .run();
}
