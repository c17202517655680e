/**
 * The audit record: an append-only, hash-chained log. Each entry's hash covers the previous
 * entry's hash and the entry's canonical JSON (RFC 8785), so any edit or deletion breaks the chain.
 */
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { desc } from "drizzle-orm";
import { auditEvents } from "../../db/schema";
import { db } from "../utils/db.server";

export const GENESIS_HASH = "0".repeat(64);

export type AuditInput = {
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId?: string | null;
  data?: Record<string, unknown>;
};

type Entry = { seq: number; at: string; actorId: string | null; action: string; subjectType: string; subjectId: string | null; data: string; prevHash: string };

/** The hash of one entry, chained to its predecessor. */
export function entryHash(e: Entry): string {
  const body = canonicalize({
    seq: e.seq,
    at: e.at,
    actorId: e.actorId,
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    data: JSON.parse(e.data),
    prevHash: e.prevHash,
  })!;
  return createHash("sha256").update(body, "utf8").digest("hex");
}

/** Appends one event. Call inside the transaction of the write it records. */
export function recordAudit(input: AuditInput): void {
  const d = db();
  const last = d.select().from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1).get();
  const entry: Entry = {
    seq: (last?.seq ?? 0) + 1,
    at: new Date().toISOString(),
    actorId: input.actorId,
    action: input.action,
    subjectType: input.subjectType,
    subjectId: input.subjectId ?? null,
    data: JSON.stringify(input.data ?? {}),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  d.insert(auditEvents).values({ ...entry, hash: entryHash(entry) }).run();
}

/** Walks the whole chain; returns the first entry whose hash or link is wrong, if any. */
export function verifyAuditChain(): { ok: true; count: number } | { ok: false; seq: number; reason: string } {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  const stmt = db().$client.prepare(
    "select seq, at, actor_id as actorId, action, subject_type as subjectType, subject_id as subjectId, data, prev_hash as prevHash, hash from audit_events order by seq",
  );
  for (const row of stmt.iterate() as IterableIterator<Entry & { hash: string }>) {
    if (row.seq !== expectedSeq) return { ok: false, seq: row.seq, reason: `entry ${expectedSeq} is missing` };
    if (row.prevHash !== prev) return { ok: false, seq: row.seq, reason: "link to the previous entry is broken" };
    if (entryHash(row) !== row.hash) return { ok: false, seq: row.seq, reason: "entry content does not match its hash" };
    prev = row.hash;
    expectedSeq++;
    count++;
  }
  return { ok: true, count };
}

/** The most recent events, newest first. */
export function recentAuditEvents(limit = 100) {
  return db().select().from(auditEvents).orderBy(desc(auditEvents.seq)).limit(limit).all();
}
