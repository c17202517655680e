/**
 * Proposal documents (`proposal.<id>`) on the collaboration server: what the proposal's editors type
 * in the live document becomes the proposal's text, so its API, redline and submission follow it;
 * once submitted the text is frozen, and later changes of the document do not reach it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markdownFromDoc, markdownIntoDoc } from "../../app/collab/yjs-markdown.server";
import { connectDoc, eventually, type CollabClient } from "../support/collab";
import { accessTokenFor, createOrg, createUser } from "../support/factories";
import { call } from "../support/http";
import { lastAuditEvent, startPortal, type TestPortal } from "../support/portal";

let portal: TestPortal;
const tokens: Record<string, string> = {};
const clients: CollabClient[] = [];
let proposalId = "";

beforeAll(async () => {
  portal = await startPortal();
  const expert = await createUser({ org: createOrg({ kind: "expert", country: "SG" }), role: "expert", committees: ["TAR"] });
  const member = await createUser({ org: createOrg({ kind: "company", country: "CN" }), role: "member", committees: ["TAR"] });
  tokens.expert = accessTokenFor(expert.id).token;
  tokens.member = accessTokenFor(member.id).token;
  const frozen = await call(portal, "/standards/EWTP-TAR-001/revisions", { method: "POST", token: tokens.expert });
  expect(frozen.status).toBe(201);
  const created = await call(portal, "/proposals", {
    method: "POST",
    token: tokens.member,
    body: { kind: "amendment", standardId: "EWTP-TAR-001", baseRevision: frozen.body.revision.number, title: "Say who collects", rationale: "Marketplaces asked for one sentence that says it." },
  });
  expect(created.status).toBe(201);
  proposalId = created.body.proposal.id;
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await portal?.close();
});

function open(token: string): CollabClient {
  const client = connectDoc(portal.baseUrl, `proposal.${proposalId}`, { token });
  clients.push(client);
  return client;
}

describe("proposal documents", () => {
  it("start from the proposal's text, created on the server", async () => {
    const client = open(tokens.member);
    await client.synced;
    const text = (await call(portal, `/proposals/${proposalId}`, { token: tokens.member })).body.proposal.markdown as string;
    expect(markdownFromDoc(client.doc)).toContain("# EWTP-TAR-001");
    expect(text).toContain("# EWTP-TAR-001");
  });

  it("derive the live text into the proposal: GET /proposals/{id} and its redline follow it, and the save is audited", async () => {
    const author = open(tokens.member);
    const expert = open(tokens.expert);
    await Promise.all([author.synced, expert.synced]);
    markdownIntoDoc(author.doc, `${markdownFromDoc(author.doc).trimEnd()}\n\nThe marketplace that facilitates the sale collects the import VAT.\n`);
    await author.acknowledged();
    await eventually(() => markdownFromDoc(expert.doc).includes("facilitates the sale"), 5000, "the edit to reach the other editor");

    const proposal = await call(portal, `/proposals/${proposalId}`, { token: tokens.member });
    expect(proposal.status).toBe(200);
    expect(proposal.body.proposal.markdown).toContain("The marketplace that facilitates the sale collects the import VAT.");
    const diff = await call(portal, `/proposals/${proposalId}/diff`, { token: tokens.member });
    expect(diff.status).toBe(200);
    expect(JSON.stringify(diff.body.text)).toContain("facilitates the sale");
    expect(lastAuditEvent(portal.db)).toMatchObject({ action: "proposal.draftSaved", data: { fromDocument: true } });
  });

  it("PUT /proposals/{id}/draft reaches a connected editor as one change", async () => {
    const client = open(tokens.expert);
    await client.synced;
    const current = (await call(portal, `/proposals/${proposalId}`, { token: tokens.member })).body.proposal.markdown as string;
    const put = await call(portal, `/proposals/${proposalId}/draft`, {
      method: "PUT",
      token: tokens.member,
      body: { markdown: current.replace("collects the import VAT", "collects and remits the import VAT") },
    });
    expect(put.status).toBe(200);
    await eventually(() => markdownFromDoc(client.doc).includes("collects and remits"), 5000, "the PUT to reach the editor");
  });

  it("freeze the text at submission: later changes of the document do not reach the submitted proposal", async () => {
    const client = open(tokens.member);
    await client.synced;
    const submitted = await call(portal, `/proposals/${proposalId}/submit`, { method: "POST", token: tokens.member });
    expect(submitted.status).toBe(200);
    expect(submitted.body.proposal.markdown).toContain("collects and remits the import VAT");
    // A socket opened before the submission may still send a change until the re-check closes it.
    markdownIntoDoc(client.doc, `${markdownFromDoc(client.doc).trimEnd()}\n\nA sentence typed after submission.\n`);
    await new Promise((r) => setTimeout(r, 1500));
    const after = await call(portal, `/proposals/${proposalId}`, { token: tokens.member });
    expect(after.body.proposal.state).toBe("submitted");
    expect(after.body.proposal.markdown).not.toContain("typed after submission");
    // New connections are read-only now.
    const late = open(tokens.member);
    await late.synced;
    expect(late.provider.authorizedScope).toBe("readonly");
  });
});
