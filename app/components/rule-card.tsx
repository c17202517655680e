/** A machine-readable rule shown as a readable card: condition, outcome and worked examples. */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Rule } from "../domain/rules";

const json = (v: unknown) => JSON.stringify(v);

/**
 * One rule block of a standard. `children` (e.g. the editor's example results) go at the end of the
 * card; `formatLogic` renders `when` and each outcome instead of one-line JSON (the editor indents them).
 */
export function RuleCard({ rule, children, formatLogic }: { rule: Rule; children?: ReactNode; formatLogic?: (value: unknown) => ReactNode }) {
  const { t } = useTranslation("standards");
  return (
    <section className="rule-card" aria-label={t("rule.label", { id: rule.id })}>
      <div className="rule-card__head">
        <span className="rule-card__id">{rule.id}</span>
        <span className="rule-card__title">{rule.title}</span>
      </div>
      {rule.description ? <p>{rule.description}</p> : null}
      <dl>
        <dt>{t("rule.when")}</dt>
        <dd>{formatLogic ? formatLogic(rule.when) : <code>{json(rule.when)}</code>}</dd>
        <dt>{t("rule.then")}</dt>
        <dd>{formatLogic ? formatLogic(rule.then) : <code>{json(rule.then)}</code>}</dd>
        <dt>{t("rule.examples")}</dt>
        <dd>{t("rule.exampleCount", { count: rule.examples?.length ?? 0 })}</dd>
      </dl>
      {children}
    </section>
  );
}
