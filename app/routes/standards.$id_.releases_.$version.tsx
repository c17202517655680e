/** One release of a standard, for everyone: its files and how to verify them, what changed, its rules (to try) and its text. */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { notFound } from "../auth/guards.server";
import { BreakingBadge, CopyField, ReleaseFiles, ReleaseSection, ReleaseStatus, RuleChangeList, TryResults, releaseFileUrl, releasePath } from "../components/release-parts";
import { RedlineView } from "../components/redline-view";
import { RuleCard } from "../components/rule-card";
import { Notice, PageHeader } from "../components/ui";
import { MAX_EVALUATE_BODY_BYTES } from "../domain/release-evaluation";
import { releasePage, tryRules, type TryResult } from "../domain/release-pages.server";
import { releaseRules } from "../domain/releases.server";
import { documentTitle } from "../i18n/i18n";
import { useRootData } from "../root";
import styles from "../styles/releases.css?url";
import { env } from "../utils/env.server";
import { formatDate, formatDateTime } from "../utils/format";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** The browser tab's title. */
export const meta: MetaFunction<typeof loader> = ({ matches, data }) => [
  { title: documentTitle(matches, "releases:meta.release", { id: data?.standard.id ?? "", version: data?.release.version ?? "" }) },
];

/** The release (404 for an unknown standard or version: a release is public, so nothing else hides it). */
export function loader({ params }: LoaderFunctionArgs) {
  const page = releasePage(params.id ?? "", params.version ?? "");
  if (!page) throw notFound();
  return { ...page, portalUrl: env().publicUrl };
}

/** The answer to "try the rules": the input as typed, and either an error (a message key, "|" and a detail) or the results. */
type TryAnswer = { input: string; error: string | null; results: TryResult[] | null };

