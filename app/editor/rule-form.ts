/**
 * The pure core behind a rule block and its structured form, safe in the browser: reading JSON
 * text, converting between a rule and the form's fields, mapping problems onto fields, and the
 * checks that depend on the document (duplicate, foreign or retired ids). No React, no Lexical.
 *
 * Schema, JSON Logic and conformance checks come from the domain's rule core (app/domain/rules.ts)
 * through a `RuleCheck` computed on the server (rule-check.server.ts): the rule core compiles its
 * JSON Schema with `new Function`, which the portal's Content Security Policy forbids in the browser.
 * Functions here take a `lookup` that returns the check of a source text, or undefined while it is
 * pending, so the browser (cache filled by the server) and the tests (direct call) share them.
 *
 * Messages are either the domain's own (English, passed through as data) or translation keys of
 * the `editor` namespace with values, shown with t().
 */
import type { ExampleResult, Rule } from "../domain/rules";

/** A problem to show at a rule or a form field: a domain message, or an `editor` translation key with values. */
export type EditorIssue =
  | { path: string; message: string; key?: undefined; values?: undefined }
  | { path: string; key: string; values: Record<string, string | number>; message?: undefined };

/** What the rest of the document says about a rule: its id prefix, the ids used elsewhere, retired ids. */
export type RuleContext = {
  /** Every rule id of this standard starts with it, e.g. "TAR-001.R". */
  idPrefix?: string;
  /** Ids used by the other rule blocks of the document. */
  otherIds?: ReadonlySet<string>;
  /** Ids removed in an earlier revision: never to be reused. */
  retiredIds?: ReadonlySet<string>;
};

/** One reason an example fails, as an `editor` translation key with values (outcome values as compact JSON). */
export type FailureReason = { key: string; values: Record<string, string> };

/** An example's result as the rule core computed it, with the reasons it fails (empty when it passes). */
export type CheckedExample = ExampleResult & { reasons: FailureReason[] };

/** What the rule core says about one rule source, independent of the document: problems and example results. */
export type RuleCheck = {
  /** True when the source is a valid rule (schema and JSON Logic). */
  valid: boolean;
  /** The rule id as written, even in an invalid rule; null when there is none. */
  id: string | null;
  /** Problems with JSON Pointer paths; a JSON syntax error has path "" and the key issues.json. */
  issues: EditorIssue[];
  /** One result per example, in order; empty unless `valid`. */
  results: CheckedExample[];
};

/** Returns the check of a source text, or undefined while it is not known yet. */
export type RuleCheckLookup = (source: string) => RuleCheck | undefined;

/** Parses JSON text; on failure returns a message naming the line and column when the engine gives a position. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e);
    const m = /position (\d+)/.exec(raw);
    if (m) {
      const at = Number(m[1]);
      const before = text.slice(0, at).split("\n");
      const message = raw.replace(/\s*\(line \d+ column \d+\)/, "");
      return { ok: false, message: `${message} (line ${before.length}, column ${before[before.length - 1].length + 1})` };
    }
    return { ok: false, message: raw };
  }
}

/** Issues that depend on the rest of the document: a foreign prefix, a duplicate or a retired id. */
export function contextIssues(id: string, ctx: RuleContext = {}): EditorIssue[] {
  const issues: EditorIssue[] = [];
  if (ctx.idPrefix && !id.startsWith(ctx.idPrefix)) {
    issues.push({ path: "/id", key: "issues.foreignId", values: { id, prefix: ctx.idPrefix } });
  }
  if (ctx.otherIds?.has(id)) issues.push({ path: "/id", key: "issues.duplicateId", values: { id } });
  if (ctx.retiredIds?.has(id)) issues.push({ path: "/id", key: "issues.retiredId", values: { id } });
  return issues;
}

