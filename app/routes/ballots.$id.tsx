/** A ballot: the exact text voted on and its hash, the rule in plain words, where it stands and what is still needed, the roll, the vote form, and (for the secretariat) closing or cancelling it. */
import type { TFunction } from "i18next";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { getAuth, notFound, requireAbility, requireUser } from "../auth/guards.server";
import { BallotResult, BallotStatus, CancelBallotForm, CancellationNotice, TallyList } from "../components/ballot-parts";
import { Pagination } from "../components/pagination";
import { RuleCard } from "../components/rule-card";
import { Notice, PageHeader } from "../components/ui";
import { cancelBallot, castVote, closeBallot, getBallotPage, MAX_CANCEL_REASON, type BallotPage } from "../domain/ballots.server";
import { ROLL_FILTERS, type RollFilter } from "../domain/roll-view";
import { POSITIONS } from "../domain/tally";
import { createI18n, documentTitle } from "../i18n/i18n";
import { useRootData } from "../root";
import styles from "../styles/governance.css?url";
import { PortalError } from "../utils/errors";
import { formatDateTime, formatList, formatNumber } from "../utils/format";
import { parseForm } from "../utils/forms";
import { localeFor } from "../utils/locale.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** The browser tab's title. */
export const meta: MetaFunction<typeof loader> = ({ matches, data }) => [{ title: documentTitle(matches, "governance:meta.ballot", { subject: data ? subjectName(data.page) : "" }) }];

function subjectName(page: Pick<BallotPage, "subject">): string {
  const s = page.subject;
  return s.kind === "revision" ? `${s.standardId} · ${s.revision}` : s.title;
}

/** The part of the roll to list, from the URL (`?roll=voted&rollPage=2`); anything else falls back to the first page of everyone. */
const RollQuerySchema = z.object({
  roll: z.enum(ROLL_FILTERS).optional().catch(undefined),
  rollPage: z.string().regex(/^[0-9]{1,30}$/).transform(Number).optional().catch(undefined),
});

/** The ballot as the caller may see it (settled first: a ballot past its closing time is closed before it is shown); 404 otherwise. */
export function loader({ request, params }: LoaderFunctionArgs) {
  const query = RollQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  try {
    return { page: getBallotPage(params.id ?? "", getAuth(request), new Date(), localeFor(request), { filter: query.roll, page: query.rollPage }) };
  } catch (err) {
    if (err instanceof PortalError && err.code === "not_found") throw notFound();
    throw err;
  }
}

const VoteSchema = z.object({
  position: z.enum(POSITIONS, { message: "Choose approve, disapprove or abstain." }),
  reason: z.string().trim().max(4000, "A reason has at most 4000 characters.").optional(),
});

/** The cancel form's rules, with messages in the reader's language. */
function cancelSchema(t: TFunction) {
  return z.object({
    reason: z.string({ message: t("cancel.reasonMissing") }).trim().min(1, t("cancel.reasonMissing")).max(MAX_CANCEL_REASON, t("cancel.reasonTooLong", { max: MAX_CANCEL_REASON })),
    confirm: z.literal("yes", { message: t("cancel.confirmMissing") }),
  });
}

type Intent = "vote" | "close" | "cancel";
type Result = { intent: Intent; ok: boolean; message: string | null; errors: Record<string, string> };
const reply = (r: Result, status = 200) => data<Result>(r, { status });

/** Casts or changes the caller's vote, or (the secretariat) closes or cancels the ballot now. */
export async function action({ request, params }: ActionFunctionArgs) {
  const form = await request.formData();
  const ballotId = params.id ?? "";
  const asked = form.get("intent");
  const intent: Intent = asked === "close" ? "close" : asked === "cancel" ? "cancel" : "vote";
  try {
    if (intent === "cancel") {
      const auth = requireAbility(request, "ballot.cancel");
      const locale = localeFor(request);
      const parsed = parseForm(form, cancelSchema(createI18n(locale).getFixedT(locale, "governance")));
      if (!parsed.ok) return reply({ intent, ok: false, message: null, errors: parsed.errors }, 400);
      cancelBallot({ ballotId, actorId: auth.user.id, reason: parsed.data.reason });
      return reply({ intent, ok: true, message: null, errors: {} });
    }
    if (intent === "close") {
      const auth = requireAbility(request, "ballot.close");
      closeBallot({ ballotId, actorId: auth.user.id });
      return reply({ intent, ok: true, message: null, errors: {} });
    }
    const auth = requireUser(request);
    const parsed = parseForm(form, VoteSchema);
    if (!parsed.ok) return reply({ intent, ok: false, message: null, errors: parsed.errors }, 400);
    castVote({ ballotId, auth, position: parsed.data.position, reason: parsed.data.reason });
    return reply({ intent, ok: true, message: null, errors: {} });
  } catch (err) {
    if (!(err instanceof PortalError)) throw err;
    if (err.code === "not_found") throw notFound();
    return reply({ intent, ok: false, message: err.message, errors: err.fields ?? {} }, err.status);
  }
}

