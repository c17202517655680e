/**
 * Comments on proposals through the real API on a real portal: anchoring by quote against the
 * proposal's text (also after submission, when the text is frozen), an observer of the committee
 * commenting, replies and dispositions authorised by the proposal's committee, mentions that
 * notify, the CSV log, and who may not see them (the public, another committee) — with refused
 * writes leaving nothing written — and, with a real Yjs client editing a draft proposal's live
 * document, the comments-changed announcement and a comment that turns detached when its passage
 * is deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { connectDoc, eventually, type CollabClient } from "../support/collab";
import { accessTokenFor, createAdmin, createOrg, createUser } from "../support/factories";
import { call } from "../support/http";
import { lastAuditEvent, startPortal, tableCounts, type TestPortal } from "../support/portal";

let portal: TestPortal;
const who: Record<string, { id: string; token: string; email: string; name: string }> = {};
const QUOTE = "returned parcels are exempt from import duty";
const MARKDOWN = [
  "# Duty on returned parcels",
  "## 1 Scope",
  `Under this standard, ${QUOTE} when declared within 90 days.`,
  "## 2 Normative references",
  "There are no normative references in this document.",
].join("\n\n") + "\n";
let proposalId = "";
const clients: CollabClient[] = [];

beforeAll(async () => {
  portal = await startPortal();
  const expertOrg = createOrg({ kind: "expert", country: "SG" });
  const government = createOrg({ kind: "government", country: "BR" });
  const company = createOrg({ kind: "company", country: "CN" });
  const people = {
    expert: await createUser({ org: expertOrg, role: "expert", committees: ["TAR"], name: "Erika Expert" }),
    member: await createUser({ org: company, role: "member", committees: ["TAR"], name: "Mei Member" }),
    observer: await createUser({ org: government, role: "observer", committees: ["TAR"], name: "Otto Observer" }),
    outsider: await createUser({ org: expertOrg, role: "expert", committees: ["LOG"], name: "Olga Outsider" }),
    admin: (await createAdmin()).user,
  };
  for (const [name, user] of Object.entries(people)) who[name] = { id: user.id, token: accessTokenFor(user.id).token, email: user.email, name: user.name };
  const created = await call(portal, "/proposals", {
    method: "POST",
    token: who.member.token,
    body: { kind: "new-standard", committee: "TAR", title: "Duty on returned parcels", rationale: "Returns are taxed twice today.", markdown: MARKDOWN },
  });
  expect(created.status).toBe(201);
  proposalId = created.body.proposal.id;
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await portal?.close();
});

const post = (path: string, as: string, body: unknown) => call(portal, path, { method: "POST", token: who[as].token, body });
const comment = (as: string, body: unknown) => post(`/proposals/${proposalId}/comments`, as, body);
const list = async (as = "expert") => (await call(portal, `/proposals/${proposalId}/comments`, { token: who[as].token })).body.comments as any[];
const rowsFor = () => portal.db.$client.prepare("select doc_name, standard_id, proposal_id from comments where proposal_id = ?").all(proposalId) as any[];

describe("commenting on a proposal", () => {
  it("lets an observer of the committee comment on a quoted passage of the proposal's text", async () => {
    const r = await comment("observer", { kind: "technical", body: "Say which declaration starts the 90 days.", anchor: { quote: QUOTE } });
    expect(r.status).toBe(201);
    expect(r.body.comment).toMatchObject({ kind: "technical", state: "attached", status: "open", author: { name: "Otto Observer" }, anchor: { quote: QUOTE }, resolution: null });
    expect(r.body.comment.anchor.prefix).toContain("Under this standard, ");
    expect(lastAuditEvent(portal.db)).toMatchObject({ action: "comment.created", data: { proposalId, anchored: true } });
    expect(rowsFor()).toEqual([{ doc_name: `proposal.${proposalId}`, standard_id: null, proposal_id: proposalId }]);
    const listed = await list("member");
    expect(listed.map((c) => c.body)).toEqual(["Say which declaration starts the 90 days."]);
  });

  it("accepts a comment on the whole text, and refuses a quote that is not in it (422) writing nothing", async () => {
    expect((await comment("member", { kind: "general", body: "Good idea overall." })).status).toBe(201);
    const before = tableCounts(portal.db);
    const missing = await comment("member", { kind: "editorial", body: "Typo.", anchor: { quote: "words that are nowhere in the proposal" } });
    expect(missing.status).toBe(422);
    expect(missing.body.error.message).toMatch(/does not occur/);
    const empty = await comment("member", { kind: "general", body: "   " });
    expect(empty.status).toBe(400);
    expect(tableCounts(portal.db)).toEqual(before);
  });

  it("threads replies and lets an expert of the committee record a disposition; an observer may not", async () => {
    const [first] = await list();
    const reply = await post(`/comments/${first.id}/replies`, "member", { body: "The customs declaration of the return." });
    expect(reply.status).toBe(201);
    expect(lastAuditEvent(portal.db)).toMatchObject({ action: "comment.replied", data: { proposalId } });

    const before = tableCounts(portal.db);
    const refused = await post(`/comments/${first.id}/resolution`, "observer", { status: "accepted", response: "" });
    expect(refused.status).toBe(403);
    expect(tableCounts(portal.db)).toEqual(before);

    const decided = await post(`/comments/${first.id}/resolution`, "expert", { status: "modified", response: "Clause 1 now names the declaration." });
    expect(decided.status).toBe(200);
    expect(decided.body.comment).toMatchObject({ status: "modified", resolution: { status: "modified", by: { id: who.expert.id } } });
    const again = (await list("observer")).find((c) => c.id === first.id);
    expect(again.replies.map((r: any) => r.body)).toEqual(["The customs declaration of the return."]);
    expect(again.status).toBe("modified");
  });

  it("notifies a mentioned reader of the proposal with a link to its comments, never an outsider", async () => {
    const r = await comment("observer", { kind: "general", body: `@[Mei Member](${who.member.id}) please look; also @${who.outsider.email}.` });
    expect(r.status).toBe(201);
    const notes = (userId: string) => portal.db.$client.prepare("select kind, title, link from notifications where user_id = ? and kind = 'comment.mention'").all(userId) as any[];
    const got = notes(who.member.id);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ link: `/proposals/${proposalId}#comment-${r.body.comment.id}` });
    expect(got[0].title).toContain("Otto Observer");
    expect(got[0].title).toContain("Duty on returned parcels");
    expect(notes(who.outsider.id)).toHaveLength(0);
  });
});

describe("who may see a proposal's comments", () => {
  it("hides them from the public (404 to read, 401 to write) and from another committee (404), writing nothing", async () => {
    const [first] = await list();
    const readOnly = accessTokenFor(who.member.id, { readOnly: true }).token;
    const before = tableCounts(portal.db);
    expect((await call(portal, `/proposals/${proposalId}/comments`)).status).toBe(404);
    expect((await call(portal, `/proposals/${proposalId}/comments.csv`)).status).toBe(404);
    expect((await call(portal, `/proposals/${proposalId}/comments`, { method: "POST", body: { kind: "general", body: "Hello" } })).status).toBe(401);
    expect((await call(portal, `/proposals/${proposalId}/comments`, { token: who.outsider.token })).status).toBe(404);
    expect((await comment("outsider", { kind: "general", body: "From LOG." })).status).toBe(404);
    expect((await post(`/comments/${first.id}/replies`, "outsider", { body: "From LOG." })).status).toBe(404);
    expect((await post(`/comments/${first.id}/resolution`, "outsider", { status: "noted", response: "" })).status).toBe(404);
    expect((await call(portal, "/proposals/P-TAR-9999/comments", { token: who.admin.token })).status).toBe(404);
    expect((await call(portal, `/proposals/${proposalId}/comments`, { method: "POST", token: readOnly, body: { kind: "general", body: "Hi" } })).status).toBe(403);
    expect(tableCounts(portal.db)).toEqual(before);
  });
});

describe("after submission", () => {
  it("still takes comments, anchored against the submitted text", async () => {
    const submitted = await post(`/proposals/${proposalId}/submit`, "member", {});
    expect(submitted.status).toBe(200);
    expect(submitted.body.proposal.state).toBe("submitted");
    const r = await comment("observer", { kind: "editorial", body: "Write ninety in words.", anchor: { quote: "within 90 days" } });
    expect(r.status).toBe(201);
    expect(r.body.comment).toMatchObject({ state: "attached", anchor: { quote: "within 90 days" } });
    expect((await list()).every((c) => c.state === "attached")).toBe(true);
  });
});

describe("the proposal's comment-resolution log as CSV", () => {
  it("has a header and one row per comment, with the disposition", async () => {
    const r = await call(portal, `/proposals/${proposalId}/comments.csv`, { token: who.observer.token });
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^text\/csv/);
    const lines = r.text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("id,created,author,organisation,kind,state,quote,comment,replies,status,response,resolved by,resolved at");
    expect(lines).toHaveLength((await list()).length + 1);
    expect(r.text).toContain(",modified,Clause 1 now names the declaration.,Erika Expert,");
  });
});

/** The character run of the live document that contains `needle`: its XmlText and the index of its first character. */
function runContaining(doc: Y.Doc, needle: string): { type: Y.XmlText; index: number; text: string } | null {
  const walk = (type: Y.XmlText): { type: Y.XmlText; index: number; text: string } | null => {
    let index = 0;
    for (const op of type.toDelta() as { insert: unknown }[]) {
      if (typeof op.insert === "string") {
        if (op.insert.includes(needle)) return { type, index, text: op.insert };
        index += op.insert.length;
      } else {
        if (op.insert instanceof Y.XmlText) {
          const found = walk(op.insert);
          if (found) return found;
        }
        index += 1;
      }
    }
    return null;
  };
  return walk(doc.get("root", Y.XmlText));
}

