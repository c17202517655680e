/** The editor of a draft proposal's text (URL /proposals/:id/edit): the standard editor over the proposal's Markdown, saved back through saveProposalDraft. */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useBeforeUnload, useLoaderData, useNavigation } from "@remix-run/react";
import type { SerializedEditorState } from "lexical";
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { forbidden, notFound, requireUser } from "../auth/guards.server";
import { Notice, PageHeader } from "../components/ui";
import { documentSegments } from "../domain/document-view.server";
import { proposalResource, proposalRulePrefix, proposalText, readableProposal, saveProposalDraft } from "../domain/proposals.server";
import { isEditable } from "../domain/proposal-lifecycle";
import { retiredRuleIdsOf } from "../domain/standards.server";
import { useHydrated } from "../editor/client-only";
import { DocumentPreview } from "../editor/document-preview";
import { editorStateToMarkdown, markdownToEditorState, ruleSourcesOf } from "../editor/markdown";
import { checkRuleSources } from "../editor/rule-check.server";
import { CHECK_INTENT, type CheckRulesResponse } from "../editor/rule-checks";
import { StandardEditor } from "../editor/StandardEditor";
import { MAX_EDITOR_STATE_BYTES, readEditorStateJson } from "../editor/state-schema";
import { documentTitle } from "../i18n/i18n";
import { can } from "../policies/policy";
import styles from "../styles/proposals.css?url";
import { PortalError } from "../utils/errors";

/** The proposal pages' stylesheet. */
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** The browser tab's title. */
export const meta: MetaFunction<typeof loader> = ({ data: d, matches }) => [{ title: documentTitle(matches, "proposals:meta.edit", { id: d?.proposal.id ?? "" }) }];

/** The caller and the proposal, if they may edit its text: 404 when they cannot read it, 403 when their role may not edit it, back to the proposal once it is no longer a draft. */
function requireProposalEditor(request: Request, id: string) {
  const auth = requireUser(request);
  let proposal;
  try {
    proposal = readableProposal(auth.actor, id);
  } catch {
    throw notFound();
  }
  if (!can(auth.actor, "proposal.edit", proposalResource(proposal))) throw forbidden();
  if (!isEditable(proposal.state)) throw redirect(`/proposals/${proposal.id}`);
  return { auth, proposal };
}

/** The proposal's text as a serialized editor state (made on the server), its rule checks, and the read-only rendering for SSR. */
export function loader({ request, params }: LoaderFunctionArgs) {
  const { proposal } = requireProposalEditor(request, params.id ?? "");
  const { markdown, hash } = proposalText(proposal);
  const state = markdownToEditorState(markdown);
  const sources = [...new Set(ruleSourcesOf(state))];
  const checks = checkRuleSources(sources).map((check, i) => ({ source: sources[i], check }));
  return {
    proposal: { id: proposal.id, title: proposal.title, kind: proposal.kind, hash },
    state,
    checks,
    segments: documentSegments(markdown),
    idPrefix: proposalRulePrefix(proposal),
    retiredIds: proposal.kind === "amendment" && proposal.standardId ? [...retiredRuleIdsOf(proposal.standardId)] : [],
  };
}

type SaveResult =
  | { ok: true; hash: string; ruleErrors: number }
  | { ok: false; code: "noState" | "tooLarge" | "badState" | "refused"; message: string; size?: number };

