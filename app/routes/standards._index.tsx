import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { STANDARD_STATUSES } from "../../db/vocabulary";
import { getAuth } from "../auth/guards.server";
import { CommitteeFilter, StandardStatusFilter } from "../components/filter-fields";
import { Pagination, pageRange } from "../components/pagination";
import { StandardList } from "../components/standard-list";
import { EmptyState, PageHeader } from "../components/ui";
import { listCommittees } from "../domain/members.server";
import { listStandardsPage } from "../domain/standards.server";
import { documentTitle } from "../i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "common:meta.standards") }];

const FilterSchema = z.object({
  committee: z.string().regex(/^[A-Z]{2,5}$/).optional().catch(undefined),
  status: z.enum(STANDARD_STATUSES).optional().catch(undefined),
  q: z.string().trim().max(200).optional().catch(undefined),
  sort: z.enum(["id", "title", "updated"]).optional().catch(undefined),
  page: z.string().regex(/^[0-9]{1,30}$/).transform(Number).optional().catch(undefined),
});

export function loader({ request }: LoaderFunctionArgs) {
  const auth = getAuth(request);
  const url = new URL(request.url);
  const filter = FilterSchema.parse(Object.fromEntries(url.searchParams));
  return {
    signedIn: !!auth,
    filter,
    committees: listCommittees().map((c) => ({ code: c.code, name: c.name })),
    ...listStandardsPage(auth?.actor ?? null, { committee: filter.committee, status: filter.status, q: filter.q || undefined }, { sort: filter.sort, page: filter.page }),
  };
}

/** The list's URL for page n, keeping the filters and sort (page 1 has no `page` parameter). */
function pageHref(filter: { committee?: string; status?: string; q?: string; sort?: string }, page: number): string {
  const params = new URLSearchParams();
  for (const key of ["q", "committee", "status", "sort"] as const) if (filter[key]) params.set(key, filter[key]!);
  if (page > 1) params.set("page", String(page));
  const query = params.toString();
  return query ? `/standards?${query}` : "/standards";
}

export default function Standards() {
  const { t } = useTranslation(["standards", "common"]);
  const d = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title={t("list.title")} lead={d.signedIn ? t("list.leadMember") : t("list.leadPublic")} />
      <Form method="get" className="filters" role="search">
        <div className="field field--grow">
          <label htmlFor="q">{t("list.search")}</label>
          <input id="q" name="q" type="search" defaultValue={d.filter.q ?? ""} placeholder={t("list.searchPlaceholder")} />
        </div>
        <CommitteeFilter committees={d.committees} value={d.filter.committee} label={t("list.committee")} anyLabel={t("list.anyCommittee")} />
        <StandardStatusFilter value={d.filter.status} label={t("list.status")} anyLabel={t("list.anyStatus")} />
        <div className="field">
          <label htmlFor="sort">{t("list.sort")}</label>
          <select id="sort" name="sort" defaultValue={d.filter.sort ?? "id"}>
            <option value="id">{t("list.sortId")}</option>
            <option value="title">{t("list.sortTitle")}</option>
            <option value="updated">{t("list.sortUpdated")}</option>
          </select>
        </div>
        <button type="submit" className="button">
          {t("list.filter")}
        </button>
      </Form>
      {/* The one statement of the count: the total when it all fits on one page, else this page's range of it. */}
      <p className="muted list-count" aria-live="polite">
        {d.pageCount > 1 ? t("list.resultsRange", { ...pageRange(d.page, d.pageSize, d.total), total: d.total }) : t("list.results", { count: d.total })}
      </p>
      {d.standards.length ? (
        <>
          <StandardList standards={d.standards} />
          <Pagination page={d.page} pageCount={d.pageCount} total={d.total} pageSize={d.pageSize} hrefFor={(n) => pageHref(d.filter, n)} />
        </>
      ) : (
        <EmptyState title={d.signedIn ? t("list.empty") : t("list.emptyPublic")} />
      )}
    </>
  );
}