/** While a ballot is open (or about to open), the page refreshes itself so the standing stays live. */
function useLiveRefresh(active: boolean, everyMs = 4000) {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && revalidator.state === "idle") revalidator.revalidate();
    }, everyMs);
    return () => clearInterval(timer);
  }, [active, everyMs, revalidator]);
}

/** The ballot page. */
export default function BallotRoute() {
  const { t } = useTranslation(["governance", "common"]);
  const { page } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { locale, user } = useRootData();
  // The action's answer can arrive a moment before the reloaded ballot: say "recorded" only once both are shown.
  const navigation = useNavigation();
  const settled = navigation.state === "idle";
  // The live refresh below revalidates the page, and a revalidation drops the action's answer: the
  // confirmation is kept here until the reader submits again, so a refresh cannot take it away.
  const [done, setDone] = useState<Intent | null>(result?.ok ? result.intent : null);
  // After a submission the form is re-rendered: the focus goes to the confirmation, so a keyboard or
  // screen-reader user is not left on a control that no longer exists.
  const submitted = useRef(false);
  const confirmation = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (navigation.state === "submitting") {
      submitted.current = true;
      setDone(null);
    } else if (settled && result?.ok) setDone(result.intent);
  }, [navigation.state, settled, result]);
  useEffect(() => {
    if (!done || !submitted.current) return;
    submitted.current = false;
    confirmation.current?.focus();
  }, [done]);
  const b = page.ballot;
  useLiveRefresh(b.status === "open" || b.status === "scheduled");
  const s = page.subject;
  const title = s.kind === "revision" ? t("subject.revisionTitle", { standardId: s.standardId, revision: s.revision, title: s.title }) : t("subject.proposalTitle", { title: s.title });

  return (
    <>
      <PageHeader eyebrow={t("ballot.eyebrow")} title={title} lead={t(`ballot.lead.${b.status}`, { closesAt: formatDateTime(b.closesAt, locale), opensAt: formatDateTime(b.opensAt, locale) })} />
      <div className="meta-row">
        <BallotStatus status={b.status} />
        {b.result ? <BallotResult result={b.result} /> : null}
        <span>
          {t("ballot.opens")}: {formatDateTime(b.opensAt, locale)}
        </span>
        <span>
          {b.status === "closed" ? t("ballot.closedAt") : b.status === "cancelled" ? t("ballot.cancelledAt") : t("ballot.closes")}: {formatDateTime(b.closedAt ?? b.closesAt, locale)}
        </span>
        <span>{t(`voterUnit.${b.voterUnit}`)}</span>
        {page.createdByName ? <span>{t("ballot.openedBy", { name: page.createdByName })}</span> : null}
      </div>

      <div ref={confirmation} tabIndex={-1}>
        {done === "vote" ? <Notice tone="success">{t("vote.recorded")}</Notice> : null}
        {done === "close" ? <Notice tone="success">{t("ballot.closedNow")}</Notice> : null}
        {done === "cancel" ? <Notice tone="success">{t("cancel.done")}</Notice> : null}
      </div>
      {result && !result.ok ? <Notice tone="error">{result.message ?? (result.intent === "cancel" ? t("cancel.fixErrors") : t("vote.fixErrors"))}</Notice> : null}
      {page.cancellation ? <CancellationNotice cancellation={page.cancellation} locale={locale} /> : null}

      <div className="ballot-layout">
        <div>
          <Subject page={page} />
          <Standing page={page} />
          <YourVote page={page} errors={result?.intent === "vote" && !result.ok ? result.errors : {}} signedIn={!!user} role={user?.role ?? null} />
          <Roll page={page} />
        </div>
        <aside aria-label={t("ballot.asideLabel")}>
          <section className="card" aria-labelledby="ballot-rule">
            <h2 id="ballot-rule">{t("ballot.ruleTitle")}</h2>
            <p>{page.ruleWords}</p>
            <p className="muted small">{t(`voterUnitHelp.${b.voterUnit}`)}</p>
            <p className="muted small">
              {t("ballot.eligibleRoles", { roles: formatList(b.eligible.roles.map((r) => t(`common:roles.${r}`)), locale), committees: formatList(b.eligible.committees ?? [], locale) })} {t("ballot.observersNever")}
            </p>
            <p className="muted small">{t(`resultsVisibleHelp.${b.resultsVisible}`)}</p>
          </section>
          {b.status === "closed" ? (
            <section className="card" aria-labelledby="ballot-record">
              <h2 id="ballot-record">{t("ballot.recordTitle")}</h2>
              <p className="small">{t("ballot.recordBody")}</p>
              <p>
                <a href={`/api/v1/ballots/${b.id}/record`}>{t("ballot.recordLink")}</a>
              </p>
              <p className="small">
                <Link to="/transparency">{t("ballot.transparencyLink")}</Link>
              </p>
            </section>
          ) : null}
          {page.canClose ? (
            <section className="card" aria-labelledby="ballot-close">
              <h2 id="ballot-close">{t("ballot.closeTitle")}</h2>
              <p className="small muted">{t("ballot.closeBody", { closesAt: formatDateTime(b.closesAt, locale) })}</p>
              <Form method="post">
                <input type="hidden" name="intent" value="close" />
                <button type="submit" className="button button--danger">
                  {t("ballot.closeButton")}
                </button>
              </Form>
            </section>
          ) : null}
          {page.canCancel ? <CancelBallotForm errors={result?.intent === "cancel" && !result.ok ? result.errors : {}} opened={b.status === "open"} /> : null}
        </aside>
      </div>
    </>
  );
}

