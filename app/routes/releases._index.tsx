/** Downloads: every published standard with its current release, for everyone (no sign-in). */
import type { LinksFunction, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ReleaseStatus, humanSize, releaseFileUrl, releasePath } from "../components/release-parts";
import { EmptyState, PageHeader } from "../components/ui";
import { currentReleases } from "../domain/release-pages.server";
import { documentTitle } from "../i18n/i18n";
import { useRootData } from "../root";
import styles from "../styles/releases.css?url";
import { formatDate } from "../utils/format";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "releases:meta.downloads") }];

/** The current release of every standard that has one. */
export function loader() {
  return { standards: currentReleases() };
}

/** The downloads page. */
export default function Downloads() {
  const { t } = useTranslation("releases");
  const { standards } = useLoaderData<typeof loader>();
  const { locale } = useRootData();
  return (
    <>
      <PageHeader eyebrow={t("downloads.eyebrow")} title={t("downloads.title")} lead={t("downloads.lead")} />
      <aside className="feeds" aria-labelledby="feeds-title">
        <h2 id="feeds-title">{t("downloads.feeds")}</h2>
        <p className="muted small">{t("downloads.feedsHint")}</p>
        <ul className="feeds__list">
          <li>
            <a href="/releases.atom" type="application/atom+xml">
              {t("downloads.atom")}
            </a>
          </li>
          <li>
            <a href="/api/v1/index.json" type="application/json">
              {t("downloads.index")}
            </a>
          </li>
          <li>
            <a href="/api/v1/keys" type="application/json">
              {t("downloads.keys")}
            </a>
          </li>
        </ul>
      </aside>
      {standards.length === 0 ? (
        <EmptyState title={t("downloads.none")}>{t("downloads.noneBody")}</EmptyState>
      ) : (
        <ul className="download-list" aria-label={t("downloads.caption")}>
          {standards.map((s) => (
            <li key={s.standardId} className="download-item" aria-labelledby={`dl-${s.standardId}`}>
              <div className="download-item__head">
                <h2 id={`dl-${s.standardId}`} className="download-item__title">
                  <Link to={releasePath(s.standardId, s.version)}>
                    <span className="download-item__id">{s.standardId}</span> <span>{s.title}</span>
                  </Link>
                </h2>
                <ReleaseStatus status={s.status} />
              </div>
              <dl className="download-item__facts">
                <div>
                  <dt>{t("downloads.version")}</dt>
                  <dd className="mono">{s.version}</dd>
                </div>
                <div>
                  <dt>{t("downloads.effective")}</dt>
                  <dd>{formatDate(s.effectiveFrom, locale)}</dd>
                </div>
                <div>
                  <dt>{t("downloads.published")}</dt>
                  <dd>{formatDate(s.publishedAt, locale)}</dd>
                </div>
              </dl>
              <p className="download-item__files">
                <span className="visually-hidden">{t("downloads.files")}: </span>
                {s.files.map((f) => (
                  <a key={f.name} href={releaseFileUrl(s.standardId, s.version, f.name)} className="file-chip" download={f.name}>
                    <span className="mono">{f.name}</span> <span className="muted">{humanSize(f.length, locale)}</span>
                  </a>
                ))}
              </p>
              <p className="download-item__links">
                <Link to={releasePath(s.standardId, s.version)} className="button button--small">
                  {t("downloads.open")}
                </Link>{" "}
                <Link to={`/standards/${encodeURIComponent(s.standardId)}/releases`}>{t("downloads.allReleases", { count: s.count })}</Link>
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
