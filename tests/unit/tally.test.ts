/**
 * The tally: every preset at, just below and just above its thresholds, the quorum's edges,
 * abstentions, excluded disapprovals, empty ballots and empty rolls, organisation units, exact
 * arithmetic where floating point would be wrong, and property tests over seeded random ballots
 * (monotonicity, permutation invariance, agreement with an independent reference).
 */
import { describe, expect, it } from "vitest";
import { prng } from "../../db/prng";
import {
  buildRoll,
  countVotes,
  decide,
  describeRule,
  excludesDisapprovalWithoutReason,
  ruleProblem,
  tally,
  toRatio,
  RULE_PRESETS,
  type BallotRule,
  type Position,
  type RollUnit,
  type TallyCounts,
  type TallyVote,
} from "../../app/domain/tally";

// ─── Helpers ─────────────────────────────────────────────────────────────────────────────────────

const roll = (n: number): RollUnit[] => Array.from({ length: n }, (_, i) => ({ unitId: `u${String(i).padStart(3, "0")}`, voterId: `v${i}`, label: `Unit ${i}` }));

/** A roll of `eligible` units and votes: `a` approvals, `d` disapprovals with a reason, `x` disapprovals without one, `ab` abstentions; the rest do not vote. */
function ballot(eligible: number, v: { a?: number; d?: number; x?: number; ab?: number }) {
  const units = roll(eligible);
  const positions: [Position, string | null][] = [
    ...Array<[Position, string | null]>(v.a ?? 0).fill(["approve", null]),
    ...Array<[Position, string | null]>(v.d ?? 0).fill(["disapprove", "Clause 4 conflicts with the UCC."]),
    ...Array<[Position, string | null]>(v.x ?? 0).fill(["disapprove", null]),
    ...Array<[Position, string | null]>(v.ab ?? 0).fill(["abstain", null]),
  ];
  if (positions.length > eligible) throw new Error("more votes than units");
  const votes: TallyVote[] = positions.map(([position, reason], i) => ({ unitId: units[i].unitId, position, reason }));
  return { units, votes };
}

function run(rule: BallotRule, eligible: number, v: { a?: number; d?: number; x?: number; ab?: number }, quorum?: number | null) {
  const b = ballot(eligible, v);
  return tally(rule, b.units, b.votes, { quorum });
}

const passes = (rule: BallotRule, eligible: number, v: { a?: number; d?: number; x?: number; ab?: number }, quorum?: number | null) => run(rule, eligible, v, quorum).result === "approved";

// ─── Presets at their thresholds ─────────────────────────────────────────────────────────────────

describe("simple-majority: approvals > disapprovals among votes cast; abstentions excluded", () => {
  it.each([
    [{ a: 5, d: 4 }, true],
    [{ a: 5, d: 5 }, false],
    [{ a: 4, d: 5 }, false],
    [{ a: 1, d: 0 }, true],
    [{ a: 0, d: 0, ab: 3 }, false],
    [{ a: 2, d: 1, ab: 10 }, true],
    [{ a: 1, d: 1, ab: 10 }, false],
  ])("%j on a roll of 20 → approved: %s", (v, expected) => {
    expect(passes("simple-majority", 20, v)).toBe(expected);
  });

  it("a tie is rejected for too few approvals", () => {
    expect(run("simple-majority", 4, { a: 2, d: 2 }).reasons).toEqual(["approve-threshold"]);
  });

  it("a disapproval without a reason still counts (simple majority does not exclude it)", () => {
    expect(run("simple-majority", 5, { a: 2, x: 2 }).tally).toMatchObject({ disapprove: 2, excluded: 0 });
    expect(passes("simple-majority", 5, { a: 2, x: 2 })).toBe(false);
  });
});

