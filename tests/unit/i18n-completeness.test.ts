/**
 * Every language has every message: the same namespaces and keys as English, the plural forms its
 * own plural rules need (Intl.PluralRules), the same {{placeholders}}, and product names untouched.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_LOCALE, SUPPORTED_LOCALES } from "../../app/i18n/i18n";
import { readAllBundles } from "../../app/i18n/resources.server";

const PLURAL = /_(zero|one|two|few|many|other)$/;
/** Names that stay as they are in every language. */
const NAMES = ["e-WTP", "SHA-256", "Ed25519", "JSON Logic", "EWTP-TAR-001", "OpenAPI"];

type Flat = Map<string, string>;

function flatten(value: unknown, prefix = "", out: Flat = new Map()): Flat {
  if (typeof value === "string") out.set(prefix, value);
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  else out.set(prefix, String(value));
  return out;
}

const placeholders = (s: string) => new Set([...s.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]));

/** What a translation lacks or adds compared with English, as readable lines. */
export function compareLocale(locale: string, en: Record<string, unknown>, other: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories as string[];
  for (const ns of Object.keys(en)) {
    if (!(ns in other)) {
      problems.push(`${locale}/${ns}.json is missing`);
      continue;
    }
    const source = flatten(en[ns]);
    const target = flatten(other[ns]);
    const expected = new Map<string, string>(); // key → the English text it translates
    for (const [key, text] of source) {
      const m = PLURAL.exec(key);
      if (!m) expected.set(key, text);
      else {
        const base = key.slice(0, -m[0].length);
        // An explicit "_zero" in English is used by i18next for 0 in every language: keep it.
        if (m[1] === "zero") expected.set(key, text);
        // Each category translates English's own form for it when English has one, else "other".
        for (const c of categories) if (!expected.has(`${base}_${c}`)) expected.set(`${base}_${c}`, source.get(`${base}_${c}`) ?? source.get(`${base}_other`) ?? text);
      }
    }
    for (const [key, english] of expected) {
      const text = target.get(key);
      if (text === undefined) {
        problems.push(`${locale}:${ns}:${key} is missing`);
        continue;
      }
      if (!text.trim() && english.trim()) problems.push(`${locale}:${ns}:${key} is empty`);
      const want = placeholders(english);
      const got = placeholders(text);
      const plural = PLURAL.exec(key);
      // A plural form other than "other" may spell the number out ("معياران", "one standard").
      const optional = plural && plural[1] !== "other" ? new Set(["count"]) : new Set<string>();
      for (const p of want) if (!got.has(p) && !optional.has(p)) problems.push(`${locale}:${ns}:${key} lacks {{${p}}}`);
      for (const p of got) if (!want.has(p)) problems.push(`${locale}:${ns}:${key} has an unknown {{${p}}}`);
      for (const name of NAMES) if (english.includes(name) && !text.includes(name)) problems.push(`${locale}:${ns}:${key} translates the name ${name}`);
    }
    for (const key of target.keys()) if (!expected.has(key)) problems.push(`${locale}:${ns}:${key} is not in English`);
  }
  return problems;
}

const bundles = readAllBundles();
const en = bundles.get(DEFAULT_LOCALE)!;

describe("every language has every message", () => {
  it("notices a missing key, a missing plural form and a lost placeholder", () => {
    const english = { common: { hello: "Hello {{name}}", items_one: "{{count}} item", items_other: "{{count}} items", extra: "x" } };
    const arabic = { common: { hello: "مرحبا", items_one: "عنصر واحد", items_other: "{{count}} عنصر" } };
    expect(compareLocale("ar", english, arabic).sort()).toEqual([
      "ar:common:extra is missing",
      "ar:common:hello lacks {{name}}",
      "ar:common:items_few is missing",
      "ar:common:items_many is missing",
      "ar:common:items_two is missing",
      "ar:common:items_zero is missing",
    ]);
  });

  it("knows the plural categories of each language", () => {
    expect(new Intl.PluralRules("zh").resolvedOptions().pluralCategories).toEqual(["other"]);
    expect(new Intl.PluralRules("ar").resolvedOptions().pluralCategories).toHaveLength(6);
  });

  for (const locale of SUPPORTED_LOCALES.filter((l) => l !== DEFAULT_LOCALE)) {
    it(`${locale}: same namespaces, keys, plural forms and placeholders as English`, () => {
      expect(Object.keys(en).length).toBeGreaterThan(5);
      expect(compareLocale(locale, en, bundles.get(locale) ?? {})).toEqual([]);
    });
  }
});
