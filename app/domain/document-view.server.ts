/**
 * Turns a standard's Markdown into what a reader sees: sanitized HTML for the prose and structured
 * rules for the rule blocks (rendered as cards by the page). Runs on the server only.
 */
import { Lexer, Parser, type Token, type Tokens } from "marked";
import sanitizeHtml from "sanitize-html";
import type { Rule } from "./rules";

export type DocumentSegment = { kind: "html"; html: string } | { kind: "rule"; rule: Rule } | { kind: "invalid-rule"; source: string; error: string };

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ["h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "strong", "em", "del", "code", "pre", "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "hr", "br"],
  allowedAttributes: { a: ["href", "title"], th: ["align"], td: ["align"], code: ["class"] },
  allowedSchemes: ["http", "https", "mailto"],
  allowProtocolRelative: false,
  transformTags: { a: sanitizeHtml.simpleTransform("a", { rel: "nofollow noopener" }) },
};

/** The sanitize-html options that also move every heading down `shift` levels (h1 → h1+shift, at most h6). */
const shifted = new Map<number, sanitizeHtml.IOptions>();
function sanitizeOptions(shift: number): sanitizeHtml.IOptions {
  if (shift <= 0) return SANITIZE;
  let options = shifted.get(shift);
  if (!options) {
    const headings: Record<string, string> = {};
    for (let level = 1; level <= 6; level++) headings[`h${level}`] = `h${Math.min(level + shift, 6)}`;
    options = { ...SANITIZE, transformTags: { ...SANITIZE.transformTags, ...headings } };
    shifted.set(shift, options);
  }
  return options;
}

/**
 * Sanitizes HTML made from untrusted Markdown: no script, no event handler, no javascript: link.
 * With `headingShift`, headings move down that many levels (h1 → h2 for 1; h6 stays h6).
 */
export function sanitize(html: string, headingShift = 0): string {
  return sanitizeHtml(html, sanitizeOptions(headingShift));
}

export type DocumentSegmentsOptions = {
  /**
   * How many levels the text's headings move down, so that they continue the page's own outline:
   * a page that shows the text right under its h1 passes 1 (the text's "# Title" becomes an h2),
   * one that shows it inside an h2 section passes 2. Headings never go below h6. Default 0 (as written).
   */
  headingShift?: number;
};

/** Splits Markdown into sanitized prose segments and rule blocks, in document order. */
export function documentSegments(markdown: string, options: DocumentSegmentsOptions = {}): DocumentSegment[] {
  const headingShift = options.headingShift ?? 0;
  const tokens = new Lexer({ gfm: true }).lex(markdown);
  const out: DocumentSegment[] = [];
  let prose: Token[] = [];
  const flush = () => {
    if (!prose.length) return;
    const list = Object.assign([...prose], { links: tokens.links });
    out.push({ kind: "html", html: sanitize(Parser.parse(list), headingShift) });
    prose = [];
  };
  for (const token of tokens) {
    if (token.type === "code" && (token as Tokens.Code).lang?.trim() === "rule") {
      flush();
      const source = (token as Tokens.Code).text;
      try {
        out.push({ kind: "rule", rule: JSON.parse(source) as Rule });
      } catch (err) {
        out.push({ kind: "invalid-rule", source, error: (err as Error).message });
      }
    } else {
      prose.push(token);
    }
  }
  flush();
  return out;
}
