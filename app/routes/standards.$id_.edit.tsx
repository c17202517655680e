/** The draft editor of a standard (URL /standards/:id/edit; "$id_" keeps it out of the standard page's layout): the Lexical editor over the draft, and saving it back as standard Markdown. */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useBeforeUnload, useLoaderData, useNavigation } from "@remix-run/react";
import type { SerializedEditorState } from "lexical";
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { forbidden, notFound, requireUser } from "../auth/guards.server";
import { Notice, PageHeader } from "../components/ui";
import { documentSegments } from "../domain/document-view.server";
import { saveDraft } from "../domain/drafts.server";
import { getDraft, getStandard, retiredRuleIdsOf, ruleIdPrefix } from "../domain/standards.server";
import { useHydrated } from "../editor/client-only";
import { DocumentPreview } from "../editor/document-preview";
import { editorStateToMarkdown, markdownToEditorState, ruleSourcesOf } from "../editor/markdown";
import { CHECK_INTENT, type CheckRulesResponse } from "../editor/rule-checks";
import { checkRuleSources } from "../editor/rule-check.server";
import { StandardEditor } from "../editor/StandardEditor";
import { MAX_EDITOR_STATE_BYTES, MAX_POSTED_STATE_BYTES, readEditorStateJson } from "../editor/state-schema";
import { documentTitle } from "../i18n/i18n";
import { can } from "../policies/policy";
import { PortalError } from "../utils/errors";

/** The browser tab's title. */
export const meta: MetaFunction<typeof loader> = ({ data: d, matches }) => [
  { title: documentTitle(matches, "editor:page.metaTitle", { id: d?.standard.id ?? "" }) },
];

/** The signed-in caller and the standard, if the caller may edit its draft: 404 when they cannot even read it, else 403. */
function requireDraftEditor(request: Request, id: string) {
  const auth = requireUser(request);
  const standard = getStandard(id);
  if (!standard || !can(auth.actor, "standard.read", standard)) throw notFound();
  if (!can(auth.actor, "standard.editDraft", standard)) throw forbidden();
  return { auth, standard };
}

/** The standard, its draft as a serialized editor state (made here, on the server), and the read-only rendering for SSR. */
export function loader({ request, params }: LoaderFunctionArgs) {
  const { standard } = requireDraftEditor(request, params.id ?? "");
  const draft = getDraft(standard.id);
  if (!draft) throw notFound();
  const state = markdownToEditorState(draft.markdown);
  // The rule blocks' checks come with the page, so the editor shows them at once.
  const sources = [...new Set(ruleSourcesOf(state))];
  const checks = checkRuleSources(sources).map((check, i) => ({ source: sources[i], check }));
  return {
    standard: { id: standard.id, title: standard.title, committee: standard.committee, status: standard.status },
    draft: { hash: draft.hash, updatedAt: draft.updatedAt },
    state,
    checks,
    segments: documentSegments(draft.markdown),
    idPrefix: ruleIdPrefix(standard.id),
    retiredIds: [...retiredRuleIdsOf(standard.id)],
  };
}

type SaveResult =
  | { ok: true; hash: string; ruleErrors: number }
  | { ok: false; code: "noState" | "tooLarge" | "badState" | "refused"; message: string; size?: number };

/**
 * Two intents. "checkRules": the rule core's verdict on rule sources the editor shows (it cannot run
 * in the browser). Otherwise, save: check the posted editor state's size and shape, convert it to
 * standard Markdown on the server, and store it as the draft.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const { auth, standard } = requireDraftEditor(request, params.id ?? "");
  const length = Number(request.headers.get("content-length") ?? "0");
  // The state travels as one multipart field; allow a little for the envelope.
  if (length > MAX_EDITOR_STATE_BYTES + 64 * 1024) {
    return data<SaveResult>({ ok: false, code: "tooLarge", message: "", size: length }, { status: 413 });
  }
  const form = await request.formData();
  if (form.get("intent") === CHECK_INTENT) return checkRules(form.get("sources"));
  const raw = form.get("state");
  if (typeof raw !== "string" || raw === "") return data<SaveResult>({ ok: false, code: "noState", message: "" }, { status: 400 });
  const read = readEditorStateJson(raw);
  if (!read.ok) {
    const code = read.status === 413 ? "tooLarge" : "badState";
    return data<SaveResult>({ ok: false, code, message: read.message, size: raw.length }, { status: read.status });
  }
  let markdown: string;
  try {
    markdown = editorStateToMarkdown(read.state);
  } catch (e) {
    return data<SaveResult>({ ok: false, code: "badState", message: e instanceof Error ? e.message : String(e) }, { status: 400 });
  }
  const baseHash = form.get("baseHash");
  try {
    const view = saveDraft({
      standardId: standard.id,
      markdown,
      actorId: auth.user.id,
      baseHash: typeof baseHash === "string" && baseHash ? baseHash : undefined,
    });
    return data<SaveResult>({ ok: true, hash: view.hash, ruleErrors: view.ruleErrors.length });
  } catch (e) {
    if (!(e instanceof PortalError)) throw e;
    return data<SaveResult>({ ok: false, code: "refused", message: e.message }, { status: e.status });
  }
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

/** Checking rules reads nothing new: the page's data is not reloaded after it (saving does reload it). */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === CHECK_INTENT ? false : defaultShouldRevalidate;

