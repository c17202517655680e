/** Presentational pieces of ballots: status and result badges, the tally as numbers, a list of ballots, the cancel form and notice. No data access. */
import { Form, Link, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../utils/format";

type Counts = { approve: number; disapprove: number; abstain: number; excluded: number; notVoted: number };

/** A ballot's status pill (scheduled, open, closed, cancelled). */
export function BallotStatus({ status }: { status: string }) {
  const { t } = useTranslation("governance");
  return <span className={`status status--${status}`}>{t(`status.${status}`)}</span>;
}

/** A ballot's result pill (approved, rejected). */
export function BallotResult({ result }: { result: "approved" | "rejected" }) {
  const { t } = useTranslation("governance");
  return <span className={`status status--${result}`}>{t(`resultLabel.${result}`)}</span>;
}

/** The tally as five numbers; "excluded" only when the rule excludes anything. */
export function TallyList({ tally, showExcluded }: { tally: Counts; showExcluded: boolean }) {
  const { t } = useTranslation("governance");
  const items = (["approve", "disapprove", "abstain", ...(showExcluded ? (["excluded"] as const) : []), "notVoted"] as const).map((k) => ({ key: k, value: tally[k] }));
  return (
    <ul className="tally" aria-label={t("ballot.tallyLabel")}>
      {items.map((i) => (
        <li key={i.key} className={`tally__item tally__item--${i.key}`}>
          <span className="tally__value">{i.value}</span>
          <span className="tally__label">{t(`tallyKeys.${i.key}`)}</span>
        </li>
      ))}
    </ul>
  );
}

/** What a list row needs to show of a ballot. */
export type BallotSummary = {
  id: string;
  subject: { proposalId: string } | { standardId: string; revision: string };
  status: string;
  result: "approved" | "rejected" | null;
  opensAt: string;
  closesAt: string;
  closedAt: string | null;
  eligibleCount: number | null;
  votedCount: number | null;
};

/** A table of ballots: subject, status and result, times, turnout. */
export function BallotTable({ ballots, locale, caption }: { ballots: BallotSummary[]; locale: string; caption: string }) {
  const { t } = useTranslation("governance");
  return (
    <div className="table-wrap">
      <table className="data data--stack">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("list.columns.subject")}</th>
            <th scope="col">{t("list.columns.status")}</th>
            <th scope="col">{t("list.columns.opens")}</th>
            <th scope="col">{t("list.columns.closes")}</th>
            <th scope="col">{t("list.columns.turnout")}</th>
          </tr>
        </thead>
        <tbody>
          {ballots.map((b) => (
            <tr key={b.id}>
              <th scope="row">
                <Link to={`/ballots/${b.id}`}>
                  {"proposalId" in b.subject ? t("subject.proposalShort") : t("subject.revisionShort", { standardId: b.subject.standardId, revision: b.subject.revision })}
                </Link>
              </th>
              <td data-label={t("list.columns.status")}>
                <span className="button-row">
                  <BallotStatus status={b.status} />
                  {b.result ? <BallotResult result={b.result} /> : null}
                </span>
              </td>
              <td data-label={t("list.columns.opens")} className="nowrap">
                {formatDateTime(b.opensAt, locale)}
              </td>
              <td data-label={t("list.columns.closes")} className="nowrap">
                {formatDateTime(b.closedAt ?? b.closesAt, locale)}
              </td>
              <td data-label={t("list.columns.turnout")}>{b.eligibleCount === null ? "—" : t("list.turnout", { voted: b.votedCount ?? 0, eligible: b.eligibleCount })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Why and when a ballot was cancelled, as its audit entry records it. */
export type CancellationSummary = { at: string; reason: string; byName: string | null; votesHash: string; votesCast: number; auditSeq: number };

/** The notice on a cancelled ballot's page: when, by whom, why, and what the record holds. */
export function CancellationNotice({ cancellation: c, locale }: { cancellation: CancellationSummary; locale: string }) {
  const { t } = useTranslation("governance");
  return (
    <section className="notice notice--warning cancellation" aria-labelledby="ballot-cancelled">
      <h2 id="ballot-cancelled" className="notice__title">
        {t("cancel.noticeTitle")}
      </h2>
      <p>{c.byName ? t("cancel.noticeWhenBy", { at: formatDateTime(c.at, locale), name: c.byName }) : t("cancel.noticeWhen", { at: formatDateTime(c.at, locale) })}</p>
      <blockquote className="cancellation__reason">
        <p>{c.reason}</p>
      </blockquote>
      <p className="small muted">
        {t("cancel.noticeRecord", { seq: c.auditSeq, count: c.votesCast })} <span className="hash">{c.votesHash}</span>
      </p>
    </section>
  );
}

/** The secretariat's form to cancel a scheduled or open ballot: a required reason and a confirmation. */
export function CancelBallotForm({ errors, opened }: { errors: Record<string, string>; opened: boolean }) {
  const { t } = useTranslation("governance");
  const busy = useNavigation().state === "submitting";
  return (
    <section className="card" aria-labelledby="ballot-cancel">
      <h2 id="ballot-cancel">{t("cancel.title")}</h2>
      <p className="small muted">{opened ? t("cancel.bodyOpen") : t("cancel.bodyScheduled")}</p>
      <Form method="post" className="stack">
        <input type="hidden" name="intent" value="cancel" />
        <div className={`field${errors.reason ? " field--error" : ""}`}>
          <label htmlFor="cancel-reason">{t("cancel.reason")}</label>
          <p className="field__hint" id="cancel-reason-hint">
            {t("cancel.reasonHint")}
          </p>
          <textarea
            id="cancel-reason"
            name="reason"
            required
            maxLength={2000}
            aria-invalid={errors.reason ? true : undefined}
            aria-describedby={errors.reason ? "cancel-reason-hint cancel-reason-error" : "cancel-reason-hint"}
          />
          {errors.reason ? (
            <p className="field__error" id="cancel-reason-error">
              {errors.reason}
            </p>
          ) : null}
        </div>
        <div className={`field${errors.confirm ? " field--error" : ""}`}>
          <label className="checkbox">
            <input type="checkbox" name="confirm" value="yes" required aria-invalid={errors.confirm ? true : undefined} aria-describedby={errors.confirm ? "cancel-confirm-error" : undefined} />
            <span>{t("cancel.confirm")}</span>
          </label>
          {errors.confirm ? (
            <p className="field__error" id="cancel-confirm-error">
              {errors.confirm}
            </p>
          ) : null}
        </div>
        <button type="submit" className="button button--danger" disabled={busy}>
          {t("cancel.button")}
        </button>
      </Form>
    </section>
  );
}