/** "Try the rules": evaluates the posted JSON input against the release's rules (the same engine as the evaluate endpoint). */
export async function action({ request, params }: ActionFunctionArgs) {
  const standardId = params.id ?? "";
  const version = params.version ?? "";
  const rules = releaseRules(standardId, version);
  if (!rules) throw notFound();
  const form = await request.formData();
  const raw = form.get("input");
  const input = typeof raw === "string" ? raw : "";
  const refuse = (error: string) => data<TryAnswer>({ input, error, results: null }, { status: 400 });
  if (!input.trim()) return refuse("try.empty");
  if (Buffer.byteLength(input, "utf8") > MAX_EVALUATE_BODY_BYTES) return refuse("try.tooLarge");
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch (err) {
    return refuse(`try.invalidJson|${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return refuse("try.notObject");
  const tried = tryRules(rules, parsed);
  if (!tried.ok) return refuse(`try.refused|${tried.message}`);
  return data<TryAnswer>({ input, error: null, results: tried.results });
}

/** The release page. */
export default function ReleasePageView() {
  const { t } = useTranslation(["releases", "standards"]);
  const d = useLoaderData<typeof loader>();
  const tried = useActionData<typeof action>();
  const navigation = useNavigation();
  const { locale } = useRootData();
  const { standard, release } = d;
  const superseded = release.status === "superseded";
  const ruleSegments = new Map(d.rules.map((r) => [r.id, r]));
  const [errorKey, errorDetail] = (tried?.error ?? "").split("|");
  const verifyCommand = d.indexKeyId ? `npm run portal -- verify --from ${d.portalUrl} --root-key ${d.indexKeyId}` : "";
  const sumCommand = `curl -sO ${d.portalUrl}${releaseFileUrl(standard.id, release.version, "ruleset.json")}\nsha256sum ruleset.json`;
  const sections = [
    ["downloads", t("files.title")],
    ["verify", t("verify.title")],
    ["changes", t("changes.title")],
    ["try", t("try.title")],
    ["rules", t("rules.title")],
    ["text", t("text.title")],
  ] as const;

  return (
    <>
      <PageHeader
        eyebrow={
          <>
            <Link to={`/standards/${standard.id}/releases`}>{standard.id}</Link> · {t("release.versionTitle", { version: release.version })}
          </>
        }
        title={standard.title}
      />
      {superseded && d.currentVersion ? (
        <Notice tone="warning">
          {t("release.supersededBy", { version: d.currentVersion })} <Link to={releasePath(standard.id, d.currentVersion)}>{t("release.goCurrent")}</Link>
        </Notice>
      ) : null}
      <dl className="release-facts">
        <div>
          <dt>{t("list.version")}</dt>
          <dd className="release-facts__version">{release.version}</dd>
        </div>
        <div>
          <dt>{t("release.status")}</dt>
          <dd>
            <ReleaseStatus status={release.status} />
          </dd>
        </div>
        <div>
          <dt>{t("release.published")}</dt>
          <dd>{formatDateTime(release.publishedAt, locale)}</dd>
        </div>
        <div>
          <dt>{t("release.effective")}</dt>
          <dd>{formatDate(release.effectiveFrom, locale)}</dd>
        </div>
        <div>
          <dt>{t("release.supersedes")}</dt>
          <dd>{release.supersedes ? <Link to={releasePath(standard.id, release.supersedes)}>{release.supersedes}</Link> : t("release.nothing")}</dd>
        </div>
        <div>
          <dt>{t("release.revision")}</dt>
          <dd>{release.revision}</dd>
        </div>
        <div>
          <dt>{t("release.ballot")}</dt>
          <dd>
            <Link to={`/ballots/${release.ballotId}`}>{t("release.ballotLink")}</Link>
          </dd>
        </div>
      </dl>

      <nav className="release-contents" aria-label={t("release.contents")}>
        <ul>
          {sections.map(([id, label]) => (
            <li key={id}>
              <a href={`#${id}`}>{label}</a>
            </li>
          ))}
        </ul>
      </nav>

      <ReleaseSection id="downloads" title={t("files.title")}>
        <ReleaseFiles standardId={standard.id} version={release.version} files={d.files} locale={locale} />
        <div className="release-manifest">
          <h3>{t("files.manifest")}</h3>
          <p className="muted">
            <a href={releaseFileUrl(standard.id, release.version, "manifest.json")} className="mono">
              {t("files.manifestLink")}
            </a>{" "}
            — {t("files.manifestHint")}
          </p>
          <CopyField value={release.manifestSha256} label={t("files.sha256Label", { name: "manifest.json" })} kind="hash" />
        </div>
      </ReleaseSection>

      <ReleaseSection id="verify" title={t("verify.title")} lead={t("verify.lead")}>
        {d.indexKeyId ? (
          <>
            <p>{t("verify.all")}</p>
            <CopyField value={verifyCommand} label={t("verify.title")} />
            <p className="muted small">
              {t("verify.rootKey")}{" "}
              <code className="hash">{d.indexKeyId}</code>
            </p>
            <p className="muted small">{t("verify.mirror")}</p>
          </>
        ) : (
          <p className="muted">{t("verify.noKey")}</p>
        )}
        <p>{t("verify.single")}</p>
        <CopyField value={sumCommand} label={t("verify.single")} />
        <p className="muted small">{t("verify.singleHint")}</p>
      </ReleaseSection>

      <ReleaseSection id="changes" title={t("changes.title")}>
        {!release.supersedes || !d.changes ? (
          <p>{t("changes.first")}</p>
        ) : (
          <>
            <p className="release-changes__head">
              {t("changes.against", { previous: release.supersedes })} <BreakingBadge breaking={d.changes.breaking} />{" "}
              <span className="muted">{t("changes.suggested", { bump: t(`changes.bumpName.${d.changes.suggestedBump}`) })}</span>
            </p>
            {d.changes.rules.added.length + d.changes.rules.removed.length + d.changes.rules.changed.length === 0 ? (
              <p className="muted">{t("changes.noRuleChanges", { previous: release.supersedes })}</p>
            ) : (
              <RuleChangeList rules={d.changes.rules} />
            )}
            {d.textChanges ? (
              <details className="release-diff">
                <summary>{t("changes.textDiff", { previous: release.supersedes })}</summary>
                <RedlineView hunks={d.textChanges} rules={d.changes.rules} />
              </details>
            ) : null}
            <p className="small">
              <a href={`/api/v1/standards/${encodeURIComponent(standard.id)}/releases/diff?from=${encodeURIComponent(release.supersedes)}&to=${encodeURIComponent(release.version)}`}>
                {t("changes.apiDiff")}
              </a>
            </p>
          </>
        )}
      </ReleaseSection>

      <ReleaseSection id="try" title={t("try.title")} lead={t("try.lead", { version: release.version })}>
        <Form method="post" className="try-form" preventScrollReset>
          <div className={`field${tried?.error ? " field--error" : ""}`}>
            <label htmlFor="try-input">{t("try.input")}</label>
            <p className="field__hint" id="try-input-hint">
              {t("try.inputHint")}
            </p>
            <textarea
              id="try-input"
              name="input"
              className="try-form__input"
              rows={Math.min(24, Math.max(6, (tried?.input ?? d.exampleInput).split("\n").length + 1))}
              spellCheck={false}
              defaultValue={tried?.input ?? d.exampleInput}
              key={tried?.input ?? "example"}
              aria-invalid={tried?.error ? true : undefined}
              aria-describedby={`try-input-hint${tried?.error ? " try-input-error" : ""}`}
            />
            {tried?.error ? (
              <p className="field__error" id="try-input-error" role="alert">
                {t(errorKey, { message: errorDetail ?? "" })}
              </p>
            ) : null}
          </div>
          <button type="submit" className="button" disabled={navigation.state === "submitting"}>
            {t("try.submit")}
          </button>
        </Form>
        {tried?.results ? <TryResults results={tried.results} version={release.version} /> : null}
      </ReleaseSection>

      <ReleaseSection id="rules" title={t("rules.title")} lead={d.rules.length ? t("rules.lead") : undefined}>
        {d.rules.length ? (
          <>
            <p className="muted">{t("rules.count", { count: d.rules.length })}</p>
            <div className="release-rules">
              {d.rules.map((rule) => (
                <div key={rule.id} id={`rule-${rule.id}`} className="release-rules__item">
                  <RuleCard rule={rule} />
                </div>
              ))}
            </div>
          </>
        ) : (
          <p className="muted">{t("rules.none")}</p>
        )}
      </ReleaseSection>

      <ReleaseSection id="text" title={t("text.title")}>
        <article className="document release-document" data-heading-shift="2" aria-label={t("text.title")}>
          {d.segments.map((s, i) =>
            s.kind === "html" ? (
              <div key={i} dangerouslySetInnerHTML={{ __html: s.html }} />
            ) : s.kind === "rule" ? (
              <p key={i} className="release-rule-ref">
                <a href={`#rule-${s.rule.id}`}>{t("text.ruleRef", { id: s.rule.id, title: ruleSegments.get(s.rule.id)?.title ?? s.rule.title })}</a>
              </p>
            ) : (
              <pre key={i}>{s.source}</pre>
            ),
          )}
        </article>
      </ReleaseSection>
    </>
  );
}
