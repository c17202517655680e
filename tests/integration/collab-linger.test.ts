/**
 * A document stays loaded a while after its last editor leaves (app/collab/extensions/linger.ts):
 * someone who reloads the page gets the document from memory, not reloaded from SQLite; when
 * nobody comes back it unloads, stored as before.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liveDocuments } from "../../app/collab/live.server";
import { loadDoc } from "../../app/collab/persistence.server";
import { connectDoc, eventually, type CollabClient } from "../support/collab";
import { accessTokenFor, createOrg, createUser } from "../support/factories";
import { startPortal, type TestPortal } from "../support/portal";

const DOC = "standard.EWTP-LOG-001";
const LINGER_MS = 1500;
let portal: TestPortal;
let token: string;
const clients: CollabClient[] = [];

beforeAll(async () => {
  portal = await startPortal({ collab: { lingerMs: LINGER_MS } });
  const org = createOrg({ kind: "expert", country: "CL" });
  const expert = await createUser({ org, role: "expert", committees: ["LOG"] });
  token = accessTokenFor(expert.id).token;
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await portal?.close();
});

async function openSynced(): Promise<CollabClient> {
  const client = connectDoc(portal.baseUrl, DOC, { token });
  clients.push(client);
  await client.synced;
  return client;
}

const loaded = () => liveDocuments()?.document?.(DOC);

describe("a document after its last editor leaves", () => {
  it("stays loaded for a reload, then unloads when nobody comes back, with every edit stored", async () => {
    const first = await openSynced();
    const document = loaded();
    expect(document).toBeDefined();
    first.doc.getArray<string>("linger-probe").push(["typed before leaving"]);
    await first.acknowledged();
    first.destroy();
    await new Promise((r) => setTimeout(r, 300));
    // Gone from the editor, still in memory: the "reload" gets the same document object.
    expect(loaded()).toBe(document);
    const again = await openSynced();
    expect(loaded()).toBe(document);
    expect(again.doc.getArray<string>("linger-probe").toArray()).toEqual(["typed before leaving"]);
    again.destroy();
    // Nobody comes back: it unloads after the lingering time (not before the time has passed).
    await new Promise((r) => setTimeout(r, LINGER_MS / 2));
    expect(loaded()).toBe(document);
    await eventually(() => loaded() === undefined, LINGER_MS * 4, "the document to unload");
    const stored = loadDoc(DOC);
    expect(stored.getArray<string>("linger-probe").toArray()).toEqual(["typed before leaving"]);
    stored.destroy();
    // And the next editor loads it from storage as usual.
    const later = await openSynced();
    expect(loaded()).not.toBe(document);
    expect(later.doc.getArray<string>("linger-probe").toArray()).toEqual(["typed before leaving"]);
  });
});
