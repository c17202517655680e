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
import { getStandardTranslation } from "../domain/standard-translations.server";
import { getDraft, getStandard } from "../domain/standards.server";
import { localeDirection, documentTitle } from "../i18n/i18n";
import { can } from "../policies/policy";
import { formatDateTime, languageName, sameLanguage } from "../utils/format";
import { localeFor } from "../utils/locale.server";
import type { loader as rootLoader } from "../root";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => [{ title: documentTitle(matches, "common:meta.standard", { id: data?.standard.id ?? "", title: data?.translation?.title ?? data?.standard.title ?? "" }) }];

export function loader({ request, params }: LoaderFunctionArgs) {
  const auth = getAuth(request);
  const standard = getStandard(params.id ?? "");
  // Not allowed to see it = it does not exist (no existence leaks).
  if (!standard || !can(auth?.actor ?? null, "standard.read", standard)) throw notFound();
  const draft = can(auth?.actor ?? null, "standard.readDraft", standard) ? getDraft(standard.id) : undefined;
  return {
    standard,
    translation: getStandardTranslation(standard.id, localeFor(request)),
    canEdit: can(auth?.actor ?? null, "standard.editDraft", standard),
    canTranslate: can(auth?.actor ?? null, "standard.translate"),
    draft: draft ? { hash: draft.hash, updatedAt: draft.updatedAt, segments: documentSegments(draft.markdown, { headingShift: 1 }) } : null,
    proposals: standardProposalsSection(auth?.actor ?? null, standard),
  };
}

export default function StandardPage() {
  const { t } = useTranslation(["standards", "common", "editor"]);
  const { standard, translation, draft, canEdit, canTranslate, proposals } = useLoaderData<typeof loader>();
  const locale = useRouteLoaderData<typeof rootLoader>("root")?.locale ?? "en";
  const ruleCount = draft?.segments.filter((s) => s.kind === "rule").length ?? 0;
  // The standard's own words are in its language: marked with `lang`/`dir`, never translated by the UI.
  const textLang = { lang: standard.language, dir: localeDirection(standard.language) } as const;
  const otherLanguage = !sameLanguage(standard.language, locale);
  return (
    <>
      <PageHeader
        eyebrow={standard.id}
        title={translation ? translation.title : <span {...textLang}>{standard.title}</span>}
        lead={translation ? translation.scope : <span {...textLang}>{standard.scope}</span>}
        actions={
          draft || canTranslate ? (
            <>
              {draft ? (
                <Link className="button" to={`/standards/${standard.id}/edit`}>
                  {canEdit ? t("editor:link.editDraft") : t("editor:link.watchDraft")}
                </Link>
              ) : null}
              {canTranslate ? (
                <Link className="button button--quiet" to={`/standards/${standard.id}/translations`}>
                  {t("translations.link")}
                </Link>
              ) : null}
            </>
          ) : undefined
        }
      />
      {translation ? (
        <p className="original-title">
          {t("detail.originalTitle")}: <cite {...textLang}>{standard.title}</cite>
        </p>
      ) : null}
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
          {otherLanguage ? <Notice tone="info">{t("detail.languageNote", { language: languageName(standard.language, locale) })}</Notice> : null}
          <article className="document" data-heading-shift="1" aria-label={t("detail.textTab")} {...textLang}>
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
