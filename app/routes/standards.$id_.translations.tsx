/**
 * The secretariat's form for a standard's translated title and scope, one card per interface
 * language other than the standard's own. The standard's text itself is never translated here.
 */
import type { TFunction } from "i18next";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { notFound, requireAbility } from "../auth/guards.server";
import { Notice, PageHeader } from "../components/ui";
import {
  MAX_TRANSLATED_SCOPE,
  MAX_TRANSLATED_TITLE,
  deleteStandardTranslation,
  listStandardTranslations,
  saveStandardTranslation,
} from "../domain/standard-translations.server";
import { getStandard } from "../domain/standards.server";
import { createI18n, documentTitle, LOCALE_NAMES, localeDirection, SUPPORTED_LOCALES, type Locale } from "../i18n/i18n";
import { can } from "../policies/policy";
import { languageName, sameLanguage } from "../utils/format";
import { parseForm } from "../utils/forms";
import { localeFor } from "../utils/locale.server";
import { useRootData } from "../root";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => [
  { title: documentTitle(matches, "standards:translations.meta", { id: data?.standard.id ?? "" }) },
];

/** The standard, if the secretariat may translate it (others: 403; unknown or unreadable: 404). */
function translatable(request: Request, id: string | undefined) {
  const auth = requireAbility(request, "standard.translate");
  const standard = getStandard(id ?? "");
  if (!standard || !can(auth.actor, "standard.read", standard)) throw notFound();
  return { auth, standard };
}

/** The interface languages a standard may be translated into: all but its own. */
function targetLocales(language: string): Locale[] {
  return SUPPORTED_LOCALES.filter((l) => !sameLanguage(l, language));
}

export function loader({ request, params }: LoaderFunctionArgs) {
  const { standard } = translatable(request, params.id);
  const existing = new Map(listStandardTranslations(standard.id).map((row) => [row.locale, row]));
  return {
    standard: { id: standard.id, title: standard.title, scope: standard.scope, language: standard.language },
    translations: targetLocales(standard.language).map((locale) => ({ locale, current: existing.get(locale) ?? null })),
    limits: { title: MAX_TRANSLATED_TITLE, scope: MAX_TRANSLATED_SCOPE },
  };
}

function saveSchema(t: TFunction, locales: readonly string[]) {
  return z.object({
    locale: z.string().refine((l) => locales.includes(l), t("translations.badLocale")),
    title: z.string({ message: t("translations.titleMissing") }).trim().min(1, t("translations.titleMissing")).max(MAX_TRANSLATED_TITLE, t("translations.tooLong", { max: MAX_TRANSLATED_TITLE })),
    scope: z.string({ message: t("translations.scopeMissing") }).trim().min(1, t("translations.scopeMissing")).max(MAX_TRANSLATED_SCOPE, t("translations.tooLong", { max: MAX_TRANSLATED_SCOPE })),
  });
}

type Result = { ok: boolean; locale: string | null; intent: "save" | "remove"; errors: Record<string, string> };

export async function action({ request, params }: ActionFunctionArgs) {
  const { auth, standard } = translatable(request, params.id);
  const locale = localeFor(request);
  const t = createI18n(locale).getFixedT(locale, "standards");
  const form = await request.formData();
  const locales = targetLocales(standard.language);
  const target = String(form.get("locale") ?? "");
  if (form.get("intent") === "remove") {
    if (!locales.includes(target as Locale)) return data<Result>({ ok: false, locale: null, intent: "remove", errors: { locale: t("translations.badLocale") } }, { status: 400 });
    deleteStandardTranslation({ standardId: standard.id, locale: target, actorId: auth.user.id });
    return data<Result>({ ok: true, locale: target, intent: "remove", errors: {} });
  }
  const parsed = parseForm(form, saveSchema(t, locales));
  if (!parsed.ok) return data<Result>({ ok: false, locale: locales.includes(target as Locale) ? target : null, intent: "save", errors: parsed.errors }, { status: 400 });
  saveStandardTranslation({ standardId: standard.id, locale: parsed.data.locale, title: parsed.data.title, scope: parsed.data.scope, actorId: auth.user.id });
  return data<Result>({ ok: true, locale: parsed.data.locale, intent: "save", errors: {} });
}