describe("iso: approvals ≥ 2/3 of (approvals + disapprovals), disapprovals ≤ 1/4 of them; abstentions and reasonless disapprovals excluded", () => {
  it("exactly 2/3 approvals meets the approval threshold (the disapproval limit then fails: 1/3 > 1/4)", () => {
    expect(run("iso", 10, { a: 2, d: 1 }).reasons).toEqual(["disapprove-limit"]);
    expect(run("iso", 10, { a: 4, d: 2 }).reasons).toEqual(["disapprove-limit"]);
  });

  it("just below 2/3 fails both", () => {
    expect(run("iso", 10, { a: 1, d: 1 }).reasons).toEqual(["approve-threshold", "disapprove-limit"]);
    expect(run("iso", 20, { a: 5, d: 3 }).reasons).toEqual(["approve-threshold", "disapprove-limit"]); // 5/8 < 2/3
  });

  it("disapprovals exactly 1/4 of the cast votes pass; just above fail; just below pass", () => {
    expect(passes("iso", 10, { a: 3, d: 1 })).toBe(true); // 1/4 exactly
    expect(passes("iso", 20, { a: 6, d: 2 })).toBe(true); // 2/8 exactly
    expect(run("iso", 20, { a: 11, d: 4 }).reasons).toEqual(["disapprove-limit"]); // 4/15 > 1/4, 11/15 ≥ 2/3
    expect(passes("iso", 10, { a: 4, d: 1 })).toBe(true); // 1/5
  });

  it("abstentions are excluded, however many", () => {
    expect(passes("iso", 110, { a: 3, d: 1, ab: 100 })).toBe(true);
    expect(run("iso", 110, { a: 3, d: 1, ab: 100 }).tally).toEqual({ approve: 3, disapprove: 1, abstain: 100, excluded: 0, notVoted: 6 });
  });

  it("a disapproval without a reason is excluded (blank reasons count as none)", () => {
    const r = run("iso", 10, { a: 3, x: 5 });
    expect(r.tally).toEqual({ approve: 3, disapprove: 0, abstain: 0, excluded: 5, notVoted: 2 });
    expect(r.result).toBe("approved");
    const units = roll(2);
    expect(tally("iso", units, [{ unitId: units[0].unitId, position: "approve" }, { unitId: units[1].unitId, position: "disapprove", reason: "   " }]).tally.excluded).toBe(1);
  });

  it("only abstentions, or only excluded disapprovals: not a single approval, rejected", () => {
    expect(run("iso", 5, { ab: 5 }).reasons).toEqual(["no-approvals"]);
    expect(run("iso", 5, { x: 5 }).reasons).toEqual(["no-approvals"]);
  });

  it("the vote form must ask for a reason under iso and under custom rules that exclude", () => {
    expect(excludesDisapprovalWithoutReason("iso")).toBe(true);
    expect(excludesDisapprovalWithoutReason({ approve: { fraction: 0.5, of: "cast" }, excludeDisapproveWithoutReason: true })).toBe(true);
    for (const preset of ["simple-majority", "oasis-special-majority", "consensus"] as const) expect(excludesDisapprovalWithoutReason(preset)).toBe(false);
    expect(excludesDisapprovalWithoutReason({ approve: { fraction: 0.5, of: "cast" } })).toBe(false);
  });
});

describe("oasis-special-majority: approvals ≥ 2/3 and disapprovals ≤ 1/4 of ALL eligible units; abstentions count for nothing", () => {
  it.each([
    [9, { a: 6 }, true], // exactly 2/3
    [9, { a: 5 }, false],
    [9, { a: 7 }, true],
    [8, { a: 6 }, true], // 5.33 → 6
    [8, { a: 5 }, false],
    [8, { a: 6, d: 2 }, true], // exactly 1/4
    [12, { a: 8, d: 3 }, true], // exactly 2/3 and exactly 1/4
    [12, { a: 9, d: 3 }, true],
    [12, { a: 8, d: 4 }, false], // 4 > 3
    [6, { a: 4, d: 1 }, true], // 1 ≤ 1.5
    [6, { a: 4, d: 2 }, false], // 2 > 1.5
  ])("%i eligible, %j → approved: %s", (eligible, v, expected) => {
    expect(passes("oasis-special-majority", eligible, v)).toBe(expected);
  });

  it("abstaining counts the same as not voting: both leave the approvals short", () => {
    expect(run("oasis-special-majority", 9, { a: 5, ab: 4 }).reasons).toEqual(["approve-threshold"]);
    expect(run("oasis-special-majority", 9, { a: 5 }).reasons).toEqual(["approve-threshold"]);
  });

  it("counts against the eligible units, not the votes cast: unanimous votes cast are not enough", () => {
    expect(passes("simple-majority", 9, { a: 3 })).toBe(true);
    expect(passes("iso", 9, { a: 3 })).toBe(true);
    expect(passes("oasis-special-majority", 9, { a: 3 })).toBe(false);
  });
});

