// The pure core of machine-readable rules: evaluation, validation and conformance.
// No I/O and no database: everything here is a function of its arguments.
import Ajv, { type ErrorObject } from "ajv";
import jsonLogic from "json-logic-js";
import schema from "../../standards/ruleset.schema.json";

/** The expected (or actual) result of evaluating one rule against one input. */
export type RuleResult = { applies: boolean; outcome: Record<string, unknown> | null };

/** One conformance example of a rule: an input and the result every engine must produce. */
export type RuleExample = {
  name: string;
  input: Record<string, unknown>;
  expect: RuleResult;
};

/** One machine-readable rule: a JSON Logic condition, JSON Logic outcomes and examples. */
export type Rule = {
  id: string;
  title: string;
  description: string;
  when: unknown;
  then: Record<string, unknown>;
  examples: RuleExample[];
};

/** The content of a release's ruleset.json. */
export type RuleSet = { standard: string; version: string; rules: Rule[] };

/** The result of evaluating a rule; `error` is set when the engine failed or produced a non-JSON value. */
export type Evaluation = RuleResult & { error?: string };

/** The outcome of checking one conformance example. */
export type ExampleResult = {
  rule: string;
  example: string;
  passed: boolean;
  actual: RuleResult;
  expected: RuleResult;
  error?: string;
};

/** A problem found in a rule: a JSON Pointer into the rule and a readable message. */
export type RuleIssue = { path: string; message: string };

/** The result of validating an unknown value as a rule. */
export type RuleValidation = { ok: true; rule: Rule } | { ok: false; errors: RuleIssue[] };

/** One line of conformance.json: the rule id, the example name, its input and expected result. */
export type ConformanceVector = { rule: string; name: string; input: Record<string, unknown>; expect: RuleResult };

/** The content of a release's conformance.json. */
export type ConformanceFile = { standard: string; version: string; vectors: ConformanceVector[] };

/** Operators a rule may use: those json-logic-js 2.x implements, except `log` (it writes to the console). */
export const KNOWN_OPERATORS: ReadonlySet<string> = new Set([
  "var", "missing", "missing_some",
  "if", "?:", "and", "or", "!", "!!",
  "==", "===", "!=", "!==", ">", ">=", "<", "<=",
  "+", "-", "*", "/", "%", "min", "max",
  "map", "filter", "reduce", "all", "none", "some", "merge",
  "in", "cat", "substr",
]);

const MAX_LOGIC_DEPTH = 64;
const FORBIDDEN_PATH_SEGMENTS = new Set(["__proto__", "prototype", "constructor"]);

const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addSchema(schema, "ruleset");
const validateRuleShape = ajv.compile<Rule>({ $ref: "ruleset#/definitions/rule" });
const validateRuleSetShape = ajv.compile<RuleSet>({ $ref: "ruleset" });

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Converts an engine result to plain JSON, or explains why it is not JSON (functions, NaN, Infinity). */
function toJson(value: unknown, where: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (value === undefined || value === null) return { ok: true, value: null };
  if (typeof value === "number") {
    return Number.isFinite(value)
      ? { ok: true, value: Object.is(value, -0) ? 0 : value }
      : { ok: false, message: `${where} evaluated to ${String(value)}, which is not a number in JSON (invalid input?)` };
  }
  if (typeof value === "string" || typeof value === "boolean") return { ok: true, value };
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const item = toJson(value[i], `${where}[${i}]`);
      if (!item.ok) return item;
      out.push(item.value);
    }
    return { ok: true, value: out };
  }
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      return { ok: false, message: `${where} evaluated to a non-JSON object` };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const item = toJson(v, `${where}.${k}`);
      if (!item.ok) return item;
      Object.defineProperty(out, k, { value: item.value, enumerable: true, writable: true, configurable: true });
    }
    return { ok: true, value: out };
  }
  return { ok: false, message: `${where} evaluated to a ${typeof value}, which is not JSON` };
}

