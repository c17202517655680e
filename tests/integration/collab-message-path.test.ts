/**
 * An edit's path through the server, on a bare Hocuspocus server with real providers:
 * - edits handled as they arrive (app/collab/extensions/direct-updates.ts): an edit on a writable
 *   connection is applied, relayed and acknowledged without passing the `beforeHandleMessage` hooks
 *   of the extensions it stands in for, while every other message still passes them; with any other
 *   extension inspecting messages it stays off, and that extension sees every edit;
 * - the lighter change handling (app/collab/broadcast.ts): every edit still reaches the `onChange`
 *   hooks, and the debounced store still runs once typing pauses, however long it went on.
 */
import http from "node:http";
import type { Duplex } from "node:stream";
import { Hocuspocus, type Extension, type beforeHandleMessagePayload } from "@hocuspocus/server";
import * as decoding from "lib0/decoding";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocketServer } from "ws";
import { lighterChangeHandling } from "../../app/collab/broadcast";
import { directUpdates } from "../../app/collab/extensions/direct-updates";
import { connectDoc, eventually, type CollabClient } from "../support/collab";

const DOC = "standard.DIRECT-1";

type Seen = { edits: number; presence: number };

/** An extension that counts the edits (sync updates) and presence messages its hook sees. */
function spy(name: string, seen: Seen): Extension {
  return {
    extensionName: name,
    async beforeHandleMessage({ update }: beforeHandleMessagePayload) {
      const decoder = decoding.createDecoder(update);
      decoding.readVarString(decoder);
      const type = decoding.readVarUint(decoder);
      if (type === 1) seen.presence++;
      if (type === 0 && decoding.readVarUint(decoder) === 2) seen.edits++;
    },
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A bare Hocuspocus on its own port with `extensions`, and providers connected to it. */
async function bareServer(extensions: Extension[], debounce?: number): Promise<{ hocuspocus: Hocuspocus; connect: () => Promise<CollabClient> }> {
  const hocuspocus = new Hocuspocus({ quiet: true, extensions, ...(debounce === undefined ? {} : { debounce }) });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const server = http.createServer();
  server.on("upgrade", (req, socket: Duplex, head) => wss.handleUpgrade(req, socket, head, (ws) => hocuspocus.handleConnection(ws, req)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const clients: CollabClient[] = [];
  cleanups.push(async () => {
    for (const c of clients) c.destroy();
    wss.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    hocuspocus,
    connect: async () => {
      const client = connectDoc(baseUrl, DOC, { token: "unused" });
      clients.push(client);
      await client.synced;
      return client;
    },
  };
}

describe("edits handled as they arrive", () => {
  it("are applied, relayed and acknowledged without the message hooks they stand in for; presence still passes them", async () => {
    const seen: Seen = { edits: 0, presence: 0 };
    const direct = directUpdates({ handles: ["inspector"] });
    const { hocuspocus, connect } = await bareServer([spy("inspector", seen), direct]);
    const [a, b] = [await connect(), await connect()];
    expect(direct.enabled()).toBe(true);
    const editsBefore = seen.edits;
    for (let i = 0; i < 20; i++) a.doc.getText("t").insert(a.doc.getText("t").length, `${i},`);
    await eventually(() => b.doc.getText("t").toString().endsWith("19,"), 5000, "a's edits at b");
    await a.acknowledged();
    expect(b.doc.getText("t").toString()).toBe(Array.from({ length: 20 }, (_, i) => `${i},`).join(""));
    expect(hocuspocus.documents.get(DOC)?.getText("t").toString()).toBe(b.doc.getText("t").toString());
    expect(seen.edits).toBe(editsBefore);
    a.provider.setAwarenessField("cursor", { at: 3 });
    await eventually(() => seen.presence > 0, 5000, "a presence message through the hooks");
  });

  it("stay with Hocuspocus's hooks while another extension inspects messages, which then sees every edit", async () => {
    const seen: Seen = { edits: 0, presence: 0 };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    cleanups.push(() => warn.mockRestore());
    const direct = directUpdates({ handles: [] });
    const { connect } = await bareServer([spy("someone-else", seen), direct]);
    const [a, b] = [await connect(), await connect()];
    expect(direct.enabled()).toBe(false);
    expect(warn.mock.calls.map((c) => String(c[0])).some((m) => m.includes("someone-else"))).toBe(true);
    const editsBefore = seen.edits;
    for (let i = 0; i < 5; i++) a.doc.getText("t").insert(0, "x");
    await eventually(() => b.doc.getText("t").length === 5, 5000, "a's edits at b");
    await a.acknowledged();
    expect(seen.edits - editsBefore).toBe(5);
  });
});

describe("the lighter change handling", () => {
  it("passes every edit to the onChange hooks and stores once typing pauses, however long it went on", async () => {
    const changes: string[] = [];
    const stores: number[] = [];
    const recorder: Extension = {
      extensionName: "recorder",
      async onChange({ requestParameters }) {
        changes.push(requestParameters.get("who") ?? "");
      },
      async onStoreDocument() {
        stores.push(Date.now());
      },
    };
    const { hocuspocus, connect } = await bareServer([recorder], 300);
    lighterChangeHandling(hocuspocus, 200);
    const a = await connect();
    const before = changes.length;
    // 40 edits, one every 25 ms (1 s), longer than the 300 ms debounce but never pausing for it.
    for (let i = 0; i < 40; i++) {
      a.doc.getText("t").insert(0, "y");
      await new Promise((r) => setTimeout(r, 25));
    }
    const typingEnded = Date.now();
    await a.acknowledged();
    expect(changes.length - before).toBe(40);
    await eventually(() => stores.some((at) => at >= typingEnded - 250), 5000, "a store after the typing");
    const last = Math.max(...stores);
    // Stored once the debounce of the last re-arm ran out (300 ms; the bound leaves room for a busy machine), not at Hocuspocus's maximum debounce.
    expect(last - typingEnded).toBeLessThan(300 + 1000);
    expect(hocuspocus.documents.get(DOC)?.getText("t").length).toBe(40);
  });
});
