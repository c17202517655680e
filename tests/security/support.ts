/**
 * Helpers of the security suite: a portal that serves the pages too (the production build, in this
 * process), and what a browser would execute in an HTML document.
 */
import fs from "node:fs";
import path from "node:path";
import { Parser } from "htmlparser2";
import { startPortal, type TestPortal } from "../support/portal";

/** Starts the whole portal (pages and API, from `npm run build`) on port 0 with a temporary DATA_DIR. */
export async function startPagesPortal(): Promise<TestPortal> {
  if (!fs.existsSync(path.resolve("build/server/index.js"))) throw new Error("run `npm run build` before the security suite");
  return startPortal({ mode: "production", dataDirPrefix: "ewtp-sec-" });
}

/**
 * What in an HTML document a browser would run: script elements (except those carrying the page's
 * own CSP nonce, when `nonce` is given: the portal's scripts), event-handler attributes, and `javascript:`/`vbscript:`/
 * `data:text/html` URLs in link-like attributes. Returns one description per finding.
 */
export function executableParts(html: string, options: { nonce?: string } = {}): string[] {
  const found: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === "script" && !(options.nonce && attrs.nonce === options.nonce)) found.push(`<script ${JSON.stringify(attrs)}>`);
        for (const [attr, value] of Object.entries(attrs)) {
          if (/^on/i.test(attr)) found.push(`<${name} ${attr}="${value}">`);
          const url = value.replace(/[\u0000-\u0020\u007f]/g, "").toLowerCase();
          if (["href", "src", "action", "formaction", "xlink:href", "srcdoc", "data", "poster"].includes(attr.toLowerCase()) && /^(javascript|vbscript|data:text\/html)/.test(url)) {
            found.push(`<${name} ${attr}="${value}">`);
          }
        }
        if (["iframe", "object", "embed", "base"].includes(name)) found.push(`<${name}>`);
      },
    },
    { decodeEntities: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return found;
}

/** The script nonce of a page's Content-Security-Policy header. */
export function cspNonce(headers: Headers): string | undefined {
  return /'nonce-([^']+)'/.exec(headers.get("content-security-policy") ?? "")?.[1];
}
