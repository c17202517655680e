/** The administration area: secretariat only. A header and the section navigation around each admin page. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireAbility } from "../auth/guards.server";
import { PageHeader } from "../components/ui";
import { documentTitle } from "../i18n/i18n";

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "admin:meta.overview") }];

/** Admins only: others get 403, the public is sent to sign in. Each child page checks again for itself. */
export function loader({ request }: LoaderFunctionArgs) {
  requireAbility(request, "user.list");
  return null;
}

const SECTIONS = [
  { to: "/admin", key: "overview", end: true },
  { to: "/admin/organisations", key: "organisations", end: false },
  { to: "/admin/committees", key: "committees", end: false },
  { to: "/admin/members", key: "members", end: false },
  { to: "/admin/outbox", key: "outbox", end: false },
  { to: "/admin/audit", key: "audit", end: false },
] as const;

/** The administration frame. */
export default function AdminLayout() {
  const { t } = useTranslation("admin");
  return (
    <>
      <PageHeader eyebrow={t("layout.eyebrow")} title={t("layout.title")} lead={t("layout.lead")} />
      <nav className="subnav subnav--admin" aria-label={t("layout.navLabel")}>
        {SECTIONS.map((s) => (
          <NavLink key={s.key} to={s.to} end={s.end} prefetch="intent">
            {t(`layout.nav.${s.key}`)}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </>
  );
}
