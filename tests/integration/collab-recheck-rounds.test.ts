/**
 * The periodic re-check of who is connected (app/collab/extensions/session-recheck.ts), on its own
 * timer: it goes through many connections a few per turn of the event loop, and closes exactly the
 * connections whose right went away.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDoc, eventually, type CollabClient } from "../support/collab";
import { createOrg, createUser, sessionCookieFor } from "../support/factories";
import { startPortal, type TestPortal } from "../support/portal";

const DOC = "standard.EWTP-TAR-001";
let portal: TestPortal;
const clients: CollabClient[] = [];

beforeAll(async () => {
  portal = await startPortal({ collab: { recheckMs: 400 } });
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await portal?.close();
});

describe("the timer's re-check round", () => {
  it("closes every connection of a signed-out user (1008), over several turns, and leaves another user's connections open", async () => {
    const org = createOrg({ kind: "expert" });
    const leaving = await createUser({ org, role: "expert", committees: ["TAR"] });
    const staying = await createUser({ org, role: "expert", committees: ["TAR"] });
    const leavingCookie = sessionCookieFor(leaving.id);
    const stayingCookie = sessionCookieFor(staying.id);
    // More connections than one slice of the round (8), interleaved.
    const theirs: CollabClient[] = [];
    const others: CollabClient[] = [];
    for (let i = 0; i < 12; i++) {
      theirs.push(connectDoc(portal.baseUrl, DOC, { cookie: leavingCookie }));
      others.push(connectDoc(portal.baseUrl, DOC, { cookie: stayingCookie }));
    }
    clients.push(...theirs, ...others);
    await Promise.all([...theirs, ...others].map((c) => c.synced));
    portal.db.$client.prepare("delete from sessions where user_id = ?").run(leaving.id);
    await eventually(() => theirs.every((c) => c.closeCodes.length > 0), 10_000, "every connection of the signed-out user to close");
    expect(theirs.map((c) => c.closeCodes[0])).toEqual(theirs.map(() => 1008));
    // At least one more round has passed for the others, who are still connected.
    await new Promise((r) => setTimeout(r, 900));
    expect(others.every((c) => c.closeCodes.length === 0)).toBe(true);
  });
});
