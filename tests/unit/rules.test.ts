import { describe, it, expect } from "vitest";
import {
  conformanceVectors,
  evaluateRule,
  findDuplicateRuleIds,
  runConformance,
  validateRule,
  validateRuleSet,
  type Rule,
} from "~/domain/rules";
import { extractRules, parseStandardFile, serializeStandardFile } from "~/domain/standard-file";

function makeRule(overrides: Partial<Rule> = {}): Rule {
  return {
    id: "TAR-001.R1",
    title: "Simplified route below 150",
    description: "Consignments below 150 take the simplified route without duty.",
    when: { "<": [{ var: "shipment.value" }, 150] },
    then: { duty: 0, route: "simplified" },
    examples: [
      {
        name: "90 is below 150",
        input: { shipment: { value: 90 } },
        expect: { applies: true, outcome: { duty: 0, route: "simplified" } },
      },
      {
        name: "150 is not below 150",
        input: { shipment: { value: 150 } },
        expect: { applies: false, outcome: null },
      },
    ],
    ...overrides,
  };
}

function errorsOf(value: unknown) {
  const result = validateRule(value);
  if (result.ok) throw new Error("expected the rule to be refused");
  return result.errors;
}

describe("evaluateRule", () => {
  it("applies the rule and evaluates every outcome value against the input", () => {
    const rule = makeRule({
      then: { duty: 0, route: "simplified", vat_due: { "/": [{ "*": [{ var: "shipment.value" }, 21] }, 100] } },
    });
    expect(evaluateRule(rule, { shipment: { value: 90 } })).toEqual({
      applies: true,
      outcome: { duty: 0, route: "simplified", vat_due: 18.9 },
    });
  });

  it("returns a null outcome when the rule does not apply", () => {
    expect(evaluateRule(makeRule(), { shipment: { value: 150 } })).toEqual({ applies: false, outcome: null });
  });

  it.each([
    ["an empty array", []],
    ["zero", 0],
    ["an empty string", ""],
    ["null", null],
    ["false", false],
  ])("treats %s as false", (_label, value) => {
    const rule = makeRule({ when: { var: "flag" } });
    expect(evaluateRule(rule, { flag: value })).toEqual({ applies: false, outcome: null });
  });

  it.each([
    ["a non-empty array", [0]],
    ["the string \"0\"", "0"],
    ["a negative number", -1],
    ["an empty object", {}],
  ])("treats %s as true", (_label, value) => {
    const rule = makeRule({ when: { var: "flag" } });
    expect(evaluateRule(rule, { flag: value }).applies).toBe(true);
  });

  it("treats a missing variable as false, not as an error", () => {
    const result = evaluateRule(makeRule({ when: { var: "shipment.nothing" } }), { shipment: {} });
    expect(result).toEqual({ applies: false, outcome: null });
  });

  it("keeps money exact with one final division", () => {
    const rule = makeRule({ when: true, then: { vat: { "/": [{ "*": [{ "+": [120, 5] }, 19] }, 100] } } });
    expect(evaluateRule(rule, {}).outcome).toEqual({ vat: 23.75 });
  });

  it("reports an engine error instead of throwing", () => {
    const rule = makeRule({ when: { nosuchop: [1] } });
    const result = evaluateRule(rule, {});
    expect(result.applies).toBe(false);
    expect(result.outcome).toBeNull();
    expect(result.error).toMatch(/nosuchop/);
  });

  it("reports arithmetic on non-numbers as an error rather than returning NaN", () => {
    const rule = makeRule({ when: true, then: { total: { "*": [{ var: "x" }, 2] } } });
    const result = evaluateRule(rule, { x: "abc" });
    expect(result.applies).toBe(true);
    expect(result.outcome).toBeNull();
    expect(result.error).toMatch(/then\.total/);
  });
});

