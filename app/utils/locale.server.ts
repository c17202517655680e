/** The reader's locale: their own setting when signed in (later), else Accept-Language. */
import { negotiateLocale, type Locale } from "../i18n/i18n";

/** The locale to render a request in. */
export function localeFor(request: Request): Locale {
  return negotiateLocale(request.headers.get("accept-language"));
}
