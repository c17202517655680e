/**
 * WebSocket (`/collab`) attacks not already covered by tests/integration/collab-server.test.ts and
 * collab-fuzz.test.ts (see tests/security/README.md for the index): writes over a read-only
 * personal access token, revoked tokens and disabled accounts, an editor forging or erasing
 * another client's presence, and an editor labelling their own presence with someone else's name
 * and role. After each, another document keeps answering.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markdownFromDoc, markdownIntoDoc } from "../../app/collab/yjs-markdown.server";
import { presentPeople } from "../../app/editor/presence";
import { revokeAccessToken } from "../../app/domain/members.server";
import { connectDoc, eventually, type CollabClient } from "../support/collab";
import { accessTokenFor, createAdmin, createOrg, createUser, sessionCookieFor } from "../support/factories";
import { call } from "../support/http";
import { startPortal, type TestPortal } from "../support/portal";

let portal: TestPortal;
const clients: CollabClient[] = [];
const DOC = "standard.EWTP-TAR-001";
const OTHER = "standard.EWTP-LOG-001";
let expert: { id: string; token: string };
let adminToken: string;
let org: { id: string };

function open(name: string, credentials: { token?: string; cookie?: string; origin?: string }): CollabClient {
  const client = connectDoc(portal.baseUrl, name, credentials);
  clients.push(client);
  return client;
}

/** Another document still opens, syncs its content and takes an edit. */
async function otherDocumentAnswers(): Promise<void> {
  const c = open(OTHER, { token: expert.token });
  await c.synced;
  expect(markdownFromDoc(c.doc)).toContain("#");
}

beforeAll(async () => {
  portal = await startPortal();
  adminToken = accessTokenFor((await createAdmin()).user.id).token;
  org = createOrg({ kind: "expert" });
  const u = await createUser({ org, role: "expert", committees: ["TAR", "LOG"] });
  expert = { id: u.id, token: accessTokenFor(u.id).token };
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await portal?.close();
});

describe("the collaboration server refuses", () => {
  it("writes over a read-only token of an editor: the document stays as it was", async () => {
    const ro = open(DOC, { token: accessTokenFor(expert.id, { readOnly: true }).token });
    const editor = open(DOC, { token: expert.token });
    await Promise.all([ro.synced, editor.synced]);
    expect(ro.provider.authorizedScope).toBe("readonly");
    const before = markdownFromDoc(editor.doc);
    markdownIntoDoc(ro.doc, "# Written with a read-only token\n");
    await new Promise((r) => setTimeout(r, 500));
    const fresh = open(DOC, { token: expert.token });
    await fresh.synced;
    expect(markdownFromDoc(fresh.doc)).toBe(before);
    const draft = await call(portal, "/standards/EWTP-TAR-001/draft", { token: expert.token });
    expect(draft.body.markdown).not.toContain("Written with a read-only token");
    await otherDocumentAnswers();
  });

  it("a revoked token, and the session and token of a disabled account", async () => {
    const user = await createUser({ org, role: "expert", committees: ["TAR"] });
    const revoked = accessTokenFor(user.id);
    revokeAccessToken(user.id, revoked.id);
    await expect(open(DOC, { token: revoked.token }).synced).rejects.toThrow(/authentication failed/);

    const other = await createUser({ org, role: "expert", committees: ["TAR"] });
    const token = accessTokenFor(other.id).token;
    const cookie = sessionCookieFor(other.id);
    expect((await call(portal, `/users/${other.id}`, { method: "PATCH", token: adminToken, body: { status: "disabled" } })).status).toBe(200);
    await expect(open(DOC, { token }).synced).rejects.toThrow(/authentication failed/);
    await expect(open(DOC, { cookie, origin: portal.baseUrl }).synced).rejects.toThrow(/authentication failed/);
    await otherDocumentAnswers();
  });
});

