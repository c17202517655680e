/** Administration overview: head counts and a first-steps checklist for a new secretariat. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { OrgKind, Role } from "../../db/schema";
import { requireAbility } from "../auth/guards.server";
import { membershipCounts } from "../domain/members.server";
import { portalCounts } from "../domain/overview.server";
import { documentTitle } from "../i18n/i18n";
import { useRootData } from "../root";
import { formatNumber } from "../utils/format";

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "admin:meta.overview") }];

/** The counts behind the overview. */
export function loader({ request }: LoaderFunctionArgs) {
  requireAbility(request, "user.list");
  requireAbility(request, "outbox.read");
  return { counts: membershipCounts(), unsentMail: portalCounts().unsentMail };
}

/** The overview page. */
export default function AdminOverview() {
  const { t } = useTranslation(["admin", "common"]);
  const { counts, unsentMail } = useLoaderData<typeof loader>();
  const { locale } = useRootData();
  const n = (value: number) => formatNumber(value, locale);
  // The domain lists every kind and role, in the order the portal presents them.
  const kinds = Object.keys(counts.orgsByKind) as OrgKind[];
  const roles = Object.keys(counts.membersByRole) as Role[];
  const orgTotal = kinds.reduce((sum, k) => sum + counts.orgsByKind[k], 0);
  const steps = [
    { key: "organisations", done: counts.orgsByKind.company > 0 && counts.orgsByKind.government > 0, to: "/admin/organisations", go: "organisations" },
    { key: "expert", done: counts.membersByRole.expert > 0, to: "/admin/members", go: "members" },
    { key: "member", done: counts.membersByRole.member > 0, to: "/admin/members", go: "members" },
    { key: "observer", done: counts.membersByRole.observer > 0, to: "/admin/members", go: "members" },
    { key: "committees", done: counts.seatedMembers > 0, to: "/admin/members", go: "members" },
  ] as const;

  return (
    <>
      <h2 className="visually-hidden">{t("overview.title")}</h2>
      <div className="grid grid--2">
        <section className="card" aria-labelledby="overview-orgs">
          <h3 id="overview-orgs" className="card__title">
            {t("overview.organisations")}
          </h3>
          <p className="muted card__note">{t("overview.organisationsTotal", { count: orgTotal })}</p>
          <dl className="count-list">
            {kinds.map((kind) => (
              <div key={kind}>
                <dt>{t(`common:orgKinds.${kind}`)}</dt>
                <dd>{n(counts.orgsByKind[kind])}</dd>
              </div>
            ))}
          </dl>
          <Link className="card__link" to="/admin/organisations">
            {t("overview.checklist.go.organisations")}
          </Link>
        </section>
        <section className="card" aria-labelledby="overview-members">
          <h3 id="overview-members" className="card__title">
            {t("overview.members")}
          </h3>
          <p className="muted card__note">{t("overview.membersNote", { count: counts.disabled })}</p>
          <dl className="count-list">
            {roles.map((role) => (
              <div key={role}>
                <dt>{t(`common:roles.${role}`)}</dt>
                <dd>{n(counts.membersByRole[role])}</dd>
              </div>
            ))}
          </dl>
          <Link className="card__link" to="/admin/members">
            {t("overview.checklist.go.members")}
          </Link>
        </section>
      </div>

      <div className="grid grid--3 admin-stats">
        <Link className="card stat stat--link" to="/admin/members">
          <span className="stat__value">{n(counts.pendingInvitations)}</span>
          <span className="stat__label">{t("overview.pendingInvitations")}</span>
          <span className="stat__hint">{t("overview.pendingInvitationsHint")}</span>
        </Link>
        <Link className="card stat stat--link" to="/admin/outbox">
          <span className="stat__value">{n(unsentMail)}</span>
          <span className="stat__label">{t("overview.unsentMail")}</span>
          <span className="stat__hint">{t("overview.unsentMailHint")}</span>
        </Link>
        <Link className="card stat stat--link" to="/admin/committees">
          <span className="stat__value">{n(counts.committees)}</span>
          <span className="stat__label">{t("overview.committees")}</span>
        </Link>
      </div>

      <section className="card checklist-card" aria-labelledby="overview-checklist">
        <h2 id="overview-checklist">{t("overview.checklist.title")}</h2>
        <p className="muted">{t("overview.checklist.lead")}</p>
        <ol className="checklist">
          {steps.map((step) => (
            <li key={step.key} className={step.done ? "checklist__item checklist__item--done" : "checklist__item"}>
              <span className="checklist__mark" aria-hidden="true">
                {step.done ? "✓" : ""}
              </span>
              <span className="checklist__text">
                {t(`overview.checklist.${step.key}`)}
                <span className="visually-hidden"> ({step.done ? t("overview.checklist.done") : t("overview.checklist.todo")})</span>
              </span>
              {step.done ? null : (
                <Link className="checklist__link" to={step.to}>
                  {t(`overview.checklist.go.${step.go}`)}
                </Link>
              )}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
