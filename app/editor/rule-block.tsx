/**
 * What a rule block looks like in the editor: the readable rule card, its problems (at the rule,
 * saying what to fix), the live result of each example, and — in editable editors — "Edit rule",
 * which opens the structured form. Rendered by RuleNode.decorate(); never throws on a broken rule.
 */
import { useLexicalComposerContext } from "@lexical/react/LexicalComposerContext";
import { useLexicalEditable } from "@lexical/react/useLexicalEditable";
import { $getNodeByKey } from "lexical";
import { useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { RuleCard } from "../components/rule-card";
import { RuleEditorForm } from "./rule-editor-form";
import { prettyJson, ruleView } from "./rule-form";
import { useRuleChecks } from "./rule-checks";
import { ExampleOutcome, IssueText } from "./rule-parts";
import { ruleContextFor, useRuleDocument } from "./rule-document";

/** The rule block in the editor: card, problems, examples, and the edit form on demand. */
export function RuleBlock({ nodeKey, source }: { nodeKey: string; source: string }) {
  const { t } = useTranslation("editor");
  const [editor] = useLexicalComposerContext();
  const editable = useLexicalEditable();
  const doc = useRuleDocument();
  const ctx = useMemo(() => ruleContextFor(doc, nodeKey), [doc, nodeKey]);
  const { lookup } = useRuleChecks([source]);
  const view = useMemo(() => ruleView(source, ctx, lookup), [source, ctx, lookup]);
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  // Closing the form returns focus to "Edit rule", where the author started.
  useEffect(() => {
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  const name = view.id ?? t("rule.unnamed");
  const { rule, issues, results, pending } = view;
  const shown = view.shown;
  const passed = results.filter((r) => r.passed).length;
  const remove = () => {
    editor.update(() => {
      $getNodeByKey(nodeKey)?.remove();
    });
  };

  return (
    <div id={`editor-rule-${nodeKey}`} className={`editor-rule${issues.length ? " editor-rule--problem" : ""}`}>
      <div className="editor-rule__bar">
        {pending ? (
          <span className="editor-rule__status editor-rule__status--pending">{t("rule.status.checking")}</span>
        ) : (
          <span className={`editor-rule__status editor-rule__status--${issues.length ? "problem" : "ok"}`}>
            {issues.length ? t("rule.status.problems", { count: issues.length }) : t("rule.status.ok")}
          </span>
        )}
        {rule && results.length ? (
          <span className={`editor-rule__status editor-rule__status--${passed === results.length ? "ok" : "problem"}`}>
            {t("examples.summary", { passed, total: results.length })}
          </span>
        ) : null}
        {editable && !editing ? (
          <span className="editor-rule__actions">
            <button
              ref={editButton}
              type="button"
              className="button button--small"
              aria-label={t("rule.editLabel", { id: name })}
              onClick={() => setEditing(true)}
            >
              {t("rule.edit")}
            </button>
            <button type="button" className="button button--small button--quiet" aria-label={t("rule.removeLabel", { id: name })} onClick={remove}>
              {t("rule.remove")}
            </button>
          </span>
        ) : null}
      </div>

      {issues.length ? (
        <div className="editor-rule__issues" role="alert">
          <p>{editable ? t("rule.problemsTitle", { count: issues.length }) : t("rule.problemsTitleReadOnly", { count: issues.length })}</p>
          <ul>
            {issues.map((issue, i) => (
              <li key={i}>
                <IssueText issue={issue} />
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {editing && editable ? (
        <RuleEditorForm nodeKey={nodeKey} source={source} ctx={ctx} onClose={() => setEditing(false)} />
      ) : shown ? (
        <RuleCard rule={shown} formatLogic={(value) => <pre className="editor-logic">{prettyJson(value)}</pre>}>
          {rule || pending ? (
            // A labelled group, not a heading: the document's own headings stay the only ones in its outline.
            <div className="editor-examples" role="group" aria-labelledby={`editor-examples-${nodeKey}`}>
              <p className="editor-examples__title" id={`editor-examples-${nodeKey}`}>
                {t("examples.title")}
              </p>
              {rule && rule.examples.length === 0 ? <p className="muted">{t("examples.none")}</p> : null}
              {pending ? <p className="muted">{t("examples.checking")}</p> : null}
              {results.map((r, i) => (
                <ExampleOutcome key={i} result={r} name={r.example} />
              ))}
            </div>
          ) : (
            <details className="editor-rule__source-details">
              <summary>{t("rule.source")}</summary>
              <pre className="editor-rule__source">{source}</pre>
            </details>
          )}
        </RuleCard>
      ) : (
        <section className="rule-card editor-rule__broken" aria-label={t("rule.label", { id: name })}>
          <div className="rule-card__head">
            <span className="rule-card__id">{name}</span>
          </div>
          <p className="editor-rule__source-label">{t("rule.source")}</p>
          <pre className="editor-rule__source">{source}</pre>
        </section>
      )}
    </div>
  );
}