export default function StandardTranslationsPage() {
  const { t } = useTranslation(["standards", "common"]);
  const { standard, translations, limits } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const { locale: reader } = useRootData();
  const textLang = { lang: standard.language, dir: localeDirection(standard.language) } as const;
  return (
    <>
      <PageHeader
        eyebrow={standard.id}
        title={t("translations.title")}
        lead={t("translations.lead")}
        actions={
          <Link className="button button--quiet" to={`/standards/${standard.id}`}>
            {t("translations.back")}
          </Link>
        }
      />
      <section className="card" aria-labelledby="translations-original">
        <h2 id="translations-original">{t("translations.original", { language: languageName(standard.language, reader) })}</h2>
        <p>
          <strong {...textLang}>{standard.title}</strong>
        </p>
        <p {...textLang}>{standard.scope}</p>
      </section>
      {translations.map(({ locale, current }) => {
        const mine = result?.locale === locale;
        const errors = mine && !result.ok ? result.errors : {};
        const dir = localeDirection(locale);
        return (
          <section key={locale} className="card translation-card" aria-labelledby={`translation-${locale}`}>
            <h2 id={`translation-${locale}`}>
              <span lang={locale} dir={dir}>
                {LOCALE_NAMES[locale]}
              </span>
            </h2>
            <p className="muted small">{current ? t("translations.present") : t("translations.absent")}</p>
            {mine && result.ok ? <Notice tone="success">{result.intent === "remove" ? t("translations.removed") : t("translations.saved")}</Notice> : null}
            {mine && !result.ok ? <Notice tone="error">{t("translations.fixErrors")}</Notice> : null}
            <Form method="post" className="stack" key={`${locale}-${current?.title ?? ""}-${current?.scope ?? ""}`}>
              <input type="hidden" name="locale" value={locale} />
              <div className={`field${errors.title ? " field--error" : ""}`}>
                <label htmlFor={`title-${locale}`}>{t("translations.titleLabel")}</label>
                <input
                  id={`title-${locale}`}
                  name="title"
                  lang={locale}
                  dir={dir}
                  defaultValue={current?.title ?? ""}
                  maxLength={limits.title}
                  required
                  aria-invalid={errors.title ? true : undefined}
                  aria-describedby={errors.title ? `title-${locale}-error` : undefined}
                />
                {errors.title ? (
                  <p className="field__error" id={`title-${locale}-error`}>
                    {errors.title}
                  </p>
                ) : null}
              </div>
              <div className={`field${errors.scope ? " field--error" : ""}`}>
                <label htmlFor={`scope-${locale}`}>{t("translations.scopeLabel")}</label>
                <textarea
                  id={`scope-${locale}`}
                  name="scope"
                  lang={locale}
                  dir={dir}
                  rows={4}
                  defaultValue={current?.scope ?? ""}
                  maxLength={limits.scope}
                  required
                  aria-invalid={errors.scope ? true : undefined}
                  aria-describedby={errors.scope ? `scope-${locale}-error` : undefined}
                />
                {errors.scope ? (
                  <p className="field__error" id={`scope-${locale}-error`}>
                    {errors.scope}
                  </p>
                ) : null}
              </div>
              <div className="button-row">
                <button type="submit" name="intent" value="save" className="button" disabled={busy}>
                  {t("translations.save", { language: languageName(locale, reader) })}
                </button>
                {current ? (
                  <button type="submit" name="intent" value="remove" className="button button--quiet" formNoValidate disabled={busy}>
                    {t("translations.remove", { language: languageName(locale, reader) })}
                  </button>
                ) : null}
              </div>
            </Form>
          </section>
        );
      })}
    </>
  );
}
