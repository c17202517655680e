/** One's own account: profile, password, and personal access tokens for the API. */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { getAuth, requireAbility, requireUser } from "../auth/guards.server";
import { PASSWORD_MAX, PASSWORD_MIN } from "../auth/password.constants";
import { EmptyState, Field, Notice, PageHeader, StatusBadge } from "../components/ui";
import { AccessTokenInputSchema, PasswordSchema } from "../domain/members.schemas";
import { changePassword, createAccessToken, getOrganization, listAccessTokens, listCommittees, revokeAccessToken } from "../domain/members.server";
import { createI18n, documentTitle, LOCALE_NAMES, SUPPORTED_LOCALES } from "../i18n/i18n";
import { useRootData } from "../root";
import { PortalError } from "../utils/errors";
import { formatDateTime } from "../utils/format";
import { parseForm } from "../utils/forms";
import { localeFor } from "../utils/locale.server";

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "settings:meta.title") }];

/** The signed-in person's profile and tokens (never a token's secret). */
export function loader({ request }: LoaderFunctionArgs) {
  const { user, actor } = requireUser(request);
  const org = getOrganization(user.orgId);
  const mine = new Set(actor.committees);
  return {
    profile: {
      name: user.name,
      email: user.email,
      role: user.role,
      organisation: org ? { name: org.name, kind: org.kind } : null,
      committees: listCommittees()
        .filter((c) => mine.has(c.code))
        .map((c) => ({ code: c.code, name: c.name })),
    },
    tokens: listAccessTokens(user.id),
    language: user.locale ?? null,
  };
}

const IntentSchema = z.object({ intent: z.enum(["password", "token", "revoke"]) });
const RevokeSchema = z.object({ tokenId: z.string().trim().min(1).max(64) });

/** The change-password form's rules, with messages in the reader's language. */
function passwordChangeSchema(t: TFunction) {
  return z
    .object({ currentPassword: z.string().min(1, t("password.currentMissing")).max(PASSWORD_MAX), newPassword: PasswordSchema, confirmPassword: z.string() })
    .refine((v) => v.newPassword === v.confirmPassword, { message: t("password.mismatch"), path: ["confirmPassword"] })
    .refine((v) => v.newPassword !== v.currentPassword, { message: t("password.sameAsCurrent"), path: ["newPassword"] });
}

type Intent = "password" | "token" | "revoke";
type Result = {
  intent: Intent | null;
  ok: boolean;
  errors: Record<string, string>;
  values: Record<string, string>;
  message: string | null;
  token: { token: string; label: string; readOnly: boolean } | null;
  revoked: string | null;
};

const reply = (r: Partial<Result> & { intent: Intent | null; ok: boolean }, init?: ResponseInit) =>
  data<Result>({ errors: {}, values: {}, message: null, token: null, revoked: null, ...r }, init);

/** Changes the password, creates a token or revokes one, as the hidden `intent` field says. */
export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData();
  const which = IntentSchema.safeParse({ intent: form.get("intent") });
  if (!which.success) {
    requireUser(request);
    return reply({ intent: null, ok: false }, { status: 400 });
  }
  const intent = which.data.intent;
  try {
    if (intent === "password") {
      const auth = requireAbility(request, "account.changePassword");
      const t = createI18n(localeFor(request)).getFixedT(null, "settings");
      const parsed = parseForm(form, passwordChangeSchema(t));
      if (!parsed.ok) return reply({ intent, ok: false, errors: parsed.errors }, { status: 400 });
      // This browser stays signed in; every other session of the account ends.
      await changePassword(auth.user.id, parsed.data.currentPassword, parsed.data.newPassword, getAuth(request)?.session?.id);
      return reply({ intent, ok: true });
    }
    if (intent === "token") {
      const auth = requireAbility(request, "token.create");
      const parsed = parseForm(form, AccessTokenInputSchema, { booleans: ["readOnly"] });
      if (!parsed.ok) return reply({ intent, ok: false, errors: parsed.errors, values: parsed.values }, { status: 400 });
      const created = createAccessToken(auth.user.id, parsed.data.label, parsed.data.readOnly);
      // The secret travels once, in this response; nothing may keep a copy of it.
      return reply({ intent, ok: true, token: { token: created.token, label: created.label, readOnly: created.readOnly } }, { headers: { "Cache-Control": "no-store" } });
    }
    const auth = requireAbility(request, "token.revoke");
    const parsed = parseForm(form, RevokeSchema);
    if (!parsed.ok) return reply({ intent, ok: false, errors: parsed.errors }, { status: 400 });
    const label = listAccessTokens(auth.user.id).find((tk) => tk.id === parsed.data.tokenId)?.label ?? "";
    revokeAccessToken(auth.user.id, parsed.data.tokenId);
    return reply({ intent, ok: true, revoked: label });
  } catch (err) {
    if (!(err instanceof PortalError)) throw err;
    return reply({ intent, ok: false, errors: err.fields ?? {}, message: err.message }, { status: err.status });
  }
}

