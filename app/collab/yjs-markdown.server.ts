/**
 * Standard Markdown ⇄ the Yjs document of a draft, through a headless Lexical editor bound with
 * @lexical/yjs exactly as the browser's CollaborationPlugin binds it (V1 binding, shared root =
 * the doc's XmlText named "root", @lexical/yjs's default `rootName`), so the server and browsers
 * read and write the same shared structure.
 *
 * Each call works on a private mirror Y.Doc: the target doc's state is copied in (the Yjs events
 * sync it into Lexical, as a provider's first sync would), Lexical edits produce one Yjs
 * transaction on the mirror, and that single update is applied to the target. The target never
 * carries a binding, so a loaded Hocuspocus document is not observed by a server-side editor.
 */
import { createBinding, syncLexicalUpdateToYjs, syncYjsChangesToLexical, type Binding, type Provider } from "@lexical/yjs";
import { createHeadlessEditor } from "@lexical/headless";
import { SKIP_COLLAB_TAG, type LexicalEditor } from "lexical";
import * as Y from "yjs";
import { $exportMarkdown, $importMarkdown } from "../editor/markdown";
import { STANDARD_NODES } from "../editor/nodes";

/** The name of the shared XmlText that holds a standard's Lexical tree (what @lexical/yjs uses by default). */
export const ROOT_NAME = "root";

/** A provider stand-in: the server has no cursor and no awareness, only document changes. */
function silentProvider(): Provider {
  const awareness = {
    getLocalState: () => null,
    getStates: () => new Map(),
    off: () => undefined,
    on: () => undefined,
    setLocalState: () => undefined,
    setLocalStateField: () => undefined,
  };
  return { awareness, connect: () => undefined, disconnect: () => undefined, off: () => undefined, on: () => undefined } as unknown as Provider;
}

type Mirror = { doc: Y.Doc; editor: LexicalEditor; binding: Binding; dispose: () => void };

/** A fresh Y.Doc bound to a headless editor the way useYjsCollaboration binds a browser editor. */
function boundMirror(): Mirror {
  const doc = new Y.Doc();
  const editor = createHeadlessEditor({
    namespace: "standard",
    nodes: [...STANDARD_NODES],
    onError: (error) => {
      throw error;
    },
  });
  const provider = silentProvider();
  const binding = createBinding(editor, provider, ROOT_NAME, doc, new Map([[ROOT_NAME, doc]]));
  const onYjs = (events: Array<Y.YEvent<Y.XmlText>>, transaction: Y.Transaction) => {
    if (transaction.origin !== binding) syncYjsChangesToLexical(binding, provider, events as never, false, () => undefined);
  };
  binding.root.getSharedType().observeDeep(onYjs as never);
  const stop = editor.registerUpdateListener(({ prevEditorState, editorState, dirtyElements, dirtyLeaves, normalizedNodes, tags }) => {
    if (!tags.has(SKIP_COLLAB_TAG)) syncLexicalUpdateToYjs(binding, provider, prevEditorState, editorState, dirtyElements, dirtyLeaves, normalizedNodes, tags);
  });
  return {
    doc,
    editor,
    binding,
    dispose: () => {
      stop();
      binding.root.getSharedType().unobserveDeep(onYjs as never);
      doc.destroy();
    },
  };
}

/** Copies `doc`'s state into a mirror; the mirror's editor then holds the document's Lexical tree. */
function mirrorOf(doc: Y.Doc): Mirror {
  const mirror = boundMirror();
  Y.applyUpdate(mirror.doc, Y.encodeStateAsUpdate(doc));
  // syncYjsChangesToLexical queues a non-discrete editor.update; commit it now (it keeps its
  // collaboration tag, so it is not echoed back into Yjs).
  mirror.editor.update(() => undefined, { discrete: true });
  return mirror;
}

/** Replaces the document's content with standard Markdown as one Yjs update (one change for connected editors); returns it, or null when nothing changed. */
export function markdownIntoDoc(doc: Y.Doc, markdown: string, origin: unknown = "server"): Uint8Array | null {
  const mirror = mirrorOf(doc);
  try {
    const textBefore = mirror.editor.getEditorState().read(() => $exportMarkdown());
    const before = Y.encodeStateVector(mirror.doc);
    mirror.editor.update(() => $importMarkdown(markdown), { discrete: true });
    // Re-importing the same text would still replace every node: send no change at all instead.
    if (mirror.editor.getEditorState().read(() => $exportMarkdown()) === textBefore && Y.encodeStateVector(doc).length > 1) return null;
    const update = Y.encodeStateAsUpdate(mirror.doc, before);
    // An update with no structs and no deletions is 2 bytes long.
    if (update.length <= 2) return null;
    Y.applyUpdate(doc, update, origin);
    return update;
  } finally {
    mirror.dispose();
  }
}

/** The document's content as standard Markdown (tidied, one final newline). */
export function markdownFromDoc(doc: Y.Doc): string {
  const mirror = mirrorOf(doc);
  try {
    return mirror.editor.getEditorState().read(() => $exportMarkdown());
  } finally {
    mirror.dispose();
  }
}