describe("consensus: no disapproval at all, and approvals ≥ ceil(2/3 × eligible)", () => {
  it.each([
    [9, { a: 6 }, true],
    [9, { a: 5, ab: 4 }, false],
    [10, { a: 7 }, true], // ceil(6.67) = 7
    [10, { a: 6, ab: 4 }, false],
    [3, { a: 2, ab: 1 }, true],
    [1, { a: 1 }, true],
    [1, { ab: 1 }, false],
  ])("%i eligible, %j → approved: %s", (eligible, v, expected) => {
    expect(passes("consensus", eligible, v)).toBe(expected);
  });

  it("a single disapproval blocks, even with every other unit approving", () => {
    expect(run("consensus", 10, { a: 9, d: 1 }).reasons).toEqual(["disapproval"]);
  });

  it("a disapproval without a reason blocks too (consensus excludes nothing)", () => {
    expect(run("consensus", 10, { a: 9, x: 1 }).reasons).toEqual(["disapproval"]);
  });
});

describe("custom rules", () => {
  const half = (of: "cast" | "eligible"): BallotRule => ({ approve: { fraction: 0.5, of } });

  it("approve ≥ fraction of the votes cast: a tie at 1/2 passes (at least), below fails", () => {
    expect(passes(half("cast"), 10, { a: 2, d: 2 })).toBe(true);
    expect(passes(half("cast"), 10, { a: 2, d: 3 })).toBe(false);
    expect(passes(half("cast"), 10, { a: 3, d: 2 })).toBe(true);
  });

  it("approve ≥ fraction of the eligible units", () => {
    expect(passes(half("eligible"), 10, { a: 5 })).toBe(true);
    expect(passes(half("eligible"), 10, { a: 4, ab: 6 })).toBe(false);
    expect(passes(half("eligible"), 11, { a: 6 })).toBe(true);
    expect(passes(half("eligible"), 11, { a: 5 })).toBe(false);
  });

  it("maxDisapprove caps disapprovals (at the cap passes, one above fails); 0 forbids any", () => {
    const rule: BallotRule = { approve: { fraction: 0.5, of: "cast" }, maxDisapprove: { fraction: 0.2, of: "eligible" } };
    expect(passes(rule, 10, { a: 6, d: 2 })).toBe(true);
    expect(run(rule, 10, { a: 6, d: 3 }).reasons).toEqual(["disapprove-limit"]);
    const none: BallotRule = { approve: { fraction: 0, of: "cast" }, maxDisapprove: { fraction: 0, of: "cast" } };
    expect(run(none, 10, { a: 9, d: 1 }).reasons).toEqual(["disapprove-limit"]);
    expect(passes(none, 10, { a: 1 })).toBe(true);
  });

  it("excludeDisapproveWithoutReason excludes only when set", () => {
    const excluding: BallotRule = { approve: { fraction: 0.75, of: "cast" }, excludeDisapproveWithoutReason: true };
    const counting: BallotRule = { approve: { fraction: 0.75, of: "cast" } };
    expect(run(excluding, 10, { a: 3, x: 2 }).tally).toMatchObject({ disapprove: 0, excluded: 2 });
    expect(passes(excluding, 10, { a: 3, x: 2 })).toBe(true);
    expect(passes(counting, 10, { a: 3, x: 2 })).toBe(false);
  });

  it("compares exactly where floating point is wrong: 7 of 100 meets 0.07 (0.07 × 100 = 7.000000000000001 in floats)", () => {
    expect(0.07 * 100).toBeGreaterThan(7);
    expect(passes({ approve: { fraction: 0.07, of: "eligible" } }, 100, { a: 7 })).toBe(true);
    expect(passes({ approve: { fraction: 0.07, of: "eligible" } }, 100, { a: 6 })).toBe(false);
    // The same for the quorum: 7 of 100 voters meet a 7% quorum.
    expect(passes("simple-majority", 100, { a: 7 }, 0.07)).toBe(true);
    expect(run("simple-majority", 100, { a: 6 }, 0.07).reasons).toEqual(["quorum"]);
  });

  it("fractions are read as the exact decimals written", () => {
    expect(toRatio(0.5)).toEqual({ num: 5n, den: 10n });
    expect(toRatio(0.6667)).toEqual({ num: 6667n, den: 10000n });
    expect(toRatio(1)).toEqual({ num: 1n, den: 1n });
    expect(toRatio(0)).toEqual({ num: 0n, den: 1n });
    expect(toRatio(1e-7)).toEqual({ num: 1n, den: 10000000n });
    for (const bad of [-0.1, 1.01, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => toRatio(bad)).toThrow(RangeError);
  });

  it("ruleProblem names what is wrong with a rule, and accepts good ones", () => {
    for (const preset of RULE_PRESETS) expect(ruleProblem(preset)).toBeNull();
    expect(ruleProblem({ approve: { fraction: 0.6, of: "cast" }, maxDisapprove: { fraction: 0.1, of: "eligible" } })).toBeNull();
    expect(ruleProblem("two-thirds")).toMatch(/Unknown rule preset/);
    expect(ruleProblem({ approve: { fraction: 1.5, of: "cast" } })).toMatch(/approve.fraction/);
    expect(ruleProblem({ approve: { fraction: 0.5, of: "present" } })).toMatch(/approve.of/);
    expect(ruleProblem({ approve: { fraction: 0.5, of: "cast" }, maxDisapprove: 3 })).toMatch(/maxDisapprove/);
    expect(ruleProblem(null)).toMatch(/preset/);
  });
});

// ─── Quorum ──────────────────────────────────────────────────────────────────────────────────────

describe("quorum: a fraction of the eligible units must vote, abstentions included", () => {
  it("at, below and above the quorum (4 eligible, 50%: 2 needed)", () => {
    expect(passes("simple-majority", 4, { a: 2 }, 0.5)).toBe(true);
    expect(run("simple-majority", 4, { a: 1 }, 0.5).reasons).toEqual(["quorum"]);
    expect(passes("simple-majority", 4, { a: 3 }, 0.5)).toBe(true);
  });

  it("rounds the number of voters needed up (5 eligible, 50%: 3 needed)", () => {
    expect(run("simple-majority", 5, { a: 2 }, 0.5).reasons).toEqual(["quorum"]);
    expect(passes("simple-majority", 5, { a: 3 }, 0.5)).toBe(true);
  });

  it("abstentions count towards the quorum", () => {
    expect(passes("simple-majority", 5, { a: 1, ab: 2 }, 0.5)).toBe(true);
    expect(run("simple-majority", 5, { a: 1, ab: 1 }, 0.5).reasons).toEqual(["quorum"]);
  });

  it("excluded disapprovals count towards the quorum (the unit did vote)", () => {
    expect(passes("iso", 4, { a: 1, x: 1 }, 0.5)).toBe(true);
    expect(run("iso", 4, { a: 1 }, 0.5).reasons).toEqual(["quorum"]);
  });

  it("a missed quorum is rejected with the reason quorum, alongside any other reason", () => {
    expect(run("iso", 10, { a: 1, d: 1 }, 0.5).reasons).toEqual(["quorum", "approve-threshold", "disapprove-limit"]);
  });

  it("quorum 0 is always met; quorum 1 needs every unit", () => {
    expect(passes("simple-majority", 10, { a: 1 }, 0)).toBe(true);
    expect(run("simple-majority", 10, { a: 9 }, 1).reasons).toEqual(["quorum"]);
    expect(passes("simple-majority", 10, { a: 9, ab: 1 }, 1)).toBe(true);
  });

  it("the quorum paradox: with a quorum, one more disapproval can turn a rejection into an approval", () => {
    // Known property of participation quorums, kept because the contract counts every vote towards it.
    expect(run("iso", 10, { a: 3 }, 0.4).reasons).toEqual(["quorum"]);
    expect(run("iso", 10, { a: 3, d: 1 }, 0.4).result).toBe("approved");
  });
});

// ─── Empty ballots and rolls ─────────────────────────────────────────────────────────────────────

const ALL_RULES: BallotRule[] = [
  ...RULE_PRESETS,
  { approve: { fraction: 0, of: "cast" } },
  { approve: { fraction: 0, of: "eligible" } },
  { approve: { fraction: 0.5, of: "cast" }, maxDisapprove: { fraction: 0.25, of: "eligible" }, excludeDisapproveWithoutReason: true },
];

describe("empty ballots and empty rolls", () => {
  it.each(ALL_RULES.map((r) => [JSON.stringify(r), r]))("%s: nobody voted → rejected, everyone counted as not voted", (_, rule) => {
    const r = run(rule, 7, {});
    expect(r.result).toBe("rejected");
    expect(r.tally).toEqual({ approve: 0, disapprove: 0, abstain: 0, excluded: 0, notVoted: 7 });
    expect(r.reasons.some((x) => x === "approve-threshold" || x === "no-approvals")).toBe(true);
  });

  it.each(ALL_RULES.map((r) => [JSON.stringify(r), r]))("%s: an empty roll is rejected as empty-roll, even with a quorum of 0", (_, rule) => {
    for (const quorum of [undefined, 0, 0.5]) {
      const r = tally(rule, [], [], { quorum });
      expect(r).toMatchObject({ result: "rejected", reasons: ["empty-roll"], tally: { approve: 0, disapprove: 0, abstain: 0, excluded: 0, notVoted: 0 } });
      expect(r.explanation).toContain("roll is empty");
    }
  });

  it("votes of units that are not on the roll are ignored", () => {
    const units = roll(3);
    const r = tally("simple-majority", units, [{ unitId: units[0].unitId, position: "approve" }, { unitId: "stranger", position: "disapprove", reason: "x" }]);
    expect(r.tally).toEqual({ approve: 1, disapprove: 0, abstain: 0, excluded: 0, notVoted: 2 });
  });

  it("two votes for one unit are refused (the portal stores one per unit)", () => {
    const units = roll(2);
    expect(() => tally("iso", units, [{ unitId: units[0].unitId, position: "approve" }, { unitId: units[0].unitId, position: "approve" }])).toThrow(/Two votes/);
    expect(() => tally("iso", [...units, units[0]], [])).toThrow(/twice/);
  });
});

// ─── Organisation units ──────────────────────────────────────────────────────────────────────────

describe("organisation units", () => {
  const people = [
    { userId: "p1", name: "Zhang Min", orgId: "org-cainiao", orgName: "Cainiao" },
    { userId: "p2", name: "Wang Fang", orgId: "org-cainiao", orgName: "Cainiao" },
    { userId: "p3", name: "Li Na", orgId: "org-cainiao", orgName: "Cainiao" },
    { userId: "p4", name: "Anna Kovacs", orgId: "org-dhl", orgName: "DHL" },
    { userId: "p5", name: "Jonas Weber", orgId: "org-itd", orgName: "Institute for Trade Data" },
  ];

  it("one unit per organisation with an eligible member, voted by its representative (or nobody)", () => {
    const units = buildRoll({ voterUnit: "organization", eligible: people, representatives: { "org-cainiao": "p2", "org-dhl": "p4" } });
    expect(units).toEqual([
      { unitId: "org-cainiao", voterId: "p2", label: "Cainiao" },
      { unitId: "org-dhl", voterId: "p4", label: "DHL" },
      { unitId: "org-itd", voterId: null, label: "Institute for Trade Data" },
    ]);
  });

  it("an organisation with three members counts once; its unit without a representative counts as not voted", () => {
    const units = buildRoll({ voterUnit: "organization", eligible: people, representatives: { "org-cainiao": "p2", "org-dhl": "p4" } });
    const r = tally("oasis-special-majority", units, [
      { unitId: "org-cainiao", position: "approve" },
      { unitId: "org-dhl", position: "approve" },
    ]);
    expect(r.tally).toEqual({ approve: 2, disapprove: 0, abstain: 0, excluded: 0, notVoted: 1 });
    expect(r.result).toBe("approved"); // 2 ≥ 2/3 × 3
  });

  it("individual ballots: one unit per person, voted by that person", () => {
    const units = buildRoll({ voterUnit: "individual", eligible: people, representatives: {} });
    expect(units.map((u) => [u.unitId, u.voterId])).toEqual(people.map((p) => [p.userId, p.userId]));
    expect(units[0].label).toBe("Zhang Min (Cainiao)");
  });

  it("the roll comes out in the same order whatever order the members arrive in", () => {
    const a = buildRoll({ voterUnit: "organization", eligible: people, representatives: { "org-dhl": "p4" } });
    const b = buildRoll({ voterUnit: "organization", eligible: [...people].reverse(), representatives: { "org-dhl": "p4" } });
    expect(b).toEqual(a);
  });
});

// ─── Explanations ────────────────────────────────────────────────────────────────────────────────

describe("the explanation in words", () => {
  it("describes each preset and the quorum with the roll's numbers", () => {
    expect(describeRule("oasis-special-majority", { eligible: 9 })).toContain("With 9 eligible units, that is at least 6 approving and at most 2 disapproving.");
    expect(describeRule("consensus", { eligible: 10 })).toContain("at least 7 must approve");
    expect(describeRule("iso", { quorum: 0.5, eligible: 5 })).toContain("at least 50% of the 5 eligible units must vote, abstentions included — that is 3.");
    expect(describeRule("simple-majority", {})).toContain("There is no quorum.");
    expect(describeRule({ approve: { fraction: 0.6, of: "cast" }, maxDisapprove: { fraction: 0.1, of: "eligible" } })).toMatch(/at least 60% of the approvals and disapprovals cast\. Disapprovals may be at most 10% of all eligible units\./);
  });

  it("while open, says what would happen now and how many more approvals are needed", () => {
    const b = ballot(5, { a: 1, d: 1 });
    const r = tally("iso", b.units, b.votes, { quorum: 0.5, open: true });
    expect(r.explanation).toContain("If the ballot closed now, it would fail");
    expect(r.stillNeeded).toBe("Still needed: 2 more approvals, from the 3 units that have not voted.");
  });

  it("while open and passing, says nothing more is needed and how fragile the lead is", () => {
    const b = ballot(6, { a: 3 });
    const r = tally("simple-majority", b.units, b.votes, { open: true });
    expect(r.explanation).toContain("If the ballot closed now, it would pass.");
    expect(r.stillNeeded).toBe("Still needed: nothing — it passes as the votes stand. 3 more disapprovals would make it fail.");
  });

  it("while open, says when the remaining votes cannot make it pass", () => {
    const b = ballot(4, { a: 2, d: 1 });
    expect(tally("consensus", b.units, b.votes, { open: true }).stillNeeded).toMatch(/even if the last unit approves, it fails \(1 unit disapproves, and consensus allows none\)/);
  });

  it("once closed, states the result and the reasons; no still-needed", () => {
    const b = ballot(4, { a: 1 });
    const r = tally("simple-majority", b.units, b.votes, { quorum: 0.75 });
    expect(r.explanation).toContain("Result: rejected — the quorum is not reached (3 units must vote, 1 did).");
    expect(r.stillNeeded).toBeUndefined();
  });

  it("uses the words it is given", () => {
    const r = tally("iso", roll(2), [], { t: (key) => `[${key}]`, open: true });
    expect(r.explanation).toContain("[rule.iso]");
    expect(r.stillNeeded).toBe("[needed.approvals]");
  });
});

// ─── Properties over seeded random ballots ───────────────────────────────────────────────────────

type Case = { rule: BallotRule; units: RollUnit[]; votes: TallyVote[]; quorum: number | null };

function randomCase(rand: () => number): Case {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const twentieth = () => Math.floor(rand() * 21) / 20; // 0, 0.05, …, 1: exact in the reference
  const rule: BallotRule =
    rand() < 0.6
      ? pick(RULE_PRESETS)
      : {
          approve: { fraction: twentieth(), of: pick(["cast", "eligible"] as const) },
          ...(rand() < 0.5 ? { maxDisapprove: { fraction: twentieth(), of: pick(["cast", "eligible"] as const) } } : {}),
          ...(rand() < 0.5 ? { excludeDisapproveWithoutReason: true } : {}),
        };
  const units = roll(Math.floor(rand() * 13));
  const votes: TallyVote[] = [];
  for (const u of units) {
    const r = rand();
    if (r < 0.25) continue;
    const position = pick(["approve", "approve", "disapprove", "abstain"] as const);
    votes.push({ unitId: u.unitId, position, reason: position === "disapprove" && rand() < 0.7 ? "Conflicts with clause 3." : null });
  }
  return { rule, units, votes, quorum: rand() < 0.4 ? twentieth() : null };
}

function shuffle<T>(xs: readonly T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The contract's rules written out independently, in plain integer arithmetic (fractions are twentieths here). */
function referenceApproved(rule: BallotRule, c: TallyCounts, quorum: number | null): boolean {
  const e = c.approve + c.disapprove + c.abstain + c.excluded + c.notVoted;
  if (e === 0 || c.approve === 0) return false;
  const voted = e - c.notVoted;
  const twentieths = (f: number) => Math.round(f * 20);
  if (quorum !== null && voted * 20 < twentieths(quorum) * e) return false;
  const a = c.approve;
  const d = c.disapprove;
  switch (rule) {
    case "simple-majority":
      return a > d;
    case "iso":
      return 3 * a >= 2 * (a + d) && 4 * d <= a + d;
    case "oasis-special-majority":
      return 3 * a >= 2 * e && 4 * d <= e;
    case "consensus":
      return d === 0 && a >= Math.ceil((2 * e) / 3);
    default: {
      const base = (of: string) => (of === "cast" ? a + d : e);
      const ok = a * 20 >= twentieths(rule.approve.fraction) * base(rule.approve.of);
      const capped = !rule.maxDisapprove || d * 20 <= twentieths(rule.maxDisapprove.fraction) * base(rule.maxDisapprove.of);
      return ok && capped;
    }
  }
}

const RUNS = 3000;

describe("properties (seeded)", () => {
  it("counts add up to the roll, and the result agrees with an independent reference", () => {
    const rand = prng(20240601);
    for (let i = 0; i < RUNS; i++) {
      const c = randomCase(rand);
      const r = tally(c.rule, c.units, c.votes, { quorum: c.quorum });
      const t = r.tally;
      expect(t.approve + t.disapprove + t.abstain + t.excluded + t.notVoted).toBe(c.units.length);
      expect(r.result === "approved", JSON.stringify(c)).toBe(referenceApproved(c.rule, t, c.quorum));
      expect(r.result === "approved").toBe(r.reasons.length === 0);
    }
  });

  it("permuting the votes or the roll changes nothing, not even the words", () => {
    const rand = prng(7);
    for (let i = 0; i < RUNS; i++) {
      const c = randomCase(rand);
      const a = tally(c.rule, c.units, c.votes, { quorum: c.quorum, open: true });
      const b = tally(c.rule, shuffle(c.units, rand), shuffle(c.votes, rand), { quorum: c.quorum, open: true });
      expect(b).toEqual(a);
    }
  });

  it("adding an approval (a new vote, or a changed one) never turns approved into rejected", () => {
    const rand = prng(42);
    let checked = 0;
    for (let i = 0; i < RUNS; i++) {
      const c = randomCase(rand);
      const before = tally(c.rule, c.units, c.votes, { quorum: c.quorum });
      const voted = new Set(c.votes.map((v) => v.unitId));
      const free = c.units.filter((u) => !voted.has(u.unitId));
      const variants: TallyVote[][] = [];
      if (free.length) variants.push([...c.votes, { unitId: free[0].unitId, position: "approve" }]);
      const other = c.votes.findIndex((v) => v.position !== "approve");
      if (other >= 0) variants.push(c.votes.map((v, j) => (j === other ? { unitId: v.unitId, position: "approve" as const } : v)));
      for (const votes of variants) {
        const after = tally(c.rule, c.units, votes, { quorum: c.quorum });
        if (before.result === "approved") {
          expect(after.result, JSON.stringify({ c, votes })).toBe("approved");
          checked++;
        }
        expect(after.tally.approve).toBe(before.tally.approve + 1);
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it("adding a disapproval never turns rejected into approved when the quorum was already met (or there is none)", () => {
    const rand = prng(99);
    let checked = 0;
    for (let i = 0; i < RUNS; i++) {
      const c = randomCase(rand);
      const before = tally(c.rule, c.units, c.votes, { quorum: c.quorum });
      if (before.reasons.includes("quorum")) continue; // see "the quorum paradox" above
      const voted = new Set(c.votes.map((v) => v.unitId));
      const free = c.units.filter((u) => !voted.has(u.unitId));
      if (!free.length) continue;
      for (const reason of ["Conflicts with clause 3.", null]) {
        const after = tally(c.rule, c.units, [...c.votes, { unitId: free[0].unitId, position: "disapprove", reason }], { quorum: c.quorum });
        if (before.result === "rejected") {
          expect(after.result, JSON.stringify(c)).toBe("rejected");
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it("the still-needed count of approvals is exactly the fewest that make it pass", () => {
    const rand = prng(1234);
    let checked = 0;
    for (let i = 0; i < RUNS; i++) {
      const c = randomCase(rand);
      const r = tally(c.rule, c.units, c.votes, { quorum: c.quorum, open: true });
      const m = /Still needed: (\d+) more approvals?/.exec(r.stillNeeded ?? "");
      if (!m) continue;
      const k = Number(m[1]);
      const counts = countVotes(c.rule, c.units, c.votes);
      const withK = (n: number) => decide(c.rule, { ...counts, approve: counts.approve + n, notVoted: counts.notVoted - n }, c.quorum);
      expect(withK(k)).toEqual([]);
      expect(withK(k - 1).length).toBeGreaterThan(0);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });
});
