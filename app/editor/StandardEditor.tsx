/**
 * The standard editor, collaborative: Lexical bound to the live Yjs document of a standard draft
 * (`standard.<id>`) or a proposal (`proposal.<id>`) through Lexical's CollaborationPlugin and the
 * one provider adapter (collab-provider.ts). The server creates a document's first content, so the
 * editor starts empty (`editorState: null`) and never bootstraps. Undo and redo are Yjs's
 * UndoManager, set up by the plugin per client: only this user's own changes are undone (the
 * history plugin stays off). Other people's cursors and selections render in the editor area;
 * presence, the connection pill and the conformance panel sit around it. Read-only users (observers,
 * frozen documents) see the live text without a toolbar and can still select it (for comments).
 * Lexical mounts only in the browser: during SSR and hydration the `fallback` (the read-only
 * document) is shown.
 */
import { LexicalCollaboration } from "@lexical/react/LexicalCollaborationContext";
import { CollaborationPlugin } from "@lexical/react/LexicalCollaborationPlugin";
import { LexicalComposer, type InitialConfigType } from "@lexical/react/LexicalComposer";
import { useLexicalComposerContext } from "@lexical/react/LexicalComposerContext";
import { ContentEditable } from "@lexical/react/LexicalContentEditable";
import { LexicalErrorBoundary } from "@lexical/react/LexicalErrorBoundary";
import { LinkPlugin } from "@lexical/react/LexicalLinkPlugin";
import { ListPlugin } from "@lexical/react/LexicalListPlugin";
import { RichTextPlugin } from "@lexical/react/LexicalRichTextPlugin";
import { TablePlugin } from "@lexical/react/LexicalTablePlugin";
import type { Provider } from "@lexical/yjs";
import { Component, useCallback, useEffect, useMemo, useRef, useState, type ComponentType, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type * as Y from "yjs";
import { useHydrated } from "./client-only";
import { CollabProvider, useCollab, type CollabUser } from "./collab-context";
import { colorForUser, openCollabDocument, type CollabConnection } from "./collab-provider";
import { ConformancePanel } from "./conformance-panel";
import { ConnectionStatus } from "./connection-status";
import { STANDARD_NODES } from "./nodes";
import { Presence } from "./presence";
import { RuleChecksProvider, type SourceCheck } from "./rule-checks";
import { RuleDocumentProvider } from "./rule-document";
import { editorTheme } from "./theme";
import { isAllowedUrl, Toolbar } from "./toolbar";

/** The props of the anchored-comments plugin (app/editor/comments-plugin.tsx), when it exists. */
export type CommentsPluginProps = { standardId?: string; proposalId?: string; canComment: boolean; canResolve: boolean };

// The comments plugin is built separately; it mounts inside the composer when its module exists.
const commentModules = import.meta.glob<{ CommentsPlugin?: ComponentType<CommentsPluginProps> }>("./comments-plugin.tsx", { eager: true });
const CommentsPlugin = Object.values(commentModules)[0]?.CommentsPlugin ?? null;

/** What the standard editor needs. */
export type StandardEditorProps = {
  /** The collaborative document: `standard.<id>` or `proposal.<id>`. */
  docName: string;
  /** This user, as others see them in presence and cursors. */
  user: { id: string; name: string; role: string };
  /** Every rule id of this standard starts with it, e.g. "TAR-001.R". */
  idPrefix: string;
  retiredIds?: readonly string[];
  /** The route whose action answers rule checks (intent "checkRules"); the rule core runs on the server. */
  checkAction: string;
  /** Checks of the initial rule blocks, computed with the page. */
  initialChecks?: readonly SourceCheck[];
  /** The page knows this user may only read (the server enforces it on the connection as well). */
  readOnly?: boolean;
  /** Anchored comments, mounted inside the editor when the comments plugin exists. */
  comments?: CommentsPluginProps;
  /** Called after the live text changed (debounced by the caller), e.g. to refresh derived views. */
  onTextChange?: () => void;
  /** Shown on the server and until the editor has mounted: the read-only document. */
  fallback?: ReactNode;
};

/** The standard editor; renders `fallback` during SSR, and instead of the editor if the editor fails. */
export function StandardEditor(props: StandardEditorProps) {
  const hydrated = useHydrated();
  if (!hydrated) return <>{props.fallback ?? null}</>;
  return (
    <EditorErrorBoundary fallback={props.fallback}>
      <CollaborativeEditor {...props} />
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

/** Opens the document's connection for as long as the component is mounted (StrictMode-safe: one per mount). */
function useCollabConnection(docName: string): CollabConnection | null {
  const [connection, setConnection] = useState<CollabConnection | null>(null);
  useEffect(() => {
    const opened = openCollabDocument(docName);
    setConnection(opened);
    return () => {
      setConnection(null);
      opened.destroy();
    };
  }, [docName]);
  return connection;
}

function CollaborativeEditor(props: StandardEditorProps) {
  const connection = useCollabConnection(props.docName);
  const { id, name, role } = props.user;
  const user = useMemo<CollabUser>(() => ({ id, name, role, color: colorForUser(id) }), [id, name, role]);
  if (!connection) return <>{props.fallback ?? null}</>;
  return (
    <LexicalCollaboration>
      <CollabProvider connection={connection} user={user}>
        <LexicalStandardEditor key={connection.name} {...props} connection={connection} collabUser={user} />
      </CollabProvider>
    </LexicalCollaboration>
  );
}

const NO_RETIRED: readonly string[] = [];

/** Keeps the editor read-only when the page or the server says so (a document frozen meanwhile). */
function EditablePlugin({ readOnly }: { readOnly: boolean }) {
  const [editor] = useLexicalComposerContext();
  const collab = useCollab();
  const editable = !readOnly && !collab?.readOnly;
  useEffect(() => {
    editor.setEditable(editable);
  }, [editor, editable]);
  return null;
}

/** Tells the page, debounced, that the live text changed (remote or local). */
function TextChangePlugin({ onTextChange }: { onTextChange: () => void }) {
  const [editor] = useLexicalComposerContext();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = editor.registerUpdateListener(({ dirtyElements, dirtyLeaves }) => {
      if (dirtyElements.size === 0 && dirtyLeaves.size === 0) return;
      clearTimeout(timer);
      timer = setTimeout(onTextChange, 1000);
    });
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [editor, onTextChange]);
  return null;
}

function LexicalStandardEditor({
  docName,
  idPrefix,
  retiredIds = NO_RETIRED,
  checkAction,
  initialChecks,
  readOnly = false,
  comments,
  onTextChange,
  fallback,
  connection,
  collabUser,
}: StandardEditorProps & { connection: CollabConnection; collabUser: CollabUser }) {
  const { t } = useTranslation("editor");
  // Until the document's content first arrives the editor is empty: show the read-only document instead.
  const loaded = useCollab()?.loaded ?? false;
  const cursorsContainerRef = useRef<HTMLDivElement>(null);
  const initialConfig = useMemo<InitialConfigType>(
    () => ({
      namespace: "standard",
      nodes: [...STANDARD_NODES],
      theme: editorTheme,
      editable: !readOnly,
      // Collaborative: the content comes from the shared document, never from the client.
      editorState: null,
      onError: (error: Error) => {
        // Never crash the page: Lexical recovers by keeping the last good state.
        console.error("Editor error:", error);
      },
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    []
  );
  // Lexical's factory: the one connection this editor opened; the doc goes into Lexical's doc map.
  const providerFactory = useCallback(
    (id: string, yjsDocMap: Map<string, Y.Doc>): Provider => {
      yjsDocMap.set(id, connection.doc);
      return connection.lexical;
    },
    [connection]
  );
  const awarenessData = useMemo(() => ({ role: collabUser.role, userId: collabUser.id }), [collabUser]);

  return (
    <LexicalComposer initialConfig={initialConfig}>
      <RuleChecksProvider action={checkAction} initial={initialChecks}>
        <RuleDocumentProvider idPrefix={idPrefix} retiredIds={retiredIds}>
          <div className="editor-shell">
            <div className="editor-savebar editor-collabbar">
              <ConnectionStatus />
            </div>
            {loaded ? null : fallback}
            {readOnly || !loaded ? null : <Toolbar />}
            <div className="editor-layout" hidden={!loaded}>
              <div className="editor-main" ref={cursorsContainerRef}>
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
              <div className="editor-side">
                <Presence />
                <ConformancePanel />
              </div>
            </div>
          </div>
          <CollaborationPlugin
            id={docName}
            providerFactory={providerFactory}
            shouldBootstrap={false}
            username={collabUser.name}
            cursorColor={collabUser.color}
            cursorsContainerRef={cursorsContainerRef}
            awarenessData={awarenessData}
          />
          <EditablePlugin readOnly={readOnly} />
          <ListPlugin />
          <LinkPlugin validateUrl={isAllowedUrl} />
          <TablePlugin hasCellMerge={false} hasCellBackgroundColor={false} hasHorizontalScroll />
          {onTextChange ? <TextChangePlugin onTextChange={onTextChange} /> : null}
          {CommentsPlugin && comments ? <CommentsPlugin {...comments} /> : null}
        </RuleDocumentProvider>
      </RuleChecksProvider>
    </LexicalComposer>
  );
}
