/** The outbox: every message the portal has queued, whether it was sent, and its text. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireAbility } from "../auth/guards.server";
import { EmptyState, Notice, StatusBadge } from "../components/ui";
import { listOutbox, mailDeliveryConfigured } from "../domain/mail.server";
import { documentTitle } from "../i18n/i18n";
import { useRootData } from "../root";
import { formatDateTime } from "../utils/format";

const LIMIT = 100;

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "admin:meta.outbox") }];

/** The newest messages and whether a mail server delivers them. */
export function loader({ request }: LoaderFunctionArgs) {
  requireAbility(request, "outbox.read");
  return { messages: listOutbox(LIMIT), limit: LIMIT, mailDelivery: mailDeliveryConfigured() };
}

/** The outbox page. */
export default function AdminOutbox() {
  const { t } = useTranslation("admin");
  const { messages, limit, mailDelivery } = useLoaderData<typeof loader>();
  const { locale } = useRootData();

  return (
    <>
      <div className="section-head">
        <h2>{t("outbox.title")}</h2>
        <p className="muted">{t("outbox.lead")}</p>
      </div>
      <Notice tone={mailDelivery ? "info" : "warning"}>{mailDelivery ? t("outbox.smtpOn") : t("outbox.smtpOff")}</Notice>
      {messages.length === 0 ? (
        <EmptyState title={t("outbox.empty")}>{t("outbox.emptyBody")}</EmptyState>
      ) : (
        <section aria-labelledby="outbox-list">
          <h3 id="outbox-list" className="visually-hidden">
            {t("outbox.listTitle")}
          </h3>
          <p className="muted small">{t("outbox.listNote", { count: Math.min(limit, messages.length) })}</p>
          <div className="table-wrap">
            <table className="data data--stack">
              <thead>
                <tr>
                  <th scope="col">{t("outbox.columns.to")}</th>
                  <th scope="col">{t("outbox.columns.subject")}</th>
                  <th scope="col">{t("outbox.columns.created")}</th>
                  <th scope="col">{t("outbox.columns.status")}</th>
                </tr>
              </thead>
              <tbody>
                {messages.map((m) => {
                  const state = m.sentAt ? "sent" : m.lastError ? "error" : "pending";
                  return (
                    <tr key={m.id}>
                      <td data-label={t("outbox.columns.to")} className="cell-break">{m.to}</td>
                      <td data-label={t("outbox.columns.subject")} className="cell-wide">
                        <details className="mail-text">
                          <summary>
                            <span className="cell-strong">{m.subject}</span>
                            <span className="mail-text__toggle">{t("outbox.showText")}</span>
                          </summary>
                          <pre>{m.text}</pre>
                        </details>
                      </td>
                      <td data-label={t("outbox.columns.created")} className="nowrap">{formatDateTime(m.createdAt, locale)}</td>
                      <td data-label={t("outbox.columns.status")}>
                        <StatusBadge status={`mail-${state}`} label={t(`outbox.status.${state}`)} />
                        {m.sentAt ? <span className="cell-sub">{t("outbox.sentAt", { date: formatDateTime(m.sentAt, locale) })}</span> : null}
                        {!m.sentAt && m.attempts > 0 ? <span className="cell-sub">{t("outbox.attempts", { count: m.attempts })}</span> : null}
                        {!m.sentAt && m.lastError ? <span className="cell-sub cell-break">{t("outbox.lastError", { error: m.lastError })}</span> : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}
