/** A standard's releases, newest first; for the secretariat, the form that publishes an approved revision. */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { forbidden, getAuth, notFound, requireUser } from "../auth/guards.server";
import { ReleaseTable, RuleChangeList, releasePath } from "../components/release-parts";
import { StandardTabs } from "../components/standard-tabs";
import { EmptyState, Field, Notice, PageHeader } from "../components/ui";
import { hasReleases, publishableRevisions, releasesOf, type PublishableRevision } from "../domain/release-pages.server";
import { RELEASE_VERSION } from "../domain/release-version";
import { publishRelease } from "../domain/releases.server";
import { getStandard } from "../domain/standards.server";
import { documentTitle } from "../i18n/i18n";
import { can, type Actor } from "../policies/policy";
import { useRootData } from "../root";
import styles from "../styles/releases.css?url";
import { PortalError } from "../utils/errors";
import { parseForm } from "../utils/forms";
import { formatDate } from "../utils/format";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** The browser tab's title. */
export const meta: MetaFunction<typeof loader> = ({ matches, data }) => [{ title: documentTitle(matches, "releases:meta.standardReleases", { id: data?.standard.id ?? "" }) }];

/** The standard, when the reader may see it or it has a release (releases are public). */
function readable(actor: Actor | null, id: string | undefined) {
  const standard = getStandard(id ?? "");
  if (!standard || !(can(actor, "standard.read", standard) || hasReleases(standard.id))) throw notFound();
  return standard;
}

/** The releases, and for the secretariat the revisions ready to publish. */
export function loader({ request, params }: LoaderFunctionArgs) {
  const actor = getAuth(request)?.actor ?? null;
  const standard = readable(actor, params.id);
  const canPublish = can(actor, "release.publish");
  return {
    standard: { id: standard.id, title: standard.title },
    seesDrafts: can(actor, "standard.readDraft", standard),
    releases: releasesOf(standard.id),
    canPublish,
    publishable: canPublish ? publishableRevisions(standard.id) : [],
  };
}

const PublishForm = z.object({
  revision: z.string({ error: "publish.chooseRevision" }).regex(/^[0-9]{2,3}$/, "publish.chooseRevision"),
  version: z.string().trim().regex(RELEASE_VERSION, "publish.invalidVersion").optional().or(z.literal("").transform(() => undefined)),
  effectiveFrom: z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, "publish.invalidDate").optional().or(z.literal("").transform(() => undefined)),
});

/** Publishes the chosen approved revision, then shows its release page; a refusal is shown in the form. */
export async function action({ request, params }: ActionFunctionArgs) {
  const auth = requireUser(request);
  const standard = readable(auth.actor, params.id);
  if (!can(auth.actor, "release.publish")) throw forbidden();
  const parsed = parseForm(await request.formData(), PublishForm);
  if (!parsed.ok) return data({ errors: parsed.errors, values: parsed.values, message: null as string | null }, { status: 400 });
  try {
    const published = publishRelease({ standardId: standard.id, ...parsed.data }, auth.actor);
    throw redirect(releasePath(standard.id, published.signed.version));
  } catch (err) {
    if (err instanceof PortalError) {
      const fields = Object.fromEntries(Object.entries(err.fields ?? {}).map(([k, v]) => [k, `|${v}`]));
      return data({ errors: fields, values: { ...parsed.data } as Record<string, string>, message: err.message }, { status: err.status });
    }
    throw err;
  }
}

/** The releases tab. */
export default function StandardReleases() {
  const { t } = useTranslation(["releases", "standards"]);
  const d = useLoaderData<typeof loader>();
  const { locale } = useRootData();
  return (
    <>
      <PageHeader eyebrow={d.standard.id} title={d.standard.title} />
      <StandardTabs id={d.standard.id} showDraftTabs={d.seesDrafts} />
      <section aria-labelledby="releases-title" className="release-section">
        <h2 id="releases-title">{t("list.title")}</h2>
        <p className="muted measure">{t("list.lead")}</p>
        {d.releases.length ? (
          <ReleaseTable releases={d.releases} locale={locale} caption={t("list.caption", { id: d.standard.id })} />
        ) : (
          <EmptyState title={t("list.none")}>{d.canPublish ? t("list.noneAdmin") : t("list.noneBody")}</EmptyState>
        )}
      </section>
      {d.canPublish ? <PublishSection standardId={d.standard.id} revisions={d.publishable} locale={locale} /> : null}
    </>
  );
}

