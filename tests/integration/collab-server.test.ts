/**
 * The collaboration server on the portal's own port (/collab), with real @hocuspocus/provider
 * clients: sync of a seeded standard, edits between clients, read-only observers, refusals,
 * the Origin check, message limits, malformed updates, and the draft API following the live text.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as encoding from "lib0/encoding";
import * as Y from "yjs";
import { markdownFromDoc, markdownIntoDoc } from "../../app/collab/yjs-markdown.server";
import { getDraft } from "../../app/domain/standards.server";
import { normalizeMarkdownWhitespace } from "../../app/editor/markdown";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import WebSocket from "ws";
import { connectDoc, eventually, type CollabClient } from "../support/collab";
import { accessTokenFor, createOrg, createUser, sessionCookieFor } from "../support/factories";
import { call } from "../support/http";
import { startPortal, type TestPortal } from "../support/portal";

let portal: TestPortal;
const who: Record<string, { token: string; cookie: string; id: string }> = {};
const clients: CollabClient[] = [];
const STANDARD = "EWTP-TAR-001";
const DOC = `standard.${STANDARD}`;

function open(name: string, credentials: { token?: string; cookie?: string; origin?: string }): CollabClient {
  const client = connectDoc(portal.baseUrl, name, credentials);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  portal = await startPortal();
  const expertOrg = createOrg({ kind: "expert", country: "SG" });
  const government = createOrg({ kind: "government", country: "BR" });
  const company = createOrg({ kind: "company", country: "CN" });
  const people = {
    expert: await createUser({ org: expertOrg, role: "expert", committees: ["TAR", "LOG"] }),
    member: await createUser({ org: company, role: "member", committees: ["TAR"] }),
    observer: await createUser({ org: government, role: "observer", committees: ["TAR"] }),
    outsider: await createUser({ org: expertOrg, role: "expert", committees: ["LOG"] }),
  };
  for (const [name, user] of Object.entries(people)) who[name] = { id: user.id, token: accessTokenFor(user.id).token, cookie: sessionCookieFor(user.id) };
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await portal?.close();
});

/** Sends a raw upgrade request with the given headers; resolves with the status line. */
function rawUpgrade(headers: Record<string, string>): Promise<string> {
  const url = new URL(portal.baseUrl);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
      socket.write(`GET /collab HTTP/1.1\r\nHost: ${url.host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`);
    });
    let data = "";
    socket.on("data", (d) => {
      data += d;
      socket.destroy();
    });
    socket.on("close", () => resolve(data.split("\r\n")[0] ?? ""));
    setTimeout(() => socket.destroy(), 1500);
  });
}

