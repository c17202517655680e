/** The audit log: the newest events, and whether the hash chain behind them is intact. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireAbility } from "../auth/guards.server";
import { EmptyState, Notice } from "../components/ui";
import { recentAuditEvents, verifyAuditChain } from "../domain/audit.server";
import { listOrganizations, listUsers } from "../domain/members.server";
import { documentTitle } from "../i18n/i18n";
import { useRootData } from "../root";
import { formatDateTime } from "../utils/format";

const LIMIT = 200;

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "admin:meta.audit") }];

/** The newest events with readable names for people and organisations, and the chain check. */
export function loader({ request }: LoaderFunctionArgs) {
  requireAbility(request, "audit.read");
  const names: Record<string, string> = {};
  for (const u of listUsers()) names[`user:${u.id}`] = u.name;
  const orgNames: Record<string, string> = {};
  for (const o of listOrganizations()) names[`organization:${o.id}`] = orgNames[o.id] = o.name;
  const events = recentAuditEvents(LIMIT).map((e) => ({
    seq: e.seq,
    at: e.at,
    actorId: e.actorId,
    actorName: e.actorId ? (names[`user:${e.actorId}`] ?? null) : null,
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    subjectName: e.subjectId ? (names[`${e.subjectType}:${e.subjectId}`] ?? null) : null,
    data: e.data,
  }));
  return { events, orgNames, limit: LIMIT, chain: verifyAuditChain() };
}

/** The audit log page. */
export default function AdminAudit() {
  const { t } = useTranslation("admin");
  const { events, orgNames, limit, chain } = useLoaderData<typeof loader>();
  const { locale } = useRootData();

  return (
    <>
      <div className="section-head">
        <h2>{t("audit.title")}</h2>
        <p className="muted">{t("audit.lead")}</p>
      </div>
      {chain.ok ? (
        <Notice tone="success" title={t("audit.chainOkTitle")}>
          {t("audit.chainOk", { count: chain.count })}
        </Notice>
      ) : (
        <Notice tone="error" title={t("audit.chainBrokenTitle")}>
          {t("audit.chainBroken", { seq: chain.seq, reason: chain.reason })}
        </Notice>
      )}
      {events.length === 0 ? (
        <EmptyState title={t("audit.empty")} />
      ) : (
        <section aria-labelledby="audit-list">
          <h3 id="audit-list" className="visually-hidden">
            {t("audit.listTitle")}
          </h3>
          <p className="muted small">{t("audit.listNote", { count: Math.min(limit, events.length) })}</p>
          <div className="table-wrap">
            <table className="data data--compact data--stack">
              <thead>
                <tr>
                  <th scope="col" className="num">
                    {t("audit.columns.seq")}
                  </th>
                  <th scope="col">{t("audit.columns.at")}</th>
                  <th scope="col">{t("audit.columns.actor")}</th>
                  <th scope="col">{t("audit.columns.action")}</th>
                  <th scope="col">{t("audit.columns.subject")}</th>
                  <th scope="col">{t("audit.columns.data")}</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr key={e.seq}>
                    <td data-label={t("audit.columns.seq")} className="num mono">{e.seq}</td>
                    <td data-label={t("audit.columns.at")} className="nowrap">{formatDateTime(e.at, locale)}</td>
                    <td data-label={t("audit.columns.actor")}>{e.actorId ? (e.actorName ?? <span className="muted">{t("audit.unknownActor")}</span>) : <span className="muted">{t("audit.system")}</span>}</td>
                    <td data-label={t("audit.columns.action")}>
                      {t(`audit.actions.${e.action}`, { defaultValue: e.action })}
                      <span className="cell-sub mono">{e.action}</span>
                    </td>
                    <td data-label={t("audit.columns.subject")}>
                      <span className="cell-sub cell-sub--first">{t(`audit.subjectTypes.${e.subjectType}`, { defaultValue: e.subjectType })}</span>
                      {e.subjectName ?? (e.subjectId ? <span className="mono cell-break">{shortId(e.subjectId)}</span> : null)}
                    </td>
                    <td data-label={t("audit.columns.data")} className="cell-data">
                      <DataSummary json={e.data} orgNames={orgNames} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}

/** Identifiers are UUIDs or codes; a UUID's first block is enough to tell events apart on screen. */
function shortId(id: string): string {
  return /^[0-9a-f]{8}-[0-9a-f-]{27}$/i.test(id) ? `${id.slice(0, 8)}…` : id;
}

/** One value of an event's data, readably: `from → to` pairs, lists, organisation names instead of ids. */
function describe(key: string, value: unknown, orgNames: Record<string, string>, orgLabel: string): string {
  if (key === "orgId" && typeof value === "string" && orgNames[value]) return `${orgLabel}: ${orgNames[value]}`;
  if (value && typeof value === "object" && !Array.isArray(value) && "from" in value && "to" in value && Object.keys(value).length === 2)
    return `${key}: ${String((value as { from: unknown }).from)} → ${String((value as { to: unknown }).to)}`;
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return `${key}: ${value.length ? value.join(", ") : "—"}`;
  return `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`;
}

/** The event's data as `key: value` lines; long data folds into a disclosure with the full JSON. */
function DataSummary({ json, orgNames }: { json: string; orgNames: Record<string, string> }) {
  const { t } = useTranslation("admin");
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    value = json;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return <code className="data-summary">{String(json)}</code>;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return <span className="muted">{t("shared.none")}</span>;
  const lines = entries.map(([k, v]) => describe(k, v, orgNames, t("audit.dataOrganisation")));
  const short = lines.join("; ");
  if (short.length <= 140) return <code className="data-summary">{short}</code>;
  return (
    <details className="data-details">
      <summary>
        <code className="data-summary">{`${short.slice(0, 110)}…`}</code> <span className="data-details__more">{t("audit.moreData")}</span>
      </summary>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
