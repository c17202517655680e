/**
 * POST /language: the language switcher's target (a plain form, works without JavaScript). Sets the
 * `lang` cookie, saves the choice as the signed-in member's own setting, and goes back to the page
 * it came from: a path on this site only, never another origin.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { z } from "zod";
import { getAuth } from "../auth/guards.server";
import { setUserLocale } from "../domain/preferences.server";
import { SUPPORTED_LOCALES } from "../i18n/i18n";
import { PortalError } from "../utils/errors";
import { parseForm } from "../utils/forms";
import { langCookie, sameOriginPath } from "../utils/locale.server";

const LanguageForm = z.object({
  locale: z.enum(SUPPORTED_LOCALES, { error: "Choose one of the portal's languages." }),
  redirectTo: z.string().max(2000).optional(),
});

/** There is nothing to show at /language itself. */
export function loader() {
  return redirect("/");
}

/** Remembers the language and returns to the page. */
export async function action({ request }: ActionFunctionArgs) {
  const parsed = parseForm(await request.formData(), LanguageForm);
  if (!parsed.ok) {
    const err = new PortalError("bad_request", "Choose one of the portal's languages.", parsed.errors);
    return Response.json(err.toJSON(), { status: err.status });
  }
  const auth = getAuth(request);
  if (auth?.session) setUserLocale(auth.user.id, parsed.data.locale);
  return redirect(sameOriginPath(parsed.data.redirectTo), { status: 303, headers: { "Set-Cookie": langCookie(parsed.data.locale), "Cache-Control": "no-store" } });
}
