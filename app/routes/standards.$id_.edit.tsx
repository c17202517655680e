/**
 * The live draft of a standard (URL /standards/:id/edit; "$id_" keeps it out of the standard page's
 * layout): the collaborative editor over the document `standard.<id>`. There is no save button: the
 * live document is the text, every change is stored as it arrives, and the server derives the
 * draft's Markdown, rule set, conformance and search index from it. Editors of the committee edit;
 * anyone who reads its drafts (observers) watches it live, read-only. The action answers rule checks.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { data } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { notFound, requireUser } from "../auth/guards.server";
import { Notice, PageHeader } from "../components/ui";
import { documentSegments } from "../domain/document-view.server";
import { getDraft, getStandard, retiredRuleIdsOf, ruleIdPrefix } from "../domain/standards.server";
import { useHydrated } from "../editor/client-only";
import { DocumentPreview } from "../editor/document-preview";
import { markdownToEditorState, ruleSourcesOf } from "../editor/markdown";
import { CHECK_INTENT, type CheckRulesResponse } from "../editor/rule-checks";
import { MAX_CHECK_CHARS, checkRuleSources } from "../editor/rule-check.server";
import { StandardEditor } from "../editor/StandardEditor";
import { documentTitle } from "../i18n/i18n";
import { can } from "../policies/policy";

/** The browser tab's title. */
export const meta: MetaFunction<typeof loader> = ({ data: d, matches }) => [
  { title: documentTitle(matches, d?.canEdit === false ? "editor:page.metaTitleLive" : "editor:page.metaTitle", { id: d?.standard.id ?? "" }) },
];

/** The signed-in caller and the standard, if they may read its draft (404 otherwise, without saying whether it exists). */
function requireDraftReader(request: Request, id: string) {
  const auth = requireUser(request);
  const standard = getStandard(id);
  if (!standard || !can(auth.actor, "standard.readDraft", standard)) throw notFound();
  return { auth, standard };
}

/** The standard, who is looking and what they may do, the initial rule checks, and the read-only rendering for SSR. */
export function loader({ request, params }: LoaderFunctionArgs) {
  const { auth, standard } = requireDraftReader(request, params.id ?? "");
  const draft = getDraft(standard.id);
  if (!draft) throw notFound();
  // The rule blocks' checks come with the page, so the editor shows them at once.
  const sources = [...new Set(ruleSourcesOf(markdownToEditorState(draft.markdown)))];
  const checks = checkRuleSources(sources).map((check, i) => ({ source: sources[i], check }));
  return {
    standard: { id: standard.id, title: standard.title, committee: standard.committee, status: standard.status },
    user: { id: auth.user.id, name: auth.user.name, role: auth.user.role },
    canEdit: can(auth.actor, "standard.editDraft", standard),
    canComment: can(auth.actor, "comment.create", standard),
    canResolve: can(auth.actor, "comment.resolve", standard),
    checks,
    segments: documentSegments(draft.markdown),
    idPrefix: ruleIdPrefix(standard.id),
    retiredIds: [...retiredRuleIdsOf(standard.id)],
  };
}

/**
 * One intent, "checkRules": the rule core's verdict on rule sources the editor shows (it cannot run
 * in the browser). Drafts are no longer posted here: the live document is saved as it changes.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  requireDraftReader(request, params.id ?? "");
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > MAX_CHECK_CHARS + 64 * 1024) {
    return data<CheckRulesResponse>({ checkError: "The request is too large." }, { status: 413 });
  }
  const form = await request.formData();
  if (form.get("intent") !== CHECK_INTENT) {
    return data({ error: { code: "bad_request", message: "This page only checks rules; the draft is saved live as it is edited." } }, { status: 400 });
  }
  return checkRules(form.get("sources"));
}

/** Answers a rule check: 400 with `checkError` for anything but a JSON array of strings within the limits. */
function checkRules(raw: FormDataEntryValue | null) {
  let sources: unknown;
  try {
    sources = typeof raw === "string" ? JSON.parse(raw) : null;
  } catch {
    sources = null;
  }
  if (!Array.isArray(sources) || !sources.every((s) => typeof s === "string")) {
    return data<CheckRulesResponse>({ checkError: "sources must be a JSON array of rule source texts" }, { status: 400 });
  }
  try {
    const checks = checkRuleSources(sources);
    return data<CheckRulesResponse>({ checks: checks.map((check, i) => ({ source: sources[i] as string, check })) });
  } catch (e) {
    return data<CheckRulesResponse>({ checkError: e instanceof Error ? e.message : String(e) }, { status: 413 });
  }
}

/** Checking rules reads nothing new: the page's data is not reloaded after it. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === CHECK_INTENT ? false : defaultShouldRevalidate;

/** The live draft: header, the collaborative editor (the read-only document until it mounts). */
export default function EditDraftPage() {
  const { t } = useTranslation("editor");
  const { standard, user, canEdit, canComment, canResolve, checks, segments, idPrefix, retiredIds } = useLoaderData<typeof loader>();
  const hydrated = useHydrated();
  return (
    <>
      <PageHeader
        eyebrow={standard.id}
        title={canEdit ? t("page.title", { title: standard.title }) : t("page.titleLive", { title: standard.title })}
        lead={canEdit ? t("page.lead") : t("page.leadReadOnly")}
        actions={
          <Link className="button button--quiet" to={`/standards/${standard.id}`}>
            {t("page.view")}
          </Link>
        }
      />
      {hydrated ? null : <Notice>{t("page.loading")}</Notice>}
      <StandardEditor
        docName={`standard.${standard.id}`}
        user={user}
        readOnly={!canEdit}
        idPrefix={idPrefix}
        retiredIds={retiredIds}
        checkAction={`/standards/${standard.id}/edit`}
        initialChecks={checks}
        comments={{ standardId: standard.id, canComment, canResolve }}
        fallback={<DocumentPreview segments={segments} label={standard.title} />}
      />
    </>
  );
}
