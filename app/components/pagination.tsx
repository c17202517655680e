/** Pagination for a list page: previous/next links, numbered pages and, if asked, a "Showing 51–100 of 500" summary. Plain links, so it works without JavaScript. */
import { useTranslation } from "react-i18next";

/** The page numbers to show: the first, the last, and two either side of the current one; null marks a gap. */
export function pageWindow(page: number, pageCount: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let n = 1; n <= pageCount; n++) {
    if (n === 1 || n === pageCount || Math.abs(n - page) <= 2) out.push(n);
    else if (out[out.length - 1] !== null) out.push(null);
  }
  return out;
}

/** The range of items page n shows, counted from 1: { from: 51, to: 100 } for page 2 of 50 a page. */
export function pageRange(page: number, pageSize: number, total: number): { from: number; to: number } {
  return { from: total === 0 ? 0 : (page - 1) * pageSize + 1, to: Math.min(total, page * pageSize) };
}

/**
 * `hrefFor(n)` builds the link to page n, keeping the list's other parameters. The "Showing 51–100
 * of 500" summary is shown only with `summary` (for a page that does not state its range itself),
 * and only when there is more than one page; with a single page, nothing is rendered.
 */
export function Pagination({ page, pageCount, total, pageSize, hrefFor, summary = false }: { page: number; pageCount: number; total: number; pageSize: number; hrefFor: (page: number) => string; summary?: boolean }) {
  const { t } = useTranslation("common");
  if (pageCount <= 1) return null;
  const { from, to } = pageRange(page, pageSize, total);
  return (
    <nav className="pagination" aria-label={t("pagination.label")}>
      {summary ? <p className="pagination__summary muted">{t("pagination.showing", { from, to, total })}</p> : null}
      <ul className="pagination__pages">
        <li>
          {page > 1 ? (
            <a href={hrefFor(page - 1)} rel="prev">
              {t("pagination.previous")}
            </a>
          ) : (
            <span className="pagination__off" aria-disabled="true">
              {t("pagination.previous")}
            </span>
          )}
        </li>
        {pageWindow(page, pageCount).map((n, i) =>
          n === null ? (
            <li key={`gap-${i}`} aria-hidden="true">
              …
            </li>
          ) : (
            <li key={n}>
              <a href={hrefFor(n)} aria-current={n === page ? "page" : undefined} aria-label={t("pagination.page", { page: n })}>
                {n}
              </a>
            </li>
          ),
        )}
        <li>
          {page < pageCount ? (
            <a href={hrefFor(page + 1)} rel="next">
              {t("pagination.next")}
            </a>
          ) : (
            <span className="pagination__off" aria-disabled="true">
              {t("pagination.next")}
            </span>
          )}
        </li>
      </ul>
    </nav>
  );
}
