/**
 * Translation setup shared by the server and the browser. Every text a person reads goes through
 * `t()` with a message key; each area of the portal has its own namespace file per language.
 */
import i18next, { type i18n } from "i18next";
import { initReactI18next } from "react-i18next";
import admin from "./locales/en/admin.json";
import auth from "./locales/en/auth.json";
import common from "./locales/en/common.json";
import editor from "./locales/en/editor.json";
import governance from "./locales/en/governance.json";
import proposals from "./locales/en/proposals.json";
import settings from "./locales/en/settings.json";
import standards from "./locales/en/standards.json";

export const NAMESPACES = ["common", "auth", "admin", "settings", "standards", "editor", "governance", "proposals"] as const;
export const SUPPORTED_LOCALES = ["en"] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

export const resources = {
  en: { common, auth, admin, settings, standards, editor, governance, proposals },
} as const;

/** Picks the best supported locale from an Accept-Language header. */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  const wanted = acceptLanguage
    .split(",")
    .map((part) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.find((p) => p.trim().startsWith("q="));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of wanted) {
    const hit = SUPPORTED_LOCALES.find((l) => l === tag || l === tag.split("-")[0]);
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
  const locale = SUPPORTED_LOCALES.find((l) => l === wanted) ?? DEFAULT_LOCALE;
  let instance = titleTranslators.get(locale);
  if (!instance) titleTranslators.set(locale, (instance = createI18n(locale)));
  return instance.t(key, options ?? {}) as string;
}
