import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { getAuth, notFound, requireUser } from "../auth/guards.server";
import { CommentCard, COMMENT_KIND_OPTIONS as COMMENT_KINDS, COMMENT_STATUS_OPTIONS as COMMENT_STATUSES, DISPOSITIONS, ReplyFields, ResolutionFields } from "../components/comment-parts";
import { StandardTabs } from "../components/standard-tabs";
import { EmptyState, Notice, PageHeader } from "../components/ui";
import { listComments, replyToComment, resolveComment } from "../domain/comments.server";
import { getStandard } from "../domain/standards.server";
import { can } from "../policies/policy";
import { PortalError } from "../utils/errors";
import { parseForm } from "../utils/forms";
import { documentTitle } from "../i18n/i18n";

export const meta: MetaFunction<typeof loader> = ({ data: d, matches }) => [{ title: documentTitle(matches, "common:meta.comments", { id: d?.standard.id ?? "" }) }];

const Filters = z.object({
  status: z.enum(COMMENT_STATUSES).optional().catch(undefined),
  kind: z.enum(COMMENT_KINDS).optional().catch(undefined),
  state: z.enum(["attached", "detached"]).optional().catch(undefined),
});

/** The comment-resolution log: every comment on the draft, filtered by status, type and anchor state. */
export function loader({ request, params }: LoaderFunctionArgs) {
  const auth = getAuth(request);
  const actor = auth?.actor ?? null;
  const standard = getStandard(params.id ?? "");
  if (!standard || !can(actor, "standard.readDraft", standard)) throw notFound();
  const url = new URL(request.url);
  const filters = Filters.parse(Object.fromEntries(url.searchParams));
  const all = listComments({ actor, standardId: standard.id });
  const comments = all.filter((c) => (!filters.status || c.status === filters.status) && (!filters.kind || c.kind === filters.kind) && (!filters.state || c.state === filters.state));
  return {
    standard: { id: standard.id, title: standard.title },
    comments,
    total: all.length,
    filters,
    canComment: can(actor, "comment.create", standard),
    canResolve: can(actor, "comment.resolve", standard),
  };
}

const ReplyForm = z.object({ intent: z.literal("reply"), commentId: z.string().min(1), body: z.string() });
const ResolveForm = z.object({ intent: z.literal("resolve"), commentId: z.string().min(1), status: z.enum(DISPOSITIONS), response: z.string().default("") });

type Result = { ok: true; commentId: string } | { ok: false; commentId: string; message: string };

/** A reply or a disposition, posted from the log (the same domain functions as the API). */
export async function action({ request }: ActionFunctionArgs) {
  const { actor } = requireUser(request);
  const form = await request.formData();
  const commentId = String(form.get("commentId") ?? "");
  try {
    if (form.get("intent") === "reply") {
      const parsed = parseForm(form, ReplyForm);
      if (!parsed.ok) return data<Result>({ ok: false, commentId, message: Object.values(parsed.errors)[0] ?? "" }, { status: 400 });
      replyToComment({ actor, commentId: parsed.data.commentId, body: parsed.data.body });
      return data<Result>({ ok: true, commentId });
    }
    const parsed = parseForm(form, ResolveForm);
    if (!parsed.ok) return data<Result>({ ok: false, commentId, message: Object.values(parsed.errors)[0] ?? "" }, { status: 400 });
    resolveComment({ actor, commentId: parsed.data.commentId, status: parsed.data.status, response: parsed.data.response });
    return data<Result>({ ok: true, commentId });
  } catch (err) {
    if (err instanceof PortalError) return data<Result>({ ok: false, commentId, message: err.message }, { status: err.status });
    throw err;
  }
}

export default function Comments() {
  const { t } = useTranslation("comments");
  const { standard, comments, total, filters, canComment, canResolve } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const filtered = Boolean(filters.status || filters.kind || filters.state);
  return (
    <>
      <PageHeader
        eyebrow={standard.id}
        title={standard.title}
        actions={
          <a className="button button--quiet" href={`/standards/${encodeURIComponent(standard.id)}/comments.csv`} download>
            {t("csv")}
          </a>
        }
      />
      <StandardTabs id={standard.id} />
      <p className="lead">{t("lead")}</p>
      <Form method="get" className="comments-log__filters">
        <label>
          {t("filters.status")}
          <select name="status" defaultValue={filters.status ?? ""}>
            <option value="">{t("filters.any")}</option>
            {COMMENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("filters.kind")}
          <select name="kind" defaultValue={filters.kind ?? ""}>
            <option value="">{t("filters.any")}</option>
            {COMMENT_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("filters.state")}
          <select name="state" defaultValue={filters.state ?? ""}>
            <option value="">{t("filters.any")}</option>
            <option value="attached">{t("state.attached")}</option>
            <option value="detached">{t("state.detached")}</option>
          </select>
        </label>
        <button type="submit" className="button button--quiet button--small">
          {t("filters.apply")}
        </button>
      </Form>
      {total === 0 ? (
        <EmptyState title={t("empty.title")}>{t("empty.body")}</EmptyState>
      ) : comments.length === 0 && filtered ? (
        <EmptyState title={t("empty.filtered")} />
      ) : (
        <>
          <p className="comments-log__count">{t("filters.count", { count: comments.length })}</p>
          <div className="comments-log__list">
            {comments.map((c) => (
              <CommentCard
                key={c.id}
                comment={c}
                actions={
                  result && !result.ok && result.commentId === c.id ? (
                    <Notice tone="error">{t("error", { message: result.message })}</Notice>
                  ) : result?.ok && result.commentId === c.id ? (
                    <Notice tone="success">{t("saved")}</Notice>
                  ) : null
                }
                replyForm={
                  canComment ? (
                    <Form method="post" key={`${c.id}-${c.replies.length}`}>
                      <input type="hidden" name="intent" value="reply" />
                      <input type="hidden" name="commentId" value={c.id} />
                      <ReplyFields commentId={c.id} disabled={busy} />
                    </Form>
                  ) : null
                }
                resolutionForm={
                  canResolve ? (
                    <Form method="post" key={`${c.id}-${c.status}-${c.resolution?.at ?? ""}`}>
                      <input type="hidden" name="intent" value="resolve" />
                      <input type="hidden" name="commentId" value={c.id} />
                      <ResolutionFields comment={c} disabled={busy} />
                    </Form>
                  ) : null
                }
              />
            ))}
          </div>
        </>
      )}
    </>
  );
}
