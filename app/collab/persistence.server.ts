/**
 * Durable storage of the collaborative documents: every Yjs update is appended to `collab_updates`
 * (better-sqlite3, synchronous=FULL) before its sender is acknowledged. Updates that arrive together
 * are appended by group commit (`groupCommit`): one transaction, one fsync, for everything that
 * arrived within one turn of the event loop; the persistence extension holds each acknowledgement
 * until the commit that holds its update. A document loads from its latest snapshot plus the updates
 * after it; compaction folds them into a new snapshot in one transaction.
 */
import type Database from "better-sqlite3";
import * as Y from "yjs";
import { getDraft } from "../domain/standards.server";
import { findProposal, proposalText } from "../domain/proposals.server";
import { db } from "../utils/db.server";
import { markdownIntoDoc } from "./yjs-markdown.server";

/** The kind and id a document name designates: `standard.<id>` or `proposal.<id>`; null for any other name. */
export function parseDocName(name: string): { kind: "standard" | "proposal"; id: string } | null {
  const m = /^(standard|proposal)\.([A-Za-z0-9_-]{1,64})$/.exec(name);
  return m ? { kind: m[1] as "standard" | "proposal", id: m[2] } : null;
}

/** Appends one update of a document (call it before the update is acknowledged); returns its row id. */
export function appendUpdate(docName: string, update: Uint8Array, userId: string | null = null): number {
  const info = db()
    .$client.prepare("insert into collab_updates (doc_name, \"update\", user_id, created_at) values (?, ?, ?, ?)")
    .run(docName, Buffer.from(update), userId, new Date().toISOString());
  return Number(info.lastInsertRowid);
}

/** One update waiting for the next group commit. */
type PendingUpdate = { docName: string; update: Uint8Array; userId: string | null };

/**
 * Group commit of updates: `enqueue` queues an update, and the queue is appended in one transaction
 * at the end of the current turn of the event loop (setImmediate: after every message already read
 * from the sockets has been applied). `afterCommit` runs a callback once everything queued so far is
 * committed — at once when nothing is pending. A failed commit keeps the queue (and the callbacks,
 * i.e. the acknowledgements) and retries, so nothing is acknowledged that is not on disk.
 */
export type GroupCommit = {
  enqueue: (docName: string, update: Uint8Array, userId: string | null) => void;
  /** True while updates wait for a commit. */
  pending: () => boolean;
  /** Runs `callback` after the commit holding every update queued so far (at once if none is). */
  afterCommit: (callback: () => void) => void;
  /** Commits the queue now, synchronously (API changes, compaction, unload, shutdown). Throws when the commit fails. */
  flush: () => void;
  /** Counters: commits made and updates appended (tests and the benchmark read them). */
  stats: () => { commits: number; updates: number; failures: number };
};

/** Builds a group-commit queue over the portal's database. */
export function groupCommit(options: { retryMs?: number; onFailure?: (docNames: Set<string>, error: unknown) => void } = {}): GroupCommit {
  let queue: PendingUpdate[] = [];
  let callbacks: (() => void)[] = [];
  let scheduled: NodeJS.Immediate | NodeJS.Timeout | null = null;
  const stats = { commits: 0, updates: 0, failures: 0 };
  // Consecutive failed commits: retries back off (a locked database blocks the process for
  // busy_timeout on every attempt), up to five times the base delay.
  let failedInARow = 0;
  let prepared: { client: Database.Database; insert: Database.Statement } | null = null;
  const retryDelay = () => (options.retryMs ?? 1000) * Math.min(2 ** failedInARow++, 5);

  const commit = () => {
    if (scheduled) {
      clearImmediate(scheduled as NodeJS.Immediate);
      clearTimeout(scheduled as NodeJS.Timeout);
      scheduled = null;
    }
    if (queue.length > 0) {
      const batch = queue;
      const client = db().$client;
      // Prepared once per connection: this runs for every batch of edits (the hot path).
      if (prepared?.client !== client) prepared = { client, insert: client.prepare("insert into collab_updates (doc_name, \"update\", user_id, created_at) values (?, ?, ?, ?)") };
      const { insert } = prepared;
      const at = new Date().toISOString();
      client.transaction(() => {
        for (const u of batch) insert.run(u.docName, Buffer.from(u.update), u.userId, at);
      })();
      // Only now is the batch on disk: drop it from the queue.
      queue = queue.slice(batch.length);
      stats.commits++;
      stats.updates += batch.length;
      failedInARow = 0;
    }
    const done = callbacks;
    callbacks = [];
    for (const callback of done) callback();
  };

  const run = () => {
    scheduled = null;
    try {
      commit();
    } catch (error) {
      stats.failures++;
      console.error(`[collab] group commit of ${queue.length} updates failed, retrying (acknowledgements held): ${(error as Error).message}`);
      scheduled = setTimeout(run, retryDelay());
      options.onFailure?.(new Set(queue.map((u) => u.docName)), error);
    }
  };

  const schedule = () => {
    if (!scheduled) scheduled = setImmediate(run);
  };

  return {
    enqueue(docName, update, userId) {
      queue.push({ docName, update, userId });
      schedule();
    },
    pending: () => queue.length > 0,
    afterCommit(callback) {
      if (queue.length === 0 && callbacks.length === 0) {
        callback();
        return;
      }
      callbacks.push(callback);
      schedule();
    },
    flush() {
      try {
        commit();
      } catch (error) {
        stats.failures++;
        if (!scheduled) scheduled = setTimeout(run, retryDelay());
        options.onFailure?.(new Set(queue.map((u) => u.docName)), error);
        throw error;
      }
    },
    stats: () => ({ ...stats }),
  };
}

