/** Browser hydration with the same translations the server rendered (only the reader's language is fetched). */
import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { I18nextProvider } from "react-i18next";
import { createI18n, DEFAULT_LOCALE, matchLocale } from "./i18n/i18n";
import { loadLocale } from "./i18n/load.client";

const locale = matchLocale(document.documentElement.lang) ?? DEFAULT_LOCALE;

function hydrate() {
  const i18n = createI18n(locale);
  startTransition(() => {
    hydrateRoot(
      document,
      <StrictMode>
        <I18nextProvider i18n={i18n}>
          <RemixBrowser />
        </I18nextProvider>
      </StrictMode>,
    );
  });
}

loadLocale(locale).then(hydrate, (err: unknown) => {
  console.error(err);
  hydrate();
});
