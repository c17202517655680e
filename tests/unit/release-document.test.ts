/** document.html of a release: a complete small HTML document whose text is sanitized with a strict allow-list. */
import { describe, expect, it } from "vitest";
import { renderReleaseBody, renderReleaseDocument } from "../../app/domain/release-document";

const meta = { standardId: "EWTP-TAR-001", title: "Low-value <relief>", version: "1.2.0", language: "en" };

describe("renderReleaseDocument", () => {
  it("is a full document with charset, escaped title and the standard's language and direction", () => {
    const html = renderReleaseDocument("# Title\n\nText.\n", { ...meta, language: "zh-Hans" });
    expect(html.startsWith('<!doctype html>\n<html lang="zh-Hans" dir="ltr">\n<head>\n<meta charset="utf-8">')).toBe(true);
    expect(html).toContain("<title>EWTP-TAR-001 1.2.0 — Low-value &lt;relief&gt;</title>");
    expect(html).toContain("<h1>Title</h1>");
    expect(renderReleaseDocument("x", { ...meta, language: "ar-EG" })).toContain('<html lang="ar-EG" dir="rtl">');
  });
  it("never puts markup into the lang attribute", () => {
    expect(renderReleaseDocument("x", { ...meta, language: 'en" onload="x' })).toContain('<html lang="en" dir="ltr">');
  });
  it("is the same bytes for the same input", () => {
    expect(renderReleaseDocument("# A\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", meta)).toBe(renderReleaseDocument("# A\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", meta));
  });
});

describe("renderReleaseBody sanitization", () => {
  const cases: [string, RegExp][] = [
    ["<script>alert(1)</script>", /<script|alert/],
    ["<style>body{display:none}</style>", /<style|display/],
    ["<iframe src=\"https://evil.example\"></iframe>", /iframe|evil/],
    ['<img src="x" onerror="alert(1)">', /<img|onerror/],
    ['<p onclick="alert(1)" style="color:red">x</p>', /onclick|style=/],
    ["[x](javascript:alert(1))", /javascript|href/],
    ["[x](jav&#x09;ascript:alert(1))", /ascript|href/],
    ['<a href="jav&#x0A;ascript:alert(1)">x</a>', /ascript|href/],
    ['<a href="  JAVASCRIPT:alert(1)">x</a>', /javascript|href/i],
    ["[x](data:text/html;base64,PHNjcmlwdD4=)", /data:|href/],
    ["[x](vbscript:msgbox)", /vbscript|href/],
    ['<form action="https://evil.example"><input name="p"></form>', /<form|<input|action=/],
    ['<svg><script>alert(1)</script></svg>', /svg|script/],
  ];
  for (const [markdown, forbidden] of cases) {
    it(`drops ${markdown}`, () => {
      expect(renderReleaseBody(`Intro.\n\n${markdown}\n`)).not.toMatch(forbidden);
    });
  }
  it("keeps http, https, mailto and relative links, and tables", () => {
    const html = renderReleaseBody("[a](https://www.wto.org/) [b](http://example.org/x) [c](mailto:s@ewtp.example) [d](#annex-a) [e](./annex.md)\n\n| a |\n|---|\n| 1 |\n");
    for (const href of ["https://www.wto.org/", "http://example.org/x", "mailto:s@ewtp.example", "#annex-a", "./annex.md"]) expect(html).toContain(`href="${href}"`);
    expect(html).toContain("<table>");
  });
  it("renders a rule block as a readable section with its JSON escaped", () => {
    const rule = { id: "TAR-001.R1", title: "Duty </pre><script>x</script>", description: "d", when: true, then: { duty: 0 }, examples: [] };
    const html = renderReleaseBody("Before.\n\n```rule\n" + JSON.stringify(rule) + "\n```\n\nAfter.\n");
    expect(html).toContain('<section class="rule" id="rule-TAR-001.R1"><h4>TAR-001.R1 — Duty &lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;</h4>');
    expect(html).toContain('<pre><code class="language-json">{\n  "id": "TAR-001.R1",\n  "title": "Duty &lt;/pre&gt;');
    expect(html).not.toContain("<script>");
    expect(html.indexOf("Before.")).toBeLessThan(html.indexOf("rule-TAR-001.R1"));
    expect(html.indexOf("rule-TAR-001.R1")).toBeLessThan(html.indexOf("After."));
  });
  it("shows a rule block that is not JSON as its escaped source", () => {
    expect(renderReleaseBody("```rule\n{not json <b>\n```\n")).toContain("<pre><code>{not json &lt;b&gt;</code></pre>");
  });
});
