/** Ballots the reader may see: open ones first (with a way in for the secretariat to open a new one). */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getAuth } from "../auth/guards.server";
import { BallotTable } from "../components/ballot-parts";
import { EmptyState, PageHeader } from "../components/ui";
import { listBallots } from "../domain/ballots.server";
import { documentTitle } from "../i18n/i18n";
import { can } from "../policies/policy";
import { useRootData } from "../root";
import styles from "../styles/governance.css?url";
import { localeFor } from "../utils/locale.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "governance:meta.ballots") }];

/** The visible ballots, split into running (open or scheduled) and closed. */
export function loader({ request }: LoaderFunctionArgs) {
  const auth = getAuth(request);
  const all = listBallots({}, auth?.actor ?? null, new Date(), localeFor(request));
  return {
    running: all.filter((b) => b.status === "open" || b.status === "scheduled"),
    closed: all.filter((b) => b.status === "closed" || b.status === "cancelled"),
    canCreate: can(auth?.actor ?? null, "ballot.create"),
  };
}

/** The ballots page. */
export default function Ballots() {
  const { t } = useTranslation("governance");
  const { running, closed, canCreate } = useLoaderData<typeof loader>();
  const { locale } = useRootData();
  return (
    <>
      <PageHeader
        title={t("list.title")}
        lead={t("list.lead")}
        actions={
          canCreate ? (
            <Link className="button" to="/admin/ballots/new">
              {t("list.open")}
            </Link>
          ) : undefined
        }
      />
      <h2>{t("list.running")}</h2>
      {running.length ? <BallotTable ballots={running} locale={locale} caption={t("list.running")} /> : <EmptyState title={t("list.noneRunning")} />}
      <h2>{t("list.closed")}</h2>
      {closed.length ? <BallotTable ballots={closed} locale={locale} caption={t("list.closed")} /> : <EmptyState title={t("list.noneClosed")} />}
    </>
  );
}
