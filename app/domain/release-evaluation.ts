/**
 * Evaluating a release's rules against an implementer's input (the public "try the rules" endpoint).
 * json-logic-js runs synchronously and cannot be interrupted, so the time a request may take is
 * bounded by bounding what goes in: the body is at most 64 KB, the input at most 32 levels deep
 * with arrays of at most 1,000 items, a release evaluates at most 1,000 rules, and the clock is read
 * between rules so an evaluation that overruns its budget (250 ms) stops and is refused. Pure: the
 * clock is passed in.
 */
import { evaluateRule, type Rule } from "./rules";

/** The largest request body the evaluate endpoint reads, in bytes. */
export const MAX_EVALUATE_BODY_BYTES = 64 * 1024;
/** The deepest nesting of objects and arrays an input may have. */
export const MAX_INPUT_DEPTH = 32;
/** The most items an array in the input may hold. */
export const MAX_INPUT_ARRAY_ITEMS = 1000;
/** The most rules one evaluation runs. */
export const MAX_EVALUATED_RULES = 1000;
/** Wall-clock budget of one evaluation, checked between rules. */
export const EVALUATION_BUDGET_MS = 250;

/** One rule's result for the input: whether it applies and its outcome (null when it does not), or why the engine failed. */
export type EvaluationResult = { rule: string; applies: boolean; outcome: Record<string, unknown> | null; error?: string };

/** Why an input is refused before evaluation (nesting or array size), or null when it is within bounds. Iterative: deep input cannot overflow the stack. */
export function inputBoundsProblem(input: unknown): string | null {
  const stack: { value: unknown; depth: number }[] = [{ value: input, depth: 0 }];
  while (stack.length) {
    const { value, depth } = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (depth + 1 > MAX_INPUT_DEPTH) return `The input is nested more than ${MAX_INPUT_DEPTH} levels deep; flatten it.`;
    if (Array.isArray(value)) {
      if (value.length > MAX_INPUT_ARRAY_ITEMS) return `An array in the input has ${value.length} items; at most ${MAX_INPUT_ARRAY_ITEMS} are evaluated.`;
      for (const item of value) stack.push({ value: item, depth: depth + 1 });
    } else {
      for (const item of Object.values(value as Record<string, unknown>)) stack.push({ value: item, depth: depth + 1 });
    }
  }
  return null;
}

/** Evaluates every rule (in order) against the input; `overran` when the budget ran out before the last rule. */
export function evaluateRules(
  rules: readonly Rule[],
  input: unknown,
  clock: () => number,
  budgetMs = EVALUATION_BUDGET_MS,
): { results: EvaluationResult[]; overran: boolean } {
  const started = clock();
  const results: EvaluationResult[] = [];
  for (const rule of rules.slice(0, MAX_EVALUATED_RULES)) {
    if (clock() - started > budgetMs) return { results, overran: true };
    const r = evaluateRule(rule, input);
    results.push({ rule: rule.id, applies: r.applies, outcome: r.outcome, ...(r.error !== undefined ? { error: r.error } : {}) });
  }
  return { results, overran: false };
}
