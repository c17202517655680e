/**
 * The browser's side of translations: fetches the messages of the reader's language only (each
 * namespace file is its own small chunk), never the other languages.
 */
import type { i18n } from "i18next";
import { DEFAULT_LOCALE, registerLocale, type Locale } from "./i18n";

const files = import.meta.glob<Record<string, unknown>>("./locales/*/*.json", { import: "default" });

/** Loads and registers one language's messages (English is bundled already). */
export async function loadLocale(locale: Locale): Promise<Record<string, Record<string, unknown>>> {
  if (locale === DEFAULT_LOCALE) return {};
  const prefix = `./locales/${locale}/`;
  const entries = await Promise.all(
    Object.entries(files)
      .filter(([file]) => file.startsWith(prefix))
      .map(async ([file, load]) => [file.slice(prefix.length, -".json".length), await load()] as const),
  );
  const bundle = Object.fromEntries(entries);
  registerLocale(locale, bundle);
  return bundle;
}

/** Switches a live i18next instance to `locale`, loading its messages first. */
export async function switchLocale(instance: i18n, locale: Locale): Promise<void> {
  const bundle = await loadLocale(locale);
  for (const [ns, messages] of Object.entries(bundle)) instance.addResourceBundle(locale, ns, messages, true, true);
  await instance.changeLanguage(locale);
}
