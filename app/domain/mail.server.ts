/**
 * Outgoing mail goes through the outbox table, written in the same transaction as the change that
 * causes it. With SMTP_URL set, nodemailer delivers it after commit; otherwise admins read it in
 * the portal (Administration → Outbox).
 */
import { asc, desc, eq, isNull } from "drizzle-orm";
import nodemailer from "nodemailer";
import { outbox } from "../../db/schema";
import { db } from "../utils/db.server";
import { env } from "../utils/env.server";

/** Queues a message. Call inside the transaction of the change that causes it. */
export function enqueueMail(message: { to: string; subject: string; text: string }): void {
  db().insert(outbox).values(message).run();
}

/** The newest messages, for the admins' outbox page. */
export function listOutbox(limit = 100) {
  return db().select().from(outbox).orderBy(desc(outbox.id)).limit(limit).all();
}

let delivering: Promise<void> | null = null;

/** Sends queued messages when SMTP_URL is set; a no-op otherwise. Safe to call often. */
export function deliverOutbox(): Promise<void> {
  const smtpUrl = env().smtpUrl;
  if (!smtpUrl) return Promise.resolve();
  if (delivering) return delivering;
  // A run that finds nothing to send completes synchronously, so clear the marker only after
  // it has been set (never inside the run itself).
  const run = (async () => {
    const transport = nodemailer.createTransport(smtpUrl);
    const pending = db().select().from(outbox).where(isNull(outbox.sentAt)).orderBy(asc(outbox.id)).limit(50).all();
    for (const m of pending) {
      if (m.attempts >= 8) continue;
      try {
        await transport.sendMail({ from: env().mailFrom, to: m.to, subject: m.subject, text: m.text });
        db().update(outbox).set({ sentAt: new Date().toISOString(), attempts: m.attempts + 1, lastError: null }).where(eq(outbox.id, m.id)).run();
      } catch (err) {
        db()
          .update(outbox)
          .set({ attempts: m.attempts + 1, lastError: String((err as Error).message).slice(0, 500) })
          .where(eq(outbox.id, m.id))
          .run();
      }
    }
  })();
  // A run that fails (the database full or locked while marking a message) is logged, never left
  // as an unhandled rejection, which would end the process; its messages are retried next time.
  const settled = run
    .catch((err: unknown) => console.error("Mail delivery failed:", (err as Error).message))
    .finally(() => {
      if (delivering === settled) delivering = null;
    });
  delivering = settled;
  return settled;
}

/** True when SMTP_URL is set, i.e. the portal delivers mail itself instead of leaving it in the outbox. */
export function mailDeliveryConfigured(): boolean {
  return Boolean(env().smtpUrl);
}
