/**
 * Group commit of collaborative edits, in a real portal with real providers: updates that arrive
 * together are appended in one transaction, and no sender is acknowledged before the commit that
 * holds its update is on disk (the WAL's fdatasync, which runs off the event loop) — when the commit fails, nothing is acknowledged, the editors are told (1013) and
 * keep their unsaved changes, and the queued update is stored by a retry.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { compact, groupCommit, loadDoc, pendingUpdateCount } from "../../app/collab/persistence.server";
import { connectDoc, eventually, type CollabClient } from "../support/collab";
import { accessTokenFor, createOrg, createUser } from "../support/factories";
import { startPortal, type TestPortal } from "../support/portal";

let portal: TestPortal;
let token: string;
const clients: CollabClient[] = [];
const DOC = "standard.EWTP-LOG-001";

beforeAll(async () => {
  portal = await startPortal();
  const org = createOrg({ kind: "expert", country: "SG" });
  const expert = await createUser({ org, role: "expert", committees: ["LOG"] });
  token = accessTokenFor(expert.id).token;
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  portal.db.$client.exec("drop trigger if exists refuse_collab_updates");
  await portal?.close();
});

function open(): CollabClient {
  const client = connectDoc(portal.baseUrl, DOC, { token });
  clients.push(client);
  return client;
}

/** The stored updates of the document whose bytes contain `text` (Yjs stores strings as UTF-8). */
function storedRowsWith(text: string): number {
  const rows = portal.db.$client.prepare('select "update" as bytes from collab_updates where doc_name = ?').all(DOC) as { bytes: Buffer }[];
  return rows.filter((r) => r.bytes.includes(Buffer.from(text))).length;
}

/** How many updates are stored for a document name of the unit tests. */
function storedUnitRows(docName: string): number {
  return (portal.db.$client.prepare("select count(*) as n from collab_updates where doc_name = ?").get(docName) as { n: number }).n;
}

/** The probe array of the document as stored (latest snapshot plus later updates). */
function storedProbe(): string[] {
  const doc = loadDoc(DOC);
  const items = doc.getArray<string>("group-probe").toArray();
  doc.destroy();
  return items;
}

