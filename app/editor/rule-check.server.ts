/**
 * The rule core's verdict on rule sources, for the editor: schema and JSON Logic validation
 * (validateRule) and every example run (runConformance), with readable reasons for failures.
 * Server-only: the rule core cannot run in the browser under the portal's CSP (see rule-form.ts).
 */
import { canonicalJson, runConformance, validateRule, type ExampleResult } from "../domain/rules";
import { parseJson, type CheckedExample, type FailureReason, type RuleCheck } from "./rule-form";

/** The most rule sources one request may ask to check. */
export const MAX_CHECK_SOURCES = 500;

/** The largest total size of the sources one request may ask to check, in characters. */
export const MAX_CHECK_CHARS = 5 * 1024 * 1024;

const own = (o: Record<string, unknown>, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Says why an example fails: the engine error, a wrong applies, or each outcome value that differs. */
export function explainFailure(result: ExampleResult): FailureReason[] {
  if (result.passed) return [];
  if (result.error) return [{ key: "why.error", values: { error: result.error } }];
  if (result.expected.applies !== result.actual.applies) {
    return [{ key: result.expected.applies ? "why.shouldApply" : "why.shouldNotApply", values: {} }];
  }
  const expected = result.expected.outcome ?? {};
  const actual = result.actual.outcome ?? {};
  const show = (o: Record<string, unknown>, k: string) => (own(o, k) ? JSON.stringify(o[k]) : "");
  const same = (k: string) => own(expected, k) === own(actual, k) && canonicalJson(expected[k]) === canonicalJson(actual[k]);
  const reasons = [...new Set([...Object.keys(expected), ...Object.keys(actual)])]
    .filter((k) => !same(k))
    .map((name) => ({ key: "why.outcome", values: { name, expected: show(expected, name), actual: show(actual, name) } }));
  // E.g. outcome null against {}: no name differs, yet the results are not equal.
  return reasons.length
    ? reasons
    : [{ key: "why.outcome", values: { name: "outcome", expected: JSON.stringify(result.expected.outcome), actual: JSON.stringify(result.actual.outcome) } }];
}

/** Checks one rule source with the rule core: JSON syntax, schema, JSON Logic, and its examples. */
export function checkRuleSource(source: string): RuleCheck {
  const parsed = parseJson(source);
  if (!parsed.ok) return { valid: false, id: null, issues: [{ path: "", key: "issues.json", values: { message: parsed.message } }], results: [] };
  const rawId = (parsed.value as { id?: unknown } | null)?.id;
  const id = typeof rawId === "string" ? rawId : null;
  const checked = validateRule(parsed.value);
  if (!checked.ok) return { valid: false, id, issues: checked.errors.map((e) => ({ path: e.path, message: e.message })), results: [] };
  const results: CheckedExample[] = runConformance([checked.rule]).results.map((r) => ({ ...r, reasons: explainFailure(r) }));
  return { valid: true, id, issues: [], results };
}

/** Checks many rule sources; refuses (throws a RangeError) more than MAX_CHECK_SOURCES or MAX_CHECK_CHARS. */
export function checkRuleSources(sources: readonly string[]): RuleCheck[] {
  if (sources.length > MAX_CHECK_SOURCES) throw new RangeError(`at most ${MAX_CHECK_SOURCES} rule sources per check`);
  if (sources.reduce((n, s) => n + s.length, 0) > MAX_CHECK_CHARS) throw new RangeError(`at most ${MAX_CHECK_CHARS} characters of rule sources per check`);
  return sources.map(checkRuleSource);
}
