import { describe, expect, it } from "vitest";
import { ROLES, STANDARD_STATUSES, type Role, type StandardStatus } from "../../db/vocabulary";
import { checkTransition, nextStatuses, TRANSITIONS, type TransitionVia } from "~/domain/lifecycle";

const VIAS: TransitionVia[] = ["manual", "ballot", "release"];

/** The manual changes the product allows, written out by hand (the table under test must agree). */
const MANUAL: [StandardStatus, StandardStatus, Role[]][] = [
  ["draft", "review", ["admin", "expert"]],
  ["review", "draft", ["admin", "expert"]],
  ["published", "superseded", ["admin"]],
  ["published", "withdrawn", ["admin"]],
  ["superseded", "withdrawn", ["admin"]],
];

describe("manual status changes", () => {
  for (const from of STANDARD_STATUSES) {
    for (const to of STANDARD_STATUSES) {
      for (const role of ROLES) {
        const allowed = MANUAL.some(([f, t, roles]) => f === from && t === to && roles.includes(role));
        it(`${role}: ${from} → ${to} is ${allowed ? "allowed" : "refused"}`, () => {
          const result = checkTransition({ from, to, via: "manual", role, reason: "because the committee decided so" });
          expect(result.ok).toBe(allowed);
          if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
        });
      }
    }
  }

  it("the public (no role) can change nothing", () => {
    for (const [from, to] of MANUAL) expect(checkTransition({ from, to, via: "manual", role: null, reason: "x" }).ok).toBe(false);
  });
});

describe("why a change is refused", () => {
  it("a member asking draft → review is refused for the role, naming who may", () => {
    const r = checkTransition({ from: "draft", to: "review", via: "manual", role: "member" });
    expect(r).toEqual({ ok: false, kind: "role", message: expect.stringContaining("experts of the committee") });
  });

  it("an expert asking to withdraw a published standard is refused for the role: only the secretariat may", () => {
    const r = checkTransition({ from: "published", to: "withdrawn", via: "manual", role: "expert", reason: "obsolete" });
    expect(r).toEqual({ ok: false, kind: "role", message: expect.stringContaining("secretariat") });
  });

  it("publishing by hand is refused, pointing at releases", () => {
    const r = checkTransition({ from: "review", to: "published", via: "manual", role: "admin" });
    expect(r).toEqual({ ok: false, kind: "state", message: expect.stringContaining("release") });
  });

  it("putting a standard to ballot by hand is refused, pointing at ballots", () => {
    const r = checkTransition({ from: "review", to: "ballot", via: "manual", role: "admin" });
    expect(r).toEqual({ ok: false, kind: "state", message: expect.stringContaining("POST /ballots") });
  });

  it("a never-published draft cannot be withdrawn (withdrawn is a public status)", () => {
    const r = checkTransition({ from: "draft", to: "withdrawn", via: "manual", role: "admin", reason: "abandoned" });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.kind).toBe("state");
      expect(r.message).toContain("From draft it can go to: review");
    }
  });

  it("withdrawn is final", () => {
    for (const to of STANDARD_STATUSES) {
      const r = checkTransition({ from: "withdrawn", to, via: "manual", role: "admin", reason: "x" });
      expect(r.ok).toBe(false);
    }
    expect(nextStatuses("withdrawn", "manual")).toEqual([]);
    const r = checkTransition({ from: "withdrawn", to: "draft", via: "manual", role: "admin" });
    expect(!r.ok && r.message).toContain("final status");
  });

  it("withdrawing or superseding needs a reason", () => {
    for (const to of ["withdrawn", "superseded"] as const) {
      for (const reason of [undefined, "", "   "]) {
        const r = checkTransition({ from: "published", to, via: "manual", role: "admin", reason });
        expect(r).toEqual({ ok: false, kind: "reason", message: expect.stringContaining("reason") });
      }
    }
  });

  it("draft ⇄ review needs no reason", () => {
    expect(checkTransition({ from: "draft", to: "review", via: "manual", role: "expert" }).ok).toBe(true);
    expect(checkTransition({ from: "review", to: "draft", via: "manual", role: "admin" }).ok).toBe(true);
  });

  it("a change to the same status is refused as already done", () => {
    const r = checkTransition({ from: "review", to: "review", via: "manual", role: "admin" });
    expect(r).toEqual({ ok: false, kind: "state", message: "The standard is already review." });
  });
});

describe("changes made by ballots and releases", () => {
  it("a ballot moves draft or review to ballot and back", () => {
    for (const from of ["draft", "review"] as const) {
      expect(checkTransition({ from, to: "ballot", via: "ballot" }).ok).toBe(true);
      expect(checkTransition({ from: "ballot", to: from, via: "ballot" }).ok).toBe(true);
    }
  });

  it("a release publishes a standard that is in draft, review or ballot, and supersedes a published one", () => {
    for (const from of ["draft", "review", "ballot"] as const) expect(checkTransition({ from, to: "published", via: "release" }).ok).toBe(true);
    expect(checkTransition({ from: "published", to: "superseded", via: "release" }).ok).toBe(true);
  });

  it("a release does not withdraw, and a ballot does not publish", () => {
    expect(checkTransition({ from: "published", to: "withdrawn", via: "release" }).ok).toBe(false);
    expect(checkTransition({ from: "ballot", to: "published", via: "ballot" }).ok).toBe(false);
  });

  it("every transition in the table is reachable by its own route", () => {
    for (const t of TRANSITIONS) {
      const r = checkTransition({ from: t.from, to: t.to, via: t.via, role: t.roles[0] ?? null, reason: "recorded reason" });
      expect(r.ok, `${t.from} → ${t.to} by ${t.via}`).toBe(true);
    }
    for (const t of TRANSITIONS) expect(VIAS).toContain(t.via);
  });
});

describe("nextStatuses", () => {
  it("lists where a standard can go by hand, per role", () => {
    expect(nextStatuses("draft", "manual", "expert")).toEqual(["review"]);
    expect(nextStatuses("draft", "manual", "member")).toEqual([]);
    expect(nextStatuses("published", "manual", "admin")).toEqual(["superseded", "withdrawn"]);
    expect(nextStatuses("published", "manual", "expert")).toEqual([]);
    expect(nextStatuses("ballot", "manual")).toEqual([]);
    expect(nextStatuses("ballot", "ballot")).toEqual(["draft", "review"]);
  });
});