/** Evaluates a rule against an input: applies = JSON Logic truthiness of `when`; outcome = each `then` value evaluated separately, or null. */
export function evaluateRule(rule: Pick<Rule, "when" | "then">, input: unknown): Evaluation {
  let condition: unknown;
  try {
    condition = jsonLogic.apply(rule.when as never, input);
  } catch (e) {
    return { applies: false, outcome: null, error: `when: ${errorMessage(e)}` };
  }
  if (!jsonLogic.truthy(condition)) return { applies: false, outcome: null };
  const outcome: Record<string, unknown> = {};
  for (const [key, expression] of Object.entries(rule.then ?? {})) {
    let value: unknown;
    try {
      value = jsonLogic.apply(expression as never, input);
    } catch (e) {
      return { applies: true, outcome: null, error: `then.${key}: ${errorMessage(e)}` };
    }
    const json = toJson(value, `then.${key}`);
    if (!json.ok) return { applies: true, outcome: null, error: json.message };
    Object.defineProperty(outcome, key, { value: json.value, enumerable: true, writable: true, configurable: true });
  }
  return { applies: true, outcome };
}

function pointerEscape(segment: string | number): string {
  return String(segment).replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Reports every problem with a JSON Logic expression: unknown operators, objects that are not one-operator expressions, unsafe variable paths. */
export function checkJsonLogic(expression: unknown, path = ""): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const walk = (node: unknown, at: string, depth: number): void => {
    if (depth > MAX_LOGIC_DEPTH) {
      issues.push({ path: at, message: `expression is nested more than ${MAX_LOGIC_DEPTH} levels deep` });
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${at}/${i}`, depth + 1));
      return;
    }
    if (node === null || typeof node !== "object") return;
    if (!jsonLogic.is_logic(node)) {
      const count = Object.keys(node).length;
      issues.push({
        path: at,
        message: `an object in JSON Logic must have exactly one key, the operator (this one has ${count}); object literals are not portable`,
      });
      return;
    }
    const op = jsonLogic.get_operator(node as Record<string, unknown>);
    const opPath = `${at}/${pointerEscape(op)}`;
    if (op === "log") {
      issues.push({ path: opPath, message: "operator \"log\" is not allowed in rules (it writes to the console)" });
      return;
    }
    if (!KNOWN_OPERATORS.has(op)) {
      issues.push({ path: opPath, message: `unknown JSON Logic operator "${op}"` });
      return;
    }
    const args = (node as Record<string, unknown>)[op];
    if (op === "var") {
      const first = Array.isArray(args) ? args[0] : args;
      if (Array.isArray(args) && args.length > 2) {
        issues.push({ path: opPath, message: "\"var\" takes a path and an optional default" });
      }
      if (typeof first === "string") {
        const bad = first.split(".").find((s) => FORBIDDEN_PATH_SEGMENTS.has(s));
        if (bad) issues.push({ path: opPath, message: `variable path "${first}" uses the reserved name "${bad}"` });
      } else if (first !== undefined && first !== null && typeof first !== "number" && typeof first !== "object") {
        issues.push({ path: opPath, message: "\"var\" path must be a string, a number or an expression" });
      }
    }
    if (Array.isArray(args)) args.forEach((a, i) => walk(a, `${opPath}/${i}`, depth + 1));
    else walk(args, opPath, depth + 1);
  };
  walk(expression, path, 0);
  return issues;
}

function friendlyAjvMessage(err: ErrorObject): RuleIssue {
  const base = err.instancePath;
  switch (err.keyword) {
    case "required":
      return { path: `${base}/${pointerEscape(String(err.params.missingProperty))}`, message: "is required" };
    case "additionalProperties":
      return {
        path: `${base}/${pointerEscape(String(err.params.additionalProperty))}`,
        message: "is not an allowed property",
      };
    case "propertyNames":
      return {
        path: `${base}/${pointerEscape(String(err.params.propertyName))}`,
        message: "outcome names must start with a letter and use only letters, digits and _ (at most 64 characters)",
      };
    case "pattern":
      if (base === "/id") {
        return { path: base, message: "must look like TAR-001.R1: committee code, 3-digit standard number, \".R\", rule number" };
      }
      return { path: base, message: `must match the pattern ${String(err.params.pattern)}` };
    default:
      return { path: base, message: err.message ?? err.keyword };
  }
}

function ajvIssues(errors: ErrorObject[] | null | undefined): RuleIssue[] {
  const seen = new Set<string>();
  const out: RuleIssue[] = [];
  for (const err of errors ?? []) {
    // "if/then" failures repeat the branch's own error; the branch error is the useful one.
    if (err.keyword === "if") continue;
    const issue = friendlyAjvMessage(err);
    if (err.instancePath.endsWith("/expect/outcome") && err.keyword === "type") {
      issue.message = "must be null when applies is false, and an object when applies is true";
    }
    const key = `${issue.path}\u0000${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(issue);
    }
  }
  return out;
}

function semanticIssues(rule: Rule, prefix = ""): RuleIssue[] {
  const issues = [
    ...checkJsonLogic(rule.when, `${prefix}/when`),
    ...Object.entries(rule.then).flatMap(([k, v]) => checkJsonLogic(v, `${prefix}/then/${pointerEscape(k)}`)),
  ];
  const names = new Set<string>();
  rule.examples.forEach((ex, i) => {
    if (names.has(ex.name)) issues.push({ path: `${prefix}/examples/${i}/name`, message: `duplicate example name "${ex.name}"` });
    names.add(ex.name);
  });
  return issues;
}

/** Validates an unknown value as a rule: the JSON Schema in standards/ruleset.schema.json plus well-formed JSON Logic. */
export function validateRule(rule: unknown): RuleValidation {
  if (!validateRuleShape(rule)) return { ok: false, errors: ajvIssues(validateRuleShape.errors) };
  const issues = semanticIssues(rule);
  return issues.length ? { ok: false, errors: issues } : { ok: true, rule };
}

/** Validates a whole ruleset.json value, including duplicate rule ids. */
export function validateRuleSet(ruleset: unknown): { ok: true; ruleset: RuleSet } | { ok: false; errors: RuleIssue[] } {
  if (!validateRuleSetShape(ruleset)) return { ok: false, errors: ajvIssues(validateRuleSetShape.errors) };
  const issues = ruleset.rules.flatMap((r, i) => semanticIssues(r, `/rules/${i}`));
  for (const id of findDuplicateRuleIds(ruleset.rules)) {
    issues.push({ path: "/rules", message: `rule id ${id} is used more than once` });
  }
  return issues.length ? { ok: false, errors: issues } : { ok: true, ruleset };
}

/** Canonical JSON text (object keys sorted), so equal values give equal strings whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(",")}}`;
}

/** Deep equality of two JSON values, ignoring object key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Runs every example of every rule and reports which ones the engine reproduces. */
export function runConformance(rules: Rule[]): { passed: number; failed: number; results: ExampleResult[] } {
  const results: ExampleResult[] = [];
  for (const rule of rules) {
    for (const example of rule.examples ?? []) {
      const evaluation = evaluateRule(rule, example.input);
      const actual: RuleResult = { applies: evaluation.applies, outcome: evaluation.outcome };
      const passed = evaluation.error === undefined && jsonEqual(actual, example.expect);
      const result: ExampleResult = { rule: rule.id, example: example.name, passed, actual, expected: example.expect };
      if (evaluation.error !== undefined) result.error = evaluation.error;
      results.push(result);
    }
  }
  const passed = results.filter((r) => r.passed).length;
  return { passed, failed: results.length - passed, results };
}

/** The rule ids that occur more than once, each listed once, in order of first repetition. */
export function findDuplicateRuleIds(rules: Pick<Rule, "id">[]): string[] {
  const seen = new Set<string>();
  const dupes: string[] = [];
  for (const { id } of rules) {
    if (seen.has(id) && !dupes.includes(id)) dupes.push(id);
    seen.add(id);
  }
  return dupes;
}

/** Builds conformance.json: every example of every rule with its expected result, in rule order. */
export function conformanceVectors(standard: string, version: string, rules: Rule[]): ConformanceFile {
  return {
    standard,
    version,
    vectors: rules.flatMap((rule) =>
      rule.examples.map((ex) => ({ rule: rule.id, name: ex.name, input: ex.input, expect: ex.expect })),
    ),
  };
}
