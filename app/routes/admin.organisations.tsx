/** Organisations: the list with head counts, and the form that registers a new one. */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ORG_KINDS } from "../../db/schema";
import { requireAbility } from "../auth/guards.server";
import { EmptyState, Field, Notice } from "../components/ui";
import { OrgInputSchema } from "../domain/members.schemas";
import { createOrganization, listOrganizations, membershipCounts } from "../domain/members.server";
import { documentTitle } from "../i18n/i18n";
import { useRootData } from "../root";
import { PortalError } from "../utils/errors";
import { parseForm } from "../utils/forms";

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "admin:meta.organisations") }];

/** Every organisation with the number of its (not disabled) members. */
export function loader({ request }: LoaderFunctionArgs) {
  requireAbility(request, "org.list");
  requireAbility(request, "user.list");
  const perOrganization = membershipCounts().perOrganization;
  return { organisations: listOrganizations().map((o) => ({ ...o, members: perOrganization[o.id] ?? 0 })), kinds: ORG_KINDS };
}

type Result = { ok: boolean; errors: Record<string, string>; values: Record<string, string>; message: string | null; created: string | null };

/** Registers an organisation; a taken name comes back as a field error (409). */
export async function action({ request }: ActionFunctionArgs) {
  const auth = requireAbility(request, "org.create");
  const parsed = parseForm(await request.formData(), OrgInputSchema);
  if (!parsed.ok) return data<Result>({ ok: false, errors: parsed.errors, values: parsed.values, message: null, created: null }, { status: 400 });
  try {
    const org = createOrganization(parsed.data, auth.user.id);
    return data<Result>({ ok: true, errors: {}, values: {}, message: null, created: org.name });
  } catch (err) {
    if (!(err instanceof PortalError)) throw err;
    return data<Result>({ ok: false, errors: err.fields ?? {}, values: parsed.data, message: err.message, created: null }, { status: err.status });
  }
}

/** The organisations page. */
export default function AdminOrganisations() {
  const { t } = useTranslation(["admin", "common"]);
  const { organisations, kinds } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const { locale } = useRootData();
  const e = result?.ok ? {} : (result?.errors ?? {});
  const v = result?.ok ? {} : (result?.values ?? {});
  const countryName = regionNamer(locale);

  return (
    <>
      <div className="section-head">
        <h2>{t("organisations.title")}</h2>
        <p className="muted">{t("organisations.lead")}</p>
      </div>
      <div className="admin-split">
        <section aria-labelledby="orgs-list">
          <h3 id="orgs-list" className="visually-hidden">
            {t("organisations.listTitle")}
          </h3>
          {organisations.length === 0 ? (
            <EmptyState title={t("organisations.empty")}>{t("organisations.emptyBody")}</EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="data data--stack">
                <thead>
                  <tr>
                    <th scope="col">{t("organisations.columns.name")}</th>
                    <th scope="col">{t("organisations.columns.kind")}</th>
                    <th scope="col">{t("organisations.columns.country")}</th>
                    <th scope="col" className="num">
                      {t("organisations.columns.members")}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {organisations.map((o) => (
                    <tr key={o.id}>
                      <th scope="row" className="cell-strong">
                        {o.name}
                      </th>
                      <td data-label={t("organisations.columns.kind")}>
                        <span className={`kind-badge kind-badge--${o.kind}`}>{t(`common:orgKinds.${o.kind}`)}</span>
                      </td>
                      <td data-label={t("organisations.columns.country")}>
                        <span>
                          {countryName(o.country)} <span className="muted mono">{o.country}</span>
                        </span>
                      </td>
                      <td data-label={t("organisations.columns.members")} className="num">{o.members}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <section className="card" aria-labelledby="orgs-create">
          <h3 id="orgs-create">{t("organisations.createTitle")}</h3>
          {result?.ok && result.created ? <Notice tone="success">{t("organisations.created", { name: result.created })}</Notice> : null}
          {!result?.ok && result?.message ? <Notice tone="error">{result.message}</Notice> : null}
          {!result?.ok && result && !result.message ? <Notice tone="error">{t("shared.fixErrors")}</Notice> : null}
          <Form method="post" className="stack" noValidate key={result?.ok ? result.created : "form"}>
            <Field label={t("organisations.name")} name="name" hint={t("organisations.nameHint")} defaultValue={v.name} error={e.name} required maxLength={160} />
            <Field label={t("organisations.kind")} name="kind" hint={t("organisations.kindHint")} error={e.kind}>
              <select id="field-kind" name="kind" defaultValue={v.kind ?? "company"} aria-invalid={e.kind ? true : undefined} aria-describedby={describedBy("kind", e.kind)}>
                {kinds.map((kind) => (
                  <option key={kind} value={kind}>
                    {t(`common:orgKinds.${kind}`)}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              label={t("organisations.country")}
              name="country"
              hint={t("organisations.countryHint")}
              defaultValue={v.country}
              error={e.country}
              required
              maxLength={2}
              autoComplete="off"
            />
            <button type="submit" className="button" disabled={busy}>
              {t("organisations.submit")}
            </button>
          </Form>
        </section>
      </div>
    </>
  );
}

function describedBy(name: string, error?: string) {
  return `field-${name}-hint${error ? ` field-${name}-error` : ""}`;
}

function regionNamer(locale: string): (code: string) => string {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames([locale], { type: "region" });
  } catch {
    names = null;
  }
  return (code) => {
    try {
      return names?.of(code) ?? code;
    } catch {
      return code;
    }
  };
}