/** Where the ballot stands (live), or its result. */
function Standing({ page }: { page: BallotPage }) {
  const { t } = useTranslation("governance");
  const b = page.ballot;
  const excludes = b.rule === "iso" || (typeof b.rule === "object" && !!b.rule.excludeDisapproveWithoutReason);
  return (
    <section className="card" aria-labelledby="ballot-standing">
      <h2 id="ballot-standing">{b.status === "closed" ? t("ballot.resultTitle") : t("ballot.standingTitle")}</h2>
      <div aria-live="polite">
        {b.status === "closed" && b.result ? (
          <div className="result-banner">
            <BallotResult result={b.result} />
            {b.reasons?.length ? <span className="muted">{b.reasons.map((r) => t(`reasonShort.${r}`)).join(" · ")}</span> : null}
          </div>
        ) : null}
        {b.tally ? <TallyList tally={b.tally} showExcluded={excludes || b.tally.excluded > 0} /> : null}
        {page.standing ? (
          <>
            <p className="verdict">{page.standing.verdict}</p>
            <p className="muted small">{page.standing.counts}</p>
            {page.standing.stillNeeded ? <p className="still-needed">{page.standing.stillNeeded}</p> : null}
          </>
        ) : (
          <p>
            {b.status === "scheduled"
              ? t("ballot.notOpenYet")
              : b.status === "cancelled"
                ? t("ballot.cancelledNoResult")
                : t("ballot.hiddenUntilClose", { voted: b.votedCount ?? 0, eligible: b.eligibleCount ?? 0 })}
          </p>
        )}
      </div>
    </section>
  );
}

