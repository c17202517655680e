/** Locale-aware formatting of dates and numbers for the reader. */

/** A date and time in the reader's locale, with the time zone shown. */
export function formatDateTime(iso: string | number | null | undefined, locale: string, timeZone = "UTC"): string {
  if (iso === null || iso === undefined || iso === "") return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  return new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone,
    timeZoneName: "short",
  }).format(d);
}

/** A calendar date in the reader's locale. */
export function formatDate(iso: string | number | null | undefined, locale: string): string {
  if (iso === null || iso === undefined || iso === "") return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(d);
}

/** A number in the reader's locale. */
export function formatNumber(n: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** The name of a language, in the reader's language (`en` read in German: "Englisch"). */
export function languageName(tag: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale, "en"], { type: "language" }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** True when two BCP 47 tags name the same language (`en` and `en-GB`; `zh` and `zh-Hans`). */
export function sameLanguage(a: string, b: string): boolean {
  return a.toLowerCase().split(/[-_]/)[0] === b.toLowerCase().split(/[-_]/)[0];
}

/** A list in the reader's language ("experts and members", "专家和成员", "خبير وعضو"). */
export function formatList(items: string[], locale: string): string {
  try {
    return new Intl.ListFormat(locale, { style: "long", type: "conjunction" }).format(items);
  } catch {
    return items.join(", ");
  }
}
