/** The tabs of a standard: its text, revisions, proposals, ballots, comments and releases. */
import { NavLink } from "@remix-run/react";
import { useTranslation } from "react-i18next";

/** Tab navigation shared by the standard's pages. */
export function StandardTabs({ id, showDraftTabs = true }: { id: string; showDraftTabs?: boolean }) {
  const { t } = useTranslation("standards");
  const tabs: { to: string; label: string; end?: boolean }[] = [
    { to: `/standards/${id}`, label: t("tabs.text"), end: true },
    { to: `/standards/${id}/revisions`, label: t("tabs.revisions") },
    { to: `/standards/${id}/ballots`, label: t("governance:tabs.ballots") },
    ...(showDraftTabs ? [{ to: `/standards/${id}/comments`, label: t("tabs.comments") }] : []),
    { to: `/standards/${id}/releases`, label: t("tabs.releases") },
  ];
  return (
    <nav className="subnav" aria-label={t("tabs.label")}>
      {tabs.map((tab) => (
        <NavLink key={tab.to} to={tab.to} end={tab.end}>
          {tab.label}
        </NavLink>
      ))}
    </nav>
  );
}
