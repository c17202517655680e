/**
 * The disk full, and the database locked by another process longer than busy_timeout, during a
 * write: a page form (voting on the ballot page), an API write (a comment), an API vote and a live
 * edit over /collab. The user is told what happened and what to do (503 with Retry-After and a
 * message; the page explains it; the collaboration client's edit is not acknowledged), nothing is
 * half-written (row counts and the audit log unchanged), and the same action succeeds once the
 * fault is gone.
 *
 * "Disk full" is SQLite's own: the portal's connection gets `max_page_count` at the database's
 * current size after its free pages are used up, so any write that needs a new page fails with
 * SQLITE_FULL, as on a full disk. Each write here carries more than a page of text, so it needs one.
 * "Locked" is a second process holding `BEGIN IMMEDIATE` (the write lock) past the portal's
 * busy_timeout (5 s), which answers SQLITE_BUSY.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPortal, type Portal } from "../../server";
import { closeDb, db as processDb } from "../../app/utils/db.server";
import { readEnv, setEnv } from "../../app/utils/env.server";
import * as Y from "yjs";
import { loadDoc } from "../../app/collab/persistence.server";
import { connectDoc, eventually, type CollabClient } from "../support/collab";
import { sessionCookieFor } from "../support/factories";
import { lastAuditEvent, tableCounts, tempDataDir } from "../support/portal";
import { api, EDITED_DOCUMENT, halfWritten, prepareScenario, type Scenario } from "./support";

const dataDir = tempDataDir("ewtp-fault-storage-");
let portal: Portal;
let base: string;
let scenario: Scenario;
let sqlite: Database.Database;
let voterCookie: string;
const clients: CollabClient[] = [];
const children: ChildProcess[] = [];

/** More than a page (4 KiB) of text, so a write of it needs a new page. */
const LONG = (label: string, chars = 3000) => `${label}: ${"é".repeat(chars)}`;

beforeAll(async () => {
  expect(fs.existsSync(path.resolve("build/server/index.js")), "run `npm run build` before this test").toBe(true);
  scenario = await prepareScenario(dataDir, 2);
  closeDb();
  const initial = readEnv({ DATA_DIR: dataDir, PORT: "0", LOG_REQUESTS: "0" });
  portal = await createPortal({ mode: "production", env: initial });
  const port = await portal.listen(0);
  base = `http://127.0.0.1:${port}`;
  setEnv({ ...initial, port, publicUrl: base, publicOrigin: base });
  sqlite = processDb().$client;
  voterCookie = sessionCookieFor(scenario.voters[0].id);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await portal?.close(1000);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Row counts of every table but the filler, and the audit head. */
function snapshot() {
  const { fault_filler: _filler, ...counts } = tableCounts(processDb());
  return { counts, audit: lastAuditEvent(processDb())?.seq, votes: sqlite.prepare("select * from votes order by unit_id").all() };
}

/** Fills the database to SQLite's page limit: no free page is left, and it may not grow. */
function fillDisk(): void {
  sqlite.exec("create table if not exists fault_filler (b blob)");
  sqlite.pragma(`max_page_count = ${sqlite.pragma("page_count", { simple: true })}`);
  const insert = sqlite.prepare("insert into fault_filler (b) values (zeroblob(?))");
  for (const size of [65536, 4096, 1024, 256, 64, 16]) {
    try {
      for (;;) insert.run(size);
    } catch (err) {
      if ((err as { code?: string }).code !== "SQLITE_FULL") throw err;
    }
  }
}

/** Frees the space again (the limit lifted, the filler dropped). */
function freeDisk(): void {
  sqlite.pragma("max_page_count = 1073741823");
  sqlite.exec("drop table fault_filler");
}

/** Another process takes the database's write lock and holds it until `release`. */
async function holdLock(): Promise<{ release: () => Promise<void> }> {
  const script = `
    import Database from "better-sqlite3";
    const db = new Database(process.argv[1]);
    db.exec("BEGIN IMMEDIATE");
    console.log("locked");
    process.stdin.resume();
    process.stdin.on("end", () => { db.exec("ROLLBACK"); db.close(); process.exit(0); });`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, path.join(dataDir, "portal.db")], { stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d) => String(d).includes("locked") && resolve());
    child.once("exit", (code) => reject(new Error(`the lock holder exited (${code})`)));
  });
  return {
    release: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.stdin!.end();
      }),
  };
}

type Fault = { name: string; kind: "full" | "busy"; start: () => Promise<() => Promise<void>> };
const FAULTS: Fault[] = [
  {
    name: "the disk is full",
    kind: "full",
    start: async () => {
      fillDisk();
      return async () => freeDisk();
    },
  },
  {
    name: "another process holds the database longer than busy_timeout",
    kind: "busy",
    start: async () => (await holdLock()).release,
  },
];

const MESSAGE = { full: /storage is full, so this change was not saved/, busy: /database was busy with another long write, so this change was not saved/ };
const PAGE_TITLE = { full: "Not saved: the storage is full", busy: "Not saved: the database is busy" };

/** Runs `write` under the fault: it must be refused as `kind` with nothing written; after the fault it must succeed. */
async function underFault(fault: Fault, write: (attempt: "fault" | "after") => Promise<void>): Promise<void> {
  const before = snapshot();
  const lift = await fault.start();
  try {
    await write("fault");
    expect(snapshot()).toEqual(before);
  } finally {
    await lift();
  }
  await write("after");
  expect(halfWritten(sqlite)).toEqual([]);
}

