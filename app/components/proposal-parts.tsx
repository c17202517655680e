/** Presentational pieces of the proposal pages: the state badge, the lifecycle indicator, the list, and the conflict resolver. No data access. */
import { Link } from "@remix-run/react";
import { useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import { formatDate } from "../utils/format";
import { StatusBadge } from "./ui";

type State = "draft" | "submitted" | "in-ballot" | "approved" | "rejected" | "applied" | "withdrawn";

// The portal's status colours: grey for drafts and ends, amber while waiting, violet under ballot, green when decided for.
const TONE: Record<State, string> = {
  draft: "draft",
  submitted: "review",
  "in-ballot": "ballot",
  approved: "active",
  rejected: "disabled",
  applied: "published",
  withdrawn: "withdrawn",
};

/** A proposal's state as a pill. */
export function ProposalStateBadge({ state }: { state: State }) {
  const { t } = useTranslation("proposals");
  return <StatusBadge status={TONE[state]} label={t(`state.${state}`)} />;
}

const PATH: State[] = ["draft", "submitted", "in-ballot", "approved", "applied"];

/**
 * Where a proposal stands on its path draft → submitted → in ballot → approved → applied, as an
 * ordered list a screen reader reads in order (the current step carries aria-current="step").
 * A rejected or withdrawn proposal leaves the path where it stopped.
 */
export function LifecycleIndicator({ state, stoppedAt }: { state: State; stoppedAt: State | null }) {
  const { t } = useTranslation("proposals");
  const off = state === "rejected" || state === "withdrawn";
  const reached = off ? (stoppedAt ? PATH.indexOf(stoppedAt) : 0) : PATH.indexOf(state);
  return (
    <ol className="lifecycle" aria-label={t("detail.lifecycle")}>
      {PATH.map((step, i) => {
        // The last step of the path, once reached, is both done and where the proposal stands.
        const done = i < reached || (off && i === reached) || (state === "applied" && i === reached);
        const current = !off && i === reached;
        return (
          <li key={step} className={`lifecycle__step${done ? " lifecycle__step--done" : ""}${current ? " lifecycle__step--current" : ""}`} aria-current={current ? "step" : undefined}>
            <span className="lifecycle__mark" aria-hidden="true">
              {done ? "✓" : i + 1}
            </span>
            <span className="lifecycle__label">{t(`state.${step}`)}</span>
            {current ? <span className="visually-hidden"> ({t("detail.stepCurrent")})</span> : done ? <span className="visually-hidden"> ({t("detail.stepDone")})</span> : null}
          </li>
        );
      })}
      {off ? (
        <li className="lifecycle__step lifecycle__step--current lifecycle__step--off" aria-current="step">
          <span className="lifecycle__mark" aria-hidden="true">
            ✕
          </span>
          <span className="lifecycle__label">{t(`state.${state}`)}</span>
        </li>
      ) : null}
    </ol>
  );
}

/** One proposal in a list. */
export type ProposalListItem = {
  id: string;
  kind: "amendment" | "new-standard";
  title: string;
  committee: string;
  standardId: string | null;
  baseRevision: string | null;
  state: State;
  createdBy: { name: string };
  updatedAt: string;
};

/** Proposals as a table (stacked into cards on phones). */
export function ProposalTable({ proposals, locale, caption }: { proposals: ProposalListItem[]; locale: string; caption: string }) {
  const { t } = useTranslation("proposals");
  return (
    <div className="table-wrap">
      <table className="data data--stack proposal-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("list.columns.proposal")}</th>
            <th scope="col">{t("list.columns.subject")}</th>
            <th scope="col">{t("list.columns.state")}</th>
            <th scope="col">{t("list.columns.author")}</th>
            <th scope="col">{t("list.columns.updated")}</th>
          </tr>
        </thead>
        <tbody>
          {proposals.map((p) => (
            <tr key={p.id}>
              <th scope="row" className="cell-wide">
                <span className="code-tag">{p.id}</span> <Link to={`/proposals/${p.id}`}>{p.title}</Link>
              </th>
              <td data-label={t("list.columns.subject")}>
                {p.kind === "amendment" && p.standardId ? t("list.basedOn", { id: p.standardId, revision: p.baseRevision }) : t("list.newIn", { committee: p.committee })}
              </td>
              <td data-label={t("list.columns.state")}>
                <ProposalStateBadge state={p.state} />
              </td>
              <td data-label={t("list.columns.author")}>{p.createdBy.name}</td>
              <td data-label={t("list.columns.updated")} className="nowrap">
                {formatDate(p.updatedAt, locale)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type Segment = { op: "equal" | "insert" | "delete"; text: string };

/** A conflict as the resolver shows it: each side's text, and how the two sides differ from the base word by word. */
export type ConflictView = {
  index: number;
  markdown: { base: string; ours: string; theirs: string };
  lines: { base: number | null; ours: number | null; theirs: number | null };
  changes: { ours: Segment[]; theirs: Segment[] };
};

function Side({ title, text, tone, changes }: { title: string; text: string; tone: "base" | "ours" | "theirs"; changes?: Segment[] }) {
  const { t } = useTranslation("proposals");
  return (
    <div className={`conflict__side conflict__side--${tone}`}>
      <h4 className="conflict__side-title">{title}</h4>
      {!text ? (
        <p className="muted conflict__text">{t("conflicts.empty")}</p>
      ) : changes ? (
        <pre className="conflict__text redline">
          {changes.map((c, i) => (c.op === "insert" ? <ins key={i}>{c.text}</ins> : c.op === "delete" ? <del key={i}>{c.text}</del> : <span key={i}>{c.text}</span>))}
        </pre>
      ) : (
        <pre className="conflict__text">{text}</pre>
      )}
    </div>
  );
}

/** One conflict: the three versions side by side, and the choice of the text that stands (fields `resolution-<index>` and `text-<index>`). */
export function ConflictResolver({ conflict, n, baseRevision }: { conflict: ConflictView; n: number; baseRevision: string }) {
  const { t } = useTranslation("proposals");
  const [choice, setChoice] = useState<"theirs" | "ours" | "custom">("theirs");
  const id = `conflict-${conflict.index}`;
  return (
    <fieldset className="conflict card" aria-describedby={`${id}-where`}>
      <legend className="conflict__legend">{t("conflicts.legend", { n })}</legend>
      {conflict.lines.ours !== null || conflict.lines.base !== null ? (
        <p className="muted conflict__where" id={`${id}-where`}>
          {t("conflicts.where", { line: conflict.lines.ours ?? conflict.lines.base })}
        </p>
      ) : null}
      <p className="muted small conflict__key">{t("conflicts.key", { revision: baseRevision })}</p>
      <div className="conflict__sides">
        <Side title={t("conflicts.base", { revision: baseRevision })} text={conflict.markdown.base} tone="base" />
        <Side title={t("conflicts.ours")} text={conflict.markdown.ours} tone="ours" changes={conflict.changes.ours} />
        <Side title={t("conflicts.theirs")} text={conflict.markdown.theirs} tone="theirs" changes={conflict.changes.theirs} />
      </div>
      <div className="conflict__choice" role="radiogroup" aria-label={t("conflicts.choice")}>
        {(["theirs", "ours", "custom"] as const).map((value) => (
          <label key={value} className="checkbox">
            <input type="radio" name={`resolution-${conflict.index}`} value={value} checked={choice === value} onChange={() => setChoice(value)} />
            {t(value === "theirs" ? "conflicts.takeTheirs" : value === "ours" ? "conflicts.takeOurs" : "conflicts.takeCustom")}
          </label>
        ))}
      </div>
      <div className="field">
        <label htmlFor={`${id}-text`}>{t("conflicts.custom", { n })}</label>
        <p className="field__hint" id={`${id}-hint`}>
          {t("conflicts.customHint")}
        </p>
        <textarea
          id={`${id}-text`}
          name={`text-${conflict.index}`}
          rows={Math.min(12, Math.max(3, conflict.markdown.theirs.split("\n").length + 1))}
          defaultValue={conflict.markdown.theirs}
          aria-describedby={`${id}-hint`}
          className="conflict__custom"
          onFocus={() => setChoice("custom")}
        />
      </div>
    </fieldset>
  );
}

/** The proposals on a standard, for the standard's page: a short list and the way to propose one. */
export function StandardProposals({ standardId, proposals, canPropose }: { standardId: string; proposals: ProposalListItem[]; canPropose: boolean }) {
  const { t } = useTranslation("proposals");
  return (
    <section className="card" aria-labelledby="standard-proposals">
      <h2 id="standard-proposals">{t("standard.title")}</h2>
      {proposals.length ? (
        <ul className="plain-list">
          {proposals.slice(0, 5).map((p) => (
            <li key={p.id}>
              <span className="code-tag">{p.id}</span> <Link to={`/proposals/${p.id}`}>{p.title}</Link> <ProposalStateBadge state={p.state} />
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t("standard.none")}</p>
      )}
      <p className="button-row">
        {canPropose ? (
          <Link className="button button--small" to={`/proposals/new?standardId=${encodeURIComponent(standardId)}`}>
            {t("standard.propose")}
          </Link>
        ) : null}
        {proposals.length ? <Link to={`/proposals?standardId=${encodeURIComponent(standardId)}`}>{t("standard.all", { id: standardId })}</Link> : null}
      </p>
    </section>
  );
}

/** "Amends <link>EWTP-…</link> title, based on revision NN." with the standard linked. */
export function AmendsLine({ standardId, title, revision }: { standardId: string; title: string; revision: string }) {
  return (
    <Trans ns="proposals" i18nKey="detail.amends" values={{ id: standardId, title, revision }} components={[<Link key="s" to={`/standards/${standardId}`} />]} />
  );
}
