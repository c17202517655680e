/** A proposal: its title, rationale and state, the redline against its base, its text, its comments, and the steps the reader may take (submit, withdraw, apply — and resolve conflicts when applying overlaps). */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useRouteLoaderData } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { notFound, requireUser } from "../auth/guards.server";
import { CommentCard } from "../components/comment-parts";
import { AmendsLine, ConflictResolver, LifecycleIndicator, ProposalStateBadge, type ConflictView } from "../components/proposal-parts";
import { RedlineView } from "../components/redline-view";
import { RuleCard } from "../components/rule-card";
import { Notice, PageHeader } from "../components/ui";
import { listComments } from "../domain/comments.server";
import { applyProposal, getProposalPage, MergeConflictError, submitProposal, withdrawProposal, type ApplyResolution } from "../domain/proposals.server";
import { conflictChanges } from "../domain/merge";
import { documentTitle } from "../i18n/i18n";
import type { loader as rootLoader } from "../root";
import styles from "../styles/proposals.css?url";
import { PortalError } from "../utils/errors";
import { formatDate } from "../utils/format";

/** The proposal pages' stylesheet. */
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** The browser tab's title. */
export const meta: MetaFunction<typeof loader> = ({ data: d, matches }) => [
  { title: documentTitle(matches, "proposals:meta.detail", { id: d?.proposal.id ?? "", title: d?.proposal.title ?? "" }) },
];

/** The proposal page's data; 404 for a proposal the caller may not read (sign-in first for the public). */
export function loader({ request, params }: LoaderFunctionArgs) {
  const { actor } = requireUser(request);
  try {
    const page = getProposalPage({ id: params.id ?? "", actor });
    return { ...page, comments: listComments({ actor, proposalId: page.proposal.id }) };
  } catch (err) {
    if (err instanceof PortalError && err.code === "not_found") throw notFound();
    throw err;
  }
}

type Result =
  | { ok: true; intent: "submit" | "withdraw" | "apply"; revision?: { standardId: string; number: string } }
  | { ok: false; intent: string; message: string; conflicts?: ConflictView[]; draftHash?: string; stale?: boolean };

/** The settlements an editor chose in the conflict form: one per conflict index listed in the form. */
function resolutionsFrom(form: FormData): ApplyResolution[] {
  return form.getAll("conflict").flatMap((raw): ApplyResolution[] => {
    const index = Number(raw);
    if (!Number.isInteger(index) || index < 0) return [];
    const choice = form.get(`resolution-${index}`);
    if (choice === "ours" || choice === "theirs") return [{ index, take: choice }];
    if (choice === "custom") return [{ index, markdown: String(form.get(`text-${index}`) ?? "") }];
    return [];
  });
}

/** Submit, withdraw or apply; an apply that overlaps answers with the conflicts to resolve. */
export async function action({ request, params }: ActionFunctionArgs) {
  const { actor } = requireUser(request);
  const id = params.id ?? "";
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  try {
    if (intent === "submit") {
      submitProposal({ id, actor });
      return data<Result>({ ok: true, intent });
    }
    if (intent === "withdraw") {
      withdrawProposal({ id, actor, reason: String(form.get("reason") ?? "").slice(0, 1000) || undefined });
      return data<Result>({ ok: true, intent });
    }
    if (intent === "apply") {
      const draftHash = String(form.get("draftHash") ?? "") || undefined;
      const applied = applyProposal({ id, actor, draftHash, resolutions: resolutionsFrom(form) });
      return data<Result>({ ok: true, intent, revision: { standardId: applied.revision.standardId, number: applied.revision.number } });
    }
    return data<Result>({ ok: false, intent, message: "Unknown action." }, { status: 400 });
  } catch (err) {
    if (err instanceof MergeConflictError) {
      const stale = !!form.get("draftHash") && form.get("draftHash") !== err.draftHash;
      const conflicts = err.conflicts.map((c) => ({ ...c, changes: conflictChanges(c) }));
      return data<Result>({ ok: false, intent, message: err.message, conflicts, draftHash: err.draftHash, stale }, { status: 409 });
    }
    if (err instanceof PortalError) {
      if (err.code === "not_found") throw notFound();
      return data<Result>({ ok: false, intent, message: err.message }, { status: err.status });
    }
    throw err;
  }
}

