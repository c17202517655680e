/** The form that starts a proposal: an amendment (standard and base revision) or a new standard (committee), with a title and a rationale. */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { requireUser } from "../auth/guards.server";
import { EmptyState, Field, Notice, PageHeader } from "../components/ui";
import { NewProposalSchema } from "../domain/proposals.schemas";
import { committeesForProposals, createProposal } from "../domain/proposals.server";
import { listRevisions } from "../domain/revisions.server";
import { listStandards } from "../domain/standards.server";
import { documentTitle } from "../i18n/i18n";
import { can } from "../policies/policy";
import styles from "../styles/proposals.css?url";
import { PortalError, fieldErrors } from "../utils/errors";

/** The proposal pages' stylesheet. */
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "proposals:meta.new") }];

/** The standards the caller may amend (with their revisions) and the committees they may propose standards in. */
export function loader({ request }: LoaderFunctionArgs) {
  const { actor } = requireUser(request);
  const standards = listStandards(actor)
    .filter((s) => s.status !== "withdrawn" && can(actor, "proposal.create", s))
    .map((s) => ({ id: s.id, title: s.title, revisions: listRevisions(s.id).map((r) => r.number) }));
  const wanted = new URL(request.url).searchParams.get("standardId");
  return {
    standards,
    committees: committeesForProposals(actor),
    preselected: standards.some((s) => s.id === wanted) ? wanted : null,
  };
}

type Result = { errors: Record<string, string>; values: Record<string, string>; message: string | null };

/** Creates the proposal and opens it; refusals come back as field errors or a message. */
export async function action({ request }: ActionFunctionArgs) {
  const { actor } = requireUser(request);
  const form = await request.formData();
  const values = Object.fromEntries([...form.entries()].filter((e): e is [string, string] => typeof e[1] === "string"));
  // Only the fields of the chosen kind count; empty fields are left out.
  const fields = values.kind === "new-standard" ? ["kind", "title", "rationale", "committee"] : ["kind", "title", "rationale", "standardId", "baseRevision"];
  const input = Object.fromEntries(fields.filter((f) => values[f]?.trim()).map((f) => [f, values[f]]));
  const parsed = NewProposalSchema.safeParse(input);
  if (!parsed.success) return data<Result>({ errors: fieldErrors(parsed.error.issues), values, message: null }, { status: 400 });
  try {
    const proposal = createProposal({ actor, proposal: parsed.data });
    return redirect(`/proposals/${proposal.id}`);
  } catch (err) {
    if (!(err instanceof PortalError)) throw err;
    return data<Result>({ errors: err.fields ?? {}, values, message: err.message }, { status: err.status });
  }
}