/** The rule ids used by a list of rule block sources, with the number of blocks that use each. */
export function countRuleIds(sources: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const source of sources) {
    const parsed = parseJson(source);
    if (!parsed.ok) continue;
    const id = (parsed.value as { id?: unknown } | null)?.id;
    if (typeof id === "string") counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/**
 * JSON text for a form field: two-space indentation, but any array or object whose one-line form
 * fits in `width` characters stays on one line, so `{"var": "shipment.value"}` reads as written.
 */
export function prettyJson(value: unknown, width = 72): string {
  // One-line containers get a space after ":" and "," so they read like prose.
  const oneLine = (v: unknown): string => {
    if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
    if (Array.isArray(v)) return `[${v.map(oneLine).join(", ")}]`;
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, item]) => `${JSON.stringify(k)}: ${oneLine(item)}`)
      .join(", ")}}`;
  };
  const render = (v: unknown, indent: string, lead: number): string => {
    const line = oneLine(v);
    if (v === null || typeof v !== "object" || indent.length + lead + line.length <= width) return line;
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      return `[\n${v.map((item) => inner + render(item, inner, 0)).join(",\n")}\n${indent}]`;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    return `{\n${entries
      .map(([k, item]) => {
        const key = `${JSON.stringify(k)}: `;
        return inner + key + render(item, inner, key.length);
      })
      .join(",\n")}\n${indent}}`;
  };
  return render(value, "", 0);
}

/** One outcome row of the form: the outcome name and its JSON Logic expression as text. */
export type OutcomeField = { key: string; value: string };

/** One example row of the form: name, input JSON, whether the rule is expected to apply, expected outcome JSON. */
export type ExampleField = { name: string; input: string; applies: boolean; outcome: string };

/** The fields of the structured rule form; JSON-valued fields hold text as typed. */
export type RuleFormFields = {
  id: string;
  title: string;
  description: string;
  when: string;
  then: OutcomeField[];
  examples: ExampleField[];
};

/** Field errors of the rule form, keyed by field: "id", "when", "then.0.value", "examples.1.input", "_" (whole rule), … */
export type RuleFormErrors = Record<string, EditorIssue[]>;

const asText = (v: unknown): string => (typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v));
const asJsonText = (v: unknown): string => (v === undefined ? "" : prettyJson(v));
const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The form fields for a rule, or for any parsed JSON value that should be one (wrong types are shown as text). */
export function formFromRule(rule: unknown): RuleFormFields {
  const r = isRecord(rule) ? rule : {};
  const then = isRecord(r.then) ? Object.entries(r.then).map(([key, value]) => ({ key, value: asJsonText(value) })) : [];
  const examples = Array.isArray(r.examples)
    ? r.examples.map((ex): ExampleField => {
        const e = isRecord(ex) ? ex : {};
        const expect = isRecord(e.expect) ? e.expect : {};
        const applies = expect.applies === true;
        return {
          name: asText(e.name),
          input: asJsonText(e.input ?? {}),
          applies,
          outcome: applies ? asJsonText(expect.outcome) : "",
        };
      })
    : [];
  return { id: asText(r.id), title: asText(r.title), description: asText(r.description), when: asJsonText(r.when), then, examples };
}

/** The form fields for a rule block's source, or null when the source is not JSON (the form then offers the JSON editor). */
export function formFromSource(source: string): RuleFormFields | null {
  const parsed = parseJson(source);
  return parsed.ok && isRecord(parsed.value) ? formFromRule(parsed.value) : null;
}

/** Maps a JSON Pointer into a rule onto the form field that shows it. */
export function fieldOfPath(path: string, fields: Pick<RuleFormFields, "then">): string {
  const seg = path
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const [top, second, third, fourth] = seg;
  switch (top) {
    case "id":
    case "title":
    case "description":
    case "when":
      return top;
    case "then": {
      if (second === undefined) return "then";
      const i = fields.then.findIndex((o) => o.key === second);
      return i < 0 ? "then" : `then.${i}`;
    }
    case "examples": {
      if (second === undefined || !/^\d+$/.test(second)) return "examples";
      if (third === "name" || third === "input") return `examples.${second}.${third}`;
      if (third === "expect") return fourth === "applies" ? `examples.${second}.applies` : `examples.${second}.outcome`;
      return `examples.${second}`;
    }
    default:
      return "_";
  }
}

/** Placeholder texts of a new rule, in the reader's language. */
export type NewRuleTexts = { title: string; description: string; exampleName: string };

/** A new, valid rule to insert: the next free id under the prefix, a placeholder condition, outcome and example. */
export function newRuleSource(idPrefix: string, usedIds: Iterable<string>, texts: NewRuleTexts): string {
  let max = 0;
  for (const id of usedIds) {
    if (!id.startsWith(idPrefix)) continue;
    const n = Number(id.slice(idPrefix.length));
    if (Number.isInteger(n) && n > max) max = n;
  }
  const rule: Rule = {
    id: `${idPrefix}${max + 1}`,
    title: texts.title,
    description: texts.description,
    when: { "==": [{ var: "shipment.dest_ct" }, "EU"] },
    then: { outcome: "describe-the-outcome" },
    examples: [
      {
        name: texts.exampleName,
        input: { shipment: { dest_ct: "EU" } },
        expect: { applies: true, outcome: { outcome: "describe-the-outcome" } },
      },
    ],
  };
  return JSON.stringify(rule, null, 2);
}

/** An empty example row for the form's "Add example" button. */
export function emptyExample(): ExampleField {
  return { name: "", input: "{}", applies: true, outcome: "{}" };
}

/** The field-by-field reading of the form: JSON parse errors, and the sources to check. */
export type RuleFormReading = {
  /** Pretty-printed JSON of the rule as entered; null while a JSON field does not parse. */
  source: string | null;
  /** JSON syntax problems and empty JSON fields, per field. */
  parseErrors: RuleFormErrors;
  /**
   * A rule made of the parts that parse, for running the examples while others are still being
   * typed (null when `when` or an outcome does not parse), and the form row of each of its examples.
   */
  preview: { source: string; rows: number[] } | null;
};

const addIssue = (errors: RuleFormErrors, field: string, issue: EditorIssue) => {
  (errors[field] ??= []).push(issue);
};

const defineOwn = (target: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });

/** Reads the form in the browser: parses every JSON field and assembles the rule's source text. */
export function readRuleForm(fields: RuleFormFields): RuleFormReading {
  const parseErrors: RuleFormErrors = {};
  const json = (field: string, text: string, emptyKey: string): { ok: boolean; value?: unknown } => {
    if (text.trim() === "") {
      addIssue(parseErrors, field, { path: "", key: emptyKey, values: {} });
      return { ok: false };
    }
    const parsed = parseJson(text);
    if (!parsed.ok) {
      addIssue(parseErrors, field, { path: "", key: "issues.json", values: { message: parsed.message } });
      return { ok: false };
    }
    return { ok: true, value: parsed.value };
  };

  const when = json("when", fields.when, "issues.whenEmpty");
  const then: Record<string, unknown> = {};
  let thenOk = true;
  fields.then.forEach((row, i) => {
    const value = json(`then.${i}.value`, row.value, "issues.valueEmpty");
    if (!value.ok) thenOk = false;
    if (Object.prototype.hasOwnProperty.call(then, row.key)) {
      addIssue(parseErrors, `then.${i}`, { path: "", key: "issues.duplicateOutcome", values: { name: row.key } });
      thenOk = false;
    } else defineOwn(then, row.key, value.value);
  });
  const examples = fields.examples.map((ex, i) => {
    const input = json(`examples.${i}.input`, ex.input, "issues.inputEmpty");
    const outcome = ex.applies ? json(`examples.${i}.outcome`, ex.outcome, "issues.outcomeEmpty") : { ok: true, value: null };
    return { ok: input.ok && outcome.ok, example: { name: ex.name, input: input.value, expect: { applies: ex.applies, outcome: outcome.value } } };
  });

  const base = { id: fields.id, title: fields.title, description: fields.description, when: when.value, then };
  const allOk = when.ok && thenOk && examples.every((e) => e.ok);
  const source = allOk ? JSON.stringify({ ...base, examples: examples.map((e) => e.example) }, null, 2) : null;
  let preview: RuleFormReading["preview"] = null;
  if (allOk) preview = { source: source!, rows: examples.map((_, i) => i) };
  else if (when.ok && thenOk) {
    const rows = examples.flatMap((e, i) => (e.ok ? [i] : []));
    preview = { source: JSON.stringify({ ...base, examples: rows.map((i) => examples[i].example) }, null, 2), rows };
  }
  return { source, parseErrors, preview };
}

/** The form's live state: the rule's source, every field's problems, each example row's result, and whether checks are pending. */
export type RuleFormState = {
  source: string | null;
  errors: RuleFormErrors;
  /** One entry per example row: its result, or null when it cannot run yet (or its check is pending). */
  examples: (CheckedExample | null)[];
  /** The rule, when the source is valid and has no document problem. */
  rule: Rule | null;
  pending: boolean;
};

/** Combines the form's reading with the rule core's check (through `lookup`) and the document context. */
export function ruleFormState(fields: RuleFormFields, ctx: RuleContext, lookup: RuleCheckLookup): RuleFormState {
  const reading = readRuleForm(fields);
  const errors: RuleFormErrors = {};
  for (const [field, issues] of Object.entries(reading.parseErrors)) errors[field] = [...issues];
  const check = reading.source !== null ? lookup(reading.source) : undefined;
  if (check) for (const issue of check.issues) addIssue(errors, fieldOfPath(issue.path, fields), issue);
  for (const issue of contextIssues(fields.id, ctx)) addIssue(errors, "id", issue);

  const previewCheck = reading.preview ? (reading.preview.source === reading.source ? check : lookup(reading.preview.source)) : undefined;
  const examples: (CheckedExample | null)[] = fields.examples.map(() => null);
  if (reading.preview && previewCheck) {
    // The rule core runs examples only for a valid rule; an invalid draft still shows nothing to run.
    reading.preview.rows.forEach((row, i) => {
      examples[row] = previewCheck.results[i] ?? null;
    });
  }
  const pending = (reading.source !== null && !check) || (reading.preview !== null && !previewCheck);
  const rule = check?.valid && Object.keys(errors).length === 0 ? (JSON.parse(reading.source!) as Rule) : null;
  return { source: reading.source, errors, examples, rule, pending };
}

/** What a rule block shows: its id, the rule when valid, every problem (core and document), example results; null check = pending. */
export type RuleView = {
  id: string | null;
  rule: Rule | null;
  issues: EditorIssue[];
  results: CheckedExample[];
  /** True while the rule core's check is not known yet. */
  pending: boolean;
  /** The parsed rule to show as a card — valid, pending or invalid — when its id, title and description are text; else null (show the source). */
  shown: Rule | null;
};

/** The view of one rule block from its source, the document context and the rule core's check. */
export function ruleView(source: string, ctx: RuleContext, lookup: RuleCheckLookup): RuleView {
  const parsed = parseJson(source);
  const rawId = parsed.ok && isRecord(parsed.value) ? parsed.value.id : undefined;
  const id = typeof rawId === "string" ? rawId : null;
  const context = id !== null ? contextIssues(id, ctx) : [];
  if (!parsed.ok) {
    return { id, rule: null, issues: [{ path: "", key: "issues.json", values: { message: parsed.message } }], results: [], pending: false, shown: null };
  }
  const value = parsed.value;
  const readable = isRecord(value) && ["id", "title", "description"].every((k) => value[k] === undefined || typeof value[k] === "string");
  const shown = readable ? (value as Rule) : null;
  const check = lookup(source);
  if (!check) return { id, rule: null, issues: context, results: [], pending: true, shown };
  return { id, rule: check.valid ? (value as Rule) : null, issues: [...check.issues, ...context], results: check.results, pending: false, shown };
}
