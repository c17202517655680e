/**
 * The structured rule form: id, title and description; the `when` condition and each outcome as
 * JSON Logic text with its own parse and validation errors as you type; the examples with their
 * live pass/fail. "Advanced: edit as JSON" edits the whole rule as text instead. Apply writes the
 * rule into the RuleNode in one editor update; Cancel discards.
 */
import { useLexicalComposerContext } from "@lexical/react/LexicalComposerContext";
import { $getNodeByKey } from "lexical";
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ExampleOutcome, IssueText } from "./rule-parts";
import { useRuleChecks } from "./rule-checks";
import {
  emptyExample,
  formFromSource,
  parseJson,
  readRuleForm,
  ruleFormState,
  ruleView,
  type EditorIssue,
  type RuleContext,
  type RuleFormFields,
} from "./rule-form";
import { $isRuleNode } from "./rule-node";

type FieldProps = {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  issues?: EditorIssue[];
  children: (a11y: { id: string; "aria-invalid"?: true; "aria-describedby"?: string }) => ReactNode;
};

/** A labelled form field with its hint and its problems wired for screen readers. */
function FormField({ id, label, hint, issues, children }: FieldProps) {
  const describedBy = [hint ? `${id}-hint` : null, issues?.length ? `${id}-errors` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field rule-form__field${issues?.length ? " field--error" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {children({ id, "aria-invalid": issues?.length ? true : undefined, "aria-describedby": describedBy })}
      <FieldIssues id={`${id}-errors`} issues={issues} />
    </div>
  );
}

/** The problems of one field (or group), as a list under it. */
function FieldIssues({ id, issues }: { id?: string; issues?: EditorIssue[] }) {
  if (!issues?.length) return null;
  return (
    <ul className="field__error rule-form__errors" id={id}>
      {issues.map((issue, i) => (
        <li key={i}>
          <IssueText issue={{ ...issue, path: "" } as EditorIssue} />
        </li>
      ))}
    </ul>
  );
}

/** Rows of a textarea: enough to show the text (long lines count as wrapped at ~80 characters), within limits. */
function rowsFor(text: string, min = 2, max = 14): number {
  const lines = text.split("\n").reduce((n, line) => n + Math.max(1, Math.ceil(line.length / 80)), 0);
  return Math.min(max, Math.max(min, lines));
}

/** The rule form of one rule block. */
export function RuleEditorForm({ nodeKey, source, ctx, onClose }: { nodeKey: string; source: string; ctx: RuleContext; onClose: () => void }) {
  const { t } = useTranslation("editor");
  const [editor] = useLexicalComposerContext();
  const uid = useId();
  const initial = useMemo(() => formFromSource(source), [source]);
  const [mode, setMode] = useState<"form" | "json">(initial ? "form" : "json");
  const [fields, setFields] = useState<RuleFormFields>(initial ?? { id: "", title: "", description: "", when: "", then: [], examples: [] });
  const [jsonText, setJsonText] = useState(source);
  const [modeError, setModeError] = useState<string | null>(null);
  const [showCannotApply, setShowCannotApply] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  // Opening the form moves focus into it, so keyboard and screen reader users land where they edit.
  useEffect(() => {
    rootRef.current?.querySelector<HTMLElement>("input, textarea")?.focus({ preventScroll: true });
    rootRef.current?.scrollIntoView({ block: "start" });
  }, []);

  // The rule core runs on the server: ask for the form's rule (and its runnable part) or the JSON text.
  const reading = useMemo(() => readRuleForm(fields), [fields]);
  const { lookup, error: checkError } = useRuleChecks(mode === "form" ? [reading.source, reading.preview?.source] : [jsonText]);
  const result = useMemo(() => ruleFormState(fields, ctx, lookup), [fields, ctx, lookup]);
  const jsonView = useMemo(() => (mode === "json" ? ruleView(jsonText, ctx, lookup) : null), [mode, jsonText, ctx, lookup]);
  const errors = result.errors;
  const preview = result.examples;
  const pending = mode === "form" ? result.pending : jsonView?.pending ?? false;
  const problemCount = mode === "form" ? Object.values(errors).reduce((n, list) => n + list.length, 0) : jsonView?.issues.length ?? 0;
  const id = (name: string) => `${uid}-${name}`;
  // The form keeps the name of the rule it was opened on, even while the id field is being changed.
  const name = initial?.id || t("rule.unnamed");

  const update = (patch: Partial<RuleFormFields>) => {
    setShowCannotApply(false);
    setFields((f) => ({ ...f, ...patch }));
  };
  const setOutcome = (i: number, patch: Partial<RuleFormFields["then"][number]>) =>
    update({ then: fields.then.map((o, j) => (j === i ? { ...o, ...patch } : o)) });
  const setExample = (i: number, patch: Partial<RuleFormFields["examples"][number]>) =>
    update({ examples: fields.examples.map((e, j) => (j === i ? { ...e, ...patch } : e)) });

  const toJson = () => {
    setJsonText(result.source ?? jsonText);
    setModeError(null);
    setMode("json");
  };
  const toForm = () => {
    const parsed = parseJson(jsonText);
    const next = formFromSource(jsonText);
    if (!parsed.ok || !next) {
      setModeError(t("form.jsonInvalidForForm", { message: parsed.ok ? "not an object" : parsed.message }));
      return;
    }
    setModeError(null);
    setFields(next);
    setMode("form");
  };

  const apply = () => {
    const next = mode === "json" ? jsonText : result.source;
    if (next === null) {
      setShowCannotApply(true);
      rootRef.current?.querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
      return;
    }
    editor.update(() => {
      const node = $getNodeByKey(nodeKey);
      if ($isRuleNode(node)) node.setSource(next);
    });
    onClose();
  };

  return (
    <div ref={rootRef} className="rule-form" role="group" aria-label={t("form.label", { id: name })}>
      <div className="rule-form__top">
        <h4 className="rule-form__title">{t("form.label", { id: name })}</h4>
        <button type="button" className="button button--small button--quiet" onClick={mode === "form" ? toJson : toForm} aria-pressed={mode === "json"}>
          {mode === "form" ? t("form.asJson") : t("form.asForm")}
        </button>
      </div>
      {modeError ? (
        <p className="field__error" role="alert">
          {modeError}
        </p>
      ) : null}

      {mode === "json" ? (
        <FormField id={id("json")} label={t("form.json")} hint={t("form.jsonHint")} issues={jsonView?.issues}>
          {(a11y) => (
            <textarea
              {...a11y}
              className="rule-form__code"
              wrap="off"
              spellCheck={false}
              rows={rowsFor(jsonText, 8, 30)}
              value={jsonText}
              onChange={(e) => setJsonText(e.target.value)}
            />
          )}
        </FormField>
      ) : (
        <>
          <div className="rule-form__row">
            <FormField id={id("id")} label={t("form.id")} hint={t("form.idHint", { example: `${ctx.idPrefix ?? "TAR-001.R"}1` })} issues={errors.id}>
              {(a11y) => <input {...a11y} className="rule-form__mono" value={fields.id} onChange={(e) => update({ id: e.target.value })} spellCheck={false} />}
            </FormField>
            <FormField id={id("title")} label={t("form.title")} issues={errors.title}>
              {(a11y) => <input {...a11y} value={fields.title} onChange={(e) => update({ title: e.target.value })} />}
            </FormField>
          </div>
          <FormField id={id("description")} label={t("form.description")} issues={errors.description}>
            {(a11y) => (
              <textarea
                {...a11y}
                rows={rowsFor(fields.description, 3, 8)}
                value={fields.description}
                onChange={(e) => update({ description: e.target.value })}
              />
            )}
          </FormField>
          <FormField id={id("when")} label={t("form.when")} hint={t("form.whenHint")} issues={errors.when}>
            {(a11y) => (
              <textarea
                {...a11y}
                className="rule-form__code"
                wrap="off"
                spellCheck={false}
                rows={rowsFor(fields.when, 3)}
                value={fields.when}
                onChange={(e) => update({ when: e.target.value })}
              />
            )}
          </FormField>

          <fieldset className="rule-form__group">
            <legend>{t("form.then")}</legend>
            <p className="field__hint">{t("form.thenHint")}</p>
            <FieldIssues issues={errors.then} />
            {fields.then.map((row, i) => (
              <div className="rule-form__outcome" key={i}>
                <FormField id={id(`then-${i}-key`)} label={t("form.outcomeName")} issues={errors[`then.${i}`]}>
                  {(a11y) => (
                    <input {...a11y} className="rule-form__mono" value={row.key} spellCheck={false} onChange={(e) => setOutcome(i, { key: e.target.value })} />
                  )}
                </FormField>
                <FormField id={id(`then-${i}-value`)} label={t("form.outcomeValue", { name: row.key })} issues={errors[`then.${i}.value`]}>
                  {(a11y) => (
                    <textarea
                      {...a11y}
                      className="rule-form__code"
                      wrap="off"
                      spellCheck={false}
                      rows={rowsFor(row.value, 1)}
                      value={row.value}
                      onChange={(e) => setOutcome(i, { value: e.target.value })}
                    />
                  )}
                </FormField>
                <button
                  type="button"
                  className="button button--small button--quiet rule-form__remove"
                  aria-label={t("form.removeOutcome", { name: row.key })}
                  onClick={() => update({ then: fields.then.filter((_, j) => j !== i) })}
                >
                  ✕
                </button>
              </div>
            ))}
            <button type="button" className="button button--small button--quiet" onClick={() => update({ then: [...fields.then, { key: "", value: "" }] })}>
              {t("form.addOutcome")}
            </button>
          </fieldset>

          <fieldset className="rule-form__group">
            <legend>{t("form.examples")}</legend>
            <p className="field__hint">{t("form.examplesHint")}</p>
            <FieldIssues issues={errors.examples} />
            {fields.examples.map((ex, i) => (
              <fieldset className="rule-form__example" key={i}>
                <legend>{t("form.example", { n: i + 1 })}</legend>
                <FieldIssues issues={errors[`examples.${i}`]} />
                <FormField id={id(`ex-${i}-name`)} label={t("form.exampleName")} issues={errors[`examples.${i}.name`]}>
                  {(a11y) => <input {...a11y} value={ex.name} onChange={(e) => setExample(i, { name: e.target.value })} />}
                </FormField>
                <FormField id={id(`ex-${i}-input`)} label={t("form.exampleInput")} issues={errors[`examples.${i}.input`]}>
                  {(a11y) => (
                    <textarea
                      {...a11y}
                      className="rule-form__code"
                      wrap="off"
                      spellCheck={false}
                      rows={rowsFor(ex.input, 2, 10)}
                      value={ex.input}
                      onChange={(e) => setExample(i, { input: e.target.value })}
                    />
                  )}
                </FormField>
                <label className="checkbox rule-form__applies">
                  <input
                    type="checkbox"
                    checked={ex.applies}
                    onChange={(e) => setExample(i, { applies: e.target.checked, outcome: e.target.checked && ex.outcome === "" ? "{}" : ex.outcome })}
                  />
                  <span>{t("form.exampleApplies")}</span>
                </label>
                <FieldIssues issues={errors[`examples.${i}.applies`]} />
                {ex.applies ? (
                  <FormField id={id(`ex-${i}-outcome`)} label={t("form.exampleOutcome")} issues={errors[`examples.${i}.outcome`]}>
                    {(a11y) => (
                      <textarea
                        {...a11y}
                        className="rule-form__code"
                        wrap="off"
                        spellCheck={false}
                        rows={rowsFor(ex.outcome, 2, 10)}
                        value={ex.outcome}
                        onChange={(e) => setExample(i, { outcome: e.target.value })}
                      />
                    )}
                  </FormField>
                ) : (
                  <p className="field__hint">{t("form.exampleOutcomeNull")}</p>
                )}
                <ExampleOutcome result={preview[i]} name={ex.name || t("form.example", { n: i + 1 })} />
                <button
                  type="button"
                  className="button button--small button--quiet"
                  aria-label={t("form.removeExample", { n: i + 1 })}
                  onClick={() => update({ examples: fields.examples.filter((_, j) => j !== i) })}
                >
                  {t("form.removeExample", { n: i + 1 })}
                </button>
              </fieldset>
            ))}
            <button type="button" className="button button--small button--quiet" onClick={() => update({ examples: [...fields.examples, emptyExample()] })}>
              {t("form.addExample")}
            </button>
          </fieldset>
        </>
      )}

      <p className={`rule-form__summary${problemCount ? " rule-form__summary--problem" : pending ? " rule-form__summary--pending" : ""}`} aria-live="polite">
        {problemCount ? t("form.problems", { count: problemCount }) : pending ? t("form.checking") : t("form.noProblems")}
      </p>
      {checkError ? (
        <p className="field__error" role="alert">
          {t("form.checkFailed", { message: checkError })}
        </p>
      ) : null}
      {showCannotApply ? (
        <p className="field__error" role="alert">
          {t("form.cannotApply")}
        </p>
      ) : null}
      <div className="button-row">
        <button type="button" className="button" onClick={apply}>
          {t("form.apply")}
        </button>
        <button type="button" className="button button--quiet" onClick={onClose}>
          {t("form.cancel")}
        </button>
      </div>
    </div>
  );
}
