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

/** Sanitizes HTML made from untrusted Markdown: no script, no event handler, no javascript: link. */
export function sanitize(html: string): string {
  return sanitizeHtml(html, SANITIZE);
}

/** Splits Markdown into sanitized prose segments and rule blocks, in document order. */
export function documentSegments(markdown: string): DocumentSegment[] {
  const tokens = new Lexer({ gfm: true }).lex(markdown);
  const out: DocumentSegment[] = [];
  let prose: Token[] = [];
  const flush = () => {
    if (!prose.length) return;
    const list = Object.assign([...prose], { links: tokens.links });
    out.push({ kind: "html", html: sanitize(Parser.parse(list)) });
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
