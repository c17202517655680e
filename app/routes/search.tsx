import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { STANDARD_STATUSES } from "../../db/vocabulary";
import { getAuth } from "../auth/guards.server";
import { CommitteeFilter, StandardStatusFilter } from "../components/filter-fields";
import { EmptyState, PageHeader, StatusBadge } from "../components/ui";
import { listCommittees } from "../domain/members.server";
import { search, snippetParts } from "../domain/search.server";
import { documentTitle } from "../i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "common:meta.search") }];

const QuerySchema = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  committee: z.string().regex(/^[A-Z]{2,5}$/).optional().catch(undefined),
  status: z.enum(STANDARD_STATUSES).optional().catch(undefined),
});

export function loader({ request }: LoaderFunctionArgs) {
  const auth = getAuth(request);
  const query = QuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const hits = query.q ? search({ q: query.q, committee: query.committee, status: query.status, limit: 50 }, auth?.actor ?? null) : [];
  return {
    query,
    signedIn: !!auth,
    committees: listCommittees().map((c) => ({ code: c.code, name: c.name })),
    hits: hits.map((h) => ({ ...h, parts: snippetParts(h.snippet) })),
  };
}

export default function Search() {
  const { t } = useTranslation(["standards", "common"]);
  const d = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title={t("search.title")} lead={d.signedIn ? t("search.leadMember") : t("search.leadPublic")} />
      <Form method="get" className="filters" role="search">
        <div className="field field--grow">
          <label htmlFor="q">{t("search.query")}</label>
          <input id="q" name="q" type="search" defaultValue={d.query.q ?? ""} maxLength={200} placeholder={t("search.placeholder")} />
        </div>
        <CommitteeFilter committees={d.committees} value={d.query.committee} label={t("list.committee")} anyLabel={t("list.anyCommittee")} />
        <StandardStatusFilter value={d.query.status} label={t("list.status")} anyLabel={t("list.anyStatus")} />
        <button type="submit" className="button">
          {t("search.submit")}
        </button>
      </Form>
      {d.query.q ? (
        <p className="muted" aria-live="polite">
          {t("search.results", { count: d.hits.length, q: d.query.q })}
        </p>
      ) : null}
      {d.query.q && d.hits.length === 0 ? <EmptyState title={t("search.none")}>{t("search.noneBody")}</EmptyState> : null}
      <ol className="search-results">
        {d.hits.map((h, i) => (
          <li key={i} className="search-hit">
            <p className="search-hit__where">
              <a href={`/standards/${h.standardId}`}>
                <span className="standard-item__id">{h.standardId}</span> {h.standardTitle}
              </a>{" "}
              <StatusBadge status={h.status} label={t(`common:standardStatus.${h.status}`)} />
            </p>
            <p className="search-hit__kind">
              {h.kind === "rule" ? t("search.inRule", { ref: h.ref, title: h.title }) : h.kind === "draft" ? t("search.inSection", { ref: h.ref ?? "—" }) : t("search.inSummary")}
            </p>
            <p className="search-hit__snippet">
              {h.parts.map((p, j) => (p.match ? <mark key={j}>{p.text}</mark> : <span key={j}>{p.text}</span>))}
            </p>
          </li>
        ))}
      </ol>
    </>
  );
}
