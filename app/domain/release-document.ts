/**
 * Renders a release's `document.html`: the revision's standard Markdown as one small, complete HTML
 * document, made once at publication and served byte for byte forever. Pure (no I/O).
 *
 * The Markdown is untrusted (anyone who edits a draft types into it), so the prose goes through
 * `marked` and then `sanitize-html` with a strict allow-list: no script, style, iframe, img or form
 * elements, no event-handler or style attributes, and links only to http, https, mailto or relative
 * addresses (sanitize-html decodes entities and drops control characters before checking a scheme,
 * so `jav&#x09;ascript:` is caught too). Rule blocks become readable sections: id, title,
 * description, and the rule's JSON in a <pre>, escaped.
 */
import { Lexer, Parser, type Token, type Tokens } from "marked";
import sanitizeHtml from "sanitize-html";
import { localeDirection } from "../i18n/i18n";

/** The elements and attributes a published document may contain; everything else is dropped. */
export const RELEASE_HTML_POLICY: sanitizeHtml.IOptions = {
  allowedTags: [
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "strong", "em", "del", "code", "pre", "blockquote",
    "a", "table", "thead", "tbody", "tr", "th", "td", "hr", "br", "section", "header", "dl", "dt", "dd",
  ],
  allowedAttributes: { a: ["href", "title"], th: ["align"], td: ["align"], section: ["class", "id"], code: ["class"], ol: ["start"], header: ["class"], p: ["class"] },
  allowedClasses: { section: ["rule"], code: ["language-*"], header: ["release"], p: ["release-meta"] },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesAppliedToAttributes: ["href", "src", "cite", "action"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  nonTextTags: ["script", "style", "textarea", "option", "noscript", "iframe", "object", "embed", "template"],
  transformTags: { a: sanitizeHtml.simpleTransform("a", { rel: "nofollow noopener" }) },
};

/** What the document shows about its release, besides the text. */
export type ReleaseDocumentMeta = {
  standardId: string;
  title: string;
  version: string;
  /** BCP 47 tag of the standard's language (the `lang` attribute). */
  language: string;
};

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Sanitizes HTML rendered from untrusted Markdown with the release allow-list. */
export function sanitizeReleaseHtml(html: string): string {
  return sanitizeHtml(html, RELEASE_HTML_POLICY);
}

/** A BCP 47-looking tag, or "en" (the attribute must never carry markup). */
function safeLanguage(tag: string): string {
  return /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/.test(tag) ? tag : "en";
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** One ```rule block as a readable section; a block that is not valid JSON is shown as its source. */
function ruleSection(source: string): string {
  let rule: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(source);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) rule = parsed as Record<string, unknown>;
  } catch {
    rule = null;
  }
  if (!rule) return `<section class="rule"><pre><code>${escapeHtml(source)}</code></pre></section>`;
  const id = str(rule.id);
  const anchor = /^[A-Za-z0-9._-]+$/.test(id) ? ` id="rule-${escapeHtml(id)}"` : "";
  const heading = [id, str(rule.title)].filter(Boolean).join(" — ");
  return [
    `<section class="rule"${anchor}>`,
    heading ? `<h4>${escapeHtml(heading)}</h4>` : "",
    str(rule.description) ? `<p>${escapeHtml(str(rule.description))}</p>` : "",
    `<pre><code class="language-json">${escapeHtml(JSON.stringify(rule, null, 2))}</code></pre>`,
    `</section>`,
  ].join("");
}

/** The body of the document: the prose rendered and sanitized, rule blocks as sections, in document order. */
export function renderReleaseBody(markdown: string): string {
  const tokens = new Lexer({ gfm: true }).lex(markdown);
  const parts: string[] = [];
  let prose: Token[] = [];
  const flush = () => {
    if (!prose.length) return;
    parts.push(Parser.parse(Object.assign([...prose], { links: tokens.links })));
    prose = [];
  };
  for (const token of tokens) {
    if (token.type === "code" && (token as Tokens.Code).lang?.trim() === "rule") {
      flush();
      parts.push(ruleSection((token as Tokens.Code).text));
    } else {
      prose.push(token);
    }
  }
  flush();
  // The rule sections are escaped already; the whole body still passes the allow-list once.
  return sanitizeReleaseHtml(parts.join("\n"));
}

/**
 * The document's own presentation: fixed, never from the Markdown (the sanitizer drops every style
 * the text carries). The release file server's CSP allows inline styles for document.html only.
 */
const DOCUMENT_STYLE = [
  "body{margin:0 auto;max-width:52rem;padding:1.5rem;font:16px/1.55 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;color:#1b1f24;background:#fff}",
  "h1,h2,h3,h4{line-height:1.25}",
  ".release-meta{color:#57606a;font-size:.9rem;margin:0 0 1rem}",
  "a{color:#0b5cad}",
  "table{border-collapse:collapse;margin:1rem 0;display:block;overflow-x:auto}",
  "th,td{border:1px solid #d0d7de;padding:.35rem .6rem;vertical-align:top}",
  "code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}",
  "pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.75rem;white-space:pre-wrap;overflow-wrap:anywhere}",
  "blockquote{margin:1rem 0;padding:0 1rem;border-inline-start:4px solid #d0d7de;color:#3d444d}",
  "section.rule{border:1px solid #d0d7de;border-inline-start:4px solid #0b5cad;border-radius:6px;padding:0 1rem;margin:1.25rem 0}",
].join("\n");

/** The complete document.html of a release (UTF-8 text; its bytes are fixed at publication). */
export function renderReleaseDocument(markdown: string, meta: ReleaseDocumentMeta): string {
  const title = `${meta.standardId} ${meta.version} — ${meta.title}`;
  const language = safeLanguage(meta.language);
  return [
    "<!doctype html>",
    `<html lang="${escapeHtml(language)}" dir="${localeDirection(language)}">`,
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>\n${DOCUMENT_STYLE}\n</style>`,
    "</head>",
    "<body>",
    `<header class="release"><p class="release-meta">${escapeHtml(`${meta.standardId} ${meta.version}`)}</p></header>`,
    "<main>",
    renderReleaseBody(markdown),
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
