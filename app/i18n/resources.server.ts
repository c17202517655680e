/**
 * Registers every interface language's messages on the server (the browser fetches only its own,
 * see `load.client.ts`). Importing this module is enough; `utils/locale.server.ts` does.
 *
 * The files are read from `app/i18n/locales/<locale>/<namespace>.json` under the project root (like
 * the migrations: the server bundle moves, the root does not), so a namespace added to the folders
 * needs no registration here. A missing file leaves English to fill in.
 */
import fs from "node:fs";
import path from "node:path";
import { DEFAULT_LOCALE, isLocale, registerLocale, type Locale } from "./i18n";

type Bundle = Record<string, Record<string, unknown>>;

/** The folder holding one sub-folder per language. */
export function localesFolder(): string {
  return path.resolve(process.cwd(), "app/i18n/locales");
}

/** The messages of every language (English included), by locale and namespace. */
export function readAllBundles(folder = localesFolder()): Map<Locale, Bundle> {
  const out = new Map<Locale, Bundle>();
  if (!fs.existsSync(folder)) return out;
  for (const locale of fs.readdirSync(folder)) {
    if (!isLocale(locale)) continue;
    const bundle: Bundle = {};
    for (const file of fs.readdirSync(path.join(folder, locale))) {
      if (!file.endsWith(".json")) continue;
      bundle[file.slice(0, -5)] = JSON.parse(fs.readFileSync(path.join(folder, locale, file), "utf8")) as Record<string, unknown>;
    }
    out.set(locale, bundle);
  }
  return out;
}

for (const [locale, bundle] of readAllBundles()) {
  if (locale !== DEFAULT_LOCALE) registerLocale(locale, bundle);
}