describe("validateRule", () => {
  it("accepts a well-formed rule and returns it", () => {
    const rule = makeRule();
    expect(validateRule(rule)).toEqual({ ok: true, rule });
  });

  it.each(["tar-001.R1", "TAR-1.R1", "TAR-001-R1", "TAR-001.R", "TOOLONG-001.R1", "EWTP-TAR-001.R1"])(
    "refuses the rule id %s",
    (id) => {
      expect(errorsOf(makeRule({ id }))).toContainEqual({ path: "/id", message: expect.stringContaining("TAR-001.R1") });
    },
  );

  it.each(["id", "title", "description", "when", "then", "examples"] as const)("refuses a rule without %s", (field) => {
    const rule: Record<string, unknown> = { ...makeRule() };
    delete rule[field];
    expect(errorsOf(rule)).toContainEqual({ path: `/${field}`, message: "is required" });
  });

  it("refuses an unknown JSON Logic operator and says which", () => {
    const errors = errorsOf(makeRule({ when: { and: [true, { regex: ["a", "b"] }] } }));
    expect(errors).toEqual([{ path: "/when/and/1/regex", message: 'unknown JSON Logic operator "regex"' }]);
  });

  it("checks every outcome expression too", () => {
    const errors = errorsOf(makeRule({ then: { duty: { round: [1.5] } } }));
    expect(errors[0].path).toBe("/then/duty/round");
  });

  it("refuses the log operator, which writes to the console", () => {
    expect(errorsOf(makeRule({ when: { log: 1 } }))[0].message).toMatch(/log/);
  });

  it("refuses object literals that are not one-operator expressions", () => {
    const errors = errorsOf(makeRule({ then: { route: { name: "simplified", code: 1 } } }));
    expect(errors[0]).toMatchObject({ path: "/then/route", message: expect.stringContaining("exactly one key") });
  });

  it("refuses variable paths into object internals", () => {
    expect(errorsOf(makeRule({ when: { var: "shipment.constructor" } }))[0].message).toMatch(/constructor/);
  });

  it("refuses an extra property on the rule and on an example", () => {
    const rule = makeRule();
    const withExtras = {
      ...rule,
      severity: "high",
      examples: [{ ...rule.examples[0], note: "x" }],
    };
    const errors = errorsOf(withExtras);
    expect(errors).toContainEqual({ path: "/severity", message: "is not an allowed property" });
    expect(errors).toContainEqual({ path: "/examples/0/note", message: "is not an allowed property" });
  });

  it("refuses an example that does not apply but expects an outcome", () => {
    const rule = makeRule();
    const errors = errorsOf({
      ...rule,
      examples: [{ name: "x", input: {}, expect: { applies: false, outcome: { duty: 0 } } }],
    });
    expect(errors).toContainEqual({
      path: "/examples/0/expect/outcome",
      message: "must be null when applies is false, and an object when applies is true",
    });
  });

  it("refuses a rule without examples, and duplicate example names", () => {
    expect(errorsOf(makeRule({ examples: [] }))[0].path).toBe("/examples");
    const rule = makeRule();
    const dup = makeRule({ examples: [rule.examples[0], { ...rule.examples[1], name: rule.examples[0].name }] });
    expect(errorsOf(dup)).toEqual([{ path: "/examples/1/name", message: 'duplicate example name "90 is below 150"' }]);
  });

  it("refuses values that are not objects", () => {
    expect(validateRule(null).ok).toBe(false);
    expect(validateRule("TAR-001.R1").ok).toBe(false);
  });
});

describe("validateRuleSet", () => {
  it("accepts a rule set and refuses one with a repeated id or a bad version", () => {
    expect(validateRuleSet({ standard: "EWTP-TAR-001", version: "1.0.0", rules: [makeRule()] }).ok).toBe(true);
    const repeated = validateRuleSet({ standard: "EWTP-TAR-001", version: "1.0.0", rules: [makeRule(), makeRule()] });
    expect(repeated).toEqual({ ok: false, errors: [{ path: "/rules", message: "rule id TAR-001.R1 is used more than once" }] });
    expect(validateRuleSet({ standard: "EWTP-TAR-001", version: "v1", rules: [] }).ok).toBe(false);
  });
});