/** A field error from the action: a message key of ours, or "|" and the domain's own message. */
function useFieldError() {
  const { t } = useTranslation("releases");
  return (value: string | undefined) => (value === undefined ? undefined : value.startsWith("|") ? value.slice(1) : t(value));
}

/** The secretariat's form: choose an approved revision; the version is pre-filled with the suggested bump and why. */
function PublishSection({ standardId, revisions, locale }: { standardId: string; revisions: PublishableRevision[]; locale: string }) {
  const { t } = useTranslation("releases");
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const fieldError = useFieldError();
  const initial = revisions.find((r) => r.number === result?.values?.revision) ?? revisions[0];
  // Uncontrolled fields (what was typed before hydration stays); choosing another revision re-mounts
  // the version field (its key) with that revision's suggested version.
  const [chosen, setChosen] = useState(initial?.number ?? "");
  const revision = revisions.find((r) => r.number === chosen) ?? initial;
  const versionDefault = chosen === initial?.number ? (result?.values?.version ?? initial?.version ?? "") : (revision?.version ?? "");
  return (
    <section aria-labelledby="publish-title" className="card publish-card">
      <h2 id="publish-title">{t("publish.title")}</h2>
      <p className="muted measure">{t("publish.lead")}</p>
      {result?.message ? <Notice tone="error">{result.message}</Notice> : null}
      {!revision ? (
        <EmptyState title={t("publish.noApproved")}>{t("publish.noApprovedBody")}</EmptyState>
      ) : (
        <Form method="post" className="stack publish-form">
          <Field label={t("publish.revision")} name="revision" hint={t("publish.revisionHint")} error={fieldError(result?.errors?.revision)}>
            <select id="field-revision" name="revision" defaultValue={initial?.number} onChange={(e) => setChosen(e.target.value)} aria-describedby="field-revision-hint">
              {revisions.map((r) => (
                <option key={r.number} value={r.number}>
                  {t("publish.revisionOption", { number: r.number, date: formatDate(r.approvedAt, locale) })}
                </option>
              ))}
            </select>
          </Field>
          <p className="muted">{t("publish.conformance", { passed: revision.passed, failed: revision.failed })}</p>
          {revision.blockers.length ? (
            <Notice tone="warning" title={t("publish.blocked")}>
              <ul className="plain-list">
                {revision.blockers.map((b) => (
                  <li key={b}>{b}</li>
                ))}
              </ul>
            </Notice>
          ) : null}
          <Field label={t("publish.version")} name="version" hint={t("publish.versionHint")} error={fieldError(result?.errors?.version)}>
            <input
              key={chosen}
              id="field-version"
              name="version"
              defaultValue={versionDefault}
              inputMode="decimal"
              autoComplete="off"
              aria-describedby="field-version-hint publish-why"
              aria-invalid={result?.errors?.version ? true : undefined}
            />
          </Field>
          <div className="publish-why" id="publish-why">
            <p className="publish-why__title">{t("publish.why", { version: revision.version })}</p>
            {revision.previous ? (
              <>
                <p>{t(`publish.bump.${revision.bump}`, { previous: revision.previous })}</p>
                {revision.changes.rules.added.length + revision.changes.rules.removed.length + revision.changes.rules.changed.length ? <RuleChangeList rules={revision.changes.rules} /> : null}
              </>
            ) : (
              <p>{t("publish.firstRelease", { id: standardId, version: revision.version })}</p>
            )}
          </div>
          <Field
            label={t("publish.effectiveFrom")}
            name="effectiveFrom"
            type="date"
            hint={t("publish.effectiveHint")}
            defaultValue={result?.values?.effectiveFrom}
            error={fieldError(result?.errors?.effectiveFrom)}
          />
          <div>
            <button type="submit" className="button" disabled={navigation.state === "submitting"}>
              {t("publish.submit")}
            </button>
          </div>
        </Form>
      )}
    </section>
  );
}
