/**
 * Translation setup shared by the server and the browser. Every text a person reads goes through
 * `t()` with a message key; each area of the portal has its own namespace file per language.
 *
 * English is bundled everywhere (it is the fallback). The other languages are registered on the
 * server by `resources.server.ts` and, in the browser, only the reader's language is fetched
 * (`load.client.ts`), so no client downloads all six.
 */
import i18next, { type i18n, type Resource, type ResourceLanguage } from "i18next";
import { initReactI18next } from "react-i18next";
import admin from "./locales/en/admin.json";
import auth from "./locales/en/auth.json";
import comments from "./locales/en/comments.json";
import common from "./locales/en/common.json";
import editor from "./locales/en/editor.json";
import governance from "./locales/en/governance.json";
import proposals from "./locales/en/proposals.json";
import releases from "./locales/en/releases.json";
import settings from "./locales/en/settings.json";
import standards from "./locales/en/standards.json";

export const NAMESPACES = ["common", "auth", "admin", "settings", "standards", "editor", "governance", "proposals", "releases", "comments"] as const;
/**
 * The interface languages. `zh` is Chinese in simplified characters (mainland usage); every
 * Chinese request (`zh`, `zh-CN`, `zh-Hans`, `zh-SG`, and also `zh-TW`/`zh-HK`/`zh-Hant`, for want
 * of a traditional-script translation) gets it.
 */
export const SUPPORTED_LOCALES = ["en", "zh", "de", "fr", "es", "ar"] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

/** Each language's name in itself, for the language switcher (never translated). */
export const LOCALE_NAMES: Record<Locale, string> = {
  en: "English",
  zh: "中文（简体）",
  de: "Deutsch",
  fr: "Français",
  es: "Español",
  ar: "العربية",
};

/** Languages written right to left. */
const RTL_LOCALES: ReadonlySet<string> = new Set(["ar"]);

/** `rtl` or `ltr`, for `<html dir>` and for containers holding text in another language. */
export function localeDirection(locale: string): "rtl" | "ltr" {
  return RTL_LOCALES.has(locale.toLowerCase().split("-")[0]) ? "rtl" : "ltr";
}

/** True when `value` is one of the interface languages. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

/** The interface language for a BCP 47 tag (`zh-Hans-CN` → zh, `ar-EG` → ar), or null. */
export function matchLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const lower = tag.trim().toLowerCase().replace(/_/g, "-");
  if (!/^[a-z]{1,8}(-[a-z0-9]{1,8})*$/.test(lower)) return null;
  const primary = lower.split("-")[0];
  return isLocale(primary) ? primary : null;
}

/** English messages, always present (the fallback). */
export const resources: Resource = {
  en: { common, auth, admin, settings, standards, editor, governance, proposals, releases, comments },
};

/** Adds (or replaces) the messages of a language; the server registers all, the browser one. */
export function registerLocale(locale: Locale, bundle: ResourceLanguage): void {
  resources[locale] = { ...(resources[locale] ?? {}), ...bundle };
}

/** Picks the best supported locale from an Accept-Language header. */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale {
  if (!acceptLanguage || acceptLanguage.length > 2000) return DEFAULT_LOCALE;
  const wanted = acceptLanguage
    .split(",")
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.find((p) => p.trim().startsWith("q="));
      const weight = q ? Number(q.trim().slice(2)) : 1;
      return { tag: tag.trim(), q: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((w) => w.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of wanted) {
    const hit = matchLocale(tag);
    if (hit) return hit;
  }
  return DEFAULT_LOCALE;
}

/** A fresh, synchronously initialised i18next instance for one locale. */
export function createI18n(locale: Locale): i18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources,
    lng: locale,
    fallbackLng: DEFAULT_LOCALE,
    ns: [...NAMESPACES],
    defaultNS: "common",
    interpolation: { escapeValue: false }, // React escapes
    initAsync: false,
    returnNull: false,
  });
  return instance;
}

const titleTranslators = new Map<Locale, i18n>();

/**
 * A document title for a route's `meta` export, translated in the locale the root loader chose.
 * `matches` are the meta function's matches; `key` is a namespaced message key (`admin:…`).
 */
export function documentTitle(matches: readonly { id: string; data?: unknown }[], key: string, options?: Record<string, unknown>): string {
  const wanted = (matches.find((m) => m.id === "root")?.data as { locale?: string } | undefined)?.locale;
  const locale = isLocale(wanted) ? wanted : DEFAULT_LOCALE;
  let instance = titleTranslators.get(locale);
  if (!instance || !instance.hasResourceBundle(locale, "common")) titleTranslators.set(locale, (instance = createI18n(locale)));
  return instance.t(key, options ?? {}) as string;
}
