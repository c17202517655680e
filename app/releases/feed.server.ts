/**
 * The Atom feed of releases (`/releases.atom`): the newest 50 releases across standards, each
 * linking to its public release page. Built with the `feed` package; served and cached by the
 * release fast path (app/releases/serve.server.ts) until the next publication.
 */
import { desc, eq } from "drizzle-orm";
import { Feed } from "feed";
import { releases, standards } from "../../db/schema";
import { createI18n, DEFAULT_LOCALE } from "../i18n/i18n";
import { db } from "../utils/db.server";
import { env } from "../utils/env.server";

export const FEED_PATH = "/releases.atom";
export const FEED_SIZE = 50;

type Changes = { rules?: { added?: unknown[]; removed?: unknown[]; changed?: unknown[] }; breaking?: boolean };

/**
 * `feed` writes titles and summaries as `type="html"` inside CDATA, so a reader renders them as
 * HTML: every text is escaped here, and a `<script>` in a standard's title stays text (this also
 * keeps `]]>` out of the CDATA sections).
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function parseChanges(json: string): Changes {
  try {
    return JSON.parse(json) as Changes;
  } catch {
    return {};
  }
}

/** The Atom XML of the newest releases (at most 50), newest first. */
export function releasesAtom(): string {
  const t = createI18n(DEFAULT_LOCALE).getFixedT(DEFAULT_LOCALE, "common", "releaseFeed");
  const base = env().publicUrl.replace(/\/+$/, "");
  const rows = db()
    .select({
      standard: releases.standardId,
      version: releases.version,
      publishedAt: releases.publishedAt,
      effectiveFrom: releases.effectiveFrom,
      supersedes: releases.supersedes,
      changesJson: releases.changesJson,
      title: standards.title,
    })
    .from(releases)
    .innerJoin(standards, eq(standards.id, releases.standardId))
    .orderBy(desc(releases.publishedAt), desc(releases.id))
    .limit(FEED_SIZE)
    .all();

  const feed = new Feed({
    id: `${base}${FEED_PATH}`,
    title: t("title"),
    description: t("subtitle"),
    link: `${base}/standards`,
    feedLinks: { atom: `${base}${FEED_PATH}` },
    language: DEFAULT_LOCALE,
    updated: rows[0] ? new Date(rows[0].publishedAt) : new Date(0),
    generator: "e-WTP Standards Portal",
    copyright: "e-WTP",
  });
  for (const r of rows) {
    const changes = parseChanges(r.changesJson);
    const summary = [
      t("effective", { date: r.effectiveFrom.slice(0, 10) }),
      t("rules", { added: changes.rules?.added?.length ?? 0, removed: changes.rules?.removed?.length ?? 0, changed: changes.rules?.changed?.length ?? 0 }),
      ...(changes.breaking ? [t("breaking")] : []),
      r.supersedes ? t("supersedes", { version: r.supersedes }) : t("firstRelease"),
    ].join(" ");
    const page = `${base}/standards/${encodeURIComponent(r.standard)}/releases/${encodeURIComponent(r.version)}`;
    feed.addItem({
      title: escapeHtml(t("entryTitle", { standard: r.standard, version: r.version, title: r.title })),
      // The manifest URL names the release exactly and never changes.
      id: `${base}/api/v1/standards/${encodeURIComponent(r.standard)}/releases/${encodeURIComponent(r.version)}`,
      link: page,
      date: new Date(r.publishedAt),
      published: new Date(r.publishedAt),
      description: escapeHtml(summary),
    });
  }
  return feed.atom1();
}
