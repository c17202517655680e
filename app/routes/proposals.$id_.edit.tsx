/**
 * The live text of a draft proposal (URL /proposals/:id/edit): the collaborative editor over the
 * document `proposal.<id>`. No save button: every change is stored as it arrives and the server
 * derives the proposal's Markdown (and so its redline, submission and merge) from the document.
 * Those who may edit the proposal edit; other readers of its committee watch it read-only. Once the
 * proposal is no longer a draft its text is frozen: the page goes back to the proposal.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { data, redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { notFound, requireUser } from "../auth/guards.server";
import { Notice, PageHeader } from "../components/ui";
import { documentSegments } from "../domain/document-view.server";
import { proposalResource, proposalRulePrefix, proposalText, readableProposal } from "../domain/proposals.server";
import { isEditable } from "../domain/proposal-lifecycle";
import { retiredRuleIdsOf } from "../domain/standards.server";
import { useHydrated } from "../editor/client-only";
import { DocumentPreview } from "../editor/document-preview";
import { markdownToEditorState, ruleSourcesOf } from "../editor/markdown";
import { MAX_CHECK_CHARS, checkRuleSources } from "../editor/rule-check.server";
import { CHECK_INTENT, type CheckRulesResponse } from "../editor/rule-checks";
import { StandardEditor } from "../editor/StandardEditor";
import { documentTitle } from "../i18n/i18n";
import { can } from "../policies/policy";
import styles from "../styles/proposals.css?url";

/** The proposal pages' stylesheet. */
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** The browser tab's title. */
export const meta: MetaFunction<typeof loader> = ({ data: d, matches }) => [{ title: documentTitle(matches, "proposals:meta.edit", { id: d?.proposal.id ?? "" }) }];

/** The caller and the proposal, if they may read it (404 otherwise); back to the proposal once it is no longer a draft. */
function requireProposalReader(request: Request, id: string) {
  const auth = requireUser(request);
  let proposal;
  try {
    proposal = readableProposal(auth.actor, id);
  } catch {
    throw notFound();
  }
  if (!isEditable(proposal.state)) throw redirect(`/proposals/${proposal.id}`);
  return { auth, proposal };
}

/** The proposal, who is looking and whether they may edit, its rule checks, and the read-only rendering for SSR. */
export function loader({ request, params }: LoaderFunctionArgs) {
  const { auth, proposal } = requireProposalReader(request, params.id ?? "");
  const { markdown } = proposalText(proposal);
  const sources = [...new Set(ruleSourcesOf(markdownToEditorState(markdown)))];
  const checks = checkRuleSources(sources).map((check, i) => ({ source: sources[i], check }));
  const resource = proposalResource(proposal);
  const canEdit = can(auth.actor, "proposal.edit", resource);
  return {
    proposal: { id: proposal.id, title: proposal.title, kind: proposal.kind },
    user: { id: auth.user.id, name: auth.user.name, role: auth.user.role },
    canEdit,
    canComment: can(auth.actor, "comment.create", { committee: resource.committee, status: "draft" }),
    // The same decision the server takes on a disposition (comments.server.ts).
    canResolve: can(auth.actor, "comment.resolve", { committee: resource.committee, status: "draft" }),
    checks,
    segments: documentSegments(markdown),
    idPrefix: proposalRulePrefix(proposal),
    retiredIds: proposal.kind === "amendment" && proposal.standardId ? [...retiredRuleIdsOf(proposal.standardId)] : [],
  };
}

/** One intent, "checkRules": the rule core's verdict on the editor's rule sources. The text itself is saved live. */
export async function action({ request, params }: ActionFunctionArgs) {
  requireProposalReader(request, params.id ?? "");
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > MAX_CHECK_CHARS + 64 * 1024) return data<CheckRulesResponse>({ checkError: "The request is too large." }, { status: 413 });
  const form = await request.formData();
  if (form.get("intent") !== CHECK_INTENT) {
    return data({ error: { code: "bad_request", message: "This page only checks rules; the proposal's text is saved live as it is edited." } }, { status: 400 });
  }
  return checkRules(form.get("sources"));
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

/** Rule checks read nothing new: no reload after them. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) => (formData?.get("intent") === CHECK_INTENT ? false : defaultShouldRevalidate);

/** The live text of the proposal: header and the collaborative editor (the read-only text until it mounts). */
export default function EditProposalPage() {
  const { t } = useTranslation(["proposals", "editor"]);
  const { proposal, user, canEdit, canComment, canResolve, checks, segments, idPrefix, retiredIds } = useLoaderData<typeof loader>();
  const hydrated = useHydrated();
  return (
    <>
      <PageHeader
        eyebrow={proposal.id}
        title={t("edit.title", { title: proposal.title })}
        lead={canEdit ? t("editor:page.proposalLead") : t("editor:page.leadReadOnly")}
        actions={
          <Link className="button button--quiet" to={`/proposals/${proposal.id}`}>
            {t("edit.view")}
          </Link>
        }
      />
      {proposal.kind === "new-standard" ? <p className="muted small">{t("edit.newStandardRules", { prefix: idPrefix })}</p> : null}
      {hydrated ? null : <Notice>{t("edit.loading")}</Notice>}
      <StandardEditor
        docName={`proposal.${proposal.id}`}
        user={user}
        readOnly={!canEdit}
        idPrefix={idPrefix}
        retiredIds={retiredIds}
        checkAction={`/proposals/${proposal.id}/edit`}
        initialChecks={checks}
        comments={{ proposalId: proposal.id, canComment, canResolve }}
        fallback={<DocumentPreview segments={segments} label={proposal.title} />}
      />
    </>
  );
}