describe("runConformance", () => {
  it("passes examples the engine reproduces, whatever the key order", () => {
    const rule = makeRule();
    rule.examples[0].expect.outcome = { route: "simplified", duty: 0 };
    expect(runConformance([rule])).toMatchObject({ passed: 2, failed: 0 });
  });

  it("reports a failing example with what was expected and what came out", () => {
    const rule = makeRule();
    rule.examples.push({
      name: "wrong expectation",
      input: { shipment: { value: 100 } },
      expect: { applies: true, outcome: { duty: 5, route: "simplified" } },
    });
    const report = runConformance([rule]);
    expect(report.passed).toBe(2);
    expect(report.failed).toBe(1);
    const failure = report.results.find((r) => !r.passed);
    expect(failure).toEqual({
      rule: "TAR-001.R1",
      example: "wrong expectation",
      passed: false,
      actual: { applies: true, outcome: { duty: 0, route: "simplified" } },
      expected: { applies: true, outcome: { duty: 5, route: "simplified" } },
    });
  });

  it("fails an example whose evaluation errors, and says why", () => {
    const rule = makeRule({
      when: true,
      then: { total: { "*": [{ var: "x" }, 2] } },
      examples: [{ name: "text instead of a number", input: { x: "abc" }, expect: { applies: true, outcome: { total: null } } }],
    });
    const [result] = runConformance([rule]).results;
    expect(result.passed).toBe(false);
    expect(result.error).toMatch(/total/);
  });

  it("does not confuse 0.30000000000000004 with 0.3", () => {
    const rule = makeRule({
      when: true,
      then: { sum: { "+": [0.1, 0.2] } },
      examples: [{ name: "float sum", input: {}, expect: { applies: true, outcome: { sum: 0.3 } } }],
    });
    expect(runConformance([rule]).failed).toBe(1);
  });
});

describe("findDuplicateRuleIds", () => {
  it("lists each repeated id once", () => {
    const ids = ["TAR-001.R1", "TAR-001.R2", "TAR-001.R1", "TAR-001.R3", "TAR-001.R2", "TAR-001.R1"];
    expect(findDuplicateRuleIds(ids.map((id) => ({ id })))).toEqual(["TAR-001.R1", "TAR-001.R2"]);
  });

  it("returns nothing when ids are unique", () => {
    expect(findDuplicateRuleIds([{ id: "TAR-001.R1" }, { id: "TAR-001.R2" }])).toEqual([]);
  });
});

describe("conformanceVectors", () => {
  it("lists every example of every rule with its expected result", () => {
    const second = makeRule({ id: "TAR-001.R2", examples: [makeRule().examples[1]] });
    expect(conformanceVectors("EWTP-TAR-001", "1.0.0", [makeRule(), second])).toEqual({
      standard: "EWTP-TAR-001",
      version: "1.0.0",
      vectors: [
        { rule: "TAR-001.R1", name: "90 is below 150", input: { shipment: { value: 90 } }, expect: { applies: true, outcome: { duty: 0, route: "simplified" } } },
        { rule: "TAR-001.R1", name: "150 is not below 150", input: { shipment: { value: 150 } }, expect: { applies: false, outcome: null } },
        { rule: "TAR-001.R2", name: "150 is not below 150", input: { shipment: { value: 150 } }, expect: { applies: false, outcome: null } },
      ],
    });
  });
});

