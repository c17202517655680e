/** Small pieces shared by the rule card, the rule form and the panel: a problem's text, an example's result. */
import { useTranslation } from "react-i18next";
import type { CheckedExample, EditorIssue, FailureReason } from "./rule-form";

/** One problem, translated when it is one of the editor's own, with where in the rule it is. */
export function IssueText({ issue }: { issue: EditorIssue }) {
  const { t } = useTranslation("editor");
  const text = issue.key ? t(issue.key, issue.values) : issue.message;
  return (
    <>
      {issue.path ? <code className="editor-issue__path">{issue.path}</code> : null} {text}
    </>
  );
}

/** Why an example fails, in words. */
export function ReasonText({ reason }: { reason: FailureReason }) {
  const { t } = useTranslation("editor");
  const values = { ...reason.values, expected: reason.values.expected || t("why.missing"), actual: reason.values.actual || t("why.missing") };
  return <>{t(reason.key, values)}</>;
}

/** The live result of one example: a pass/fail mark, its name, and for a failure the reasons. */
export function ExampleOutcome({ result, name }: { result: CheckedExample | null; name: string }) {
  const { t } = useTranslation("editor");
  if (!result) {
    return (
      <p className="editor-example editor-example--pending">
        <span className="editor-example__mark" aria-hidden="true">
          …
        </span>
        <span>
          {name} — {t("examples.pending")}
        </span>
      </p>
    );
  }
  return (
    <div className={`editor-example editor-example--${result.passed ? "pass" : "fail"}`}>
      <span className="editor-example__mark" aria-hidden="true">
        {result.passed ? "✓" : "✗"}
      </span>
      <div>
        <span className="editor-example__name">{name}</span>{" "}
        <span className="editor-example__verdict">{result.passed ? t("examples.passed") : t("examples.failed")}</span>
        {result.reasons.length ? (
          <ul className="editor-example__why">
            {result.reasons.map((r, i) => (
              <li key={i}>
                <ReasonText reason={r} />
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  );
}