/** The new-proposal page. */
export default function NewProposal() {
  const { t } = useTranslation("proposals");
  const { standards, committees, preselected } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const v = result?.values ?? {};
  const e = result?.errors ?? {};
  const amendable = standards.filter((s) => s.revisions.length > 0);
  const [kind, setKind] = useState<"amendment" | "new-standard">(v.kind === "new-standard" || (!amendable.length && committees.length) ? "new-standard" : "amendment");
  const [standardId, setStandardId] = useState(v.standardId ?? preselected ?? "");
  const revisions = standards.find((s) => s.id === standardId)?.revisions ?? [];
  // A choice made before the page was interactive is in the DOM but not in the state: take it over.
  const standardSelect = useRef<HTMLSelectElement>(null);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const chosen = standardSelect.current?.value;
    if (chosen && chosen !== standardId) setStandardId(chosen);
    const checked = form.current?.querySelector<HTMLInputElement>('input[name="kind"]:checked')?.value;
    if ((checked === "amendment" || checked === "new-standard") && checked !== kind) setKind(checked);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (!standards.length && !committees.length) {
    return (
      <>
        <PageHeader title={t("new.title")} />
        <EmptyState title={t("new.cannotPropose")} />
      </>
    );
  }

  return (
    <>
      <PageHeader title={t("new.title")} lead={t("new.lead")} />
      {result?.message ? <Notice tone="error">{result.message}</Notice> : result ? <Notice tone="error">{t("new.fixErrors")}</Notice> : null}
      <Form method="post" className="stack proposal-form card" noValidate ref={form}>
        <fieldset className="proposal-kind">
          <legend>{t("new.kindLegend")}</legend>
          <label className="proposal-kind__option">
            <input type="radio" name="kind" value="amendment" checked={kind === "amendment"} onChange={() => setKind("amendment")} disabled={!amendable.length} />
            <span>
              <strong>{t("new.kindAmendment")}</strong>
              <span className="muted small">{amendable.length ? t("new.kindAmendmentHint") : t("new.nothingToAmend")}</span>
            </span>
          </label>
          <label className="proposal-kind__option">
            <input type="radio" name="kind" value="new-standard" checked={kind === "new-standard"} onChange={() => setKind("new-standard")} disabled={!committees.length} />
            <span>
              <strong>{t("new.kindNew")}</strong>
              <span className="muted small">{t("new.kindNewHint")}</span>
            </span>
          </label>
        </fieldset>

        {kind === "amendment" ? (
          <div className="form-row">
            <Field label={t("new.standard")} name="standardId" error={e.standardId}>
              <select
                id="field-standardId"
                name="standardId"
                ref={standardSelect}
                value={standardId}
                onChange={(ev) => setStandardId(ev.target.value)}
                aria-invalid={e.standardId ? true : undefined}
                aria-describedby={e.standardId ? "field-standardId-error" : undefined}
              >
                <option value="">{t("new.chooseStandard")}</option>
                {standards.map((s) => (
                  <option key={s.id} value={s.id} disabled={!s.revisions.length}>
                    {s.revisions.length ? `${s.id} — ${s.title}` : t("new.noRevision", { id: s.id })}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t("new.baseRevision")} name="baseRevision" error={e.baseRevision}>
              <select
                id="field-baseRevision"
                name="baseRevision"
                defaultValue={v.baseRevision ?? ""}
                key={standardId}
                aria-invalid={e.baseRevision ? true : undefined}
                aria-describedby={`field-baseRevision-hint${e.baseRevision ? " field-baseRevision-error" : ""}`}
              >
                <option value="">{revisions.length ? t("new.latest", { number: revisions[revisions.length - 1] }) : t("new.latestAny")}</option>
                {[...revisions].reverse().map((n) => (
                  <option key={n} value={n}>
                    {t("new.revisionOption", { number: n })}
                  </option>
                ))}
              </select>
              <p className="field__hint field__hint--below" id="field-baseRevision-hint">
                {t("new.baseRevisionHint")}
              </p>
            </Field>
          </div>
        ) : (
          <Field label={t("new.committee")} name="committee" error={e.committee}>
            <select
              id="field-committee"
              name="committee"
              defaultValue={v.committee ?? (committees.length === 1 ? committees[0].code : "")}
              aria-invalid={e.committee ? true : undefined}
              aria-describedby={e.committee ? "field-committee-error" : undefined}
            >
              <option value="">{t("new.chooseCommittee")}</option>
              {committees.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.code} — {c.name}
                </option>
              ))}
            </select>
          </Field>
        )}

        <Field label={t("new.titleField")} name="title" hint={t("new.titleHint")} defaultValue={v.title} error={e.title} required maxLength={200} />
        <Field label={t("new.rationale")} name="rationale" hint={t("new.rationaleHint")} error={e.rationale}>
          <textarea
            id="field-rationale"
            name="rationale"
            rows={6}
            maxLength={10000}
            required
            defaultValue={v.rationale}
            aria-invalid={e.rationale ? true : undefined}
            aria-describedby={`field-rationale-hint${e.rationale ? " field-rationale-error" : ""}`}
          />
        </Field>
        <div className="button-row">
          <button type="submit" className="button" disabled={busy}>
            {busy ? t("new.creating") : t("new.submit")}
          </button>
          <Link className="button button--quiet" to="/proposals">
            {t("new.cancel")}
          </Link>
        </div>
      </Form>
    </>
  );
}
