/**
 * The read-only document as the server renders it (sanitized HTML for prose, cards for rules): the
 * editor page shows it during SSR and until the browser editor has mounted.
 */
import { useTranslation } from "react-i18next";
import { RuleCard } from "../components/rule-card";
import { Notice } from "../components/ui";
import type { Rule } from "../domain/rules";

/** One segment of a rendered document (the shape documentSegments returns on the server). */
export type PreviewSegment = { kind: "html"; html: string } | { kind: "rule"; rule: Rule } | { kind: "invalid-rule"; source: string; error: string };

/** The read-only rendering of a standard's draft. */
export function DocumentPreview({ segments, label }: { segments: readonly PreviewSegment[]; label: string }) {
  const { t } = useTranslation("editor");
  return (
    <article className="document editor-preview" aria-label={label}>
      {segments.map((s, i) =>
        s.kind === "html" ? (
          <div key={i} dangerouslySetInnerHTML={{ __html: s.html }} />
        ) : s.kind === "rule" ? (
          <RuleCard key={i} rule={s.rule} />
        ) : (
          <Notice key={i} tone="error">
            {t("issues.json", { message: s.error })}
          </Notice>
        )
      )}
    </article>
  );
}
