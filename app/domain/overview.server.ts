/** Figures for the secretariat's overview. */
import { db } from "../utils/db.server";

/** Counts of organisations, members, pending invitations and unsent mail. */
export function portalCounts() {
  const one = (q: string) => (db().$client.prepare(q).get() as { n: number }).n;
  return {
    organisations: one("select count(*) as n from organizations"),
    members: one("select count(*) as n from users where status = 'active'"),
    invited: one("select count(*) as n from users where status = 'invited'"),
    unsentMail: one("select count(*) as n from outbox where sent_at is null"),
  };
}