describe("group commit", () => {
  it("appends updates queued in one turn in one transaction, and calls back only after it", () => {
    const log = groupCommit();
    const before = (portal.db.$client.prepare("select count(*) as n from collab_updates").get() as { n: number }).n;
    let seenRows = -1;
    log.enqueue("standard.unit-a", new Uint8Array([0, 0]), null);
    log.enqueue("standard.unit-a", new Uint8Array([0, 0]), null);
    log.enqueue("standard.unit-b", new Uint8Array([0, 0]), null);
    log.afterCommit(() => {
      seenRows = (portal.db.$client.prepare("select count(*) as n from collab_updates").get() as { n: number }).n;
    });
    expect(log.pending()).toBe(true);
    expect(seenRows).toBe(-1);
    log.flush();
    expect(seenRows).toBe(before + 3);
    expect(log.stats()).toEqual({ commits: 1, updates: 3, failures: 0 });
    let immediate = false;
    log.afterCommit(() => (immediate = true));
    expect(immediate).toBe(true);
    portal.db.$client.prepare("delete from collab_updates where doc_name like 'standard.unit-%'").run();
  });

  it("writes a derived write without the fsync at its commit, then syncs the WAL off the event loop, and restores synchronous=FULL", async () => {
    const log = groupCommit();
    const realFdatasync = fs.fdatasync;
    let synced = 0;
    fs.fdatasync = ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) =>
      realFdatasync(fd, (error) => {
        synced++;
        callback(error);
      })) as typeof fs.fdatasync;
    try {
      const level = log.writeSyncingLater(() => {
        portal.db.$client.prepare("insert into collab_updates (doc_name, \"update\", user_id, created_at) values ('standard.unit-d', x'0000', null, 'now')").run();
        return portal.db.$client.pragma("synchronous", { simple: true });
      });
      expect(level).toBe(1); // NORMAL while it wrote
      expect(portal.db.$client.pragma("synchronous", { simple: true })).toBe(2); // FULL again for everything else
      expect(storedUnitRows("standard.unit-d")).toBe(1);
      await eventually(() => synced === 1, 5000, "the WAL's fdatasync");
    } finally {
      fs.fdatasync = realFdatasync;
      log.close();
      portal.db.$client.prepare("delete from collab_updates where doc_name like 'standard.unit-%'").run();
    }
  });

  it("keeps the WAL's descriptor open at shutdown until a derived write's fdatasync is done", async () => {
    const log = groupCommit();
    const errors: string[] = [];
    const realError = console.error;
    console.error = (...args: unknown[]) => void errors.push(args.map(String).join(" "));
    const realFdatasync = fs.fdatasync;
    let synced: NodeJS.ErrnoException | null | undefined;
    fs.fdatasync = ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      // The fsync is slower than the shutdown that follows the write.
      setTimeout(() => realFdatasync(fd, (error) => ((synced = error), callback(error))), 50);
    }) as typeof fs.fdatasync;
    try {
      log.writeSyncingLater(() => portal.db.$client.prepare("insert into collab_updates (doc_name, \"update\", user_id, created_at) values ('standard.unit-e', x'0000', null, 'now')").run());
      log.close();
      await eventually(() => synced !== undefined, 5000, "the fdatasync");
      expect(synced).toBeNull();
      expect(errors.filter((e) => e.includes("fsync"))).toEqual([]);
    } finally {
      fs.fdatasync = realFdatasync;
      console.error = realError;
      portal.db.$client.prepare("delete from collab_updates where doc_name like 'standard.unit-%'").run();
    }
  });

  it("with a minimum interval, holds the next commit until the interval has passed, and then writes what arrived meanwhile together", async () => {
    const log = groupCommit({ minIntervalMs: 300 });
    let first = false;
    log.enqueue("standard.unit-i", new Uint8Array([0, 0]), null);
    log.afterCommit(() => (first = true));
    await eventually(() => first, 5000, "the first commit");
    const startedAt = performance.now();
    let second = false;
    log.enqueue("standard.unit-i", new Uint8Array([0, 0]), null);
    log.enqueue("standard.unit-i", new Uint8Array([0, 0]), null);
    log.afterCommit(() => (second = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(storedUnitRows("standard.unit-i")).toBe(1); // held back
    expect(second).toBe(false);
    await eventually(() => second, 5000, "the second commit");
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(150);
    expect(storedUnitRows("standard.unit-i")).toBe(3);
    expect(log.stats()).toMatchObject({ commits: 2, updates: 3 });
    // flush() does not wait for the interval.
    log.enqueue("standard.unit-i", new Uint8Array([0, 0]), null);
    log.flush();
    expect(storedUnitRows("standard.unit-i")).toBe(4);
    log.close();
    portal.db.$client.prepare("delete from collab_updates where doc_name like 'standard.unit-%'").run();
  });

  it("writes a batch at once but calls back only after the WAL's fdatasync, which runs off the event loop", async () => {
    const log = groupCommit();
    // Hold every fdatasync of this test's commits until released (the real one runs then).
    const realFdatasync = fs.fdatasync;
    const held: (() => void)[] = [];
    let syncs = 0;
    fs.fdatasync = ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      held.push(() =>
        realFdatasync(fd, (error) => {
          syncs++;
          callback(error);
        }),
      );
    }) as typeof fs.fdatasync;
    try {
      let calledBack = false;
      log.enqueue("standard.unit-c", new Uint8Array([0, 0]), null);
      log.afterCommit(() => (calledBack = true));
      await eventually(() => held.length === 1, 5000, "the fdatasync to start");
      // In the database already (readers see it), but not acknowledged: it may not be on disk yet.
      expect(storedUnitRows("standard.unit-c")).toBe(1);
      // The rest of the portal's writes are still synced at each commit (synchronous=FULL, 2), as before the batch.
      expect(portal.db.$client.pragma("synchronous", { simple: true })).toBe(2);
      expect(calledBack).toBe(false);
      expect(log.pending()).toBe(true);
      // Meanwhile the event loop is free, and later updates wait for the next commit.
      log.enqueue("standard.unit-c", new Uint8Array([0, 0]), null);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(storedUnitRows("standard.unit-c")).toBe(1);
      held.shift()!();
      await eventually(() => calledBack, 5000, "the callback after the fdatasync");
      expect(syncs).toBe(1);
      // The second update went in the next commit, whose fdatasync is held in turn.
      await eventually(() => held.length === 1, 5000, "the next fdatasync to start");
      expect(storedUnitRows("standard.unit-c")).toBe(2);
      held.shift()!();
      await eventually(() => !log.pending(), 5000, "the second commit");
      expect(log.stats()).toEqual({ commits: 2, updates: 2, failures: 0 });
    } finally {
      fs.fdatasync = realFdatasync;
      for (const release of held) release();
      portal.db.$client.prepare("delete from collab_updates where doc_name like 'standard.unit-%'").run();
    }
  });

  it("compacts a loaded document from memory into a snapshot that loads the same document", async () => {
    const writer = open();
    await writer.synced;
    for (let e = 0; e < 5; e++) writer.doc.getArray<string>("compaction-probe").push([`compaction edit ${e}`]);
    await writer.acknowledged();
    const { liveDocuments } = await import("../../app/collab/live.server");
    const live = liveDocuments()!.document!(DOC)!;
    expect(compact(DOC, live)).toBeGreaterThan(0);
    expect(pendingUpdateCount(DOC)).toBe(0);
    const stored = loadDoc(DOC);
    expect(Y.encodeStateVector(stored)).toEqual(Y.encodeStateVector(live));
    expect(stored.getArray<string>("compaction-probe").toArray()).toEqual(live.getArray<string>("compaction-probe").toArray());
    expect(stored.getArray<string>("compaction-probe").toArray()).toContain("compaction edit 4");
    stored.destroy();
  });

  it("acknowledges many concurrent writers, every acknowledged edit stored", async () => {
    const writers = Array.from({ length: 12 }, () => open());
    await Promise.all(writers.map((w) => w.synced));
    await Promise.all(
      writers.map(async (w, i) => {
        for (let e = 0; e < 10; e++) w.doc.getArray<string>("group-probe").push([`gc writer ${i} edit ${e}`]);
        await w.acknowledged();
      }),
    );
    for (let i = 0; i < 12; i++) for (let e = 0; e < 10; e++) expect(storedRowsWith(`gc writer ${i} edit ${e}`), `writer ${i} edit ${e}`).toBeGreaterThan(0);
    await eventually(() => writers.every((w) => w.doc.getArray("group-probe").length === 120), 20_000, "every writer sees every edit");
  }, 60_000);

  it("never acknowledges an edit whose commit fails: the editors are told (1013), and the queued edit is stored once a retry succeeds", async () => {
    const writer = open();
    const other = open();
    await Promise.all([writer.synced, other.synced]);
    portal.db.$client.exec(
      "create trigger refuse_collab_updates before insert on collab_updates begin select raise(abort, 'simulated full disk'); end",
    );
    try {
      writer.doc.getArray<string>("group-probe").push(["edit held back"]);
      // Both editors of the document are told the text could not be saved; the writer's change stays unsaved.
      await eventually(() => writer.closeCodes.includes(1013) && other.closeCodes.includes(1013), 20_000, "the editors to be told");
      expect(writer.provider.unsyncedChanges).toBeGreaterThan(0);
      expect(storedRowsWith("edit held back")).toBe(0);
    } finally {
      portal.db.$client.exec("drop trigger refuse_collab_updates");
    }
    // The queue kept the edit: a retry stores it even if its editor never comes back.
    // (Read the stored state, snapshot and updates: the document may unload and compact meanwhile.)
    await eventually(() => storedProbe().includes("edit held back"), 20_000, "the retry to store the edit");
    // A reconnecting editor (as the browser's provider does) resends it and is acknowledged.
    const again = open();
    await again.synced;
    Y.applyUpdate(again.doc, Y.encodeStateAsUpdate(writer.doc));
    await again.acknowledged();
    expect(again.doc.getArray<string>("group-probe").toArray()).toContain("edit held back");
  }, 60_000);
});
