/** Evaluating a release's rules: input bounds, results in rule order, the budget between rules, and the per-address rate limit. */
import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../app/api/rate-limit";
import { evaluateRules, inputBoundsProblem, MAX_INPUT_ARRAY_ITEMS, MAX_INPUT_DEPTH } from "../../app/domain/release-evaluation";
import type { Rule } from "../../app/domain/rules";

const rule = (id: string, threshold: number): Rule => ({
  id,
  title: "t",
  description: "d",
  when: { "<": [{ var: "shipment.value" }, threshold] },
  then: { duty: { "*": [{ var: "shipment.value" }, 0] }, route: "simplified" },
  examples: [],
});

function nested(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { n: v };
  return v;
}

describe("inputBoundsProblem", () => {
  it(`accepts ${MAX_INPUT_DEPTH} levels of nesting and refuses ${MAX_INPUT_DEPTH + 1}`, () => {
    expect(inputBoundsProblem(nested(MAX_INPUT_DEPTH))).toBeNull();
    expect(inputBoundsProblem(nested(MAX_INPUT_DEPTH + 1))).toMatch(/more than 32 levels/);
  });
  it("does not overflow the stack on very deep input", () => {
    expect(inputBoundsProblem(nested(100_000))).toMatch(/more than 32 levels/);
  });
  it("refuses arrays over the limit, accepts scalars and null", () => {
    expect(inputBoundsProblem({ items: new Array(MAX_INPUT_ARRAY_ITEMS).fill(0) })).toBeNull();
    expect(inputBoundsProblem({ items: new Array(MAX_INPUT_ARRAY_ITEMS + 1).fill(0) })).toMatch(/1001 items/);
    for (const v of [null, 1, "x", true]) expect(inputBoundsProblem(v)).toBeNull();
  });
});

describe("evaluateRules", () => {
  const rules = [rule("TAR-001.R1", 150), rule("TAR-001.R2", 22)];
  it("gives one result per rule, in order, with outcomes only for rules that apply", () => {
    expect(evaluateRules(rules, { shipment: { value: 50 } }, () => 0)).toEqual({
      results: [
        { rule: "TAR-001.R1", applies: true, outcome: { duty: 0, route: "simplified" } },
        { rule: "TAR-001.R2", applies: false, outcome: null },
      ],
      overran: false,
    });
  });
  it("stops between rules once the budget is spent", () => {
    let t = 0;
    const clock = () => (t += 200);
    const out = evaluateRules(rules, { shipment: { value: 1 } }, clock, 250);
    expect(out.overran).toBe(true);
    expect(out.results).toHaveLength(1);
  });
  it("reports an engine failure on a rule instead of throwing", () => {
    const bad: Rule = { ...rule("TAR-001.R3", 10), then: { duty: { "/": [1, { var: "missing" }] } } };
    const [r] = evaluateRules([bad], { shipment: { value: 1 } }, () => 0).results;
    expect(r.applies).toBe(true);
    expect(r.error).toMatch(/then\.duty/);
  });
});

describe("RateLimiter", () => {
  it("allows the capacity at once, refuses the next with a Retry-After, and refills over time", () => {
    const limiter = new RateLimiter(60, 60_000);
    for (let i = 0; i < 60; i++) expect(limiter.take("203.0.113.7", 1000).ok).toBe(true);
    expect(limiter.take("203.0.113.7", 1000)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take("198.51.100.1", 1000).ok).toBe(true); // another address has its own bucket
    expect(limiter.take("203.0.113.7", 2000).ok).toBe(true); // one token back after a second
    expect(limiter.take("203.0.113.7", 2000).ok).toBe(false);
    limiter.reset();
    expect(limiter.take("203.0.113.7", 2000).ok).toBe(true);
  });
  it("forgets full buckets when it tracks too many addresses", () => {
    const limiter = new RateLimiter(2, 1000, 3);
    for (const a of ["a", "b", "c", "d"]) limiter.take(a, 0);
    // Long after, every bucket is full again: the map was pruned and all addresses are allowed.
    for (const a of ["a", "b", "c", "d", "e"]) expect(limiter.take(a, 10_000).ok).toBe(true);
  });
});