/** The caller's vote: the form while open, or why they do not vote here. */
function YourVote({ page, errors, signedIn, role }: { page: BallotPage; errors: Record<string, string>; signedIn: boolean; role: string | null }) {
  const { t } = useTranslation("governance");
  const { locale } = useRootData();
  const busy = useNavigation().state === "submitting";
  const me = page.me;
  const [position, setPosition] = useState<string>(me?.vote?.position ?? "");
  useEffect(() => setPosition(me?.vote?.position ?? ""), [me?.vote?.position, me?.vote?.version]);
  if (!signedIn) return null;
  if (!me) {
    return (
      <section className="card" aria-labelledby="ballot-you">
        <h2 id="ballot-you">{t("vote.title")}</h2>
        <p className="muted">{role === "observer" ? t("vote.observer") : role === "admin" ? t("vote.secretariat") : t("vote.notOnRoll")}</p>
      </section>
    );
  }
  const reasonNeeded = me.reasonRequired && position === "disapprove";
  return (
    <section className="card" aria-labelledby="ballot-you">
      <h2 id="ballot-you">{t("vote.title")}</h2>
      <p>
        {me.vote
          ? t("vote.current", { unit: me.label, position: t(`positions.${me.vote.position}`), at: formatDateTime(me.vote.castAt, locale), count: me.vote.version })
          : t("vote.none", { unit: me.label })}
      </p>
      {me.vote?.reason ? <p className="muted small">{t("vote.currentReason", { reason: me.vote.reason })}</p> : null}
      {me.canVote ? (
        <Form method="post" className="stack vote-form" key={me.vote ? `v${me.vote.version}` : "new"}>
          <input type="hidden" name="intent" value="vote" />
          <fieldset>
            <legend>{t("vote.position")}</legend>
            <div className="choices">
              {(["approve", "disapprove", "abstain"] as const).map((p) => (
                <label key={p} className="choice">
                  <input type="radio" name="position" value={p} checked={position === p} onChange={() => setPosition(p)} required />
                  {t(`positions.${p}`)}
                </label>
              ))}
            </div>
            {errors.position ? <p className="field__error">{errors.position}</p> : null}
          </fieldset>
          <div className={`field${errors.reason ? " field--error" : ""}`}>
            <label htmlFor="vote-reason">
              {t("vote.reason")}{" "}
              {me.reasonRequired ? <span className="required-mark">{t("vote.reasonRequiredMark")}</span> : <span className="muted">{t("vote.reasonOptional")}</span>}
            </label>
            <p className="field__hint" id="vote-reason-hint">
              {me.reasonRequired ? t("vote.reasonRequiredHint") : t("vote.reasonHint")}
            </p>
            <textarea
              id="vote-reason"
              name="reason"
              maxLength={4000}
              defaultValue={me.vote?.reason ?? ""}
              required={reasonNeeded}
              aria-required={reasonNeeded}
              aria-invalid={errors.reason ? true : undefined}
              aria-describedby={errors.reason ? "vote-reason-hint vote-reason-error" : "vote-reason-hint"}
            />
            {errors.reason ? (
              <p className="field__error" id="vote-reason-error">
                {errors.reason}
              </p>
            ) : null}
          </div>
          <button type="submit" className="button" disabled={busy}>
            {me.vote ? t("vote.change") : t("vote.submit")}
          </button>
          <p className="muted small">{t("vote.changeUntilClose")}</p>
        </Form>
      ) : (
        <p className="muted">{page.ballot.status === "scheduled" ? t("vote.notYet") : page.ballot.status === "cancelled" ? t("vote.cancelled") : t("vote.closed")}</p>
      )}
    </section>
  );
}

