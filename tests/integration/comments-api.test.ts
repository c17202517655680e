/**
 * Comments through the real API on a real portal: anchoring by quote, observers commenting,
 * dispositions by editors only, replies, mentions that notify, the CSV log with formula
 * neutralisation, visibility, size limits, refused writes that write nothing — and, with a real
 * Yjs client editing the live document, a comment that stays attached while text changes around
 * its passage and turns detached when the passage is deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { connectDoc, eventually, type CollabClient } from "../support/collab";
import { accessTokenFor, createAdmin, createOrg, createUser } from "../support/factories";
import { call } from "../support/http";
import { lastAuditEvent, startPortal, tableCounts, type TestPortal } from "../support/portal";

let portal: TestPortal;
const who: Record<string, { id: string; token: string; email: string; name: string }> = {};
const clients: CollabClient[] = [];
const STANDARD = "EWTP-TAR-001";
const QUOTE = "the consignment may be declared with the H7 dataset";

beforeAll(async () => {
  portal = await startPortal();
  const expertOrg = createOrg({ kind: "expert", country: "SG" });
  const government = createOrg({ kind: "government", country: "BR" });
  const company = createOrg({ kind: "company", country: "CN" });
  const people = {
    expert: await createUser({ org: expertOrg, role: "expert", committees: ["TAR"], name: "Erika Expert", email: `erika.${Date.now()}@itd.example` }),
    member: await createUser({ org: company, role: "member", committees: ["TAR"], name: "Mei Member" }),
    observer: await createUser({ org: government, role: "observer", committees: ["TAR"], name: "Otto Observer" }),
    outsider: await createUser({ org: expertOrg, role: "expert", committees: ["LOG"], name: "Olga Outsider" }),
    admin: (await createAdmin()).user,
  };
  for (const [name, user] of Object.entries(people)) who[name] = { id: user.id, token: accessTokenFor(user.id).token, email: user.email, name: user.name };
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await portal?.close();
});

const post = (path: string, as: string, body: unknown) => call(portal, path, { method: "POST", token: who[as].token, body });
const comment = (as: string, body: unknown) => post(`/standards/${STANDARD}/comments`, as, body);
const list = async (as = "expert") => (await call(portal, `/standards/${STANDARD}/comments`, { token: who[as].token })).body.comments as any[];

describe("commenting", () => {
  it("lets an observer comment on a quoted passage; the comment is attached and tracked", async () => {
    const r = await comment("observer", { kind: "technical", body: "Name the dataset's legal basis.", anchor: { quote: QUOTE } });
    expect(r.status).toBe(201);
    expect(r.body.comment).toMatchObject({ kind: "technical", state: "attached", status: "open", author: { name: "Otto Observer" }, anchor: { quote: QUOTE }, resolution: null });
    expect(r.body.comment.anchor.prefix).toBe("e collected at importation, and ");
    expect(r.body.comment.positions).not.toBeNull();
    expect(lastAuditEvent(portal.db)).toMatchObject({ action: "comment.created", data: { standardId: STANDARD, anchored: true } });
    expect((await list()).map((c) => c.body)).toContain("Name the dataset's legal basis.");
  });

  it("accepts a comment on the whole draft, without an anchor", async () => {
    const r = await comment("member", { kind: "general", body: "  The foreword is too long.  " });
    expect(r.status).toBe(201);
    expect(r.body.comment).toMatchObject({ body: "The foreword is too long.", anchor: null, state: "attached" });
  });

  it("refuses a quote that is not in the draft (422), and an ambiguous one unless prefix or suffix tells", async () => {
    const before = tableCounts(portal.db);
    const missing = await comment("member", { kind: "editorial", body: "Typo.", anchor: { quote: "words that are nowhere in the standard" } });
    expect(missing.status).toBe(422);
    expect(missing.body.error.message).toMatch(/does not occur in the current draft/);
    const ambiguous = await comment("member", { kind: "editorial", body: "Say EU.", anchor: { quote: "into the EU customs territory" } });
    expect(ambiguous.status).toBe(422);
    expect(ambiguous.body.error.message).toMatch(/ambiguous/);
    expect(tableCounts(portal.db)).toEqual(before);
    const told = await comment("member", { kind: "editorial", body: "Say EU.", anchor: { quote: "into the EU customs territory", suffix: "with an intrinsic value above EUR 150" } });
    expect(told.status).toBe(201);
    expect(told.body.comment.anchor.suffix).toBe(" with an intrinsic value above E");
  });

  it("refuses empty and oversized bodies with 400 and writes nothing", async () => {
    const before = tableCounts(portal.db);
    const big = await comment("member", { kind: "general", body: "x".repeat(10_001) });
    expect(big.status).toBe(400);
    expect(big.body.error.fields.body).toBeTruthy();
    expect((await comment("member", { kind: "general", body: "   " })).status).toBe(400);
    expect((await comment("member", { kind: "opinion", body: "Hm." })).status).toBe(400);
    expect(tableCounts(portal.db)).toEqual(before);
  });

  it("hides the comments of a draft from the public and other committees", async () => {
    expect((await call(portal, `/standards/${STANDARD}/comments`)).status).toBe(404);
    expect((await call(portal, `/standards/${STANDARD}/comments`, { token: who.outsider.token })).status).toBe(404);
    expect((await call(portal, `/standards/${STANDARD}/comments.csv`)).status).toBe(404);
    const before = tableCounts(portal.db);
    expect((await call(portal, `/standards/${STANDARD}/comments`, { method: "POST", body: { kind: "general", body: "hi" } })).status).toBe(401);
    expect((await comment("outsider", { kind: "general", body: "hi" })).status).toBe(404);
    const [first] = await list();
    expect((await post(`/comments/${first.id}/replies`, "outsider", { body: "me too" })).status).toBe(404);
    expect(tableCounts(portal.db)).toEqual(before);
  });
});

describe("threads and dispositions", () => {
  it("takes replies from anyone who reads the draft", async () => {
    const [first] = await list();
    const r = await post(`/comments/${first.id}/replies`, "member", { body: "Agreed, cite the delegated act." });
    expect(r.status).toBe(201);
    expect(r.body.reply).toMatchObject({ body: "Agreed, cite the delegated act.", author: { name: "Mei Member" } });
    const again = (await list()).find((c) => c.id === first.id);
    expect(again.replies.map((x: any) => x.body)).toEqual(["Agreed, cite the delegated act."]);
  });

  it("lets only experts and admins decide: a member gets 403 and nothing changes", async () => {
    const [first] = await list();
    const before = tableCounts(portal.db);
    const refused = await post(`/comments/${first.id}/resolution`, "member", { status: "accepted", response: "Fine." });
    expect(refused.status).toBe(403);
    expect((await post(`/comments/${first.id}/resolution`, "observer", { status: "noted", response: "" })).status).toBe(403);
    expect(tableCounts(portal.db)).toEqual(before);
    expect((await list()).find((c) => c.id === first.id).status).toBe("open");
  });

  it("needs a response to reject or modify, and records the disposition", async () => {
    const [first] = await list();
    const bare = await post(`/comments/${first.id}/resolution`, "expert", { status: "rejected", response: " " });
    expect(bare.status).toBe(400);
    expect(bare.body.error.fields.response).toBeTruthy();
    const r = await post(`/comments/${first.id}/resolution`, "expert", { status: "modified", response: "Cited Regulation (EU) 2015/2446." });
    expect(r.status).toBe(200);
    expect(r.body.comment).toMatchObject({ status: "modified", resolution: { status: "modified", response: "Cited Regulation (EU) 2015/2446.", by: { name: "Erika Expert" } } });
    expect(lastAuditEvent(portal.db)).toMatchObject({ action: "comment.resolved", data: { status: "modified", previous: "open" } });
    const noted = await post(`/comments/${first.id}/resolution`, "admin", { status: "noted", response: "Kept for the next revision." });
    expect(noted.status).toBe(200);
    expect(noted.body.comment.resolution).toMatchObject({ status: "noted", by: { id: who.admin.id } });
  });
});

describe("mentions", () => {
  const notificationsOf = (userId: string) =>
    portal.db.$client.prepare("select kind, title, link from notifications where user_id = ? order by id").all(userId) as { kind: string; title: string; link: string }[];

  it("notify a mentioned reader of the draft (by picker syntax, email or email local part), not an outsider", async () => {
    const local = who.expert.email.split("@")[0];
    const r = await comment("observer", {
      kind: "general",
      body: `@[Mei Member](${who.member.id}) and @${local}, please look. Also @${who.outsider.email}.`,
    });
    expect(r.status).toBe(201);
    for (const name of ["member", "expert"]) {
      const got = notificationsOf(who[name].id);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ kind: "comment.mention", link: `/standards/${STANDARD}/comments#comment-${r.body.comment.id}` });
      expect(got[0].title).toContain("Otto Observer");
    }
    expect(notificationsOf(who.outsider.id)).toHaveLength(0);
  });
});

describe("the comment-resolution log as CSV", () => {
  it("has one row per comment, RFC 4180 quoting, and neutralised formulas", async () => {
    expect((await comment("member", { kind: "editorial", body: '=HYPERLINK("http://evil.example","click"), then "quoted"\nline two' })).status).toBe(201);
    const r = await call(portal, `/standards/${STANDARD}/comments.csv`, { token: who.observer.token });
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^text\/csv/);
    const lines = r.text.split("\r\n");
    expect(lines[0]).toBe("id,created,author,organisation,kind,state,quote,comment,replies,status,response,resolved by,resolved at");
    expect(r.text).toContain(`"'=HYPERLINK(""http://evil.example"",""click""), then ""quoted""\nline two"`);
    expect(r.text).toContain(",noted,Kept for the next revision.,");
    const count = (await list()).length;
    expect(r.text.trimEnd().split("\r\n")).toHaveLength(count + 1);
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
        continue;
      }
      if (op.insert instanceof Y.XmlText) {
        const hit = walk(op.insert);
        if (hit) return hit;
      }
      index += 1;
    }
    return null;
  };
  return walk(doc.get("root", Y.XmlText) as Y.XmlText);
}

describe("anchors in the live document", () => {
  const PASSAGE = "An IOSS number shall not be used for it";

  it("stay attached while text is typed around and inside the passage, detach when it is deleted, and announce it", async () => {
    const client = connectDoc(portal.baseUrl, `standard.${STANDARD}`, { token: who.expert.token });
    clients.push(client);
    await client.synced;
    const announced: string[] = [];
    client.provider.on("stateless", ({ payload }: { payload: string }) => announced.push(payload));

    const created = await comment("observer", { kind: "technical", body: "Which rule enforces this?", anchor: { quote: PASSAGE } });
    expect(created.status).toBe(201);
    const id = created.body.comment.id;
    await eventually(() => announced.length > 0, 5000, "the comments-changed message");

    // Typing before, after and inside the passage.
    let run = runContaining(client.doc, PASSAGE)!;
    const at = run.text.indexOf(PASSAGE);
    client.doc.transact(() => {
      run.type.insert(run.index + at + PASSAGE.length, " under any circumstances");
      run.type.insert(run.index + at + "An IOSS number shall ".length, "ever ");
      run.type.insert(run.index + at, "Moreover, ");
    });
    await client.acknowledged();
    await new Promise((r) => setTimeout(r, 1500));
    const stillThere = (await list()).find((c) => c.id === id);
    expect(stillThere.state).toBe("attached");

    // Deleting the passage (now with the typed word inside it), then typing the same words elsewhere.
    const grown = "An IOSS number shall ever not be used for it";
    run = runContaining(client.doc, grown)!;
    client.doc.transact(() => run.type.delete(run.index + run.text.indexOf(grown), grown.length));
    const other = runContaining(client.doc, "No VAT shall be collected at importation")!;
    client.doc.transact(() => other.type.insert(other.index, `${PASSAGE}. `));
    await client.acknowledged();
    announced.length = 0;
    await eventually(() => announced.length > 0, 5000, "the anchors to be recomputed and announced");
    const gone = (await list()).find((c) => c.id === id);
    expect(gone.state).toBe("detached");
    expect(gone.anchor.quote).toBe(PASSAGE);
  });
});
