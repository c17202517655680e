/**
 * The reader's locale: the signed-in member's own setting (`users.locale`), else the `lang` cookie
 * the language switcher sets, else `Accept-Language`, else English.
 */
import { getAuth, safeRedirect } from "../auth/guards.server";
import { env } from "./env.server";
import { matchLocale, negotiateLocale, type Locale } from "../i18n/i18n";
import "../i18n/resources.server";

/** The cookie the language switcher sets for people who are not signed in (and for everyone). */
export const LANG_COOKIE = "lang";

/** The `lang` cookie's value, if it names an interface language. */
export function cookieLocale(cookieHeader: string | null | undefined): Locale | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const eqAt = part.indexOf("=");
    if (eqAt < 0 || part.slice(0, eqAt).trim() !== LANG_COOKIE) continue;
    return matchLocale(part.slice(eqAt + 1).trim());
  }
  return null;
}

/** The Set-Cookie value remembering a language for a year. */
export function langCookie(locale: Locale): string {
  const parts = [`${LANG_COOKIE}=${locale}`, "Path=/", "SameSite=Lax", `Max-Age=${365 * 24 * 3600}`];
  if (env().secure) parts.push("Secure");
  return parts.join("; ");
}

/** The locale to render a request in. */
export function localeFor(request: Request): Locale {
  const own = matchLocale(getAuth(request)?.user.locale);
  if (own) return own;
  return cookieLocale(request.headers.get("cookie")) ?? negotiateLocale(request.headers.get("accept-language"));
}

/** A path on this site (no scheme, host, backslash or control character), else `fallback`: the sign-in guard's rule. */
export const sameOriginPath = (to: string | undefined | null, fallback = "/"): string => safeRedirect(to, fallback);
