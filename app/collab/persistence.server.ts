/**
 * Durable storage of the collaborative documents: every Yjs update is appended to `collab_updates`
 * synchronously (better-sqlite3, synchronous=FULL) while Yjs applies it — i.e. inside the
 * `Y.applyUpdate` that Hocuspocus's MessageReceiver runs before it writes the SyncStatus
 * acknowledgement — so an acknowledged edit is on disk. A document loads from its latest snapshot
 * plus the updates after it; compaction folds them into a new snapshot in one transaction.
 */
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