/** Who may vote, who has voted, and (when the ballot shows them) how. */
function Roll({ page }: { page: BallotPage }) {
  const { t } = useTranslation("governance");
  const { locale } = useRootData();
  const b = page.ballot;
  if (b.status === "scheduled" || (b.status === "cancelled" && page.roll.length === 0 && b.rollHash === null)) {
    return (
      <section className="card" aria-labelledby="ballot-roll">
        <h2 id="ballot-roll">{t("roll.title")}</h2>
        <p className="muted">{b.status === "cancelled" ? t("roll.cancelledBeforeOpening") : t("roll.notFrozen")}</p>
      </section>
    );
  }
  const orgs = b.voterUnit === "organization";
  const view = page.rollView;
  const counts = page.rollCounts;
  const filterLabels: Record<RollFilter, string> = {
    all: t("roll.filters.all", { n: formatNumber(counts.total, locale) }),
    voted: t("roll.filters.voted", { n: formatNumber(counts.voted, locale) }),
    "not-voted": t("roll.filters.notVoted", { n: formatNumber(counts.notVoted, locale) }),
  };
  return (
    <section className="card" aria-labelledby="ballot-roll" id="roll">
      <h2 id="ballot-roll">{t("roll.title")}</h2>
      <p className="muted small">
        {t("roll.lead", { count: counts.total })} <span className="hash">{b.rollHash}</span>
      </p>
      {page.unitsWithoutVoter ? <Notice tone="warning">{t("roll.withoutVoter", { count: page.unitsWithoutVoter })}</Notice> : null}
      {!page.positionsShown ? <p className="muted small">{b.status === "cancelled" ? t("roll.positionsCancelled") : t("roll.positionsHidden")}</p> : null}
      {counts.total === 0 ? (
        <p>{t("roll.empty")}</p>
      ) : (
        <>
          {/* The roll counted by whether each unit voted; each count lists that part (plain links: no JavaScript needed). */}
          <ul className="roll-filters" aria-label={t("roll.filters.label")}>
            {ROLL_FILTERS.map((f) => (
              <li key={f}>
                <a href={rollHref(f, 1)} aria-current={f === view.filter ? "true" : undefined}>
                  {filterLabels[f]}
                </a>
              </li>
            ))}
          </ul>
          {page.roll.length === 0 ? (
            <p className="muted">{t("roll.noneHere")}</p>
          ) : (
            <div className="table-wrap">
              <table className="data data--stack data--compact">
                <caption className="visually-hidden">{t("roll.caption", { part: filterLabels[view.filter] })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{orgs ? t("roll.columns.organisation") : t("roll.columns.person")}</th>
                    {orgs ? <th scope="col">{t("roll.columns.voter")}</th> : null}
                    <th scope="col">{t("roll.columns.voted")}</th>
                    {page.positionsShown ? <th scope="col">{t("roll.columns.position")}</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {page.roll.map((u) => (
                    <tr key={u.unitId}>
                      <th scope="row">{u.label}</th>
                      {orgs ? (
                        <td data-label={t("roll.columns.voter")}>{u.voterName ?? <span className="roll-note">{t("roll.noVoter")}</span>}</td>
                      ) : null}
                      <td data-label={t("roll.columns.voted")}>{u.voted ? t("roll.votedAt", { at: formatDateTime(u.castAt, locale) }) : <span className="muted">{t("roll.notVoted")}</span>}</td>
                      {page.positionsShown ? (
                        <td data-label={t("roll.columns.position")}>
                          {u.position ? <span className={`position position--${u.position}`}>{t(`positions.${u.position}`)}</span> : <span className="muted">—</span>}
                          {u.reason ? <span className="cell-sub">{u.reason}</span> : null}
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pagination page={view.page} pageCount={view.pageCount} total={view.matching} pageSize={view.pageSize} hrefFor={(n) => rollHref(view.filter, n)} summary />
        </>
      )}
    </section>
  );
}

/** The ballot page listing page n of one part of the roll, scrolled to the roll (the first page of everyone has no parameters). */
function rollHref(filter: RollFilter, page: number): string {
  const params = new URLSearchParams();
  if (filter !== "all") params.set("roll", filter);
  if (page > 1) params.set("rollPage", String(page));
  const query = params.toString();
  return `${query ? `?${query}` : "?"}#roll`;
}

/** What is voted on: the subject, its hash, a link to it and the exact text. */
function Subject({ page }: { page: BallotPage }) {
  const { t } = useTranslation("governance");
  const s = page.subject;
  const link = s.kind === "revision" ? `/standards/${s.standardId}/revisions` : `/proposals/${s.proposalId}`;
  return (
    <section className="card" aria-labelledby="ballot-subject">
      <h2 id="ballot-subject">{t("subject.title")}</h2>
      <p>
        {s.kind === "revision" ? t("subject.revisionBody", { standardId: s.standardId, revision: s.revision, title: s.title }) : t("subject.proposalBody", { title: s.title })}
      </p>
      <p className="small">
        {t("subject.hash")}: <span className="hash">{page.ballot.subjectHash}</span>
      </p>
      {s.canReadSubjectPage ? (
        <p className="small">
          <Link to={link}>{s.kind === "revision" ? t("subject.revisionLink") : t("subject.proposalLink")}</Link>
        </p>
      ) : null}
      <details className="subject-text">
        <summary>{t("subject.readText")}</summary>
        <article className="document" data-heading-shift="2" aria-label={t("subject.textLabel")}>
          {s.segments.map((seg, i) =>
            seg.kind === "html" ? (
              <div key={i} dangerouslySetInnerHTML={{ __html: seg.html }} />
            ) : seg.kind === "rule" ? (
              <RuleCard key={i} rule={seg.rule} />
            ) : (
              <pre key={i}>{seg.source}</pre>
            ),
          )}
        </article>
      </details>
    </section>
  );
}