/** "checkRules": the rule core's verdict on the editor's rule sources. Otherwise: convert the posted editor state to Markdown on the server and save it as the proposal's text. */
export async function action({ request, params }: ActionFunctionArgs) {
  const { auth, proposal } = requireProposalEditor(request, params.id ?? "");
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > MAX_EDITOR_STATE_BYTES + 64 * 1024) return data<SaveResult>({ ok: false, code: "tooLarge", message: "", size: length }, { status: 413 });
  const form = await request.formData();
  if (form.get("intent") === CHECK_INTENT) return checkRules(form.get("sources"));
  const raw = form.get("state");
  if (typeof raw !== "string" || raw === "") return data<SaveResult>({ ok: false, code: "noState", message: "" }, { status: 400 });
  const read = readEditorStateJson(raw);
  if (!read.ok) return data<SaveResult>({ ok: false, code: read.status === 413 ? "tooLarge" : "badState", message: read.message, size: raw.length }, { status: read.status });
  let markdown: string;
  try {
    markdown = editorStateToMarkdown(read.state);
  } catch (e) {
    return data<SaveResult>({ ok: false, code: "badState", message: e instanceof Error ? e.message : String(e) }, { status: 400 });
  }
  const baseHash = form.get("baseHash");
  try {
    const view = saveProposalDraft({ id: proposal.id, markdown, actor: auth.actor, baseHash: typeof baseHash === "string" && baseHash ? baseHash : undefined });
    return data<SaveResult>({ ok: true, hash: view.hash, ruleErrors: view.ruleErrors.length });
  } catch (e) {
    if (!(e instanceof PortalError)) throw e;
    return data<SaveResult>({ ok: false, code: "refused", message: e.message }, { status: e.status });
  }
}

/** Answers a rule check: 400 for anything but a JSON array of strings within the limits. */
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

/** Rule checks read nothing new: no reload after them (saving does reload). */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) => (formData?.get("intent") === CHECK_INTENT ? false : defaultShouldRevalidate);

const MB = 1024 * 1024;

/** The editor page: save bar, result notice, and the editor (the read-only text until it mounts). */
export default function EditProposalPage() {
  const { t } = useTranslation("proposals");
  const { proposal, state, checks, segments, idPrefix, retiredIds } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
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
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    if (!stateInput.current) return e.preventDefault();
    stateInput.current.value = JSON.stringify(latest.current ?? (state as unknown as SerializedEditorState));
  };
  useBeforeUnload(
    useCallback(
      (e: BeforeUnloadEvent) => {
        if (!dirty) return;
        e.preventDefault();
        e.returnValue = t("edit.leaveWarning");
      },
      [dirty, t],
    ),
  );

  const notice = !result ? null : result.ok ? (
    <Notice tone={result.ruleErrors ? "warning" : "success"}>
      {result.ruleErrors ? t("edit.savedWithProblems", { count: result.ruleErrors }) : t("edit.saved")} <Link to={`/proposals/${proposal.id}`}>{t("edit.view")}</Link>
    </Notice>
  ) : (
    <Notice tone="error">
      {result.code === "tooLarge"
        ? t("edit.tooLarge", { size: ((result.size ?? 0) / MB).toFixed(1), limit: MAX_EDITOR_STATE_BYTES / MB })
        : result.code === "noState"
          ? t("edit.noState")
          : result.code === "badState"
            ? t("edit.badState", { message: result.message })
            : result.message}
    </Notice>
  );

  return (
    <>
      <PageHeader
        eyebrow={proposal.id}
        title={t("edit.title", { title: proposal.title })}
        lead={t("edit.lead")}
        actions={
          <Link className="button button--quiet" to={`/proposals/${proposal.id}`}>
            {t("edit.view")}
          </Link>
        }
      />
      {proposal.kind === "new-standard" ? <p className="muted small">{t("edit.newStandardRules", { prefix: idPrefix })}</p> : null}
      <Form method="post" encType="multipart/form-data" className="editor-savebar" onSubmit={onSubmit}>
        <input type="hidden" name="state" ref={stateInput} defaultValue="" />
        <input type="hidden" name="baseHash" value={result?.ok ? result.hash : proposal.hash} />
        <button type="submit" className="button" disabled={!hydrated || saving}>
          {saving ? t("edit.saving") : t("edit.save")}
        </button>
        <span className={`editor-savebar__status${dirty ? " editor-savebar__status--dirty" : ""}`} aria-live="polite">
          {dirty ? t("edit.unsaved") : t("edit.upToDate")}
        </span>
      </Form>
      {notice}
      {hydrated ? null : <Notice>{t("edit.loading")}</Notice>}
      <StandardEditor
        initialState={state as unknown as SerializedEditorState}
        idPrefix={idPrefix}
        retiredIds={retiredIds}
        checkAction={`/proposals/${proposal.id}/edit`}
        initialChecks={checks}
        onChange={onChange}
        fallback={<DocumentPreview segments={segments} label={proposal.title} />}
      />
    </>
  );
}