/** True when anything (a snapshot or an update) is stored for the document. */
export function hasStoredState(docName: string): boolean {
  const client = db().$client;
  return (
    client.prepare("select 1 from collab_snapshots where doc_name = ?").get(docName) !== undefined ||
    client.prepare("select 1 from collab_updates where doc_name = ? limit 1").get(docName) !== undefined
  );
}

/** Applies the stored state (latest snapshot, then every later update in order) to `doc`; returns how many updates followed the snapshot. */
export function loadInto(doc: Y.Doc, docName: string): number {
  const client = db().$client;
  const snapshot = client.prepare("select state, last_update_id as lastUpdateId from collab_snapshots where doc_name = ?").get(docName) as
    | { state: Buffer; lastUpdateId: number }
    | undefined;
  const rows = client
    .prepare("select \"update\" as bytes from collab_updates where doc_name = ? and id > ? order by id")
    .all(docName, snapshot?.lastUpdateId ?? 0) as { bytes: Buffer }[];
  Y.transact(doc, () => {
    if (snapshot) Y.applyUpdate(doc, snapshot.state);
    for (const row of rows) Y.applyUpdate(doc, row.bytes);
  }, "persistence");
  return rows.length;
}

/** The stored document as a fresh Y.Doc (latest snapshot plus later updates). */
export function loadDoc(docName: string): Y.Doc {
  const doc = new Y.Doc();
  loadInto(doc, docName);
  return doc;
}

/**
 * The stored version of a document: the id of the last update it holds (in its snapshot or after
 * it), 0 when nothing is stored. Compaction keeps it (it folds without changing the content).
 */
export function storedVersion(docName: string): number {
  const client = db().$client;
  const row = client
    .prepare(
      "select max(coalesce((select max(id) from collab_updates where doc_name = ?), 0), coalesce((select last_update_id from collab_snapshots where doc_name = ?), 0)) as v",
    )
    .get(docName, docName) as { v: number };
  return row.v;
}

/** Stored documents read recently, by name, with the version they were read at (the most recently used last). */
const storedDocs = new Map<string, { version: number; doc: Y.Doc; database: unknown }>();
const STORED_DOCS_KEPT = 8;
let storedDocLoads = 0;

/**
 * The stored document, read-only and shared: loaded again only when its stored version changed (a
 * later update), so reading the comments of a document nobody has open does not rebuild it every
 * time. Null when nothing is stored. Callers must not change or destroy it.
 */
export function cachedStoredDoc(docName: string): Y.Doc | null {
  const version = storedVersion(docName);
  const database = db().$client;
  const hit = storedDocs.get(docName);
  if (hit) storedDocs.delete(docName);
  if (version === 0) {
    hit?.doc.destroy();
    return null;
  }
  if (hit && hit.version === version && hit.database === database) {
    storedDocs.set(docName, hit);
    return hit.doc;
  }
  hit?.doc.destroy();
  const doc = loadDoc(docName);
  storedDocLoads++;
  storedDocs.set(docName, { version, doc, database });
  for (const [name, entry] of storedDocs) {
    if (storedDocs.size <= STORED_DOCS_KEPT) break;
    storedDocs.delete(name);
    entry.doc.destroy();
  }
  return doc;
}

/** How many times cachedStoredDoc loaded a document from the database (tests read it). */
export function cachedStoredDocLoads(): number {
  return storedDocLoads;
}

/** Folds every stored update of the document into its snapshot and deletes them, in one transaction; returns how many were folded. */
export function compact(docName: string): number {
  const client = db().$client;
  return client.transaction(() => {
    const last = client.prepare("select max(id) as id from collab_updates where doc_name = ?").get(docName) as { id: number | null };
    if (last.id === null) return 0;
    const doc = loadDoc(docName);
    const state = Buffer.from(Y.encodeStateAsUpdate(doc));
    doc.destroy();
    client
      .prepare(
        "insert into collab_snapshots (doc_name, state, last_update_id, updated_at) values (?, ?, ?, ?) on conflict(doc_name) do update set state = excluded.state, last_update_id = excluded.last_update_id, updated_at = excluded.updated_at",
      )
      .run(docName, state, last.id, new Date().toISOString());
    return client.prepare("delete from collab_updates where doc_name = ? and id <= ?").run(docName, last.id).changes;
  })();
}

/** How many updates are stored after the document's snapshot (compaction decides on it). */
export function pendingUpdateCount(docName: string): number {
  const client = db().$client;
  const snapshot = client.prepare("select last_update_id as id from collab_snapshots where doc_name = ?").get(docName) as { id: number } | undefined;
  return (client.prepare("select count(*) as n from collab_updates where doc_name = ? and id > ?").get(docName, snapshot?.id ?? 0) as { n: number }).n;
}

/** The Markdown a document starts from: the standard's draft or the proposal's text; undefined when it does not exist. */
export function initialMarkdownOf(docName: string): string | undefined {
  const parsed = parseDocName(docName);
  if (!parsed) return undefined;
  if (parsed.kind === "standard") return getDraft(parsed.id)?.markdown;
  const proposal = findProposal(parsed.id);
  return proposal ? proposalText(proposal).markdown : undefined;
}

/**
 * Loads a document into `doc` from storage; when nothing is stored yet, creates its first content
 * on the server from the draft's Markdown and stores that as its first update (never a browser's).
 */
export function loadOrCreate(doc: Y.Doc, docName: string): void {
  if (hasStoredState(docName)) {
    loadInto(doc, docName);
    return;
  }
  const markdown = initialMarkdownOf(docName);
  if (markdown === undefined) throw new Error(`No document ${docName}.`);
  const update = markdownIntoDoc(doc, markdown, "persistence");
  if (update) appendUpdate(docName, update, null);
}
