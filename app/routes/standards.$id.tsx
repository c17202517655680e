import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getAuth, notFound } from "../auth/guards.server";
import { StandardProposals } from "../components/proposal-parts";
import { RuleCard } from "../components/rule-card";
import { StandardTabs } from "../components/standard-tabs";
import { Notice, PageHeader, StatusBadge } from "../components/ui";
import { documentSegments } from "../domain/document-view.server";
import { standardProposalsSection } from "../domain/proposals.server";
import { getDraft, getStandard } from "../domain/standards.server";
import { can } from "../policies/policy";
import { formatDateTime } from "../utils/format";
import type { loader as rootLoader } from "../root";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.standard.id} ${data.standard.title} · e-WTP` : "Standard · e-WTP" }];

export function loader({ request, params }: LoaderFunctionArgs) {
  const auth = getAuth(request);
  const standard = getStandard(params.id ?? "");
  // Not allowed to see it = it does not exist (no existence leaks).
  if (!standard || !can(auth?.actor ?? null, "standard.read", standard)) throw notFound();
  const draft = can(auth?.actor ?? null, "standard.readDraft", standard) ? getDraft(standard.id) : undefined;
  return {
    standard,
    canEdit: can(auth?.actor ?? null, "standard.editDraft", standard),
    draft: draft ? { hash: draft.hash, updatedAt: draft.updatedAt, segments: documentSegments(draft.markdown) } : null,
    proposals: standardProposalsSection(auth?.actor ?? null, standard),
  };
}

export default function StandardPage() {
  const { t } = useTranslation(["standards", "common", "editor"]);
  const { standard, draft, canEdit, proposals } = useLoaderData<typeof loader>();
  const locale = useRouteLoaderData<typeof rootLoader>("root")?.locale ?? "en";
  const ruleCount = draft?.segments.filter((s) => s.kind === "rule").length ?? 0;
  return (
    <>
      <PageHeader
        eyebrow={standard.id}
        title={standard.title}
        lead={standard.scope}
        actions={
          canEdit && draft ? (
            <Link className="button" to={`/standards/${standard.id}/edit`}>
              {t("editor:link.editDraft")}
            </Link>
          ) : undefined
        }
      />
      <StandardTabs id={standard.id} showDraftTabs={!!draft} />
      <div className="meta-row">
        <span>
          {t("detail.committee")}: <strong>{standard.committee}</strong>
        </span>
        <StatusBadge status={standard.status} label={t(`common:standardStatus.${standard.status}`)} />
        {draft ? <span>{t("detail.rules", { count: ruleCount })}</span> : null}
        {draft ? (
          <span>
            {t("detail.updated")}: {formatDateTime(draft.updatedAt, locale)}
          </span>
        ) : null}
      </div>
      {draft ? (
        <>
          <Notice tone="warning">{t("detail.draftNotice")}</Notice>
          <article className="document" aria-label={t("detail.textTab")}>
            {draft.segments.map((s, i) =>
              s.kind === "html" ? (
                <div key={i} dangerouslySetInnerHTML={{ __html: s.html }} />
              ) : s.kind === "rule" ? (
                <RuleCard key={i} rule={s.rule} />
              ) : (
                <Notice key={i} tone="error">
                  {t("detail.invalidRule", { error: s.error })}
                </Notice>
              ),
            )}
          </article>
          <p className="muted">
            {t("detail.hash")}: <code>{draft.hash}</code>
          </p>
        </>
      ) : null}
      {proposals ? <StandardProposals standardId={standard.id} {...proposals} /> : null}
    </>
  );
}
