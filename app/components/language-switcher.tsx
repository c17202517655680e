/**
 * The language switcher on every page: a plain form posting to `/language` (works without
 * JavaScript; a full page load follows, so the new language's messages are fetched fresh).
 * Each language is named in itself, and marked with its own `lang` for screen readers.
 */
import { useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { LOCALE_NAMES, SUPPORTED_LOCALES } from "../i18n/i18n";

export function LanguageSwitcher({ locale, id = "language-switcher" }: { locale: string; id?: string }) {
  const { t } = useTranslation();
  const location = useLocation();
  return (
    <form method="post" action="/language" className="language-switcher">
      <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
      <label htmlFor={id} className="language-switcher__label">
        {t("language.label")}
      </label>
      <select id={id} name="locale" defaultValue={locale} key={locale}>
        {SUPPORTED_LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
      <button type="submit" className="button button--quiet button--small">
        {t("language.apply")}
      </button>
    </form>
  );
}
