/** Opening a ballot (the secretariat): on a frozen revision or a submitted proposal, with its rule, voting unit, eligibility, quorum, times and results visibility. */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { requireAbility } from "../auth/guards.server";
import { Field, Notice } from "../components/ui";
import { parseBallotForm } from "../domain/ballot-form.server";
import { createBallot, listBallotableSubjects } from "../domain/ballots.server";
import { listCommittees } from "../domain/members.server";
import { RULE_PRESETS } from "../domain/tally";
import { documentTitle } from "../i18n/i18n";
import styles from "../styles/governance.css?url";
import { PortalError } from "../utils/errors";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "governance:meta.newBallot") }];

/** What the form offers: subjects (revisions and submitted proposals), committees, and a subject chosen by the link that led here. */
export function loader({ request }: LoaderFunctionArgs) {
  requireAbility(request, "ballot.create");
  const url = new URL(request.url);
  const subjects = listBallotableSubjects();
  const wanted = url.searchParams.get("proposalId")
    ? `proposal:${url.searchParams.get("proposalId")}`
    : url.searchParams.get("standardId")
      ? (subjects.find((s) => s.kind === "revision" && !s.busy && s.standardId === url.searchParams.get("standardId") && (!url.searchParams.get("revision") || s.revision === url.searchParams.get("revision")))?.value ?? "")
      : "";
  return { subjects, committees: listCommittees().map((c) => ({ code: c.code, name: c.name })), preselected: wanted };
}

type Result = { errors: Record<string, string>; values: Record<string, string | string[]>; message: string | null };

/** Where a domain field error is shown on this form. */
const FIELD_OF: Record<string, string> = {
  "subject.proposalId": "subject",
  "subject.standardId": "subject",
  "subject.revision": "subject",
  "eligible.roles": "roles",
  "eligible.committees": "committees",
};

/** Opens the ballot and goes to its page; field errors otherwise. */
export async function action({ request }: ActionFunctionArgs) {
  const auth = requireAbility(request, "ballot.create");
  const form = await request.formData();
  const parsed = parseBallotForm(form);
  if (!parsed.ok) return data<Result>({ errors: parsed.errors, values: parsed.values, message: null }, { status: 400 });
  try {
    const ballot = createBallot(parsed.input, auth.user.id);
    return redirect(`/ballots/${ballot.id}`);
  } catch (err) {
    if (!(err instanceof PortalError)) throw err;
    const errors = Object.fromEntries(Object.entries(err.fields ?? {}).map(([k, v]) => [FIELD_OF[k] ?? k, v]));
    const values = Object.fromEntries([...form.keys()].map((k) => [k, k === "roles" || k === "committees" ? form.getAll(k).map(String) : String(form.get(k))]));
    return data<Result>({ errors, values, message: err.message }, { status: err.status });
  }
}

