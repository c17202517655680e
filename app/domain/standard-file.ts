// Standard Markdown files: YAML front matter, a CommonMark+GFM body, and ```rule blocks holding one rule each.
// Pure functions: the caller reads and writes the files.
import { parseDocument, stringify } from "yaml";
import { validateRule, type Rule } from "./rules";

/** The front matter of a standard file, in its canonical key order. */
export type StandardMeta = { id: string; title: string; committee: string; scope: string };

/** A problem with one ```rule block: its 0-based index among rule blocks, its 1-based line, and a message. */
export type RuleBlockError = { index: number; line: number; message: string };

/** A ```rule fenced block as found in the Markdown: index among rule blocks, line of its opening fence, raw body. */
export type RuleBlock = { index: number; line: number; source: string; closed: boolean };

/** A parsed standard file: front matter, the Markdown body, the valid rules and the problems with the others. */
export type ParsedStandard = { meta: StandardMeta; body: string; rules: Rule[]; ruleErrors: RuleBlockError[] };

const META_KEYS = ["id", "title", "committee", "scope"] as const;
const STANDARD_ID = /^EWTP-([A-Z]{2,5})-([0-9]{3})$/;
const COMMITTEE = /^[A-Z]{2,5}$/;
const OPENING_FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const CLOSING_FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

/** Finds the fenced code blocks whose info string is exactly `rule` (``` or ~~~ fences, CommonMark rules for closing). */
export function findRuleBlocks(markdown: string): RuleBlock[] {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const blocks: RuleBlock[] = [];
  let fence: { char: string; length: number; indent: number; isRule: boolean; line: number; content: string[] } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!fence) {
      const m = OPENING_FENCE.exec(line);
      if (!m) continue;
      const marker = m[2];
      const info = m[3].trim();
      if (marker[0] === "`" && info.includes("`")) continue; // not a fence in CommonMark
      fence = { char: marker[0], length: marker.length, indent: m[1].length, isRule: info === "rule", line: i + 1, content: [] };
      continue;
    }
    const close = CLOSING_FENCE.exec(line);
    if (close && close[1][0] === fence.char && close[1].length >= fence.length) {
      if (fence.isRule) blocks.push({ index: blocks.length, line: fence.line, source: fence.content.join("\n"), closed: true });
      fence = null;
      continue;
    }
    if (fence.isRule) {
      let strip = 0;
      while (strip < fence.indent && line[strip] === " ") strip++;
      fence.content.push(line.slice(strip));
    }
  }
  if (fence?.isRule) {
    blocks.push({ index: blocks.length, line: fence.line, source: fence.content.join("\n"), closed: false });
  }
  return blocks;
}

/** Options for extractRules: a line offset for messages, and the id prefix every rule must carry (e.g. "TAR-001.R"). */
export type ExtractOptions = { lineOffset?: number; idPrefix?: string };

