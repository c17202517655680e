/**
 * Signed checkpoints of the audit record: the chain head (its seq and hash) signed with the portal's
 * "index" key at every ballot close and at least daily. A checkpoint pins everything before it:
 * rewriting any earlier entry — even recomputing every later hash to keep the chain consistent —
 * no longer matches a signed head. `verifyAuditRecord` checks the chain and every checkpoint.
 */
import { asc, desc, eq, gte } from "drizzle-orm";
import { auditCheckpoints, auditEvents } from "../../db/schema";
import { db } from "../utils/db.server";
import { verifyAuditChain } from "./audit.server";
import { publicKeyInfo, signDocument, verifyDocument, type PublicKeyInfo, type SignedDocument } from "./signing-keys.server";

/** What a checkpoint signs (the JCS canonical JSON of exactly these four fields). */
export type CheckpointSigned = { seq: number; headHash: string; signedAt: string; reason: string };
/** A checkpoint as published: the signed document, with its row id. */
export type Checkpoint = SignedDocument<CheckpointSigned> & { id: number };

type CheckpointRow = typeof auditCheckpoints.$inferSelect;

export const CHECKPOINT_INTERVAL_MS = 24 * 60 * 60 * 1000;

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return {
    id: row.id,
    signed: { seq: row.seq, headHash: row.headHash, signedAt: row.signedAt, reason: row.reason },
    signatures: [{ keyid: row.keyid, sig: row.signature }],
  };
}

/**
 * Signs the current chain head with the index key and stores the checkpoint. Call inside the
 * transaction of the event it should cover (a ballot's close). Null when the record is empty.
 */
export function signCheckpoint(reason: string, now = new Date()): Checkpoint | null {
  const head = db().select({ seq: auditEvents.seq, hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1).get();
  if (!head) return null;
  const signed: CheckpointSigned = { seq: head.seq, headHash: head.hash, signedAt: now.toISOString(), reason };
  const doc = signDocument("index", signed);
  const row = db()
    .insert(auditCheckpoints)
    .values({ seq: signed.seq, headHash: signed.headHash, signedAt: signed.signedAt, reason, keyid: doc.signatures[0].keyid, signature: doc.signatures[0].sig })
    .returning()
    .get();
  return toCheckpoint(row);
}

/** The newest checkpoint, or null. */
export function latestCheckpoint(): Checkpoint | null {
  const row = db().select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.id)).limit(1).get();
  return row ? toCheckpoint(row) : null;
}

/** The first checkpoint that covers audit entry `seq` (its head is at or after it), or null. */
export function checkpointCovering(seq: number): Checkpoint | null {
  const row = db().select().from(auditCheckpoints).where(gte(auditCheckpoints.seq, seq)).orderBy(asc(auditCheckpoints.id)).limit(1).get();
  return row ? toCheckpoint(row) : null;
}

/** Signs a "daily" checkpoint when none was signed in the last 24 hours (and the record is not empty). Returns it, or null. */
export function signDailyCheckpointIfDue(now = new Date()): Checkpoint | null {
  return db().transaction(
    () => {
      const last = latestCheckpoint();
      if (last && now.getTime() - Date.parse(last.signed.signedAt) < CHECKPOINT_INTERVAL_MS) return null;
      return signCheckpoint("daily", now);
    },
    { behavior: "immediate" },
  );
}

/** The outcome of checking the audit record: the chain and every checkpoint, or the first problem found. */
export type AuditVerification =
  | { ok: true; entries: number; checkpoints: number; latest: CheckpointSigned | null; keyid: string | null }
  | { ok: false; entries: number | null; checkpoints: number; problem: { kind: "entry"; seq: number; message: string } | { kind: "checkpoint"; id: number; seq: number; message: string } };

/**
 * Recomputes the hash chain, then checks each checkpoint in order: its id follows the previous one
 * (none deleted), its signature verifies with the portal's published index key, and the entry at
 * its seq still has the signed head hash. A broken chain is reported by its first bad entry; a
 * consistent but rewritten chain by the first checkpoint it no longer matches, naming the entries
 * that were rewritten (after the last checkpoint that still matches).
 */
export function verifyAuditRecord(keys: PublicKeyInfo[] = [publicKeyInfo("index")]): AuditVerification {
  const chain = verifyAuditChain();
  const rows = db().select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.id)).all();
  if (!chain.ok) return { ok: false, entries: null, checkpoints: rows.length, problem: { kind: "entry", seq: chain.seq, message: chain.reason } };
  const hashAt = db().$client.prepare("select hash from audit_events where seq = ?");
  let expectedId = rows[0]?.id ?? 1;
  let lastGoodSeq = 0;
  let previousSeq = 0;
  for (const row of rows) {
    const fail = (message: string) => ({ ok: false as const, entries: chain.count, checkpoints: rows.length, problem: { kind: "checkpoint" as const, id: row.id, seq: row.seq, message } });
    if (row.id !== expectedId) return fail(`checkpoint ${expectedId} is missing`);
    expectedId++;
    if (!verifyDocument(toCheckpoint(row), keys)) return fail(`its signature does not verify with the portal's index key ${keys.map((k) => k.keyid).join(", ")}`);
    if (row.seq < previousSeq) return fail(`it signs entry ${row.seq}, before the previous checkpoint's entry ${previousSeq}`);
    previousSeq = row.seq;
    const entry = hashAt.get(row.seq) as { hash: string } | undefined;
    if (!entry) return fail(`it signs entry ${row.seq}, which is no longer in the record (entries after ${chain.count} were removed)`);
    if (entry.hash !== row.headHash) {
      return fail(`entry ${row.seq} no longer has the signed hash: entries ${lastGoodSeq + 1} to ${row.seq} were rewritten after the checkpoint was signed`);
    }
    lastGoodSeq = row.seq;
  }
  const latest = rows.at(-1);
  return {
    ok: true,
    entries: chain.count,
    checkpoints: rows.length,
    latest: latest ? toCheckpoint(latest).signed : null,
    keyid: latest?.keyid ?? null,
  };
}

/** The checkpoints signed for a reason (e.g. one ballot's close), oldest first. */
export function checkpointsFor(reason: string): Checkpoint[] {
  return db().select().from(auditCheckpoints).where(eq(auditCheckpoints.reason, reason)).orderBy(asc(auditCheckpoints.id)).all().map(toCheckpoint);
}
