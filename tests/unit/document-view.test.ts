/** How pages embed a standard's text: its headings move down under the page's own, never past h6. */
import { describe, expect, it } from "vitest";
import { documentSegments } from "../../app/domain/document-view.server";

const TEXT = "# Title\n\n## 1 Scope\n\n### 1.1 Part\n\n###### Deepest\n\n<h1>Raw</h1>\n\n```rule\n{\"id\":\"X.R1\"}\n```\n\nAfter the rule.\n";

const html = (markdown: string, headingShift?: number) =>
  documentSegments(markdown, headingShift === undefined ? {} : { headingShift })
    .map((s) => (s.kind === "html" ? s.html : "[rule]"))
    .join("");

describe("documentSegments", () => {
  it("keeps the text's heading levels by default", () => {
    const out = html(TEXT);
    expect(out).toContain("<h1>Title</h1>");
    expect(out).toContain("<h2>1 Scope</h2>");
  });

  it("moves every heading down one level under a page's h1, h6 staying h6", () => {
    const out = html(TEXT, 1);
    expect(out).not.toMatch(/<h1[\s>]/);
    expect(out).toContain("<h2>Title</h2>");
    expect(out).toContain("<h3>1 Scope</h3>");
    expect(out).toContain("<h4>1.1 Part</h4>");
    expect(out).toContain("<h6>Deepest</h6>");
    // Raw HTML headings too: sanitizing does the moving, whatever made the tag.
    expect(out).toContain("<h2>Raw</h2>");
    expect(out).toContain("[rule]");
    expect(out).toContain("<p>After the rule.</p>");
  });

  it("moves them two levels inside a page's h2 section", () => {
    const out = html(TEXT, 2);
    expect(out).toContain("<h3>Title</h3>");
    expect(out).toContain("<h4>1 Scope</h4>");
    expect(out).toContain("<h6>Deepest</h6>");
    expect(out).not.toMatch(/<h[12][\s>]/);
  });

  it("still strips what is not allowed when it moves headings", () => {
    const out = html('# <img src=x onerror="alert(1)">Hi <script>alert(2)</script>\n\n<h2 onclick="x()">Raw</h2>\n', 1);
    expect(out).toContain("<h2>Hi </h2>");
    expect(out).toContain("<h3>Raw</h3>");
    expect(out).not.toMatch(/onerror|onclick|<script|<img/);
  });
});