describe("anchors in a proposal's live document", () => {
  it("announces new comments to the document's connections and detaches a comment whose passage is deleted", async () => {
    const created = await call(portal, "/proposals", {
      method: "POST",
      token: who.member.token,
      body: { kind: "new-standard", committee: "TAR", title: "Returns, second take", rationale: "A draft to edit live.", markdown: MARKDOWN },
    });
    expect(created.status).toBe(201);
    const id = created.body.proposal.id;
    const client = connectDoc(portal.baseUrl, `proposal.${id}`, { token: who.member.token });
    clients.push(client);
    await client.synced;
    const announced: string[] = [];
    client.provider.on("stateless", ({ payload }: { payload: string }) => announced.push(payload));

    const posted = await post(`/proposals/${id}/comments`, "observer", { kind: "technical", body: "Which rule enforces this?", anchor: { quote: QUOTE } });
    expect(posted.status).toBe(201);
    expect(posted.body.comment.positions).not.toBeNull();
    await eventually(() => announced.length > 0, 5000, "the comments-changed message");

    const run = runContaining(client.doc, QUOTE)!;
    expect(run).not.toBeNull();
    client.doc.transact(() => run.type.delete(run.index + run.text.indexOf(QUOTE), QUOTE.length));
    await client.acknowledged();
    announced.length = 0;
    await eventually(() => announced.length > 0, 5000, "the anchors to be recomputed and announced");
    const listed = (await call(portal, `/proposals/${id}/comments`, { token: who.expert.token })).body.comments as any[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ state: "detached", anchor: { quote: QUOTE } });
  });
});

describe("the OpenAPI document", () => {
  it("describes the proposal comment endpoints", async () => {
    const paths = (await call(portal, "/openapi.json")).body.paths;
    for (const [path, method] of [
      ["/proposals/{id}/comments", "get"],
      ["/proposals/{id}/comments", "post"],
      ["/proposals/{id}/comments.csv", "get"],
    ]) {
      expect(paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
  });
});
