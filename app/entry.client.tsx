/** Browser hydration with the same translations the server rendered. */
import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { I18nextProvider } from "react-i18next";
import { createI18n, SUPPORTED_LOCALES, type Locale } from "./i18n/i18n";

const lang = document.documentElement.lang as Locale;
const i18n = createI18n(SUPPORTED_LOCALES.includes(lang) ? lang : "en");

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
