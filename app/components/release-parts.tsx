/** Presentational parts of the downloads pages: release tables, files, copyable values, changes and the rule results. */
import { useEffect, useId, useState, type ReactNode } from "react";
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { formatDate, formatDateTime, formatNumber } from "../utils/format";
import { StatusBadge } from "./ui";

type Summary = { standardId: string; version: string; revision: string; status: "current" | "superseded"; publishedAt: string; effectiveFrom: string; supersedes: string | null };
type FileInfo = { name: string; sha256: string; length: number };
type RuleChanges = { added: string[]; removed: string[]; changed: { id: string; fields: string[] }[] };

/** The public address of a release, and of one of its files. */
export const releasePath = (id: string, version: string) => `/standards/${encodeURIComponent(id)}/releases/${encodeURIComponent(version)}`;
export const releaseFileUrl = (id: string, version: string, file: string) => `/api/v1/standards/${encodeURIComponent(id)}/releases/${encodeURIComponent(version)}/${encodeURIComponent(file)}`;

/** A size for people (1.2 KB, binary units as sha256sum users expect from ls -h) in the reader's locale. */
export function humanSize(bytes: number, locale: string): string {
  if (bytes < 1024) return `${formatNumber(bytes, locale)} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value)} ${units[unit]}`;
}

/** Current or superseded. */
export function ReleaseStatus({ status }: { status: Summary["status"] }) {
  const { t } = useTranslation("releases");
  return <StatusBadge status={status} label={t(`status.${status}`)} />;
}

/**
 * A value to copy (a hash, a command): shown in full, wrapped, in a read-only monospace field that a
 * keyboard user can focus and select; with JavaScript, a Copy button too. `hash` lays a SHA-256 out
 * as two lines of 32 digits.
 */
export function CopyField({ value, label, kind = "command" }: { value: string; label: string; kind?: "hash" | "command" }) {
  const { t } = useTranslation("releases");
  const id = useId();
  const [enhanced, setEnhanced] = useState(false);
  const [copied, setCopied] = useState(false);
  useEffect(() => setEnhanced(typeof navigator !== "undefined" && !!navigator.clipboard), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  };
  // Rows for browsers without field-sizing: one per line, long lines counted at ~60 characters.
  const rows = kind === "hash" ? 2 : value.split("\n").reduce((n, line) => n + Math.max(1, Math.ceil(line.length / 60)), 0);
  return (
    <span className={`copy-field copy-field--${kind}`}>
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <textarea id={id} className="copy-field__value" readOnly value={value} rows={rows} spellCheck={false} autoCapitalize="off" autoCorrect="off" />
      {enhanced ? (
        <button type="button" className="button button--quiet button--small copy-field__button" onClick={copy} aria-label={t("copy.label", { what: label })}>
          <span aria-live="polite">{copied ? t("copy.done") : t("copy.button")}</span>
        </button>
      ) : null}
    </span>
  );
}

