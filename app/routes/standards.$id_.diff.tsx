import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { getAuth, notFound } from "../auth/guards.server";
import { RedlineView } from "../components/redline-view";
import { StandardTabs } from "../components/standard-tabs";
import { Notice, PageHeader } from "../components/ui";
import { diffRevisions, listRevisions } from "../domain/revisions.server";
import { getStandard } from "../domain/standards.server";
import { can } from "../policies/policy";
import { PortalError } from "../utils/errors";
import { documentTitle } from "../i18n/i18n";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => [{ title: documentTitle(matches, "common:meta.redline", { id: data?.standard.id ?? "" }) }];

const Point = z.string().regex(/^(draft|[0-9]{2,3})$/);

export function loader({ request, params }: LoaderFunctionArgs) {
  const auth = getAuth(request);
  const standard = getStandard(params.id ?? "");
  if (!standard || !can(auth?.actor ?? null, "standard.readDraft", standard)) throw notFound();
  const url = new URL(request.url);
  const revisions = listRevisions(standard.id).map((r) => r.number);
  const from = Point.safeParse(url.searchParams.get("from")).data ?? revisions.at(-2) ?? revisions.at(-1) ?? "draft";
  const to = Point.safeParse(url.searchParams.get("to")).data ?? "draft";
  try {
    return { standard, revisions, from, to, diff: diffRevisions({ standardId: standard.id, from, to }), error: null };
  } catch (err) {
    if (err instanceof PortalError) return { standard, revisions, from, to, diff: null, error: err.message };
    throw err;
  }
}

export default function Redline() {
  const { t } = useTranslation("standards");
  const d = useLoaderData<typeof loader>();
  const points = [...d.revisions, "draft"];
  const label = (p: string) => (p === "draft" ? t("diff.draft") : t("diff.revision", { number: p }));
  return (
    <>
      <PageHeader eyebrow={d.standard.id} title={t("diff.title")} lead={t("diff.lead", { from: label(d.from), to: label(d.to) })} />
      <StandardTabs id={d.standard.id} />
      <Form method="get" className="filters">
        <div className="field">
          <label htmlFor="from">{t("diff.from")}</label>
          <select id="from" name="from" defaultValue={d.from}>
            {points.map((p) => (
              <option key={p} value={p}>
                {label(p)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="to">{t("diff.to")}</label>
          <select id="to" name="to" defaultValue={d.to}>
            {points.map((p) => (
              <option key={p} value={p}>
                {label(p)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          {t("diff.compare")}
        </button>
      </Form>
      {d.error ? <Notice tone="error">{d.error}</Notice> : null}
      {d.diff ? (
        <>
          <p className="muted">{t("diff.bump", { bump: d.diff.suggestedBump })}</p>
          <RedlineView hunks={d.diff.text} rules={d.diff.rules} />
        </>
      ) : null}
    </>
  );
}
