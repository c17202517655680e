import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { STANDARD_STATUSES } from "../../db/vocabulary";
import { getAuth, notFound, requireUser, forbidden } from "../auth/guards.server";
import { StandardTabs } from "../components/standard-tabs";
import { EmptyState, Notice, PageHeader, StatusBadge } from "../components/ui";
import { getDraftView } from "../domain/drafts.server";
import { nextStatuses } from "../domain/lifecycle";
import { freezeRevision, getRevision, listRevisions } from "../domain/revisions.server";
import { changeStatus, getStandard, statusHistory } from "../domain/standards.server";
import { can } from "../policies/policy";
import { PortalError } from "../utils/errors";
import { formatDateTime } from "../utils/format";
import type { loader as rootLoader } from "../root";
import { documentTitle } from "../i18n/i18n";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => [{ title: documentTitle(matches, "common:meta.revisions", { id: data?.standard.id ?? "" }) }];

function readable(request: Request, id: string | undefined) {
  const auth = getAuth(request);
  const standard = getStandard(id ?? "");
  if (!standard || !can(auth?.actor ?? null, "standard.read", standard)) throw notFound();
  return { auth, standard };
}

export function loader({ request, params }: LoaderFunctionArgs) {
  const { auth, standard } = readable(request, params.id);
  const actor = auth?.actor ?? null;
  const seesDrafts = can(actor, "standard.readDraft", standard);
  const revisions = seesDrafts
    ? listRevisions(standard.id)
        .reverse()
        .map((r) => {
          const full = getRevision(standard.id, r.number)!;
          return { ...r, passed: full.conformance.passed, failed: full.conformance.failed, rules: full.ruleset.rules.length };
        })
    : [];
  const draft = seesDrafts ? getDraftView(standard.id) : undefined;
  return {
    standard,
    seesDrafts,
    revisions,
    draft: draft ? { hash: draft.hash, passed: draft.conformance.passed, failed: draft.conformance.failed, ruleErrors: draft.ruleErrors.length } : null,
    canFreeze: can(actor, "standard.freezeRevision", standard),
    transitions: can(actor, "standard.changeStatus", standard) && auth ? nextStatuses(standard.status, "manual", auth.user.role) : [],
    history: seesDrafts ? statusHistory(standard.id) : [],
  };
}

const StatusSchema = z.object({ to: z.enum(STANDARD_STATUSES), reason: z.string().trim().max(2000).optional() });

export async function action({ request, params }: ActionFunctionArgs) {
  const auth = requireUser(request);
  const standard = getStandard(params.id ?? "");
  if (!standard || !can(auth.actor, "standard.read", standard)) throw notFound();
  const form = await request.formData();
  const intent = form.get("intent");
  try {
    if (intent === "freeze") {
      if (!can(auth.actor, "standard.freezeRevision", standard)) throw forbidden();
      const revision = freezeRevision({ standardId: standard.id, actorId: auth.user.id });
      return { ok: true as const, message: { key: "revisions.frozen", number: revision.number } };
    }
    if (intent === "status") {
      if (!can(auth.actor, "standard.changeStatus", standard)) throw forbidden();
      const parsed = StatusSchema.safeParse({ to: form.get("to"), reason: form.get("reason") || undefined });
      if (!parsed.success) return data({ ok: false as const, error: "Choose a status." }, { status: 400 });
      changeStatus({ standardId: standard.id, to: parsed.data.to, reason: parsed.data.reason, actorId: auth.user.id, role: auth.user.role });
      return { ok: true as const, message: { key: "revisions.statusChanged", number: parsed.data.to } };
    }
    return data({ ok: false as const, error: "Unknown action." }, { status: 400 });
  } catch (err) {
    if (err instanceof PortalError) return data({ ok: false as const, error: err.message }, { status: err.status });
    throw err;
  }
}

