/**
 * The signed index of every release (the contract's `GET /index.json`): for each release
 * `"<standard>@<version>"`, the SHA-256 and length of its manifest bytes as served, signed with the
 * index key. Its `version` grows by one at every publication and every re-signing, and it `expires`
 * 7 days after it was signed; it is re-signed when the newest expires within 2 days (a timer in
 * server.ts, hourly and at start-up), so a client holding an older index detects a rollback and a
 * client fed a frozen mirror sees it expire.
 *
 * Additive to the contract: `signed.keys` lists the release key (`{keyid, role, publicKey}`), so a
 * client that pins only the index key (`verify --root-key`) learns the release key from a document
 * that key signed. See docs/decisions/0011-releases-and-signing.md.
 */
import { createHash } from "node:crypto";
import { asc, desc } from "drizzle-orm";
import { releaseIndexes, releases } from "../../db/schema";
import { invalidateReleaseCache } from "../releases/serve.server";
import { db } from "../utils/db.server";
import { publicKeyInfo, signDocument, type SignedDocument } from "./signing-keys.server";

/** How long a signed index is valid. */
export const INDEX_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
/** An index expiring within this margin is re-signed. */
export const INDEX_RESIGN_MARGIN_MS = 2 * 24 * 60 * 60 * 1000;
/** How often the re-sign check runs. */
export const INDEX_CLOCK_MS = 60 * 60 * 1000;

/** What the index signs. */
export type IndexSigned = {
  _type: "index";
  version: number;
  expires: string;
  releases: Record<string, { sha256: string; length: number }>;
  /** The keys a client may trust once it trusts the index key (additive to the contract): the release key. */
  keys: { keyid: string; role: "release"; publicKey: string }[];
};

/** The newest index as served: its version, the exact body and when it expires. */
export type CurrentIndex = { version: number; body: string; expires: string };

/** Why an index was issued (the `reason` column). */
type IndexReason = (typeof releaseIndexes.$inferInsert)["reason"];

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** The index entries of every release: hash and length of its manifest bytes (UTF-8, as stored and served). */
function releaseEntries(): IndexSigned["releases"] {
  const out: IndexSigned["releases"] = {};
  const rows = db().select({ standardId: releases.standardId, version: releases.version, manifest: releases.manifest }).from(releases).orderBy(asc(releases.id)).all();
  for (const r of rows) {
    const bytes = Buffer.from(r.manifest, "utf8");
    out[`${r.standardId}@${r.version}`] = { sha256: sha256(bytes), length: bytes.length };
  }
  return out;
}

function newest(): typeof releaseIndexes.$inferSelect | undefined {
  return db().select().from(releaseIndexes).orderBy(desc(releaseIndexes.version)).limit(1).get();
}

/**
 * Signs and stores the next index over every release. Call inside the transaction that changed the
 * releases (a publication), so the index and the release exist together or not at all.
 */
export function issueIndex(reason: IndexReason, now = new Date()): CurrentIndex {
  const version = (newest()?.version ?? 0) + 1;
  const signedAt = now.toISOString();
  const expires = new Date(now.getTime() + INDEX_LIFETIME_MS).toISOString();
  const releaseKey = publicKeyInfo("release");
  const signed: IndexSigned = {
    _type: "index",
    version,
    expires,
    releases: releaseEntries(),
    keys: [{ keyid: releaseKey.keyid, role: "release", publicKey: releaseKey.publicKey }],
  };
  const body = JSON.stringify(signDocument("index", signed) satisfies SignedDocument<IndexSigned>);
  db().insert(releaseIndexes).values({ version, body, expires, signedAt, reason }).run();
  return { version, body, expires };
}

/** Re-signs the index (a new version, a later expiry) when the newest expires within 2 days; null when nothing was due. */
export function reSignIndexIfNeeded(now = new Date()): CurrentIndex | null {
  const issued = db().transaction(
    () => {
      const last = newest();
      if (!last) return null;
      if (Date.parse(last.expires) - now.getTime() > INDEX_RESIGN_MARGIN_MS) return null;
      return issueIndex("re-sign", now);
    },
    { behavior: "immediate" },
  );
  if (issued) invalidateReleaseCache();
  return issued;
}

/**
 * The newest signed index. Before the first publication an empty index is signed on the first
 * request (so `/index.json` always answers); an index found due is re-signed first, so what is
 * served never expires while the portal runs, even if its timer has not fired.
 */
export function currentIndex(now = new Date()): CurrentIndex | null {
  const last = newest();
  if (last && Date.parse(last.expires) - now.getTime() > INDEX_RESIGN_MARGIN_MS) return { version: last.version, body: last.body, expires: last.expires };
  if (last) return reSignIndexIfNeeded(now) ?? currentIndexRow();
  const first = db().transaction(() => (newest() ? null : issueIndex("re-sign", now)), { behavior: "immediate" });
  if (first) invalidateReleaseCache();
  return first ?? currentIndexRow();
}

function currentIndexRow(): CurrentIndex | null {
  const row = newest();
  return row ? { version: row.version, body: row.body, expires: row.expires } : null;
}

/** Starts the re-sign clock: once now, then hourly; returns the function that stops it. */
export function startIndexClock(intervalMs = INDEX_CLOCK_MS): () => void {
  const tick = () => {
    try {
      reSignIndexIfNeeded();
    } catch (err) {
      console.error("Re-signing the release index failed:", err);
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
