/**
 * Group commit of collaborative edits, in a real portal with real providers: updates that arrive
 * together are appended in one transaction, and no sender is acknowledged before the commit that
 * holds its update — when the commit fails, the acknowledgement waits (the client keeps showing
 * unsaved changes) until a retry stores it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupCommit } from "../../app/collab/persistence.server";
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

  it("holds the acknowledgement while the commit fails, and sends it once a retry stores the edit", async () => {
    const writer = open();
    const other = open();
    await Promise.all([writer.synced, other.synced]);
    portal.db.$client.exec(
      "create trigger refuse_collab_updates before insert on collab_updates begin select raise(abort, 'simulated full disk'); end",
    );
    writer.doc.getArray<string>("group-probe").push(["edit held back"]);
    // The other editor sees it live (it is in the server's memory) ...
    await eventually(() => other.doc.getArray<string>("group-probe").toArray().includes("edit held back"), 20_000, "the other editor sees the edit");
    // ... but the writer is not told it is saved, and it is not stored.
    await new Promise((r) => setTimeout(r, 2500));
    expect(writer.provider.unsyncedChanges).toBeGreaterThan(0);
    expect(storedRowsWith("edit held back")).toBe(0);

    portal.db.$client.exec("drop trigger refuse_collab_updates");
    await writer.acknowledged();
    expect(storedRowsWith("edit held back")).toBe(1);
  }, 60_000);
});
