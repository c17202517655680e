/** Committees (working groups): the list with head counts, and the form that creates one. */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireAbility } from "../auth/guards.server";
import { EmptyState, Field, Notice } from "../components/ui";
import { CommitteeInputSchema } from "../domain/members.schemas";
import { createCommittee, listCommittees, membershipCounts } from "../domain/members.server";
import { documentTitle } from "../i18n/i18n";
import { PortalError } from "../utils/errors";
import { parseForm } from "../utils/forms";

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "admin:meta.committees") }];

/** Every committee with the number of its (not disabled) members; head counts are for the secretariat. */
export function loader({ request }: LoaderFunctionArgs) {
  requireAbility(request, "committee.list");
  requireAbility(request, "user.list");
  const perCommittee = membershipCounts().perCommittee;
  return { committees: listCommittees().map((c) => ({ ...c, members: perCommittee[c.code] ?? 0 })) };
}

type Result = { ok: boolean; errors: Record<string, string>; values: Record<string, string>; message: string | null; created: { code: string; name: string } | null };

/** Creates a committee; a taken code comes back as a field error (409). */
export async function action({ request }: ActionFunctionArgs) {
  const auth = requireAbility(request, "committee.create");
  const form = await request.formData();
  // Codes are capital letters; accept "tar" as "TAR" rather than refuse it.
  form.set("code", String(form.get("code") ?? "").toUpperCase());
  const parsed = parseForm(form, CommitteeInputSchema);
  if (!parsed.ok) return data<Result>({ ok: false, errors: parsed.errors, values: parsed.values, message: null, created: null }, { status: 400 });
  try {
    const c = createCommittee({ ...parsed.data, description: parsed.data.description || undefined }, auth.user.id);
    return data<Result>({ ok: true, errors: {}, values: {}, message: null, created: { code: c.code, name: c.name } });
  } catch (err) {
    if (!(err instanceof PortalError)) throw err;
    const values = { code: parsed.data.code, name: parsed.data.name, description: parsed.data.description ?? "" };
    return data<Result>({ ok: false, errors: err.fields ?? {}, values, message: err.message, created: null }, { status: err.status });
  }
}

/** The committees page. */
export default function AdminCommittees() {
  const { t } = useTranslation("admin");
  const { committees } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const e = result?.ok ? {} : (result?.errors ?? {});
  const v = result?.ok ? {} : (result?.values ?? {});

  return (
    <>
      <div className="section-head">
        <h2>{t("committees.title")}</h2>
        <p className="muted">{t("committees.lead")}</p>
      </div>
      <div className="admin-split">
        <section aria-labelledby="committees-list">
          <h3 id="committees-list" className="visually-hidden">
            {t("committees.listTitle")}
          </h3>
          {committees.length === 0 ? (
            <EmptyState title={t("committees.empty")}>{t("committees.emptyBody")}</EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="data data--stack">
                <thead>
                  <tr>
                    <th scope="col">{t("committees.columns.code")}</th>
                    <th scope="col">{t("committees.columns.name")}</th>
                    <th scope="col">{t("committees.columns.description")}</th>
                    <th scope="col" className="num">
                      {t("committees.columns.members")}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {committees.map((c) => (
                    <tr key={c.code}>
                      <th scope="row">
                        <span className="code-tag">{c.code}</span>
                      </th>
                      <td data-label={t("committees.columns.name")} className="cell-strong">{c.name}</td>
                      <td data-label={t("committees.columns.description")} className="cell-prose">{c.description || <span className="muted">{t("shared.none")}</span>}</td>
                      <td data-label={t("committees.columns.members")} className="num">{c.members}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <section className="card" aria-labelledby="committees-create">
          <h3 id="committees-create">{t("committees.createTitle")}</h3>
          {result?.ok && result.created ? <Notice tone="success">{t("committees.created", result.created)}</Notice> : null}
          {!result?.ok && result?.message ? <Notice tone="error">{result.message}</Notice> : null}
          {!result?.ok && result && !result.message ? <Notice tone="error">{t("shared.fixErrors")}</Notice> : null}
          <Form method="post" className="stack" noValidate key={result?.ok && result.created ? result.created.code : "form"}>
            <Field label={t("committees.code")} name="code" hint={t("committees.codeHint")} defaultValue={v.code} error={e.code} required maxLength={5} autoComplete="off" />
            <Field label={t("committees.name")} name="name" defaultValue={v.name} error={e.name} required maxLength={160} />
            <Field label={t("committees.description")} name="description" hint={t("committees.descriptionHint")} error={e.description}>
              <textarea
                id="field-description"
                name="description"
                rows={3}
                maxLength={2000}
                defaultValue={v.description}
                aria-invalid={e.description ? true : undefined}
                aria-describedby={`field-description-hint${e.description ? " field-description-error" : ""}`}
              />
            </Field>
            <button type="submit" className="button" disabled={busy}>
              {t("committees.submit")}
            </button>
          </Form>
        </section>
      </div>
    </>
  );
}