/** The releases of one standard, newest first. */
export function ReleaseTable({ releases, locale, caption }: { releases: Summary[]; locale: string; caption: string }) {
  const { t } = useTranslation("releases");
  return (
    <div className="table-wrap">
      <table className="data">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("list.version")}</th>
            <th scope="col">{t("list.status")}</th>
            <th scope="col">{t("list.revision")}</th>
            <th scope="col">{t("list.published")}</th>
            <th scope="col">{t("list.effective")}</th>
            <th scope="col">{t("list.supersedes")}</th>
          </tr>
        </thead>
        <tbody>
          {releases.map((r) => (
            <tr key={r.version}>
              <td>
                <Link to={releasePath(r.standardId, r.version)} className="cell-strong">
                  {r.version}
                </Link>
              </td>
              <td>
                <ReleaseStatus status={r.status} />
              </td>
              <td>{r.revision}</td>
              <td>{formatDateTime(r.publishedAt, locale)}</td>
              <td>{formatDate(r.effectiveFrom, locale)}</td>
              <td>{r.supersedes ? <Link to={releasePath(r.standardId, r.supersedes)}>{r.supersedes}</Link> : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The files of a release: name and link, what it is, size (human and exact), SHA-256 to copy. */
export function ReleaseFiles({ standardId, version, files, locale }: { standardId: string; version: string; files: FileInfo[]; locale: string }) {
  const { t } = useTranslation("releases");
  return (
    <div className="table-wrap">
      <table className="data release-files">
        <caption className="visually-hidden">{t("files.caption", { id: standardId, version })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("files.file")}</th>
            <th scope="col">{t("files.size")}</th>
            <th scope="col">{t("files.sha256")}</th>
          </tr>
        </thead>
        <tbody>
          {files.map((f) => (
            <tr key={f.name} data-file={f.name}>
              <td>
                <a href={releaseFileUrl(standardId, version, f.name)} className="cell-strong mono" download={f.name}>
                  {f.name}
                </a>
                <span className="cell-sub">{t(`files.describe.${f.name}`, { defaultValue: "" })}</span>
              </td>
              <td className="nowrap">
                {humanSize(f.length, locale)}
                <span className="cell-sub">{t("files.bytes", { count: f.length, formatted: formatNumber(f.length, locale) })}</span>
              </td>
              <td className="release-files__hash">
                <CopyField value={f.sha256} label={t("files.sha256Label", { name: f.name })} kind="hash" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A titled section of the release page, with its heading wired to the region's name. */
export function ReleaseSection({ id, title, children, lead }: { id: string; title: ReactNode; children: ReactNode; lead?: ReactNode }) {
  return (
    <section className="release-section" id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {lead ? <p className="muted measure">{lead}</p> : null}
      {children}
    </section>
  );
}

/** The rule diff of a release against the one it supersedes: added, removed, changed (with the fields). */
export function RuleChangeList({ rules }: { rules: RuleChanges }) {
  const { t } = useTranslation("releases");
  return (
    <ul className="rule-changes">
      {rules.added.map((id) => (
        <li key={`a-${id}`}>
          <span className="change-tag change-tag--added">{t("changes.added")}</span> <code>{id}</code>
        </li>
      ))}
      {rules.removed.map((id) => (
        <li key={`r-${id}`}>
          <span className="change-tag change-tag--removed">{t("changes.removed")}</span> <code>{id}</code>
        </li>
      ))}
      {rules.changed.map((c) => (
        <li key={`c-${c.id}`}>
          <span className="change-tag change-tag--changed">{t("changes.changed")}</span> <code>{c.id}</code> — {t("changes.fields", { fields: c.fields.join(", ") })}
        </li>
      ))}
    </ul>
  );
}

/** Breaking or not, as a badge. */
export function BreakingBadge({ breaking }: { breaking: boolean }) {
  const { t } = useTranslation("releases");
  return <span className={`breaking-badge breaking-badge--${breaking ? "yes" : "no"}`}>{breaking ? t("changes.breaking") : t("changes.notBreaking")}</span>;
}

type TryResult = { rule: string; title: string; applies: boolean; outcome: Record<string, unknown> | null; error?: string };

/** The results of trying the rules: one row per rule, whether it applies and its outcome. */
export function TryResults({ results, version }: { results: TryResult[]; version: string }) {
  const { t } = useTranslation("releases");
  const applied = results.filter((r) => r.applies).length;
  return (
    <div className="try-results" aria-labelledby="try-results-title">
      <h3 id="try-results-title">{t("try.results")}</h3>
      <p role="status">{t("try.summary", { applied, total: results.length })}</p>
      <div className="table-wrap">
        <table className="data">
          <caption className="visually-hidden">{t("try.caption", { version })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("try.rule")}</th>
              <th scope="col">{t("try.applies")}</th>
              <th scope="col">{t("try.outcome")}</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r) => (
              <tr key={r.rule} className={r.applies ? "try-row--applies" : undefined}>
                <th scope="row">
                  <a href={`#rule-${r.rule}`} className="mono">
                    {r.rule}
                  </a>
                  <span className="cell-sub">{r.title}</span>
                </th>
                <td>
                  <span className={`applies applies--${r.applies ? "yes" : "no"}`}>{r.applies ? t("try.yes") : t("try.no")}</span>
                </td>
                <td>{r.error ? <span className="field__error">{t("try.error", { error: r.error })}</span> : r.outcome ? <code className="try-outcome">{JSON.stringify(r.outcome)}</code> : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
