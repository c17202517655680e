/**
 * Every text a person reads goes through `t()`: this parses the pages and components with the
 * TypeScript compiler and fails on a JSX text node, or a user-facing attribute (`aria-label`,
 * `title`, `placeholder`, `alt`, `label`, …), holding words that are not a translation call.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const FOLDERS = ["app/routes", "app/components", "app/editor"];
const TEXT_ATTRIBUTES = new Set(["aria-label", "aria-description", "aria-placeholder", "aria-roledescription", "aria-valuetext", "title", "placeholder", "alt", "label"]);
/** Words that are names or symbols, the same in every language. */
const ALLOWED = new Set(["e", "e-WTP", "JSON", "JSON Logic", "SHA-256", "Ed25519", "OpenAPI", "API", "HS", "IOSS", "EORI", "AEO", "WCO", "EWTP-TAR-001"]);

type Finding = { file: string; line: number; text: string };

function tsxFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".tsx")).map((f) => path.join(dir, f));
}

/** Text that a reader would read as words (letters), once the allowed names are taken out. */
function wordy(text: string): boolean {
  const trimmed = text.replace(/\s+/g, " ").trim();
  if (!trimmed || ALLOWED.has(trimmed)) return false;
  const rest = trimmed.replace(/e-WTP|EWTP-[A-Z]+-\d+|SHA-256|Ed25519|JSON Logic|OpenAPI/g, "");
  return /\p{L}/u.test(rest);
}

/** A string-ish expression with words in it (a literal, or a template's literal parts). */
function literalText(node: ts.Expression | undefined): string | null {
  if (!node) return null;
  if (ts.isParenthesizedExpression(node)) return literalText(node.expression);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(" ");
  if (ts.isConditionalExpression(node)) return literalText(node.whenTrue) ?? literalText(node.whenFalse);
  if (ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.BarBarToken || node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || node.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken))
    return literalText(node.right);
  return null;
}

/** The bypasses in one file's source. */
export function findBypasses(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const out: Finding[] = [];
  const report = (node: ts.Node, text: string) => out.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: text.trim().slice(0, 80) });
  /** Commands and identifiers shown as code (`<code>`, `<pre>`, …) are the same in every language. */
  const inCode = (node: ts.Node) => ts.isJsxElement(node.parent) && ["code", "kbd", "samp", "pre"].includes(node.parent.openingElement.tagName.getText(sf));
  const insideMeta = (node: ts.Node): boolean => {
    for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
      if ((ts.isVariableDeclaration(n) || ts.isFunctionDeclaration(n)) && n.name?.getText(sf) === "meta") return true;
    }
    return false;
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && wordy(node.text) && !inCode(node)) report(node, node.text);
    if (ts.isJsxExpression(node) && node.expression && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent)) && !inCode(node)) {
      const text = literalText(node.expression);
      if (text !== null && wordy(text)) report(node, text);
    }
    // A route's document title (`export const meta = … [{ title: "…" }]`) is read too.
    if (ts.isPropertyAssignment(node) && node.name.getText(sf) === "title" && insideMeta(node)) {
      const text = literalText(node.initializer);
      if (text !== null && wordy(text)) report(node, `title: "${text}"`);
    }
    if (ts.isJsxAttribute(node) && TEXT_ATTRIBUTES.has(node.name.getText(sf)) && node.initializer) {
      const init = node.initializer;
      const text = ts.isStringLiteral(init) ? init.text : ts.isJsxExpression(init) ? literalText(init.expression) : null;
      if (text !== null && wordy(text)) report(node, `${node.name.getText(sf)}="${text}"`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe("UI strings go through t()", () => {
  it("finds a bypass in a sample, and passes translated text", () => {
    const sample = `export const A = () => (<div title="Close the panel" aria-label={t("x")}>
      <p>Hello there</p><span>{t("ok")}</span> · <b>{"Sign in"}</b><img alt={cond ? "A chart" : t("y")} />e-WTP<code>npm test</code></div>);
      export const meta = () => [{ title: "Standards · e-WTP" }, { title: documentTitle(m, "k") }];`;
    expect(findBypasses("sample.tsx", sample).map((f) => f.text)).toEqual(['title="Close the panel"', "Hello there", "Sign in", 'alt="A chart"', 'title: "Standards · e-WTP"']);
  });

  it("leaves no hard-coded words in routes, components and the editor", () => {
    const files = FOLDERS.flatMap(tsxFiles);
    expect(files.length).toBeGreaterThan(10);
    const findings = files.flatMap((f) => findBypasses(f, fs.readFileSync(path.join(ROOT, f), "utf8")));
    expect(findings.map((f) => `${f.file}:${f.line} ${f.text}`)).toEqual([]);
  });
});