describe("the collaboration server", () => {
  it("syncs a seeded standard whose content is its draft, created on the server", async () => {
    const client = open(DOC, { token: who.expert.token });
    await client.synced;
    expect(markdownFromDoc(client.doc)).toBe(normalizeMarkdownWhitespace(getDraft(STANDARD)!.markdown));
  });

  it("authenticates a browser by its session cookie, sent on the upgrade with the portal's Origin", async () => {
    const client = open(DOC, { cookie: who.member.cookie, origin: portal.baseUrl });
    await client.synced;
    expect(markdownFromDoc(client.doc)).toContain("# EWTP-TAR-001");
  });

  it("carries an edit by one client to another", async () => {
    const a = open(DOC, { token: who.expert.token });
    const b = open(DOC, { cookie: who.member.cookie });
    await Promise.all([a.synced, b.synced]);
    const text = markdownFromDoc(a.doc).replace("# EWTP-TAR-001", "# EWTP-TAR-001 (edited live)");
    markdownIntoDoc(a.doc, text);
    await a.acknowledged();
    await eventually(() => markdownFromDoc(b.doc).includes("(edited live)"), 5000, "the edit to reach client b");
  });

  it("gives a client that opens after each edit the latest text (the first-sync answer is renewed)", async () => {
    const editor = open(DOC, { token: who.expert.token });
    await editor.synced;
    for (let round = 1; round <= 3; round++) {
      const first = open(DOC, { token: who.expert.token });
      await first.synced;
      editor.doc.getArray<string>("open-probe").push([`round ${round}`]);
      await editor.acknowledged();
      const late = open(DOC, { cookie: who.member.cookie });
      await late.synced;
      expect(late.doc.getArray<string>("open-probe").toArray()).toEqual(Array.from({ length: round }, (_, i) => `round ${i + 1}`));
      expect(markdownFromDoc(late.doc)).toBe(markdownFromDoc(editor.doc));
      first.destroy();
      late.destroy();
    }
  });

  it("lets an observer read but not write, and drops the observer's forged awareness", async () => {
    const editor = open(DOC, { token: who.expert.token });
    const observer = open(DOC, { token: who.observer.token });
    await Promise.all([editor.synced, observer.synced]);
    expect(observer.provider.authorizedScope).toBe("readonly");
    const before = markdownFromDoc(editor.doc);

    markdownIntoDoc(observer.doc, "# Vandalised\n");
    observer.provider.setAwarenessField("user", { name: "Forged cursor of someone else" });
    // A fresh client sees what the server holds.
    await new Promise((r) => setTimeout(r, 500));
    const fresh = open(DOC, { token: who.expert.token });
    await fresh.synced;
    expect(markdownFromDoc(fresh.doc)).toBe(before);
    const seen = [...editor.provider.awareness!.getStates().values()].map((s) => JSON.stringify(s));
    expect(seen.join("\n")).not.toContain("Forged cursor");
  });

  it("refuses a member of another committee, and an unknown document name", async () => {
    const outsider = open(DOC, { token: who.outsider.token });
    await expect(outsider.synced).rejects.toThrow(/authentication failed/);
    const nobody = open(DOC, {});
    await expect(nobody.synced).rejects.toThrow(/authentication failed/);
    const unknown = open("secrets.table", { token: who.expert.token });
    await expect(unknown.synced).rejects.toThrow(/authentication failed/);
  });

  it("refuses a foreign Origin at the upgrade, before anything else", async () => {
    expect(await rawUpgrade({ Origin: "https://evil.example", Cookie: who.expert.cookie })).toMatch(/^HTTP\/1\.1 403/);
    expect(await rawUpgrade({ Origin: portal.baseUrl })).toMatch(/^HTTP\/1\.1 101/);
  });

  it("closes only the connection that sends more than 1 MiB; another document keeps working", async () => {
    const victim = open(DOC, { token: who.expert.token });
    const other = open("standard.EWTP-LOG-001", { token: who.expert.token });
    await Promise.all([victim.synced, other.synced]);
    victim.doc.getText("probe").insert(0, "x".repeat(1024 * 1024 + 10));
    await eventually(() => victim.closeCodes.length > 0, 5000, "the oversized connection to close");
    expect(victim.closeCodes[0]).toBe(1009);
    other.doc.getArray("probe").push(["still alive"]);
    await other.acknowledged();
    const watcher = open("standard.EWTP-LOG-001", { token: who.expert.token });
    await watcher.synced;
    expect(watcher.doc.getArray("probe").toArray()).toContain("still alive");
  });

  it("closes a connection that sends a malformed Yjs update and keeps the document responsive", async () => {
    const hostile = open(DOC, { token: who.expert.token });
    await hostile.synced;
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, DOC);
    encoding.writeVarUint(encoder, 0); // sync
    encoding.writeVarUint(encoder, 2); // update
    encoding.writeVarUint8Array(encoder, new Uint8Array([255, 255, 255, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    hostile.socket.send(encoding.toUint8Array(encoder));
    await eventually(() => hostile.closeCodes.length > 0, 5000, "the hostile connection to close");
    expect(hostile.closeCodes[0]).toBe(1003);
    const fresh = open(DOC, { token: who.expert.token });
    await fresh.synced;
    expect(markdownFromDoc(fresh.doc)).toContain("# EWTP-TAR-001");
  });

  it("derives the draft from the live text: GET /standards/{id}/draft follows it", async () => {
    const client = open(DOC, { token: who.expert.token });
    await client.synced;
    const text = `${markdownFromDoc(client.doc).trimEnd()}\n\nA paragraph typed in the live editor.\n`;
    markdownIntoDoc(client.doc, text);
    await client.acknowledged();
    const draft = await call(portal, `/standards/${STANDARD}/draft`, { token: who.expert.token });
    expect(draft.status).toBe(200);
    expect(draft.body.markdown).toContain("A paragraph typed in the live editor.");
    const hits = await call(portal, `/search?q=${encodeURIComponent("typed live editor")}`, { token: who.expert.token });
    if (hits.status === 200) expect(JSON.stringify(hits.body)).toContain(STANDARD);
  });

  it("applies PUT /standards/{id}/draft as one change a connected client sees", async () => {
    const client = open(DOC, { cookie: who.member.cookie });
    await client.synced;
    const current = (await call(portal, `/standards/${STANDARD}/draft`, { token: who.expert.token })).body.markdown as string;
    const updates: number[] = [];
    client.doc.on("update", () => updates.push(1));
    const put = await call(portal, `/standards/${STANDARD}/draft`, {
      method: "PUT",
      token: who.expert.token,
      body: { markdown: current.replace("A paragraph typed in the live editor.", "A paragraph replaced through the API.") },
    });
    expect(put.status).toBe(200);
    await eventually(() => markdownFromDoc(client.doc).includes("replaced through the API"), 5000, "the PUT to reach the client");
    expect(updates.length).toBe(1);
  });

  it("refuses more than 20 documents on one connection", async () => {
    const socket = new HocuspocusProviderWebsocket({ url: `${portal.baseUrl.replace(/^http/, "ws")}/collab`, WebSocketPolyfill: WebSocket, maxAttempts: 1 });
    const reasons: string[] = [];
    const names = [DOC, ...Array.from({ length: 20 }, (_, i) => `proposal.none${i}`)];
    const providers = names.map((name) => {
      const p = new HocuspocusProvider({ websocketProvider: socket, name, token: who.expert.token, onAuthenticationFailed: ({ reason }) => reasons.push(reason) });
      p.attach();
      return p;
    });
    try {
      await eventually(() => reasons.length === 20, 10_000, "20 refusals");
      // 20 unknown proposals are refused for not existing; the 21st document is over the limit.
      expect(reasons.filter((r) => r.includes("at most 20 documents"))).toHaveLength(1);
    } finally {
      for (const p of providers) p.destroy();
      socket.destroy();
    }
  });

  it("closes the socket (1008) of a user whose session ended, at the next re-check", async () => {
    const expert = await createUser({ org: createOrg({ kind: "expert" }), role: "expert", committees: ["TAR"] });
    const cookie = sessionCookieFor(expert.id);
    const client = open(DOC, { cookie });
    await client.synced;
    portal.db.$client.prepare("delete from sessions where user_id = ?").run(expert.id);
    const { liveDocuments } = await import("../../app/collab/live.server");
    (liveDocuments() as unknown as { recheck: () => void }).recheck();
    await eventually(() => client.closeCodes.length > 0, 5000, "the socket to close");
    expect(client.closeCodes[0]).toBe(1008);
  });
});
