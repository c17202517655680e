import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, expect } from "vitest";
import { findDuplicateRuleIds, runConformance, validateRule } from "~/domain/rules";
import { findRuleBlocks, parseStandardFile, serializeStandardFile } from "~/domain/standard-file";

const dir = join(process.cwd(), "standards");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".md"))
  .sort();

describe("seed standards", () => {
  it("include the four standards the committees asked for first", () => {
    expect(files).toEqual(expect.arrayContaining(["EWTP-CUS-001.md", "EWTP-LOG-001.md", "EWTP-TAR-001.md", "EWTP-TRU-001.md"]));
  });

  describe.each(files)("%s", (file) => {
    const text = readFileSync(join(dir, file), "utf8");
    const parsed = parseStandardFile(text, `standards/${file}`);
    const blocks = findRuleBlocks(parsed.body);

    it("has valid front matter whose id matches the file name", () => {
      expect(`${parsed.meta.id}.md`).toBe(file);
      expect(parsed.meta.id).toBe(`EWTP-${parsed.meta.committee}-${parsed.meta.id.slice(-3)}`);
      expect(parsed.meta.title.length).toBeGreaterThan(10);
      expect(parsed.meta.scope.length).toBeGreaterThan(20);
    });

    it("has at least 5 rules, and every rule block is a valid rule", () => {
      expect(parsed.ruleErrors).toEqual([]);
      expect(parsed.rules.length).toBe(blocks.length);
      expect(parsed.rules.length).toBeGreaterThanOrEqual(5);
      for (const block of blocks) {
        const result = validateRule(JSON.parse(block.source));
        expect(result.ok ? [] : result.errors).toEqual([]);
      }
    });

    it("numbers its rules R1, R2, ... under its own id, without duplicates", () => {
      expect(findDuplicateRuleIds(parsed.rules)).toEqual([]);
      const prefix = `${parsed.meta.committee}-${parsed.meta.id.slice(-3)}.R`;
      expect(parsed.rules.map((r) => r.id)).toEqual(parsed.rules.map((_, i) => `${prefix}${i + 1}`));
    });

    it("gives every rule at least two examples, one that applies and one that does not", () => {
      for (const rule of parsed.rules) {
        expect(rule.examples.length, rule.id).toBeGreaterThanOrEqual(2);
        expect(rule.examples.some((e) => e.expect.applies), `${rule.id} has an applying example`).toBe(true);
        expect(rule.examples.some((e) => !e.expect.applies && e.expect.outcome === null), `${rule.id} has a not-applies example`).toBe(true);
        expect(rule.examples.some((e) => /boundary/i.test(e.name)), `${rule.id} has a boundary example`).toBe(true);
      }
    });

    it("passes every conformance example", () => {
      const report = runConformance(parsed.rules);
      expect(report.results.filter((r) => !r.passed)).toEqual([]);
      expect(report.passed).toBe(parsed.rules.reduce((n, r) => n + r.examples.length, 0));
    });

    it("writes each rule as pretty-printed JSON", () => {
      for (const block of blocks) {
        expect(block.source).toBe(JSON.stringify(JSON.parse(block.source), null, 2));
      }
    });

    it("serializes back to exactly the same text", () => {
      expect(serializeStandardFile(parsed.meta, parsed.body)).toBe(text);
    });

    it("keeps its Markdown canonical: no trailing spaces, tabs, HTML or double blank lines, one final newline", () => {
      const lines = text.split("\n");
      expect(lines.filter((l) => / $/.test(l))).toEqual([]);
      expect(lines.filter((l) => l.includes("\t"))).toEqual([]);
      expect(text).not.toMatch(/\n\n\n/);
      expect(text.endsWith("\n") && !text.endsWith("\n\n")).toBe(true);
      expect(parsed.body).not.toMatch(/<\/?[a-zA-Z][^>]*>/);
    });

    it("follows the standard outline: scope, normative references, terms, and an annex", () => {
      expect(parsed.body).toMatch(/^# /);
      for (const heading of [/^## 1 Scope$/m, /^## 2 Normative references$/m, /^## 3 Terms and definitions$/m, /^## Annex A /m]) {
        expect(parsed.body).toMatch(heading);
      }
      expect(parsed.body).toMatch(/^\| --- \|/m);
    });
  });
});