export default function Revisions() {
  const { t } = useTranslation(["standards", "common"]);
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const locale = useRouteLoaderData<typeof rootLoader>("root")?.locale ?? "en";
  const latest = d.revisions[0]?.number;
  const previous = d.revisions[1]?.number;
  return (
    <>
      <PageHeader eyebrow={d.standard.id} title={d.standard.title} />
      <StandardTabs id={d.standard.id} showDraftTabs={d.seesDrafts} />
      {result && "error" in result ? <Notice tone="error">{result.error}</Notice> : null}
      {result && "message" in result ? (
        <Notice tone="success">{t(result.message.key, { number: result.message.number, status: t(`common:standardStatus.${result.message.number}`, { defaultValue: result.message.number }) })}</Notice>
      ) : null}
      {!d.seesDrafts ? (
        <EmptyState title={t("revisions.publicTitle")}>{t("revisions.publicBody")}</EmptyState>
      ) : (
        <div className="grid grid--2 revisions-layout">
          <section className="card" aria-labelledby="freeze-title">
            <h2 id="freeze-title">{t("revisions.draftTitle")}</h2>
            {d.draft ? (
              <dl className="definition-list">
                <dt>{t("revisions.hash")}</dt>
                <dd>
                  <code className="hash">{d.draft.hash.slice(0, 16)}…</code>
                </dd>
                <dt>{t("revisions.examples")}</dt>
                <dd>{t("revisions.passFail", { passed: d.draft.passed, failed: d.draft.failed })}</dd>
              </dl>
            ) : null}
            {d.draft && d.draft.ruleErrors > 0 ? <Notice tone="warning">{t("revisions.ruleErrors", { count: d.draft.ruleErrors })}</Notice> : null}
            {d.canFreeze ? (
              <Form method="post">
                <input type="hidden" name="intent" value="freeze" />
                <p className="muted">{t("revisions.freezeHint")}</p>
                <button type="submit" className="button">
                  {t("revisions.freeze")}
                </button>
              </Form>
            ) : null}
          </section>
          <section className="card" aria-labelledby="status-title">
            <h2 id="status-title">{t("revisions.statusTitle")}</h2>
            <p>
              <StatusBadge status={d.standard.status} label={t(`common:standardStatus.${d.standard.status}`)} />
            </p>
            {d.transitions.length ? (
              <Form method="post" className="stack">
                <input type="hidden" name="intent" value="status" />
                <div className="field">
                  <label htmlFor="to">{t("revisions.moveTo")}</label>
                  <select id="to" name="to">
                    {d.transitions.map((s) => (
                      <option key={s} value={s}>
                        {t(`common:standardStatus.${s}`)}
                      </option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor="reason">{t("revisions.reason")}</label>
                  <input id="reason" name="reason" maxLength={2000} />
                </div>
                <button type="submit" className="button button--quiet">
                  {t("revisions.changeStatus")}
                </button>
              </Form>
            ) : (
              <p className="muted">{t("revisions.noTransitions")}</p>
            )}
            {d.history.length ? (
              <ul className="history">
                {d.history.map((h) => (
                  <li key={h.id}>
                    {formatDateTime(h.at, locale)}: {h.fromStatus ? t(`common:standardStatus.${h.fromStatus}`) : "—"}{" "}
                    <span className="flip-rtl">
                      →
                    </span>{" "}
                    {t(`common:standardStatus.${h.toStatus}`)}
                    {h.reason ? ` (${h.reason})` : ""}
                  </li>
                ))}
              </ul>
            ) : null}
          </section>
        </div>
      )}
      {d.seesDrafts ? (
        <section aria-labelledby="revisions-title">
          <h2 id="revisions-title">{t("revisions.title")}</h2>
          {d.revisions.length === 0 ? (
            <EmptyState title={t("revisions.none")}>{t("revisions.noneBody")}</EmptyState>
          ) : (
            <>
              {latest && previous ? (
                <p>
                  <a className="button button--quiet" href={`/standards/${d.standard.id}/diff?from=${previous}&to=${latest}`}>
                    {t("revisions.compareLatest", { from: previous, to: latest })}
                  </a>
                </p>
              ) : null}
              <div className="table-wrap">
                <table className="data">
                  <thead>
                    <tr>
                      <th scope="col">{t("revisions.number")}</th>
                      <th scope="col">{t("revisions.frozenAt")}</th>
                      <th scope="col">{t("revisions.hash")}</th>
                      <th scope="col">{t("revisions.examples")}</th>
                      <th scope="col">{t("revisions.compare")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.revisions.map((r, i) => (
                      <tr key={r.number}>
                        <td>
                          <strong>{r.number}</strong>
                        </td>
                        <td>{formatDateTime(r.createdAt, locale)}</td>
                        <td>
                          <code className="hash" title={r.hash}>
                            {r.hash.slice(0, 12)}…
                          </code>
                        </td>
                        <td>
                          {t("revisions.passFail", { passed: r.passed, failed: r.failed })}
                        </td>
                        <td>
                          <a href={`/standards/${d.standard.id}/diff?from=${r.number}&to=draft`}>{t("revisions.againstDraft")}</a>
                          {d.revisions[i + 1] ? (
                            <>
                              {" · "}
                              <a href={`/standards/${d.standard.id}/diff?from=${d.revisions[i + 1].number}&to=${r.number}`}>{t("revisions.againstPrevious")}</a>
                            </>
                          ) : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </section>
      ) : null}
    </>
  );
}
