/** Presentational pieces of ballots: status and result badges, the tally as numbers, a list of ballots. No data access. */
import { Link } from "@remix-run/react";
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
