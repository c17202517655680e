/** A standard's ballots: every ballot on one of its revisions (and on proposals to amend it), newest first. */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getAuth, notFound } from "../auth/guards.server";
import { BallotTable } from "../components/ballot-parts";
import { StandardTabs } from "../components/standard-tabs";
import { EmptyState, PageHeader } from "../components/ui";
import { listBallots } from "../domain/ballots.server";
import { getStandard } from "../domain/standards.server";
import { documentTitle } from "../i18n/i18n";
import { can } from "../policies/policy";
import { useRootData } from "../root";
import styles from "../styles/governance.css?url";
import { localeFor } from "../utils/locale.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** The browser tab's title. */
export const meta: MetaFunction<typeof loader> = ({ matches, data }) => [{ title: documentTitle(matches, "governance:meta.standardBallots", { id: data?.standard.id ?? "" }) }];

/** The standard (404 when the reader may not see it) and the ballots on it the reader may see. */
export function loader({ request, params }: LoaderFunctionArgs) {
  const auth = getAuth(request);
  const actor = auth?.actor ?? null;
  const standard = getStandard(params.id ?? "");
  if (!standard || !can(actor, "standard.read", standard)) throw notFound();
  return {
    standard: { id: standard.id, title: standard.title },
    ballots: listBallots({ standardId: standard.id }, actor, new Date(), localeFor(request)),
    canCreate: can(actor, "ballot.create"),
  };
}

/** The ballots tab. */
export default function StandardBallots() {
  const { t } = useTranslation("governance");
  const { standard, ballots, canCreate } = useLoaderData<typeof loader>();
  const { locale } = useRootData();
  return (
    <>
      <PageHeader
        eyebrow={standard.id}
        title={standard.title}
        actions={
          canCreate ? (
            <Link className="button" to={`/admin/ballots/new?standardId=${encodeURIComponent(standard.id)}`}>
              {t("list.open")}
            </Link>
          ) : undefined
        }
      />
      <StandardTabs id={standard.id} />
      <p className="muted measure">{t("list.standardLead")}</p>
      {ballots.length ? <BallotTable ballots={ballots} locale={locale} caption={t("list.standardCaption", { id: standard.id })} /> : <EmptyState title={t("list.noneOnStandard")} />}
    </>
  );
}
