/**
 * The write-ahead log is checkpointed by a worker thread with its own connection
 * (db/checkpointer.worker.mjs, app/utils/checkpointer.server.ts), not inside a commit on the event
 * loop: the portal's connection only checkpoints by itself far later, as a fallback.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPortal, type Portal } from "../../server";
import { closeDb, db } from "../../app/utils/db.server";
import { readEnv } from "../../app/utils/env.server";
import { tempDataDir } from "../support/portal";

let portal: Portal;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDataDir("ewtp-checkpointer-");
  closeDb();
  portal = await createPortal({ mode: "api-only", env: readEnv({ DATA_DIR: dataDir, PORT: "0", LOG_REQUESTS: "0" }) });
});

afterAll(async () => {
  await portal?.close(1000);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The log's frames and how many of them are in the database file, as SQLite reports them (a passive checkpoint that finds nothing left to do). */
function walState(): { frames: number; checkpointed: number } {
  const [row] = db().$client.pragma("wal_checkpoint(PASSIVE)") as { busy: number; log: number; checkpointed: number }[];
  return { frames: row.log, checkpointed: row.checkpointed };
}

describe("the checkpointer", () => {
  it("runs in a worker, folds the log into the database file, and leaves the portal's connection a high fallback threshold", async () => {
    expect(portal.checkpointer).not.toBeNull();
    expect(db().$client.pragma("wal_autocheckpoint", { simple: true })).toBe(10_000);
    const client = db().$client;
    client.exec("create table checkpoint_probe (bytes blob)");
    // About 2,000 pages of log: more than SQLite's default threshold of 1,000, below the fallback.
    const insert = client.prepare("insert into checkpoint_probe (bytes) values (?)");
    for (let i = 0; i < 200; i++) client.transaction(() => insert.run(Buffer.alloc(40_000, i)))();
    const before = await portal.checkpointer!.stats();
    const after = await portal.checkpointer!.checkpointNow();
    expect(after.errors).toBe(0);
    expect(after.checkpoints).toBeGreaterThan(before.checkpoints);
    expect(after.pagesCheckpointed).toBeGreaterThan(1000);
    // Nothing was left for the portal's connection to do.
    const state = walState();
    expect(state.checkpointed).toBe(state.frames);
    // The data is intact, read back through the portal's connection.
    expect((client.prepare("select count(*) as n, sum(length(bytes)) as size from checkpoint_probe").get() as { n: number; size: number })).toEqual({ n: 200, size: 200 * 40_000 });
    client.exec("drop table checkpoint_probe");
  });

  it("stops with the portal, and the portal's connection then checkpoints by itself again", async () => {
    const checkpointer = portal.checkpointer!;
    await checkpointer.stop();
    await expect(checkpointer.stats()).rejects.toThrow(/not running/);
    expect(db().$client.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
  });
});
