/** The site header (brand, navigation by role, account) and footer. */
import { Form, NavLink } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { Abilities } from "../policies/policy";
import { LanguageSwitcher } from "./language-switcher";

type HeaderUser = { name: string; role: string } | null;

/** The top bar on every page. */
export function SiteHeader({ user, abilities }: { user: HeaderUser; abilities: Abilities }) {
  const { t } = useTranslation();
  return (
    <header className="site-header">
      <a className="skip-link" href="#main">
        {t("nav.skip")}
      </a>
      <div className="site-header__inner">
        <a className="brand" href="/" aria-label={t("brand.home")}>
          <span className="brand__mark" aria-hidden="true">
            e
          </span>
          <span className="brand__text">
            <span className="brand__name">{t("brand.name")}</span>
            <span className="brand__tag">{t("brand.tagline")}</span>
          </span>
        </a>
        <nav className="site-nav" aria-label={t("nav.label")}>
          <NavLink to="/standards">{t("nav.standards")}</NavLink>
          <NavLink to="/releases">{t("releases:nav")}</NavLink>
          {user ? <NavLink to="/proposals">{t("proposals:nav")}</NavLink> : null}
          <NavLink to="/ballots">{t("governance:nav.ballots")}</NavLink>
          <NavLink to="/search">{t("nav.search")}</NavLink>
          {abilities["user.list"] ? <NavLink to="/admin">{t("nav.admin")}</NavLink> : null}
          {user ? <NavLink to="/settings">{t("nav.settings")}</NavLink> : null}
        </nav>
        <div className="site-account">
          {user ? (
            <>
              <span className="site-account__who">
                <span className="site-account__name">{user.name}</span>
                <span className={`role-badge role-badge--${user.role}`}>{t(`roles.${user.role}`)}</span>
              </span>
              <NavLink to="/notifications" className="button button--quiet">
                {t("governance:nav.notifications")}
              </NavLink>
              <Form method="post" action="/logout">
                <button type="submit" className="button button--quiet">
                  {t("nav.signOut")}
                </button>
              </Form>
            </>
          ) : (
            <a className="button button--quiet" href="/login">
              {t("nav.signIn")}
            </a>
          )}
        </div>
      </div>
    </header>
  );
}

/** The footer on every page, with the language switcher. */
export function SiteFooter({ locale = "en" }: { locale?: string }) {
  const { t } = useTranslation();
  return (
    <footer className="site-footer">
      <div className="site-footer__inner">
        <p>{t("footer.about")}</p>
        <p>
          <a href="/transparency">{t("governance:nav.transparency")}</a> · <a href="/api/v1/openapi.json">{t("footer.api")}</a>
        </p>
        <LanguageSwitcher locale={locale} />
      </div>
    </footer>
  );
}