/** Parses and validates every ```rule block; broken, invalid, foreign or repeated-id blocks are reported by block index and line. */
export function extractRules(markdown: string, options: ExtractOptions = {}): { rules: Rule[]; errors: RuleBlockError[] } {
  const { lineOffset = 0, idPrefix } = options;
  const rules: Rule[] = [];
  const errors: RuleBlockError[] = [];
  const firstBlockOfId = new Map<string, number>();
  for (const block of findRuleBlocks(markdown)) {
    const line = block.line + lineOffset;
    const where = `rule block ${block.index + 1} (line ${line})`;
    const report = (message: string) => errors.push({ index: block.index, line, message: `${where} ${message}` });
    if (!block.closed) {
      report("is not closed: add a closing fence");
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(block.source);
    } catch (e) {
      report(`is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    const checked = validateRule(value);
    if (!checked.ok) {
      const rawId = (value as { id?: unknown } | null)?.id;
      const details = checked.errors.map((e) => `${e.path || "/"} ${e.message}`).join("; ");
      report(`${typeof rawId === "string" ? `(${rawId}) ` : ""}is not a valid rule: ${details}`);
      continue;
    }
    const { id } = checked.rule;
    if (idPrefix && !id.startsWith(idPrefix)) {
      report(`has rule id ${id}, which does not belong to this standard: ids here start with ${idPrefix}`);
      continue;
    }
    const first = firstBlockOfId.get(id);
    if (first !== undefined) {
      report(`repeats rule id ${id} (already used by rule block ${first + 1})`);
      continue;
    }
    firstBlockOfId.set(id, block.index);
    rules.push(checked.rule);
  }
  return { rules, errors };
}

function fail(source: string | undefined, message: string): never {
  throw new Error(source ? `${source}: ${message}` : message);
}

/** Checks a parsed front matter value and returns it in canonical key order; throws an Error naming the problem. */
export function validateStandardMeta(value: unknown, source?: string): StandardMeta {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail(source, "front matter must be a YAML mapping with id, title, committee and scope");
  }
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter((k) => !(META_KEYS as readonly string[]).includes(k));
  if (unknown.length) {
    fail(source, `front matter has unexpected field(s) ${unknown.join(", ")}: only id, title, committee and scope are allowed`);
  }
  for (const key of META_KEYS) {
    if (!(key in record)) fail(source, `front matter is missing "${key}"`);
    if (typeof record[key] !== "string" || (record[key] as string).trim() === "") {
      fail(source, `front matter "${key}" must be a non-empty text string`);
    }
  }
  const meta: StandardMeta = {
    id: record.id as string,
    title: record.title as string,
    committee: record.committee as string,
    scope: record.scope as string,
  };
  const idMatch = STANDARD_ID.exec(meta.id);
  if (!idMatch) fail(source, `front matter id "${meta.id}" must look like EWTP-TAR-001`);
  if (!COMMITTEE.test(meta.committee)) fail(source, `front matter committee "${meta.committee}" must be 2 to 5 capital letters`);
  if (idMatch[1] !== meta.committee) {
    fail(source, `front matter committee "${meta.committee}" does not match the id ${meta.id} (expected ${idMatch[1]})`);
  }
  return meta;
}

/** Parses a standard Markdown file: front matter (validated; throws a clear Error when missing or invalid), body and rules. */
export function parseStandardFile(text: string, source?: string): ParsedStandard {
  const normalized = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const lines = normalized.split("\n");
  if (lines[0] !== "---") {
    fail(source, "no YAML front matter: the file must start with a line \"---\", then id, title, committee and scope, then \"---\"");
  }
  const end = lines.findIndex((l, i) => i > 0 && (l === "---" || l === "..."));
  if (end < 0) fail(source, "front matter is not closed: add a line \"---\" after the scope");
  const doc = parseDocument(lines.slice(1, end).join("\n"), { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) fail(source, `front matter is not valid YAML: ${doc.errors[0].message}`);
  const meta = validateStandardMeta(doc.toJS(), source);

  let bodyStart = end + 1;
  while (bodyStart < lines.length && lines[bodyStart] === "") bodyStart++;
  const body = lines.slice(bodyStart).join("\n");
  const idPrefix = `${meta.committee}-${meta.id.slice(-3)}.R`;
  const { rules, errors } = extractRules(body, { lineOffset: bodyStart, idPrefix });
  return { meta, body, rules, ruleErrors: errors };
}

/** Writes a standard file: canonical front matter (id, title, committee, scope), one blank line, the body ending in a newline. */
export function serializeStandardFile(meta: StandardMeta, body: string): string {
  const canonical = { id: meta.id, title: meta.title, committee: meta.committee, scope: meta.scope };
  const yamlText = stringify(canonical, { lineWidth: 0 });
  const text = body.replace(/\r\n?/g, "\n").replace(/^\n+/, "");
  if (text === "") return `---\n${yamlText}---\n`;
  return `---\n${yamlText}---\n\n${text.endsWith("\n") ? text : `${text}\n`}`;
}