/** The proposal page. */
export default function ProposalPage() {
  const { t } = useTranslation(["proposals", "standards", "comments"]);
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const locale = useRouteLoaderData<typeof rootLoader>("root")?.locale ?? "en";
  const p = page.proposal;
  const conflicts = result && !result.ok && result.conflicts?.length ? result : null;

  return (
    <>
      <PageHeader
        eyebrow={`${p.id} · ${t(`kind.${p.kind}`)}`}
        title={p.title}
        lead={
          p.kind === "amendment" && p.standardId && p.baseRevision ? (
            <AmendsLine standardId={p.standardId} title={page.standardTitle ?? ""} revision={p.baseRevision} />
          ) : p.standardId ? (
            <Trans ns="proposals" i18nKey="detail.createdStandard" values={{ id: p.standardId }} components={[<Link key="s" to={`/standards/${p.standardId}`} />]} />
          ) : (
            t("detail.newStandard", { committee: p.committee })
          )
        }
        actions={
          page.can.edit ? (
            <Link className="button" to={`/proposals/${p.id}/edit`}>
              {t("detail.edit")}
            </Link>
          ) : undefined
        }
      />
      <div className="meta-row">
        <ProposalStateBadge state={p.state} />
        <span>{t("detail.by", { name: p.createdBy.name, date: formatDate(p.createdAt, locale) })}</span>
        <span className="code-tag">{p.committee}</span>
      </div>
      <LifecycleIndicator state={p.state} stoppedAt={page.stoppedAt} />

      {result?.ok ? (
        <Notice tone="success">
          {result.intent === "apply" && result.revision ? (
            <>
              {t("detail.applied", { revision: result.revision.number, id: result.revision.standardId })}{" "}
              <Link to={`/standards/${result.revision.standardId}`}>{t("detail.viewStandard")}</Link>
            </>
          ) : result.intent === "submit" ? (
            t("detail.submitted")
          ) : (
            t("detail.withdrawn")
          )}
        </Notice>
      ) : result && !conflicts ? (
        <Notice tone="error">{result.message}</Notice>
      ) : null}

      {p.state === "rejected" ? <Notice>{t("detail.rejectedNote")}</Notice> : null}
      {p.state === "withdrawn" ? <Notice>{t("detail.withdrawnNote")}</Notice> : null}
      {p.state === "applied" && p.standardId && p.appliedRevision && !result?.ok ? (
        <Notice tone="success">
          <Trans ns="proposals" i18nKey="detail.appliedNote" values={{ id: p.standardId, revision: p.appliedRevision }} components={[<Link key="s" to={`/standards/${p.standardId}`} />]} />
        </Notice>
      ) : null}
      {p.state === "in-ballot" ? (
        <Notice>
          {t("detail.inBallotNote")} {page.ballotId ? <Link to={`/ballots/${page.ballotId}`}>{t("detail.viewBallot")}</Link> : null}
        </Notice>
      ) : null}

      {conflicts ? (
        <section className="conflicts" aria-labelledby="conflicts-title">
          <h2 id="conflicts-title">{t("conflicts.title", { count: conflicts.conflicts!.length })}</h2>
          {conflicts.stale ? <Notice tone="warning">{t("conflicts.stale")}</Notice> : null}
          <Notice tone="warning">
            <p>{t("conflicts.explain", { id: p.standardId, revision: p.baseRevision })}</p>
            <p>
              {t("conflicts.alternative", { revision: p.baseRevision })}{" "}
              {page.canEditStandard && p.standardId ? <Link to={`/standards/${p.standardId}/edit`}>{t("conflicts.editDraft")}</Link> : null}
            </p>
          </Notice>
          <Form method="post" className="stack" key={conflicts.draftHash}>
            <input type="hidden" name="intent" value="apply" />
            <input type="hidden" name="draftHash" value={conflicts.draftHash} />
            {conflicts.conflicts!.map((c, i) => (
              <div key={c.index}>
                <input type="hidden" name="conflict" value={c.index} />
                <ConflictResolver conflict={c} n={i + 1} baseRevision={p.baseRevision ?? ""} />
              </div>
            ))}
            <div className="button-row">
              <button type="submit" className="button" disabled={busy}>
                {t("conflicts.applyResolved")}
              </button>
            </div>
          </Form>
        </section>
      ) : null}

      {page.can.submit || page.can.apply || page.can.withdraw ? (
        <section className="card proposal-actions" aria-labelledby="proposal-actions">
          <h2 id="proposal-actions">{t("detail.actions")}</h2>
          {page.can.submit ? (
            <Form method="post" className="proposal-action">
              <input type="hidden" name="intent" value="submit" />
              <p className="muted small">{t("detail.submitHint")}</p>
              <button type="submit" className="button" disabled={busy || p.ruleErrors.length > 0}>
                {t("detail.submit")}
              </button>
            </Form>
          ) : null}
          {page.can.apply && !conflicts ? (
            <Form method="post" className="proposal-action">
              <input type="hidden" name="intent" value="apply" />
              <p className="muted small">{p.kind === "amendment" ? t("detail.applyHint") : t("detail.applyNewHint")}</p>
              <button type="submit" className="button" disabled={busy}>
                {t("detail.apply")}
              </button>
            </Form>
          ) : null}
          {page.can.withdraw ? (
            <details className="proposal-withdraw">
              <summary>{t("detail.withdrawOpen")}</summary>
              <Form method="post" className="proposal-action">
                <input type="hidden" name="intent" value="withdraw" />
                <p className="muted small">{t("detail.withdrawHint")}</p>
                <div className="field">
                  <label htmlFor="withdraw-reason">{t("detail.withdrawReason")}</label>
                  <input id="withdraw-reason" name="reason" maxLength={1000} />
                </div>
                <button type="submit" className="button button--danger" disabled={busy}>
                  {t("detail.withdraw")}
                </button>
              </Form>
            </details>
          ) : null}
        </section>
      ) : null}

      <section className="proposal-rationale" aria-labelledby="rationale-title">
        <h2 id="rationale-title">{t("detail.rationale")}</h2>
        <p className="prose-text">{p.rationale}</p>
      </section>

      {p.ruleErrors.length ? (
        <Notice tone="error" title={t("detail.ruleProblems", { count: p.ruleErrors.length })}>
          <ul>
            {p.ruleErrors.map((e, i) => (
              <li key={i}>{t("detail.problemLine", { line: e.line, message: e.message })}</li>
            ))}
          </ul>
        </Notice>
      ) : null}

      <section className="proposal-redline" aria-labelledby="redline-title">
        <h2 id="redline-title">{page.diff.base ? t("detail.redlineTitle", { revision: page.diff.base.revision }) : t("standards:diff.title")}</h2>
        {page.diff.base ? <RedlineView hunks={page.diff.text} rules={page.diff.rules} /> : <p className="muted">{t("detail.redlineNew")}</p>}
      </section>

      <section aria-labelledby="text-title">
        <h2 id="text-title">{t("detail.textTitle")}</h2>
        <details className="proposal-text" open={!page.diff.base}>
          <summary>{t("detail.textSummary", { count: p.rules })}</summary>
          <article className="document" data-heading-shift="2" aria-labelledby="text-title">
            {page.segments.map((s, i) =>
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
        </details>
        {p.submittedHash ? (
          <p className="muted small proposal-hash">
            {t("detail.submittedHash")}: <code className="hash">{p.submittedHash}</code>
          </p>
        ) : null}
      </section>

      <section className="proposal-comments" id="comments" aria-labelledby="comments-title">
        <h2 id="comments-title">{t("comments:proposal.title")}</h2>
        <p className="muted">{t("comments:proposal.lead")}</p>
        <div className="button-row">
          <Link className="button button--small" to={`/proposals/${p.id}/edit`}>
            {t("comments:proposal.open")}
          </Link>
          <a className="button button--small button--quiet" href={`/api/v1/proposals/${encodeURIComponent(p.id)}/comments.csv`} download>
            {t("comments:csv")}
          </a>
        </div>
        {page.comments.length ? (
          <>
            <p className="comments-log__count">{t("comments:filters.count", { count: page.comments.length })}</p>
            <div className="comments-log__list">
              {page.comments.map((c) => (
                <CommentCard key={c.id} comment={c} />
              ))}
            </div>
          </>
        ) : (
          <p className="muted">{t("comments:proposal.none")}</p>
        )}
      </section>
    </>
  );
}
