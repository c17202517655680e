/** The pure helpers behind the rule block and its structured form: what an author sees while editing a rule. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateRule, type Rule } from "~/domain/rules";
import { parseStandardFile } from "~/domain/standard-file";
import { checkRuleSource, checkRuleSources, explainFailure } from "~/editor/rule-check.server";
import {
  countRuleIds,
  emptyExample,
  fieldOfPath,
  formFromRule,
  formFromSource,
  newRuleSource,
  prettyJson,
  readRuleForm,
  ruleFormState,
  ruleView,
  type EditorIssue,
  type RuleContext,
  type RuleFormFields,
} from "~/editor/rule-form";

const seed = parseStandardFile(readFileSync(join(process.cwd(), "standards/EWTP-TAR-001.md"), "utf8"));
const r1: Rule = seed.rules[0];
const ctx = { idPrefix: "TAR-001.R" };

// What the browser computes, with the rule core's check called directly instead of through the server.
const ruleFromForm = (fields: RuleFormFields, context: RuleContext = {}) => ruleFormState(fields, context, checkRuleSource);
const previewExamples = (fields: RuleFormFields) => ruleFormState(fields, ctx, checkRuleSource).examples;
const analyseRuleSource = (source: string, context: RuleContext = {}) => ruleView(source, context, checkRuleSource);

const keys = (issues: EditorIssue[] | undefined) => (issues ?? []).map((i) => i.key ?? i.message);
const withField = (patch: Partial<RuleFormFields>): RuleFormFields => ({ ...formFromRule(r1), ...patch });

describe("formFromRule / ruleFromForm", () => {
  it("round-trip every seed rule without a change and without errors", () => {
    for (const rule of seed.rules) {
      const result = ruleFromForm(formFromRule(rule), ctx);
      expect(result.errors).toEqual({});
      expect(result.rule).toEqual(rule);
      expect(JSON.parse(result.source!)).toEqual(rule);
    }
  });

  it("shows JSON Logic as readable JSON text and literal outcomes as JSON literals", () => {
    const fields = formFromRule(r1);
    expect(fields.id).toBe("TAR-001.R1");
    expect(fields.then.find((o) => o.key === "vat_collection")?.value).toBe('"ioss-point-of-sale"');
    expect(fields.when).toContain('{"var": "shipment.dest_ct"}');
    expect(fields.examples[0]).toMatchObject({ applies: true, name: r1.examples[0].name });
  });

  it("reports a JSON syntax error in `when` at that field, with line and column, and cannot produce a rule", () => {
    const result = ruleFromForm(withField({ when: '{"==": [{"var": "x"}, 1]' }), ctx);
    expect(result.rule).toBeNull();
    expect(result.source).toBeNull();
    expect(keys(result.errors.when)).toEqual(["issues.json"]);
    expect(result.errors.when![0].values!.message).toMatch(/line 1, column \d+/);
  });

  it("reports an unknown JSON Logic operator at `when`, with the domain's message", () => {
    const result = ruleFromForm(withField({ when: '{"between": [1, 2, 3]}' }), ctx);
    expect(result.rule).toBeNull();
    expect(result.source).not.toBeNull();
    expect(result.errors.when!.map((i) => i.message).join()).toContain('unknown JSON Logic operator "between"');
  });

  it("reports a malformed id, a foreign id and a duplicate id at the id field", () => {
    expect(
      ruleFromForm(withField({ id: "R1" }), ctx)
        .errors.id!.map((i) => i.message)
        .join()
    ).toMatch(/must look like TAR-001.R1/);
    expect(keys(ruleFromForm(withField({ id: "LOG-001.R1" }), ctx).errors.id)).toEqual(["issues.foreignId"]);
    const dup = ruleFromForm(withField({ id: "TAR-001.R2" }), { ...ctx, otherIds: new Set(["TAR-001.R2"]) });
    expect(dup.rule).toBeNull();
    expect(keys(dup.errors.id)).toEqual(["issues.duplicateId"]);
    expect(keys(ruleFromForm(withField({ id: "TAR-001.R7" }), { ...ctx, retiredIds: new Set(["TAR-001.R7"]) }).errors.id)).toEqual(["issues.retiredId"]);
  });

  it("reports problems of an outcome at its row: a bad name, a repeated name, an empty value", () => {
    const then = formFromRule(r1).then;
    expect(
      ruleFromForm(withField({ then: [{ key: "bad name", value: "1" }] }), ctx)
        .errors["then.0"]!.map((i) => i.message)
        .join()
    ).toMatch(/outcome names/);
    expect(keys(ruleFromForm(withField({ then: [...then, { ...then[0] }] }), ctx).errors[`then.${then.length}`])).toEqual(["issues.duplicateOutcome"]);
    expect(keys(ruleFromForm(withField({ then: [{ key: "x", value: "  " }] }), ctx).errors["then.0.value"])).toEqual(["issues.valueEmpty"]);
    expect(ruleFromForm(withField({ then: [] }), ctx).errors.then!.length).toBeGreaterThan(0);
  });

  it("reports problems of an example at its fields, and requires at least one example", () => {
    const examples = formFromRule(r1).examples;
    const bad = ruleFromForm(withField({ examples: [{ ...examples[0], input: "[1, 2]" }] }), ctx);
    expect(bad.errors["examples.0.input"]!.length).toBeGreaterThan(0);
    expect(keys(ruleFromForm(withField({ examples: [{ ...examples[0], outcome: "" }] }), ctx).errors["examples.0.outcome"])).toEqual(["issues.outcomeEmpty"]);
    expect(ruleFromForm(withField({ examples: [] }), ctx).errors.examples!.length).toBeGreaterThan(0);
    const twice = ruleFromForm(withField({ examples: [examples[0], examples[0]] }), ctx);
    expect(twice.errors["examples.1.name"]!.map((i) => i.message).join()).toMatch(/duplicate example name/);
  });

  it("an example expected not to apply has a null outcome, whatever the outcome field says", () => {
    const result = ruleFromForm(withField({ examples: [{ name: "n", input: "{}", applies: false, outcome: "{not json" }] }), ctx);
    expect(result.errors).toEqual({});
    expect(result.rule!.examples[0].expect).toEqual({ applies: false, outcome: null });
  });

  it("formFromSource gives null for text that is not a JSON object, so the form falls back to the JSON editor", () => {
    expect(formFromSource("{ broken")).toBeNull();
    expect(formFromSource("[1]")).toBeNull();
    expect(formFromSource(JSON.stringify(r1))).toEqual(formFromRule(r1));
  });

  it("formFromRule accepts values of the wrong types (shown as text to be fixed)", () => {
    const fields = formFromRule({ id: 7, then: "x", examples: [{ expect: { applies: "yes" } }] });
    expect(fields).toMatchObject({ id: "7", then: [], examples: [{ name: "", applies: false, input: "{}" }] });
  });
});

describe("live example results", () => {
  it("a changed expectation fails with a reason that names the outcome; fixing it passes again", () => {
    const fields = formFromRule(r1);
    expect(previewExamples(fields).every((r) => r?.passed)).toBe(true);
    const outcome = JSON.parse(fields.examples[0].outcome) as Record<string, unknown>;
    const wrong = { ...fields, examples: fields.examples.map((e, i) => (i === 0 ? { ...e, outcome: JSON.stringify({ ...outcome, vat_due: 99 }) } : e)) };
    const [first, ...rest] = previewExamples(wrong);
    expect(first!.passed).toBe(false);
    expect(explainFailure(first!)).toEqual([{ key: "why.outcome", values: { name: "vat_due", expected: "99", actual: "23.75" } }]);
    expect(rest.every((r) => r?.passed)).toBe(true);
    expect(previewExamples(fields)[0]!.passed).toBe(true);
  });

  it("an example whose applies is wrong says so", () => {
    const fields = formFromRule(r1);
    const wrong = { ...fields, examples: [{ ...fields.examples[0], applies: false }] };
    expect(explainFailure(previewExamples(wrong)[0]!)).toEqual([{ key: "why.shouldNotApply", values: {} }]);
  });

  it("rows that cannot be evaluated yet are null, the others still run", () => {
    const fields = formFromRule(r1);
    const half = { ...fields, examples: [{ ...fields.examples[0], input: "{oops" }, fields.examples[1]] };
    const results = previewExamples(half);
    expect(results[0]).toBeNull();
    expect(results[1]!.passed).toBe(true);
    expect(previewExamples({ ...fields, when: "{" }).every((r) => r === null)).toBe(true);
  });

  it("an engine error is a reason of its own", () => {
    const fields = {
      ...formFromRule(r1),
      then: [
        { key: "x", value: '{"var": "a.b"}' },
        { key: "y", value: '{"/": [1, 0]}' },
      ],
    };
    const result = previewExamples({ ...fields, examples: [{ ...emptyExample(), name: "n", input: JSON.stringify(r1.examples[0].input) }] })[0]!;
    expect(result.passed).toBe(false);
    expect(explainFailure(result)[0].key).toMatch(/^why\./);
  });
});

describe("analyseRuleSource (the card of a rule block)", () => {
  it("a valid rule: no issues and one result per example", () => {
    const a = analyseRuleSource(JSON.stringify(r1, null, 2), ctx);
    expect(a.issues).toEqual([]);
    expect(a.rule?.id).toBe("TAR-001.R1");
    expect(a.results).toHaveLength(r1.examples.length);
    expect(a.results.every((r) => r.passed)).toBe(true);
  });

  it("invalid JSON: one issue saying so, no crash, no rule", () => {
    const a = analyseRuleSource('{"id": "TAR-001.R1",', ctx);
    expect(a.rule).toBeNull();
    expect(keys(a.issues)).toEqual(["issues.json"]);
  });

  it("a schema violation keeps the id and lists what to fix with JSON Pointers", () => {
    const a = analyseRuleSource(JSON.stringify({ ...r1, title: "", extra: 1 }), ctx);
    expect(a.id).toBe("TAR-001.R1");
    expect(a.rule).toBeNull();
    expect(a.issues.map((i) => i.path)).toEqual(expect.arrayContaining(["/title", "/extra"]));
  });

  it("a duplicate id is flagged although the rule itself is valid", () => {
    const a = analyseRuleSource(JSON.stringify(r1), { ...ctx, otherIds: new Set(["TAR-001.R1"]) });
    expect(a.rule).not.toBeNull();
    expect(keys(a.issues)).toEqual(["issues.duplicateId"]);
  });

  it("countRuleIds counts ids across blocks and ignores broken ones", () => {
    expect([...countRuleIds([JSON.stringify(r1), JSON.stringify(r1), "{", "[]"])]).toEqual([["TAR-001.R1", 2]]);
  });
});

describe("small helpers", () => {
  it("prettyJson keeps short expressions on one line and stays valid JSON", () => {
    expect(prettyJson({ var: "shipment.value" })).toBe('{"var": "shipment.value"}');
    expect(prettyJson(r1.when).split("\n").length).toBeGreaterThan(3);
    expect(prettyJson(r1.when)).toContain('  {"==": [{"var": "shipment.dest_ct"}, "EU"]},');
    for (const rule of seed.rules) expect(JSON.parse(prettyJson(rule))).toEqual(rule);
  });

  it("fieldOfPath maps JSON Pointers onto form fields", () => {
    const fields = formFromRule(r1);
    expect(fieldOfPath("/when/and/0", fields)).toBe("when");
    expect(fieldOfPath("/then/vat_due/~1", fields)).toBe(`then.${fields.then.findIndex((o) => o.key === "vat_due")}`);
    expect(fieldOfPath("/examples/2/expect/outcome", fields)).toBe("examples.2.outcome");
    expect(fieldOfPath("/examples/2/expect/applies", fields)).toBe("examples.2.applies");
    expect(fieldOfPath("/examples/0/input", fields)).toBe("examples.0.input");
    expect(fieldOfPath("", fields)).toBe("_");
  });

  it("newRuleSource makes a valid rule with the next free id", () => {
    const source = newRuleSource("TAR-001.R", ["TAR-001.R1", "TAR-001.R9", "LOG-001.R20"], {
      title: "New",
      description: "Describe it.",
      exampleName: "Example",
    });
    const rule = JSON.parse(source);
    expect(rule.id).toBe("TAR-001.R10");
    expect(validateRule(rule).ok).toBe(true);
    expect(analyseRuleSource(source, ctx).results.every((r) => r.passed)).toBe(true);
  });
});

describe("the browser side waits for the server's check", () => {
  const never = () => undefined;
  it("a rule block is pending until its check arrives, but invalid JSON is reported at once", () => {
    expect(ruleView(JSON.stringify(r1), ctx, never)).toMatchObject({ pending: true, rule: null, shown: { id: "TAR-001.R1" } });
    expect(ruleView("{", ctx, never)).toMatchObject({ pending: false, issues: [{ key: "issues.json" }] });
    expect(ruleView(JSON.stringify(r1), { ...ctx, otherIds: new Set(["TAR-001.R1"]) }, never).issues.map((i) => i.key)).toEqual(["issues.duplicateId"]);
  });

  it("the form shows parse errors and document problems at once, and example results once checked", () => {
    const fields = withField({ when: "{", id: "LOG-001.R1" });
    const state = ruleFormState(fields, ctx, never);
    expect(keys(state.errors.when)).toEqual(["issues.json"]);
    expect(keys(state.errors.id)).toEqual(["issues.foreignId"]);
    expect(state.examples.every((e) => e === null)).toBe(true);
    expect(ruleFormState(formFromRule(r1), ctx, never)).toMatchObject({ pending: true, rule: null });
  });

  it("readRuleForm leaves out the example rows that do not parse from the runnable preview", () => {
    const fields = formFromRule(r1);
    const reading = readRuleForm({ ...fields, examples: [fields.examples[0], { ...fields.examples[1], input: "{" }, fields.examples[2]] });
    expect(reading.source).toBeNull();
    expect(reading.preview!.rows).toEqual([0, 2]);
    expect(JSON.parse(reading.preview!.source).examples).toHaveLength(2);
  });

  it("checkRuleSources refuses absurd requests", () => {
    expect(() => checkRuleSources(Array.from({ length: 501 }, () => "{}"))).toThrow(RangeError);
    expect(checkRuleSources(["{", JSON.stringify(r1)]).map((c) => c.valid)).toEqual([false, true]);
  });

  it("browser modules of the editor never import the rule core at runtime (it needs eval, which the CSP forbids)", () => {
    const editorDir = join(process.cwd(), "app/editor");
    for (const file of readdirSync(editorDir).filter((f) => !f.includes(".server."))) {
      const text = readFileSync(join(editorDir, file), "utf8");
      for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*from\s+"([^"]+)"/gm)) {
        if (/domain\/rules$|rule-check\.server$|ajv/.test(m[2])) expect({ file, import: m[2], typeOnly: Boolean(m[1]) }).toMatchObject({ typeOnly: true });
      }
    }
  });
});
