/**
 * Comments of a draft nobody has open read the stored Yjs document once per stored version: listing
 * them again does not reload it, and a change to the stored document (a PUT of the draft, appended
 * as an update) is seen at the next listing — a comment whose passage was deleted turns detached.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedStoredDocLoads } from "../../app/collab/persistence.server";
import { accessTokenFor, createOrg, createUser } from "../support/factories";
import { call } from "../support/http";
import { startPortal, type TestPortal } from "../support/portal";

let portal: TestPortal;
let token = "";
const STANDARD = "EWTP-CUS-001";

beforeAll(async () => {
  portal = await startPortal();
  const org = createOrg({ kind: "expert", country: "SG" });
  const expert = await createUser({ org, role: "expert", committees: ["CUS"] });
  token = accessTokenFor(expert.id).token;
});

afterAll(async () => {
  await portal?.close();
});

const list = async () => {
  const r = await call(portal, `/standards/${STANDARD}/comments`, { token });
  expect(r.status).toBe(200);
  return r.body.comments as { body: string; state: string }[];
};

describe("the stored document behind the comments of a closed draft", () => {
  it("is loaded once per stored version, and a new version is seen at once", async () => {
    const draft = await call(portal, `/standards/${STANDARD}/draft`, { token });
    const markdown = draft.body.markdown as string;
    // A sentence of the draft to quote: the longest line of prose.
    const quote = markdown
      .split("\n")
      .filter((l) => /^[A-Z][^|#>`]*\.$/.test(l.trim()))
      .sort((a, b) => b.length - a.length)[0]
      .trim()
      .slice(0, 60);
    const created = await call(portal, `/standards/${STANDARD}/comments`, { method: "POST", token, body: { kind: "editorial", body: "Shorter, please.", anchor: { quote } } });
    expect(created.status).toBe(201);

    await list();
    const loadsAfterFirst = cachedStoredDocLoads();
    for (let i = 0; i < 5; i++) expect((await list()).find((c) => c.body === "Shorter, please.")?.state).toBe("attached");
    expect(cachedStoredDocLoads()).toBe(loadsAfterFirst);

    // The passage is deleted through the API (the document is not open: the update is appended to storage).
    const without = markdown.replace(quote, "");
    expect(without).not.toBe(markdown);
    const put = await call(portal, `/standards/${STANDARD}/draft`, { method: "PUT", token, body: { markdown: without } });
    expect(put.status).toBe(200);
    expect((await list()).find((c) => c.body === "Shorter, please.")?.state).toBe("detached");
    expect(cachedStoredDocLoads()).toBe(loadsAfterFirst + 1);
  });
});
