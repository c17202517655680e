/** A redline: prose hunks with word-level insertions and deletions, and the semantic rule diff. */
import { useTranslation } from "react-i18next";

type Word = { op: "equal" | "insert" | "delete"; text: string };
type Hunk = { op: "insert" | "delete" | "change"; block: string; fromLine: number | null; toLine: number | null; words: Word[]; move?: { id: number } };
type RuleChanges = { added: string[]; removed: string[]; changed: { id: string; fields: string[] }[] };

/** Renders the prose hunks of a redline; insertions and deletions are <ins>/<del> for assistive technology. */
export function RedlineView({ hunks, rules }: { hunks: Hunk[]; rules: RuleChanges }) {
  const { t } = useTranslation("standards");
  return (
    <div className="redline">
      <section className="card" aria-labelledby="rule-changes">
        <h2 id="rule-changes">{t("diff.rulesTitle")}</h2>
        {rules.added.length + rules.removed.length + rules.changed.length === 0 ? (
          <p className="muted">{t("diff.noRuleChanges")}</p>
        ) : (
          <ul className="rule-changes">
            {rules.added.map((id) => (
              <li key={`a-${id}`}>
                <span className="change-tag change-tag--added">{t("diff.added")}</span> <code>{id}</code>
              </li>
            ))}
            {rules.removed.map((id) => (
              <li key={`r-${id}`}>
                <span className="change-tag change-tag--removed">{t("diff.removed")}</span> <code>{id}</code>
              </li>
            ))}
            {rules.changed.map((c) => (
              <li key={`c-${c.id}`}>
                <span className="change-tag change-tag--changed">{t("diff.changed")}</span> <code>{c.id}</code> — {t("diff.fields", { fields: c.fields.join(", ") })}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="text-changes">
        <h2 id="text-changes">{t("diff.textTitle", { count: hunks.length })}</h2>
        {hunks.length === 0 ? <p className="muted">{t("diff.noTextChanges")}</p> : null}
        <ol className="hunks">
          {hunks.map((h, i) => (
            <li key={i} className={`hunk hunk--${h.op}`}>
              <p className="hunk__where">
                {h.op === "insert" ? t("diff.inserted", { line: h.toLine }) : h.op === "delete" ? t("diff.deleted", { line: h.fromLine }) : t("diff.changedAt", { from: h.fromLine, to: h.toLine })}
                {h.move ? <span className="muted"> · {t("diff.moved")}</span> : null}
              </p>
              <p className="hunk__text">
                {h.words.map((w, j) =>
                  w.op === "insert" ? (
                    <ins key={j}>{w.text}</ins>
                  ) : w.op === "delete" ? (
                    <del key={j}>{w.text}</del>
                  ) : (
                    <span key={j}>{w.text}</span>
                  ),
                )}
              </p>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
