/**
 * The live conformance panel: every rule block's examples run as the text changes — how many pass,
 * which fail and why, and which rule blocks have problems — each entry linking to its rule.
 */
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { useRuleChecks } from "./rule-checks";
import { ruleView, type CheckedExample, type EditorIssue } from "./rule-form";
import { ruleContextFor, useRuleDocument } from "./rule-document";
import { IssueText, ReasonText } from "./rule-parts";

type Row = { key: string; n: number; name: string; issues: EditorIssue[]; results: CheckedExample[]; pending: boolean };

/** The conformance summary of the whole document. */
export function ConformancePanel() {
  const { t } = useTranslation("editor");
  const doc = useRuleDocument();
  const { lookup } = useRuleChecks(useMemo(() => doc.entries.map((e) => e.source), [doc.entries]));
  const rows = useMemo<Row[]>(
    () =>
      doc.entries.map((entry, i) => {
        const v = ruleView(entry.source, ruleContextFor(doc, entry.key), lookup);
        return { key: entry.key, n: i + 1, name: v.id ?? t("panel.ruleBlock", { n: i + 1 }), issues: v.issues, results: v.results, pending: v.pending };
      }),
    [doc, t, lookup]
  );
  const pending = rows.some((r) => r.pending);
  const results = rows.flatMap((r) => r.results.map((result) => ({ row: r, result })));
  const failing = results.filter((r) => !r.result.passed);
  const broken = rows.filter((r) => r.issues.length);
  const passed = results.length - failing.length;

  return (
    <aside className="editor-panel" aria-labelledby="editor-panel-title">
      <h2 id="editor-panel-title" className="editor-panel__title">
        {t("panel.title")}
      </h2>
      <p className={`editor-panel__summary editor-panel__summary--${failing.length || broken.length ? "problem" : "ok"}`} aria-live="polite">
        <strong>{t("panel.summary", { passed, total: results.length })}</strong>
        <span className="muted"> · {t("panel.rules", { count: rows.length })}</span>
      </p>
      {rows.length === 0 ? <p className="muted">{t("panel.noRules")}</p> : null}
      {pending ? <p className="muted">{t("panel.checking")}</p> : null}
      {rows.length > 0 && !pending && !failing.length && !broken.length ? <p className="editor-panel__ok">{t("panel.allPass")}</p> : null}

      {broken.length ? (
        <section aria-labelledby="editor-panel-broken">
          <h3 id="editor-panel-broken" className="editor-panel__subtitle">
            {t("panel.problemTitle")}
          </h3>
          <ul className="editor-panel__list">
            {broken.map((r) => (
              <li key={r.key}>
                <a href={`#editor-rule-${r.key}`} aria-label={t("panel.goTo", { name: r.name })}>
                  {r.name}
                </a>
                <ul>
                  {r.issues.map((issue, i) => (
                    <li key={i}>
                      <IssueText issue={issue} />
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {failing.length ? (
        <section aria-labelledby="editor-panel-failing">
          <h3 id="editor-panel-failing" className="editor-panel__subtitle">
            {t("panel.failingTitle")}
          </h3>
          <ul className="editor-panel__list">
            {failing.map(({ row, result }, i) => (
              <li key={`${row.key}-${i}`}>
                <a href={`#editor-rule-${row.key}`} aria-label={t("panel.goTo", { name: row.name })}>
                  {row.name}
                </a>{" "}
                <span className="editor-panel__example">{result.example}</span>
                <ul>
                  {result.reasons.map((reason, j) => (
                    <li key={j}>
                      <ReasonText reason={reason} />
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </aside>
  );
}
