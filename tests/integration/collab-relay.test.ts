/**
 * How the collaboration server relays (app/collab/broadcast.ts, app/collab/coalesce.ts), seen from
 * real providers' sockets: an edit reaches every other connection of the document once and is not
 * sent back to its author; a presence change likewise; bursts of edits arrive intact and in order.
 */
import * as decoding from "lib0/decoding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDoc, eventually, type CollabClient } from "../support/collab";
import { accessTokenFor, createOrg, createUser } from "../support/factories";
import { startPortal, type TestPortal } from "../support/portal";

const SYNC = 0;
const AWARENESS = 1;
const SYNC_UPDATE = 2;
const DOC = "standard.EWTP-LOG-001";

let portal: TestPortal;
let token: string;
const clients: CollabClient[] = [];

type Received = { updates: Uint8Array[]; awarenessClientIds: number[] };

beforeAll(async () => {
  portal = await startPortal();
  const org = createOrg({ kind: "expert", country: "KE" });
  const expert = await createUser({ org, role: "expert", committees: ["LOG"] });
  token = accessTokenFor(expert.id).token;
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await portal?.close();
});

/** A synced provider, and what arrives on its socket from now on: Yjs updates and the client ids of awareness messages. */
async function openRecording(): Promise<{ client: CollabClient; received: Received }> {
  const client = connectDoc(portal.baseUrl, DOC, { token });
  clients.push(client);
  await client.synced;
  const received: Received = { updates: [], awarenessClientIds: [] };
  const ws = client.socket.webSocket as unknown as { addEventListener: (type: "message", listener: (event: { data: ArrayBuffer | Uint8Array }) => void) => void };
  ws.addEventListener("message", ({ data }) => {
    const decoder = decoding.createDecoder(data instanceof Uint8Array ? data : new Uint8Array(data));
    if (decoding.readVarString(decoder) !== DOC) return;
    const type = decoding.readVarUint(decoder);
    if (type === SYNC && decoding.readVarUint(decoder) === SYNC_UPDATE) received.updates.push(decoding.readVarUint8Array(decoder));
    if (type === AWARENESS) {
      const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
      const count = decoding.readVarUint(update);
      for (let i = 0; i < count; i++) {
        received.awarenessClientIds.push(decoding.readVarUint(update));
        decoding.readVarUint(update); // clock
        decoding.readVarString(update); // state
      }
    }
  });
  return { client, received };
}

const containing = (updates: Uint8Array[], text: string) => updates.filter((u) => Buffer.from(u).includes(Buffer.from(text))).length;

describe("relaying edits and presence", () => {
  it("sends an edit once to every other connection of the document, and not back to its author", async () => {
    const [a, b, c] = [await openRecording(), await openRecording(), await openRecording()];
    a.client.doc.getArray<string>("relay-probe").push(["relay marker one"]);
    await eventually(() => [b, c].every(({ client }) => client.doc.getArray<string>("relay-probe").toArray().includes("relay marker one")), 5000, "the edit at b and c");
    await a.client.acknowledged();
    await new Promise((r) => setTimeout(r, 100)); // anything still on its way
    expect(containing(b.received.updates, "relay marker one")).toBe(1);
    expect(containing(c.received.updates, "relay marker one")).toBe(1);
    expect(containing(a.received.updates, "relay marker one")).toBe(0);
  });

  it("relays a presence change to the others, not back to whoever made it", async () => {
    const [a, b] = [await openRecording(), await openRecording()];
    a.client.provider.setAwarenessField("cursor", { anchor: 1, head: 4 });
    const id = a.client.doc.clientID;
    await eventually(() => b.received.awarenessClientIds.includes(id), 5000, "a's presence at b");
    await eventually(() => (b.client.provider.awareness?.getStates().get(id) as { cursor?: unknown } | undefined)?.cursor !== undefined, 5000, "a's cursor in b's awareness");
    await new Promise((r) => setTimeout(r, 100));
    expect(a.received.awarenessClientIds).not.toContain(id);
  });

  it("carries a burst of edits from several authors intact, in each author's order", async () => {
    const authors = [await openRecording(), await openRecording(), await openRecording()];
    const reader = await openRecording();
    for (let i = 0; i < 50; i++) {
      authors.forEach(({ client }, k) => client.doc.getArray<string>(`burst-${k}`).push([`${k}:${i}`]));
    }
    const expected = (k: number) => Array.from({ length: 50 }, (_, i) => `${k}:${i}`);
    await eventually(() => authors.every((_, k) => reader.client.doc.getArray<string>(`burst-${k}`).length === 50), 10_000, "every edit at the reader");
    for (let k = 0; k < authors.length; k++) expect(reader.client.doc.getArray<string>(`burst-${k}`).toArray()).toEqual(expected(k));
    // And the authors converge with each other.
    for (const { client } of authors) {
      await eventually(() => authors.every((_, k) => client.doc.getArray<string>(`burst-${k}`).length === 50), 10_000, "every edit at every author");
    }
  });
});
