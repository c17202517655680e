/** The proposals of the caller's committees, filtered by committee, standard, state and kind. */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { CommitteeFilter } from "../components/filter-fields";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { PROPOSAL_KINDS, PROPOSAL_STATES } from "../../db/schema";
import { requireUser } from "../auth/guards.server";
import { ProposalTable } from "../components/proposal-parts";
import { EmptyState, PageHeader } from "../components/ui";
import { listCommittees } from "../domain/members.server";
import { committeesForProposals, listProposals } from "../domain/proposals.server";
import { listStandards } from "../domain/standards.server";
import { documentTitle } from "../i18n/i18n";
import { can } from "../policies/policy";
import styles from "../styles/proposals.css?url";
import { localeFor } from "../utils/locale.server";

/** The proposal pages' stylesheet. */
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "proposals:meta.list") }];

const FilterSchema = z.object({
  committee: z.string().regex(/^[A-Z]{2,5}$/).optional().catch(undefined),
  standardId: z.string().max(40).optional().catch(undefined),
  state: z.enum(PROPOSAL_STATES).optional().catch(undefined),
  kind: z.enum(PROPOSAL_KINDS).optional().catch(undefined),
});

/** Signed-in callers only: the public never sees proposals. */
export function loader({ request }: LoaderFunctionArgs) {
  const { actor } = requireUser(request);
  const filter = FilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const committees = listCommittees().filter((c) => actor.role === "admin" || actor.committees.includes(c.code));
  const mayPropose = committeesForProposals(actor).length > 0 || listStandards(actor).some((s) => can(actor, "proposal.create", s));
  return {
    filter,
    isAdmin: actor.role === "admin",
    locale: localeFor(request),
    committees: committees.map((c) => ({ code: c.code, name: c.name })),
    mayPropose,
    proposals: listProposals({ actor, filter }),
  };
}

/** The list page. */
export default function Proposals() {
  const { t } = useTranslation("proposals");
  const d = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader
        title={t("list.title")}
        lead={d.isAdmin ? t("list.leadAdmin") : t("list.lead")}
        actions={
          d.mayPropose ? (
            <Link className="button" to={d.filter.standardId ? `/proposals/new?standardId=${encodeURIComponent(d.filter.standardId)}` : "/proposals/new"}>
              {t("list.new")}
            </Link>
          ) : undefined
        }
      />
      <Form method="get" className="filters" role="search">
        {d.filter.standardId ? <input type="hidden" name="standardId" value={d.filter.standardId} /> : null}
        <CommitteeFilter committees={d.committees} value={d.filter.committee} label={t("list.committee")} anyLabel={t("list.anyCommittee")} />
        <div className="field">
          <label htmlFor="state">{t("list.state")}</label>
          <select id="state" name="state" defaultValue={d.filter.state ?? ""}>
            <option value="">{t("list.anyState")}</option>
            {PROPOSAL_STATES.map((s) => (
              <option key={s} value={s}>
                {t(`state.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="kind">{t("list.kind")}</label>
          <select id="kind" name="kind" defaultValue={d.filter.kind ?? ""}>
            <option value="">{t("list.anyKind")}</option>
            {PROPOSAL_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`kind.${k}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          {t("list.filter")}
        </button>
      </Form>
      {d.filter.standardId ? (
        <p className="muted">
          {t("list.onStandard", { id: d.filter.standardId })} <Link to="/proposals">{t("list.clearStandard")}</Link>
        </p>
      ) : null}
      <p className="muted" aria-live="polite">
        {t("list.results", { count: d.proposals.length })}
      </p>
      {d.proposals.length ? (
        <ProposalTable proposals={d.proposals} locale={d.locale} caption={t("list.title")} />
      ) : (
        <EmptyState title={t("list.empty")}>{t("list.emptyBody")}</EmptyState>
      )}
    </>
  );
}