/** The form. */
export default function NewBallot() {
  const { t } = useTranslation(["governance", "common"]);
  const { subjects, committees, preselected } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = result?.errors ?? {};
  const values = result?.values ?? {};
  const text = (k: string, fallback = "") => (typeof values[k] === "string" ? (values[k] as string) : fallback);
  const list = (k: string, fallback: string[]) => (Array.isArray(values[k]) ? (values[k] as string[]) : result ? [] : fallback);
  const [rule, setRule] = useState(text("rule", "iso"));
  const [zone, setZone] = useState("UTC");
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => {
    setZone(Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");
    setHydrated(true);
  }, []);
  const revisions = subjects.filter((s) => s.kind === "revision");
  const proposals = subjects.filter((s) => s.kind === "proposal");

  return (
    <>
      <div className="section-head">
        <h2>{t("newBallot.title")}</h2>
        <p className="muted">{t("newBallot.lead")}</p>
      </div>
      {result ? <Notice tone="error">{result.message ?? t("newBallot.fixErrors")}</Notice> : null}
      <Form method="post" className="card stack" noValidate>
        <input type="hidden" name="timeZone" value={zone} />
        <Field label={t("newBallot.subject")} name="subject" error={errors.subject} hint={t("newBallot.subjectHint")}>
          <select id="field-subject" name="subject" defaultValue={text("subject", preselected)} required aria-invalid={errors.subject ? true : undefined}>
            <option value="">{t("newBallot.subjectChoose")}</option>
            {revisions.length ? (
              <optgroup label={t("newBallot.revisions")}>
                {revisions.map((s) =>
                  s.kind === "revision" ? (
                    <option key={s.value} value={s.value} disabled={s.busy}>
                      {t("newBallot.revisionOption", { standardId: s.standardId, revision: s.revision, title: s.title })}
                      {s.busy ? ` — ${t("newBallot.busy")}` : ""}
                    </option>
                  ) : null,
                )}
              </optgroup>
            ) : null}
            {proposals.length ? (
              <optgroup label={t("newBallot.proposals")}>
                {proposals.map((s) => (
                  <option key={s.value} value={s.value} disabled={s.busy}>
                    {s.title} ({s.committee}){s.busy ? ` — ${t("newBallot.busy")}` : ""}
                  </option>
                ))}
              </optgroup>
            ) : null}
          </select>
        </Field>

        <div className="form-section">
          <Field label={t("newBallot.rule")} name="rule" error={errors.rule}>
            <select id="field-rule" name="rule" value={rule} onChange={(e) => setRule(e.target.value)}>
              {[...RULE_PRESETS, "custom" as const].map((p) => (
                <option key={p} value={p}>
                  {t(`presets.${p}`)}
                </option>
              ))}
            </select>
          </Field>
          <dl className="preset-list" aria-label={t("newBallot.presetsLabel")}>
            {RULE_PRESETS.map((p) => (
              <div key={p} className={rule === p ? "is-chosen" : undefined}>
                <dt>{t(`presets.${p}`)}</dt>
                <dd>{t(`tally.rule.${p}`)}</dd>
              </div>
            ))}
          </dl>
          <fieldset className="form-section" disabled={hydrated && rule !== "custom"}>
            <legend>{t("newBallot.custom")}</legend>
            <p className="field__hint">{t("newBallot.customHint")}</p>
            <div className="form-row">
              <Field label={t("newBallot.approveFraction")} name="approveFraction" type="number" defaultValue={text("approveFraction", "66.67")} error={errors.approveFraction} />
              <Field label={t("newBallot.of")} name="approveOf" error={errors.approveOf}>
                <select id="field-approveOf" name="approveOf" defaultValue={text("approveOf", "cast")}>
                  <option value="cast">{t("tally.rule.base.cast")}</option>
                  <option value="eligible">{t("tally.rule.base.eligible")}</option>
                </select>
              </Field>
            </div>
            <div className="form-row">
              <Field label={t("newBallot.maxDisapproveFraction")} name="maxDisapproveFraction" type="number" defaultValue={text("maxDisapproveFraction")} error={errors.maxDisapproveFraction} hint={t("newBallot.maxDisapproveHint")} />
              <Field label={t("newBallot.of")} name="maxDisapproveOf">
                <select id="field-maxDisapproveOf" name="maxDisapproveOf" defaultValue={text("maxDisapproveOf", "cast")}>
                  <option value="cast">{t("tally.rule.base.cast")}</option>
                  <option value="eligible">{t("tally.rule.base.eligible")}</option>
                </select>
              </Field>
            </div>
            <label className="checkbox">
              <input type="checkbox" name="excludeDisapproveWithoutReason" defaultChecked={text("excludeDisapproveWithoutReason") === "on"} />
              <span>{t("newBallot.excludeWithoutReason")}</span>
            </label>
          </fieldset>
        </div>

        <fieldset className="form-section">
          <legend>{t("newBallot.voterUnit")}</legend>
          {(["individual", "organization"] as const).map((u) => (
            <label key={u} className="checkbox">
              <input type="radio" name="voterUnit" value={u} defaultChecked={text("voterUnit", "individual") === u} />
              <span>
                <strong>{t(`voterUnit.${u}`)}</strong> — {t(`voterUnitHelp.${u}`)}
              </span>
            </label>
          ))}
          {errors.voterUnit ? <p className="field__error">{errors.voterUnit}</p> : null}
        </fieldset>

        <fieldset className="form-section">
          <legend>{t("newBallot.roles")}</legend>
          <div className="checkbox-grid">
            {(["expert", "member"] as const).map((r) => (
              <label key={r} className="checkbox">
                <input type="checkbox" name="roles" value={r} defaultChecked={list("roles", ["expert", "member"]).includes(r)} />
                <span>{t(`common:roles.${r}`)}</span>
              </label>
            ))}
          </div>
          <p className="field__hint">{t("newBallot.rolesHint")}</p>
          {errors.roles ? <p className="field__error">{errors.roles}</p> : null}
        </fieldset>

        <fieldset className="form-section">
          <legend>{t("newBallot.committees")}</legend>
          <p className="field__hint">{t("newBallot.committeesHint")}</p>
          <div className="checkbox-grid">
            {committees.map((c) => (
              <label key={c.code} className="checkbox">
                <input type="checkbox" name="committees" value={c.code} defaultChecked={list("committees", []).includes(c.code)} />
                <span>
                  {c.code} — {c.name}
                </span>
              </label>
            ))}
          </div>
          {errors.committees ? <p className="field__error">{errors.committees}</p> : null}
        </fieldset>

        <div className="form-row form-section">
          <Field label={t("newBallot.quorum")} name="quorum" type="number" defaultValue={text("quorum")} error={errors.quorum} hint={t("newBallot.quorumHint")} />
          <Field label={t("newBallot.opensAt", { zone })} name="opensAt" type="datetime-local" defaultValue={text("opensAt")} error={errors.opensAt} hint={t("newBallot.opensAtHint")} />
          <Field label={t("newBallot.closesAt", { zone })} name="closesAt" type="datetime-local" defaultValue={text("closesAt")} error={errors.closesAt} hint={t("newBallot.closesAtHint")} required />
        </div>

        <fieldset className="form-section">
          <legend>{t("newBallot.resultsVisible")}</legend>
          {(["live", "after-close"] as const).map((v) => (
            <label key={v} className="checkbox">
              <input type="radio" name="resultsVisible" value={v} defaultChecked={text("resultsVisible", "live") === v} />
              <span>{t(`resultsVisibleHelp.${v}`)}</span>
            </label>
          ))}
        </fieldset>

        <p className="muted small">{t("newBallot.frozenNote")}</p>
        <div className="button-row">
          <button type="submit" className="button" disabled={busy}>
            {t("newBallot.submit")}
          </button>
        </div>
      </Form>
    </>
  );
}
