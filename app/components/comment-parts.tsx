/**
 * Presentational parts of anchored comments, shared by the resolution log page and the editor's
 * comment sidebar: the comment card (quote, state, thread, disposition) and the disposition fields.
 * No data access: forms are passed in by the caller (Remix forms on the page, fetch in the editor).
 */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import "../styles/comments.css";

/** A comment as the API's GET /standards/{id}/comments lists it. */
export type CommentItem = {
  id: string;
  author: { id: string; name: string; organisation: string };
  kind: "general" | "technical" | "editorial";
  body: string;
  anchor: { quote: string; prefix: string; suffix: string } | null;
  positions?: { start: unknown; end: unknown } | null;
  state: "attached" | "detached";
  status: "open" | "accepted" | "modified" | "rejected" | "noted";
  replies: { id: string; author: { id: string; name: string; organisation: string }; body: string; createdAt: string }[];
  resolution: { status: string; response: string; by: { id: string; name: string; organisation: string } | null; at: string } | null;
  createdAt: string;
};

export const COMMENT_KIND_OPTIONS = ["general", "technical", "editorial"] as const;
export const DISPOSITIONS = ["accepted", "modified", "rejected", "noted"] as const;
export const COMMENT_STATUS_OPTIONS = ["open", ...DISPOSITIONS] as const;

/** A date and time as people read it (UTC, minutes). */
export function commentTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The small badges of a comment: kind, status, and "Detached" when its passage is gone. */
export function CommentBadges({ comment }: { comment: Pick<CommentItem, "kind" | "status" | "state"> }) {
  const { t } = useTranslation("comments");
  return (
    <span className="comment-badges">
      <span className={`comment-kind comment-kind--${comment.kind}`}>{t(`kind.${comment.kind}`)}</span>
      <span className={`comment-status comment-status--${comment.status}`}>{t(`status.${comment.status}`)}</span>
      {comment.state === "detached" ? <span className="comment-detached">{t("state.detached")}</span> : null}
    </span>
  );
}

/** The quoted passage; for a detached comment, with the explanation that the passage was deleted. */
export function CommentQuote({ comment }: { comment: Pick<CommentItem, "anchor" | "state"> }) {
  const { t } = useTranslation("comments");
  if (!comment.anchor) return <p className="comment-onwhole">{t("onWhole")}</p>;
  return (
    <div className={`comment-quote${comment.state === "detached" ? " comment-quote--detached" : ""}`}>
      {comment.state === "detached" ? <p className="comment-quote__hint">{t("detachedHint")}</p> : null}
      <blockquote>{comment.anchor.quote}</blockquote>
    </div>
  );
}

/** One comment with its thread; `replyForm` and `resolutionForm` are supplied by the caller when the viewer may use them. */
export function CommentCard(props: {
  comment: CommentItem;
  replyForm?: ReactNode;
  resolutionForm?: ReactNode;
  actions?: ReactNode;
  active?: boolean;
  compact?: boolean;
}) {
  const { t } = useTranslation("comments");
  const c = props.comment;
  return (
    <article className={`comment-card${props.active ? " comment-card--active" : ""}${props.compact ? " comment-card--compact" : ""}`} id={`comment-${c.id}`} data-comment-id={c.id} data-state={c.state} tabIndex={-1}>
      <header className="comment-card__head">
        <span className="comment-card__who">{t("by", { name: c.author.name, organisation: c.author.organisation })}</span>
        <time dateTime={c.createdAt}>{commentTime(c.createdAt)}</time>
      </header>
      <CommentBadges comment={c} />
      <CommentQuote comment={c} />
      <p className="comment-card__body">{c.body}</p>
      {props.actions}
      {c.resolution ? (
        <div className="comment-resolution">
          <p className="comment-resolution__by">
            {t("resolution.by", { status: t(`status.${c.resolution.status}`), name: c.resolution.by?.name ?? "?", at: commentTime(c.resolution.at) })}
          </p>
          {c.resolution.response ? <p className="comment-resolution__response">{c.resolution.response}</p> : null}
        </div>
      ) : null}
      {c.replies.length ? (
        <ol className="comment-replies" aria-label={t("replies", { count: c.replies.length })}>
          {c.replies.map((r) => (
            <li key={r.id} className="comment-reply">
              <span className="comment-card__who">{t("by", { name: r.author.name, organisation: r.author.organisation })}</span>{" "}
              <time dateTime={r.createdAt}>{commentTime(r.createdAt)}</time>
              <p>{r.body}</p>
            </li>
          ))}
        </ol>
      ) : null}
      {props.replyForm}
      {props.resolutionForm}
    </article>
  );
}

/** The reply field (textarea) and its button, inside a form the caller provides. */
export function ReplyFields({ commentId, disabled }: { commentId: string; disabled?: boolean }) {
  const { t } = useTranslation("comments");
  return (
    <div className="comment-form comment-form--reply">
      <label className="visually-hidden" htmlFor={`reply-${commentId}`}>
        {t("reply.label")}
      </label>
      <textarea id={`reply-${commentId}`} name="body" rows={2} maxLength={10000} required placeholder={t("reply.placeholder")} />
      <button type="submit" className="button button--quiet button--small" disabled={disabled}>
        {t("reply.submit")}
      </button>
    </div>
  );
}

/** The disposition fields (decision and response), inside a form the caller provides. */
export function ResolutionFields({ comment, disabled, error }: { comment: CommentItem; disabled?: boolean; error?: string }) {
  const { t } = useTranslation("comments");
  const id = `resolution-${comment.id}`;
  return (
    <fieldset className="comment-form comment-form--resolution">
      <legend>{t("resolution.legend")}</legend>
      <label htmlFor={`${id}-status`}>{t("resolution.status")}</label>
      <select id={`${id}-status`} name="status" defaultValue={comment.status === "open" ? "accepted" : comment.status}>
        {DISPOSITIONS.map((d) => (
          <option key={d} value={d}>
            {t(`status.${d}`)}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-response`}>{t("resolution.response")}</label>
      <textarea id={`${id}-response`} name="response" rows={2} maxLength={10000} defaultValue={comment.resolution?.response ?? ""} aria-describedby={`${id}-hint`} />
      <p className="field__hint" id={`${id}-hint`}>
        {t("resolution.responseHint")}
      </p>
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button--quiet button--small" disabled={disabled}>
        {t("resolution.submit")}
      </button>
    </fieldset>
  );
}
