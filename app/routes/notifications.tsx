/** Notifications: what happened in ballots that concern you, and which notifications you get, in the portal and by mail. */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireAbility } from "../auth/guards.server";
import { EmptyState, Notice, PageHeader } from "../components/ui";
import { NOTIFICATION_KINDS, type Preferences } from "../domain/notification-kinds";
import { getPreferences, listNotifications, markAllRead, setPreferences } from "../domain/notifications.server";
import { documentTitle } from "../i18n/i18n";
import { useRootData } from "../root";
import styles from "../styles/governance.css?url";
import { formatDateTime } from "../utils/format";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "governance:meta.notifications") }];

/** The signed-in member's notifications and choices. */
export function loader({ request }: LoaderFunctionArgs) {
  const { user } = requireAbility(request, "notification.read");
  return { notifications: listNotifications(user.id), preferences: getPreferences(user.id) };
}

/** Marks everything read, or saves the choices (one checkbox per kind and channel). */
export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData();
  if (form.get("intent") === "read") {
    const { user } = requireAbility(request, "notification.read");
    markAllRead(user.id);
    return data({ saved: false, read: true });
  }
  const { user } = requireAbility(request, "notification.configure");
  const prefs = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, { inPortal: form.get(`${k}:inPortal`) === "on", byMail: form.get(`${k}:byMail`) === "on" }])) as Preferences;
  setPreferences(user.id, prefs);
  return data({ saved: true, read: false });
}

/** The notifications page. */
export default function Notifications() {
  const { t } = useTranslation("governance");
  const { notifications, preferences } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const { locale } = useRootData();
  const unread = notifications.filter((n) => !n.readAt).length;
  return (
    <>
      <PageHeader title={t("notifications.title")} lead={t("notifications.lead")} />
      {result?.saved ? <Notice tone="success">{t("notifications.saved")}</Notice> : null}
      <div className="ballot-layout">
        <section aria-labelledby="notifications-list">
          <div className="button-row">
            <h2 id="notifications-list">{t("notifications.listTitle", { count: unread })}</h2>
            {unread ? (
              <Form method="post">
                <input type="hidden" name="intent" value="read" />
                <button type="submit" className="button button--quiet button--small" disabled={busy}>
                  {t("notifications.markRead")}
                </button>
              </Form>
            ) : null}
          </div>
          {notifications.length ? (
            <ul className="notification-list">
              {notifications.map((n) => (
                <li key={n.id} className={`notification${n.readAt ? "" : " notification--unread"}`}>
                  <Link to={n.link}>{n.title}</Link>
                  <span className="notification__time">
                    {t(`notifications.kinds.${n.kind}`, { defaultValue: n.kind })} · {formatDateTime(n.createdAt, locale)}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <EmptyState title={t("notifications.none")}>{t("notifications.noneBody")}</EmptyState>
          )}
        </section>
        <aside>
          <section className="card" aria-labelledby="notifications-prefs">
            <h2 id="notifications-prefs">{t("notifications.prefsTitle")}</h2>
            <p className="muted small">{t("notifications.prefsLead")}</p>
            <Form method="post">
              <input type="hidden" name="intent" value="preferences" />
              <table className="data data--compact preferences">
                <caption className="visually-hidden">{t("notifications.prefsTitle")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("notifications.kind")}</th>
                    <th scope="col">{t("notifications.inPortal")}</th>
                    <th scope="col">{t("notifications.byMail")}</th>
                  </tr>
                </thead>
                <tbody>
                  {NOTIFICATION_KINDS.map((k) => (
                    <tr key={k}>
                      <th scope="row">{t(`notifications.kinds.${k}`)}</th>
                      <td className="check">
                        <input type="checkbox" name={`${k}:inPortal`} defaultChecked={preferences[k].inPortal} aria-label={t("notifications.inPortalFor", { kind: t(`notifications.kinds.${k}`) })} />
                      </td>
                      <td className="check">
                        <input type="checkbox" name={`${k}:byMail`} defaultChecked={preferences[k].byMail} aria-label={t("notifications.byMailFor", { kind: t(`notifications.kinds.${k}`) })} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="button-row">
                <button type="submit" className="button" disabled={busy}>
                  {t("notifications.save")}
                </button>
              </div>
            </Form>
          </section>
        </aside>
      </div>
    </>
  );
}