describe("presence", () => {
  it("an editor cannot forge or erase another client's presence", async () => {
    const alice = open(DOC, { token: expert.token });
    const mallorysUser = await createUser({ org, role: "expert", committees: ["TAR"] });
    const mallory = open(DOC, { token: accessTokenFor(mallorysUser.id).token });
    const watcher = open(DOC, { token: expert.token });
    await Promise.all([alice.synced, mallory.synced, watcher.synced]);
    alice.provider.setAwarenessField("user", { name: "Alice", color: "#00f" });
    const aliceId = alice.doc.clientID;
    const stateSeen = () => watcher.provider.awareness!.getStates().get(aliceId) as { user?: { name?: string } } | undefined;
    await eventually(() => stateSeen()?.user?.name === "Alice", 10_000, "Alice's presence");

    // Mallory sends an awareness update that claims Alice's client id with a newer clock.
    const awareness = mallory.provider.awareness!;
    const clock = (awareness.meta.get(aliceId)?.clock ?? 0) + 10;
    awareness.meta.set(aliceId, { clock, lastUpdated: Date.now() });
    awareness.states.set(aliceId, { user: { name: "Forged by Mallory", color: "#f00" } });
    awareness.emit("update", [{ added: [], updated: [aliceId], removed: [] }, "local"]);
    awareness.emit("change", [{ added: [], updated: [aliceId], removed: [] }, "local"]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(stateSeen()?.user?.name).toBe("Alice");
    // Nor can Mallory remove Alice's presence (a null state for her client id).
    awareness.meta.set(aliceId, { clock: clock + 1, lastUpdated: Date.now() });
    awareness.states.delete(aliceId);
    awareness.emit("update", [{ added: [], updated: [], removed: [aliceId] }, "local"]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(stateSeen()?.user?.name).toBe("Alice");
    // Mallory's own presence still goes through.
    mallory.provider.setAwarenessField("user", { name: "Mallory", color: "#0f0" });
    await eventually(() => (watcher.provider.awareness!.getStates().get(mallory.doc.clientID) as { user?: { name?: string } } | undefined)?.user?.name === "Mallory", 10_000, "Mallory's own presence");
    await otherDocumentAnswers();
  });

  it("an editor's presence shows their own name and role, whatever name and role the browser claims", async () => {
    const secretariat = await createUser({ org: createOrg({ kind: "secretariat", country: "CH" }), role: "admin", name: "Sam Secretariat" });
    const drafter = await createUser({ org, role: "expert", name: "Dana Drafter", committees: ["TAR"] });
    const forger = open(DOC, { cookie: sessionCookieFor(drafter.id) });
    const watcher = open(DOC, { token: expert.token });
    await Promise.all([forger.synced, watcher.synced]);
    const forgerId = forger.doc.clientID;
    const seen = () => presentPeople(watcher.provider.awareness!).find((p) => p.clientId === forgerId);

    // What the browser's editor publishes (name, colour, awarenessData with role and user id), here
    // claiming to be the Secretariat's admin.
    forger.provider.awareness!.setLocalState({
      name: "Sam Secretariat",
      color: "#123456",
      focusing: true,
      anchorPos: null,
      focusPos: null,
      awarenessData: { role: "admin", userId: secretariat.id },
    });
    await eventually(() => seen() !== undefined, 10_000, "the drafter's presence");
    expect(seen()).toMatchObject({ name: "Dana Drafter", role: "expert", color: "#123456", focusing: true });
    expect((watcher.provider.awareness!.getStates().get(forgerId)?.awarenessData as { userId?: string }).userId).toBe(drafter.id);
    expect(JSON.stringify([...watcher.provider.awareness!.getStates().values()])).not.toContain("Sam Secretariat");

    // The true name with a claimed role (in a malformed awarenessData) gets the true role too.
    forger.provider.awareness!.setLocalState({ name: "Dana Drafter", color: "#123456", focusing: false, awarenessData: "admin" });
    await eventually(() => seen()?.focusing === false, 10_000, "the drafter's next presence");
    expect(seen()).toMatchObject({ name: "Dana Drafter", role: "expert" });

    // A late joiner gets the corrected state the server holds.
    const late = open(DOC, { token: expert.token });
    await late.synced;
    await eventually(() => presentPeople(late.provider.awareness!).some((p) => p.clientId === forgerId), 10_000, "the late joiner's view");
    expect(presentPeople(late.provider.awareness!).find((p) => p.clientId === forgerId)).toMatchObject({ name: "Dana Drafter", role: "expert" });
    await otherDocumentAnswers();
  });
});
