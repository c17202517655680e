// The large seed's generator, at 1% of its size: what it writes keeps the invariants the app relies
// on (audit chain, search index, frozen rolls and tallies), it is deterministic, and it refuses a
// database that already has data unless told to.
import { afterEach, describe, expect, it } from "vitest";
import { seedLarge } from "../../db/seed-large";
import { verifyAuditChain } from "../../app/domain/audit.server";
import { getBallotPage } from "../../app/domain/ballots.server";
import { search } from "../../app/domain/search.server";
import { listStandards } from "../../app/domain/standards.server";
import { authenticateAccessToken } from "../../app/auth/actor.server";
import { openTempDb } from "../support/db";

let close: (() => void) | undefined;
afterEach(() => close?.());

describe("seed:large", () => {
  it("fills an empty portal with standards, members, ballots and comments whose audit chain verifies", async () => {
    ({ close } = openTempDb());
    const r = await seedLarge({ scale: 0.01 });
    expect(r.counts).toMatchObject({ standards: 5, revisions: 50, comments: 1000, ballots: 5 });
    expect(r.counts.votes).toBeGreaterThan(0);
    expect(verifyAuditChain()).toEqual({ ok: true, count: r.counts.auditEntries });

    const admin = authenticateAccessToken(r.admin.token)!;
    expect(admin.actor.role).toBe("admin");
    expect(listStandards(admin.actor).map((s) => s.id)).toContain(r.examples.publishedStandard);
    expect(search({ q: r.examples.draftStandard, limit: 20 }, admin.actor).some((h) => h.standardId === r.examples.draftStandard)).toBe(true);

    const page = getBallotPage(r.examples.closedBallot, admin);
    expect(page.ballot.status).toBe("closed");
    expect(page.roll.length).toBeGreaterThan(0);
    expect(page.ballot.votedCount).toBe(page.rollCounts.voted);

    const voter = r.openBallots[0].voters[0];
    expect(authenticateAccessToken(voter.token)?.user.id).toBe(voter.userId);
  });

  it("makes the same data on every run", async () => {
    ({ close } = openTempDb());
    const a = await seedLarge({ scale: 0.01 });
    close();
    ({ close } = openTempDb());
    const b = await seedLarge({ scale: 0.01 });
    expect(b.counts).toEqual(a.counts);
    expect(b.examples).toEqual(a.examples);
  });

  it("refuses a database that already has data unless forced", async () => {
    ({ close } = openTempDb());
    await seedLarge({ scale: 0.01 });
    await expect(seedLarge({ scale: 0.01 })).rejects.toThrow(/already has members, comments or ballots/);
  });
});