/** The account page. */
export default function Settings() {
  const { t } = useTranslation(["settings", "common"]);
  const { profile, tokens, language } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { locale } = useRootData();
  const busy = useNavigation().state === "submitting";
  const pw = result?.intent === "password" ? result : null;
  const tk = result?.intent === "token" ? result : null;
  const rv = result?.intent === "revoke" ? result : null;
  const pwErrors = pw && !pw.ok ? pw.errors : {};
  const tkErrors = tk && !tk.ok ? tk.errors : {};
  const tkValues = tk && !tk.ok ? tk.values : {};

  return (
    <>
      <PageHeader title={t("title")} lead={t("lead")} />
      {result && result.intent === null ? <Notice tone="error">{t("unknownForm")}</Notice> : null}

      <div className="grid grid--2 settings-grid">
        <section className="card" aria-labelledby="settings-profile">
          <h2 id="settings-profile">{t("profile.title")}</h2>
          <dl className="definition-list profile-list">
            <dt>{t("profile.name")}</dt>
            <dd>{profile.name}</dd>
            <dt>{t("profile.email")}</dt>
            <dd className="cell-break">{profile.email}</dd>
            <dt>{t("profile.organisation")}</dt>
            <dd>{profile.organisation ? t("profile.organisationValue", { name: profile.organisation.name, kind: t(`common:orgKinds.${profile.organisation.kind}`) }) : t("none")}</dd>
            <dt>{t("profile.role")}</dt>
            <dd>
              <span className={`role-badge role-badge--${profile.role}`}>{t(`common:roles.${profile.role}`)}</span>
              <p className="role-description">{t(`common:roleDescriptions.${profile.role}`)}</p>
            </dd>
            <dt>{t("profile.committees")}</dt>
            <dd>
              {profile.committees.length ? (
                <ul className="plain-list">
                  {profile.committees.map((c) => (
                    <li key={c.code}>
                      <span className="code-tag">{c.code}</span> {c.name}
                    </li>
                  ))}
                </ul>
              ) : (
                <span className="muted">{t("profile.noCommittees")}</span>
              )}
            </dd>
          </dl>
          <p className="muted small">{t("profile.changeNote")}</p>
          {/* A plain form: the page reloads whole, in the chosen language. */}
          <form method="post" action="/language" className="stack language-setting" aria-labelledby="settings-language">
            <h3 id="settings-language">{t("language.title")}</h3>
            <p className="muted small">{language ? t("language.saved") : t("language.browser")}</p>
            <input type="hidden" name="redirectTo" value="/settings" />
            <div className="field">
              <label htmlFor="settings-locale">{t("language.label")}</label>
              <select id="settings-locale" name="locale" defaultValue={locale}>
                {SUPPORTED_LOCALES.map((l) => (
                  <option key={l} value={l} lang={l}>
                    {LOCALE_NAMES[l]}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button">
              {t("language.submit")}
            </button>
          </form>
        </section>

        <section className="card" aria-labelledby="settings-password">
          <h2 id="settings-password">{t("password.title")}</h2>
          <p className="muted">{t("password.lead")}</p>
          {pw?.ok ? <Notice tone="success">{t("password.changed")}</Notice> : null}
          {pw && !pw.ok ? <Notice tone="error">{pw.message ?? t("fixErrors")}</Notice> : null}
          <Form method="post" className="stack" noValidate key={pw?.ok ? "changed" : "password"}>
            <input type="hidden" name="intent" value="password" />
            <Field label={t("password.current")} name="currentPassword" type="password" error={pwErrors.currentPassword} autoComplete="current-password" required maxLength={PASSWORD_MAX} />
            <Field
              label={t("password.new")}
              name="newPassword"
              type="password"
              hint={t("password.newHint", { min: PASSWORD_MIN, max: PASSWORD_MAX })}
              error={pwErrors.newPassword}
              autoComplete="new-password"
              required
              maxLength={PASSWORD_MAX}
            />
            <Field label={t("password.confirm")} name="confirmPassword" type="password" error={pwErrors.confirmPassword} autoComplete="new-password" required maxLength={PASSWORD_MAX} />
            <button type="submit" className="button" disabled={busy}>
              {t("password.submit")}
            </button>
          </Form>
        </section>
      </div>

      <section className="card tokens-card" aria-labelledby="settings-tokens">
        <h2 id="settings-tokens">{t("tokens.title")}</h2>
        <p className="muted measure">{t("tokens.lead")}</p>

        {tk?.ok && tk.token ? (
          <Notice tone="warning" title={t("tokens.createdTitle", { label: tk.token.label })}>
            <p className="secret" aria-label={t("tokens.createdTitle", { label: tk.token.label })}>
              {tk.token.token}
            </p>
            <p>{t("tokens.createdWarning")}</p>
          </Notice>
        ) : null}
        {rv?.ok ? <Notice tone="success">{t("tokens.revoked", { label: rv.revoked })}</Notice> : null}
        {rv && !rv.ok ? <Notice tone="error">{rv.message ?? t("fixErrors")}</Notice> : null}

        <h3>{t("tokens.createTitle")}</h3>
        {tk && !tk.ok ? <Notice tone="error">{tk.message ?? t("fixErrors")}</Notice> : null}
        <Form method="post" className="stack token-form" noValidate key={tk?.ok && tk.token ? tk.token.token : "token"}>
          <input type="hidden" name="intent" value="token" />
          <Field label={t("tokens.label")} name="label" hint={t("tokens.labelHint")} defaultValue={tkValues.label} error={tkErrors.label} required maxLength={80} autoComplete="off" />
          <div className="field">
            <label className="checkbox">
              <input type="checkbox" name="readOnly" defaultChecked={tk && !tk.ok ? tkValues.readOnly === "on" : true} aria-describedby="field-readOnly-hint" />
              <span>{t("tokens.readOnly")}</span>
            </label>
            <p className="field__hint field__hint--after" id="field-readOnly-hint">
              {t("tokens.readOnlyHint")}
            </p>
          </div>
          <button type="submit" className="button" disabled={busy}>
            {t("tokens.submit")}
          </button>
        </Form>

        <h3>{t("tokens.listTitle")}</h3>
        {tokens.length === 0 ? (
          <EmptyState title={t("tokens.empty")} />
        ) : (
          <div className="table-wrap">
            <table className="data data--stack">
              <thead>
                <tr>
                  <th scope="col">{t("tokens.columns.label")}</th>
                  <th scope="col">{t("tokens.columns.access")}</th>
                  <th scope="col">{t("tokens.columns.created")}</th>
                  <th scope="col">{t("tokens.columns.lastUsed")}</th>
                  <th scope="col">{t("tokens.columns.revoked")}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t("tokens.columns.actions")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((token) => (
                  <tr key={token.id} className={token.revokedAt ? "row--inactive" : undefined}>
                    <th scope="row" className="cell-strong">
                      {token.label}
                    </th>
                    <td data-label={t("tokens.columns.access")}>
                      <StatusBadge status={token.readOnly ? "read-only" : "read-write"} label={token.readOnly ? t("tokens.accessReadOnly") : t("tokens.accessFull")} />
                    </td>
                    <td data-label={t("tokens.columns.created")} className="nowrap">{formatDateTime(token.createdAt, locale)}</td>
                    <td data-label={t("tokens.columns.lastUsed")} className="nowrap">{token.lastUsedAt ? formatDateTime(token.lastUsedAt, locale) : <span className="muted">{t("tokens.never")}</span>}</td>
                    <td data-label={t("tokens.columns.revoked")} className="nowrap">{token.revokedAt ? formatDateTime(token.revokedAt, locale) : <span className="muted">{t("tokens.notRevoked")}</span>}</td>
                    <td>
                      {token.revokedAt ? null : (
                        <Form method="post">
                          <input type="hidden" name="intent" value="revoke" />
                          <input type="hidden" name="tokenId" value={token.id} />
                          <button type="submit" className="button button--small button--danger" disabled={busy} aria-label={t("tokens.revokeLabel", { label: token.label })}>
                            {t("tokens.revoke")}
                          </button>
                        </Form>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card tokens-card" aria-labelledby="settings-webhooks">
        <h2 id="settings-webhooks">{t("webhooksLink.title")}</h2>
        <p className="muted measure">{t("webhooksLink.lead")}</p>
        <Link to="/settings/webhooks" className="button button--quiet">
          {t("webhooksLink.open")}
        </Link>
      </section>
    </>
  );
}
