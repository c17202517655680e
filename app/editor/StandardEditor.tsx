/**
 * The standard editor (non-collaborative for now): Lexical with the standard's nodes and theme, rich
 * text, lists, links, tables and history, the toolbar, rule blocks with their forms, and the live
 * conformance panel. Its initial content is a serialized state made on the server by
 * markdownToEditorState — never Markdown parsed in the browser — and every change is reported
 * upward as a serialized state. Lexical mounts only in the browser: during SSR and hydration the
 * `fallback` (the read-only document) is shown.
 */
import { LexicalComposer, type InitialConfigType } from "@lexical/react/LexicalComposer";
import { ContentEditable } from "@lexical/react/LexicalContentEditable";
import { LexicalErrorBoundary } from "@lexical/react/LexicalErrorBoundary";
import { HistoryPlugin } from "@lexical/react/LexicalHistoryPlugin";
import { LinkPlugin } from "@lexical/react/LexicalLinkPlugin";
import { ListPlugin } from "@lexical/react/LexicalListPlugin";
import { OnChangePlugin } from "@lexical/react/LexicalOnChangePlugin";
import { RichTextPlugin } from "@lexical/react/LexicalRichTextPlugin";
import { TablePlugin } from "@lexical/react/LexicalTablePlugin";
import type { EditorState, SerializedEditorState } from "lexical";
import { Component, useCallback, useMemo, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useHydrated } from "./client-only";
import { ConformancePanel } from "./conformance-panel";
import { STANDARD_NODES } from "./nodes";
import { RuleChecksProvider, type SourceCheck } from "./rule-checks";
import { RuleDocumentProvider } from "./rule-document";
import { editorTheme } from "./theme";
import { isAllowedUrl, Toolbar } from "./toolbar";

/** What the standard editor needs: the initial serialized state, the standard's rule id prefix and retired ids. */
export type StandardEditorProps = {
  initialState: SerializedEditorState;
  /** Every rule id of this standard starts with it, e.g. "TAR-001.R". */
  idPrefix: string;
  retiredIds?: readonly string[];
  /** The route whose action answers rule checks (intent "checkRules"); the rule core runs on the server. */
  checkAction: string;
  /** Checks of the initial rule blocks, computed with the page. */
  initialChecks?: readonly SourceCheck[];
  readOnly?: boolean;
  /** Called with the serialized state after every change of the document (not of the selection). */
  onChange?: (state: SerializedEditorState) => void;
  /** Shown on the server and until the editor has mounted: the read-only document. */
  fallback?: ReactNode;
};

/** The standard editor; renders `fallback` during SSR, and instead of the editor if the editor fails. */
export function StandardEditor(props: StandardEditorProps) {
  const hydrated = useHydrated();
  if (!hydrated) return <>{props.fallback ?? null}</>;
  return (
    <EditorErrorBoundary fallback={props.fallback}>
      <LexicalStandardEditor {...props} />
    </EditorErrorBoundary>
  );
}

/** What the author sees if the editor itself fails: what went wrong, the read-only document, and a way back. */
function EditorFailed({ error, fallback, onRetry }: { error: Error; fallback?: ReactNode; onRetry: () => void }) {
  const { t } = useTranslation("editor");
  return (
    <>
      <div className="notice notice--error editor-failed" role="alert">
        <p className="notice__title">{t("editor.failed")}</p>
        <p>{t("editor.failedHint", { message: error.message })}</p>
        <button type="button" className="button button--small" onClick={onRetry}>
          {t("editor.retry")}
        </button>
      </div>
      {fallback ?? null}
    </>
  );
}

/** Keeps an error inside the editor from taking the whole page down. */
class EditorErrorBoundary extends Component<{ fallback?: ReactNode; children: ReactNode }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidCatch(error: Error) {
    console.error("The standard editor failed:", error);
  }

  render() {
    if (!this.state.error) return this.props.children;
    return <EditorFailed error={this.state.error} fallback={this.props.fallback} onRetry={() => this.setState({ error: null })} />;
  }
}

const NO_RETIRED: readonly string[] = [];

function LexicalStandardEditor({
  initialState,
  idPrefix,
  retiredIds = NO_RETIRED,
  checkAction,
  initialChecks,
  readOnly = false,
  onChange,
}: StandardEditorProps) {
  const { t } = useTranslation("editor");
  // The initial state is read once, on mount: later loader data must not reset what is being edited.
  const initialConfig = useMemo<InitialConfigType>(
    () => ({
      namespace: "standard",
      nodes: [...STANDARD_NODES],
      theme: editorTheme,
      editable: !readOnly,
      editorState: JSON.stringify(initialState),
      onError: (error: Error) => {
        // Never crash the page: Lexical recovers by keeping the last good state.
        console.error("Editor error:", error);
      },
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    []
  );
  const report = useCallback((state: EditorState) => onChange?.(state.toJSON()), [onChange]);

  return (
    <LexicalComposer initialConfig={initialConfig}>
      <RuleChecksProvider action={checkAction} initial={initialChecks}>
        <RuleDocumentProvider idPrefix={idPrefix} retiredIds={retiredIds}>
          <div className="editor-shell">
            {readOnly ? null : <Toolbar />}
            <div className="editor-layout">
              <div className="editor-main">
                <RichTextPlugin
                  contentEditable={
                    <ContentEditable
                      className="document editor-content"
                      aria-label={readOnly ? t("editor.readOnly") : t("editor.label")}
                      aria-placeholder={t("editor.placeholder")}
                      placeholder={<div className="editor-placeholder">{t("editor.placeholder")}</div>}
                    />
                  }
                  ErrorBoundary={LexicalErrorBoundary}
                />
              </div>
              <ConformancePanel />
            </div>
          </div>
          <ListPlugin />
          <LinkPlugin validateUrl={isAllowedUrl} />
          <TablePlugin hasCellMerge={false} hasCellBackgroundColor={false} hasHorizontalScroll />
          {readOnly ? null : <HistoryPlugin />}
          <OnChangePlugin onChange={report} ignoreSelectionChange />
        </RuleDocumentProvider>
      </RuleChecksProvider>
    </LexicalComposer>
  );
}