const MB = 1024 * 1024;

/** The editor page: save bar, result notice, and the editor (the read-only document until it mounts). */
export default function EditDraftPage() {
  const { t } = useTranslation("editor");
  const { standard, draft, state, checks, segments, idPrefix, retiredIds } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  // Rule checks go through a fetcher; only a save's answer arrives here.
  const result = actionData && "ok" in actionData ? actionData : undefined;
  const saving = useNavigation().state === "submitting";
  const hydrated = useHydrated();
  const latest = useRef<SerializedEditorState | null>(null);
  const stateInput = useRef<HTMLInputElement>(null);
  const [dirty, setDirty] = useState(false);

  useEffect(() => {
    if (result?.ok) setDirty(false);
  }, [result]);
  const onChange = useCallback((next: SerializedEditorState) => {
    latest.current = next;
    setDirty(true);
  }, []);
  const [tooLarge, setTooLarge] = useState<number | null>(null);
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    const current = latest.current ?? (state as unknown as SerializedEditorState);
    const json = JSON.stringify(current);
    const bytes = new TextEncoder().encode(json).length;
    // The server would refuse it before reading it; say so here instead of failing the page.
    if (!stateInput.current || bytes > MAX_POSTED_STATE_BYTES) {
      e.preventDefault();
      setTooLarge(bytes);
      return;
    }
    setTooLarge(null);
    stateInput.current.value = json;
  };
  useBeforeUnload(
    useCallback(
      (e: BeforeUnloadEvent) => {
        if (!dirty) return;
        e.preventDefault();
        e.returnValue = t("page.leaveWarning");
      },
      [dirty, t]
    )
  );

  // The save's answer lives in the sticky save bar, where the author is looking when they save.
  const outcome =
    tooLarge !== null ? (
      <span className="editor-savebar__result editor-savebar__result--error" role="alert">
        {t("page.tooLarge", { size: (tooLarge / MB).toFixed(1), limit: (MAX_POSTED_STATE_BYTES / MB).toFixed(1) })}
      </span>
    ) : !result ? null : result.ok ? (
      dirty ? null : (
        <span className={`editor-savebar__result editor-savebar__result--${result.ruleErrors ? "warning" : "ok"}`} role="status">
          {result.ruleErrors ? t("page.savedWithProblems", { count: result.ruleErrors }) : t("page.saved")}
        </span>
      )
    ) : (
      <span className="editor-savebar__result editor-savebar__result--error" role="alert">
        {result.code === "tooLarge"
          ? t("page.tooLarge", { size: ((result.size ?? 0) / MB).toFixed(1), limit: MAX_EDITOR_STATE_BYTES / MB })
          : result.code === "noState"
          ? t("page.noState")
          : result.code === "badState"
          ? t("page.badState", { message: result.message })
          : result.message}
      </span>
    );

  return (
    <>
      <PageHeader
        eyebrow={standard.id}
        title={t("page.title", { title: standard.title })}
        lead={t("page.lead")}
        actions={
          <Link className="button button--quiet" to={`/standards/${standard.id}`}>
            {t("page.view")}
          </Link>
        }
      />
      <Form method="post" encType="multipart/form-data" className="editor-savebar" onSubmit={onSubmit}>
        <input type="hidden" name="state" ref={stateInput} defaultValue="" />
        <input type="hidden" name="baseHash" value={draft.hash} />
        <button type="submit" className="button" disabled={!hydrated || saving}>
          {saving ? t("page.saving") : t("page.save")}
        </button>
        <span className={`editor-savebar__status${dirty ? " editor-savebar__status--dirty" : ""}`} aria-live="polite">
          {dirty ? t("page.unsaved") : t("page.upToDate")}
        </span>
        {outcome}
      </Form>
      {hydrated ? null : <Notice>{t("page.loading")}</Notice>}
      <StandardEditor
        initialState={state as unknown as SerializedEditorState}
        idPrefix={idPrefix}
        retiredIds={retiredIds}
        checkAction={`/standards/${standard.id}/edit`}
        initialChecks={checks}
        onChange={onChange}
        fallback={<DocumentPreview segments={segments} label={standard.title} />}
      />
    </>
  );
}