describe("standard files", () => {
  const block = (json: string, fence = "```", info = "rule") => `${fence}${info}\n${json}\n${fence}`;
  const ruleJson = JSON.stringify(makeRule(), null, 2);

  it("finds rule blocks in ``` and ~~~ fences, and only those whose info string is exactly rule", () => {
    const md = [
      "# Title",
      block(ruleJson),
      block(JSON.stringify(makeRule({ id: "TAR-001.R2" })), "~~~"),
      block(JSON.stringify(makeRule({ id: "TAR-001.R3" })), "```", "json"),
      block(JSON.stringify(makeRule({ id: "TAR-001.R4" })), "```", "rules"),
      "````markdown",
      block(JSON.stringify(makeRule({ id: "TAR-001.R5" }))),
      "````",
      "",
    ].join("\n\n");
    const { rules, errors } = extractRules(md);
    expect(errors).toEqual([]);
    expect(rules.map((r) => r.id)).toEqual(["TAR-001.R1", "TAR-001.R2"]);
  });

  it("reports a block that is not JSON by its index and line, and keeps the others", () => {
    const md = ["# Title", "", block("{ not json"), "", block(ruleJson), ""].join("\n");
    const { rules, errors } = extractRules(md);
    expect(rules).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ index: 0, line: 3 });
    expect(errors[0].message).toMatch(/rule block 1 \(line 3\) is not valid JSON/);
  });

  it("reports a rule that fails validation and an unclosed block", () => {
    const md = [block(JSON.stringify(makeRule({ id: "bad" }))), "", "```rule", "{}"].join("\n");
    const { errors } = extractRules(md);
    expect(errors.map((e) => e.index)).toEqual([0, 1]);
    expect(errors[0].message).toMatch(/\/id/);
    expect(errors[1].message).toMatch(/not closed/);
  });

  const file = (frontMatter: string, body = "# Body\n") => `---\n${frontMatter}---\n\n${body}`;
  const goodFront = "id: EWTP-TAR-001\ntitle: Test\ncommittee: TAR\nscope: A scope.\n";

  it("parses front matter and body, and serializes them back to the same text", () => {
    const text = file(goodFront, `# Body\n\n${block(ruleJson)}\n`);
    const parsed = parseStandardFile(text);
    expect(parsed.meta).toEqual({ id: "EWTP-TAR-001", title: "Test", committee: "TAR", scope: "A scope." });
    expect(parsed.rules).toHaveLength(1);
    expect(parsed.ruleErrors).toEqual([]);
    expect(serializeStandardFile(parsed.meta, parsed.body)).toBe(text);
  });

  it("reports rule errors with the line in the whole file", () => {
    // Lines: 1 "---", 2-5 front matter, 6 "---", 7 blank, 8 "# Body", 9 blank, 10 the fence.
    const parsed = parseStandardFile(file(goodFront, `# Body\n\n${block("{")}\n`));
    expect(parsed.ruleErrors[0].line).toBe(10);
  });

  it("refuses a rule whose id belongs to another standard", () => {
    const parsed = parseStandardFile(file(goodFront, `${block(JSON.stringify(makeRule({ id: "LOG-001.R1" })))}\n`));
    expect(parsed.rules).toEqual([]);
    expect(parsed.ruleErrors[0].message).toMatch(/LOG-001\.R1.*TAR-001\.R/);
  });

  it.each([
    ["no front matter", "# Just a body\n", /no YAML front matter/],
    ["unclosed front matter", "---\nid: EWTP-TAR-001\n", /not closed/],
    ["invalid YAML", file("id: [unclosed\n"), /not valid YAML/],
    ["a missing field", file("id: EWTP-TAR-001\ntitle: T\ncommittee: TAR\n"), /missing "scope"/],
    ["an unexpected field", file(`${goodFront}status: draft\n`), /unexpected field\(s\) status/],
    ["a bad id", file("id: TAR-1\ntitle: T\ncommittee: TAR\nscope: S\n"), /EWTP-TAR-001/],
    ["a committee that contradicts the id", file("id: EWTP-TAR-001\ntitle: T\ncommittee: LOG\nscope: S\n"), /does not match/],
    ["a number as title", file("id: EWTP-TAR-001\ntitle: 2024\ncommittee: TAR\nscope: S\n"), /"title" must be a non-empty text string/],
  ])("refuses a file with %s, naming the file and the problem", (_label, text, message) => {
    expect(() => parseStandardFile(text, "standards/EWTP-TAR-001.md")).toThrow(message);
    expect(() => parseStandardFile(text, "standards/EWTP-TAR-001.md")).toThrow(/^standards\/EWTP-TAR-001\.md: /);
  });

  it("accepts Windows line endings", () => {
    const parsed = parseStandardFile(file(goodFront).replace(/\n/g, "\r\n"));
    expect(parsed.meta.id).toBe("EWTP-TAR-001");
    expect(parsed.body).toBe("# Body\n");
  });
});