describe.each(FAULTS)("when $name", (fault) => {
  it("a page form (a vote on the ballot page) answers 503 with a page saying nothing was saved and what to do", async () => {
    await underFault(fault, async (attempt) => {
      const res = await fetch(`${base}/ballots/${scenario.ballotId}`, {
        method: "POST",
        headers: { cookie: voterCookie, origin: base, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ intent: "vote", position: "approve", reason: LONG(`page ${fault.kind}`, 1900) }).toString(),
        redirect: "manual",
      });
      const html = await res.text();
      if (attempt === "after") return expect(res.status, html.slice(0, 400)).toBe(200);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(html).toContain(PAGE_TITLE[fault.kind]);
      expect(html).toContain("nothing of this change was written");
      expect(html).not.toMatch(/SQLITE_|SqliteError|at .*\.js:\d+/);
    });
  }, 60_000);

  it("an API write (a comment) answers 503 unavailable with Retry-After and a message", async () => {
    await underFault(fault, async (attempt) => {
      const res = await api(base, scenario.adminToken, "POST", "/standards/EWTP-CUS-001/comments", { body: LONG(`comment ${fault.kind}`), kind: "general" });
      if (attempt === "after") return expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.status).toBe(503);
      expect(res.retryAfter).toMatch(/^\d+$/);
      expect(res.body.error.code).toBe("unavailable");
      expect(res.body.error.message).toMatch(MESSAGE[fault.kind]);
    });
  }, 60_000);

  it("an API vote answers 503 and the earlier vote stands", async () => {
    await underFault(fault, async (attempt) => {
      const res = await api(base, scenario.voters[1].token, "PUT", `/ballots/${scenario.ballotId}/vote`, { position: "disapprove", reason: LONG(`vote ${fault.kind}`, 1900) });
      if (attempt === "after") return expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("unavailable");
      expect(res.body.error.message).toMatch(MESSAGE[fault.kind]);
    });
  }, 60_000);

  it("a live edit is not acknowledged and the editor is told; it is stored once the fault is gone", async () => {
    const editor = connectDoc(base, EDITED_DOCUMENT, { token: scenario.adminToken });
    const watcher = connectDoc(base, EDITED_DOCUMENT, { token: scenario.adminToken });
    clients.push(editor, watcher);
    await Promise.all([editor.synced, watcher.synced]);
    const label = LONG(`edit ${fault.kind}`);
    const before = snapshot();
    const lift = await fault.start();
    try {
      editor.doc.getArray<string>("probe").push([label]);
      // The editor's socket is closed with 1013 (try again later) and the edit stays unacknowledged.
      await eventually(() => editor.closeCodes.length > 0, 30_000, "the editor to be told");
      expect(editor.closeCodes).toEqual([1013]);
      expect(editor.provider.unsyncedChanges).toBeGreaterThan(0);
      // The document closes for everyone: nobody keeps working on a text that was not stored.
      await eventually(() => watcher.closeCodes.length > 0, 30_000, "the other editor to be told");
      expect(snapshot()).toEqual(before);
    } finally {
      await lift();
    }
    // The editor reconnects (as the browser's provider does) and resends its unsaved change; the
    // portal's retry of the queued edit (at the latest when the document loads again) and the resend
    // both store it, which Yjs applies once.
    const reconnected = connectDoc(base, EDITED_DOCUMENT, { token: scenario.adminToken });
    clients.push(reconnected);
    await reconnected.synced;
    Y.applyUpdate(reconnected.doc, Y.encodeStateAsUpdate(editor.doc));
    await reconnected.acknowledged();
    const stored = loadDoc(EDITED_DOCUMENT);
    expect(stored.getArray<string>("probe").toArray()).toContain(label);
    stored.destroy();
  }, 90_000);
  it("who someone is is still known: an API read, a page and the collaboration re-check go on, skipping the last-use bookkeeping", async () => {
    const watcher = connectDoc(base, EDITED_DOCUMENT, { token: scenario.adminToken });
    clients.push(watcher);
    await watcher.synced;
    // Make the next use of every token and session want to record itself.
    sqlite.prepare("update access_tokens set last_used_at = '2000-01-01T00:00:00.000Z'").run();
    sqlite.prepare("update sessions set last_verified_at = 0").run();
    const before = snapshot();
    const lift = await fault.start();
    try {
      const read = await api(base, scenario.adminToken, "GET", "/standards/EWTP-CUS-001");
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      const page = await fetch(`${base}/ballots/${scenario.ballotId}`, { headers: { cookie: voterCookie } });
      expect(page.status).toBe(200);
      // The re-check runs on a timer in the portal: a throw there would end the process.
      const { liveDocuments } = await import("../../app/collab/live.server");
      expect(() => (liveDocuments() as unknown as { recheck: () => void }).recheck()).not.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(watcher.closeCodes).toEqual([]);
      expect(snapshot()).toEqual(before);
    } finally {
      await lift();
    }
  }, 90_000);
});

describe("the OpenAPI document", () => {
  it("lists the 503 for every write", async () => {
    const doc = await (await fetch(`${base}/api/v1/openapi.json`)).json();
    const writes = Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>).flatMap(([p, ops]) =>
      Object.entries(ops)
        .filter(([method]) => method !== "get")
        .map(([method, op]) => ({ op: `${method} ${p}`, has503: "503" in op.responses })),
    );
    expect(writes.length).toBeGreaterThan(10);
    expect(writes.filter((w) => !w.has503)).toEqual([]);
  });
});
