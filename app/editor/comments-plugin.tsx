/**
 * Anchored comments inside the collaborative editor: select text → Comment (the sidebar's button,
 * or Ctrl+Alt+M) → a form with the type and the text → the comment is created with the quote, its
 * prefix and suffix, and the Yjs relative positions of the selected range. The sidebar lists the
 * document's comments: those on the text (their passages highlighted with the CSS Custom Highlight
 * API — the shared document is never marked), the detached ones with their original quote, threads,
 * and, for editors, the disposition form. Comments appear for everyone without reloading: the
 * server sends a stateless "comments changed" message through the document's connection after
 * every comment write and whenever anchors change state, and the sidebar refetches.
 *
 * A Lexical selection becomes Yjs positions without the binding's internals: the Lexical tree and
 * the Yjs structure (@lexical/yjs V1) are read into the same linear text (anchor-positions.ts and
 * `lexicalText` below); when both agree, offsets in it map to Yjs positions; when they do not (the
 * document is mid-sync), the comment is anchored by its quote alone.
 * Works in read-only editors too (observers select and comment).
 */
import { useLexicalComposerContext } from "@lexical/react/LexicalComposerContext";
import {
  $createRangeSelectionFromDom,
  $getNodeByKey,
  $getRoot,
  $isDecoratorNode,
  $isElementNode,
  $isLineBreakNode,
  $isTextNode,
  type ElementNode,
  type LexicalEditor,
  type PointType,
} from "lexical";
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { createPortal } from "react-dom";
import { useTranslation } from "react-i18next";
import { docText, INLINE_ELEMENT_TYPES } from "../collab/anchor-positions";
import { CommentCard, COMMENT_KIND_OPTIONS, ReplyFields, ResolutionFields, type CommentItem } from "../components/comment-parts";
import { anchorAt, findAnchor, MAX_QUOTE_CHARS, type Anchor } from "../domain/anchors";
import { useCollab } from "./collab-context";

export type CommentsPluginProps = { standardId?: string; proposalId?: string; canComment: boolean; canResolve: boolean };

/** The highlight names registered with CSS.highlights (styled in comments.css). */
const HIGHLIGHT = "ewtp-comment";
const HIGHLIGHT_ACTIVE = "ewtp-comment-active";

type Segment = { key: string; offset: number; length: number };
type LinearText = { text: string; segments: Segment[]; starts: Map<string, number>; ends: Map<string, number> };

/** The editor's text read the same way as the Yjs document's (see anchor-positions.ts); call inside a read. */
function $lexicalText(): LinearText {
  let text = "";
  const segments: Segment[] = [];
  const starts = new Map<string, number>();
  const ends = new Map<string, number>();
  const walk = (element: ElementNode) => {
    for (const child of element.getChildren()) {
      starts.set(child.getKey(), text.length);
      if ($isTextNode(child)) {
        const content = child.getTextContent();
        segments.push({ key: child.getKey(), offset: text.length, length: content.length });
        text += content;
        ends.set(child.getKey(), text.length);
      } else if ($isLineBreakNode(child)) {
        text += "\n";
        ends.set(child.getKey(), text.length);
      } else if ($isElementNode(child)) {
        walk(child);
        ends.set(child.getKey(), text.length);
        if (!INLINE_ELEMENT_TYPES.has(child.getType())) text += "\n";
      } else if ($isDecoratorNode(child)) {
        text += "\n";
        ends.set(child.getKey(), text.length);
      }
    }
  };
  walk($getRoot());
  return { text, segments, starts, ends };
}

/** A selection point as an offset into the linear text. */
function pointOffset(point: PointType, lin: LinearText): number | null {
  if (point.type === "text") {
    const start = lin.starts.get(point.key);
    return start === undefined ? null : start + point.offset;
  }
  const node = $getNodeByKey(point.key);
  if (!$isElementNode(node)) return null;
  const child = node.getChildAtIndex(point.offset);
  if (child) return lin.starts.get(child.getKey()) ?? null;
  return lin.ends.get(node.getKey()) ?? null;
}

/** A passage selected in the editor: its anchor (quote, prefix, suffix) and, when known, its Yjs positions. */
type Selected = { anchor: Anchor; positions: { start: unknown; end: unknown } | null };

/** Reads the browser's selection inside the editor as a passage, or null when nothing is selected there. */
function selectedPassage(editor: LexicalEditor, doc: import("yjs").Doc | null): Selected | null {
  const root = editor.getRootElement();
  const dom = typeof window !== "undefined" ? window.getSelection() : null;
  if (!root || !dom || dom.isCollapsed || dom.rangeCount === 0 || !root.contains(dom.anchorNode) || !root.contains(dom.focusNode)) return null;
  return editor.read(() => {
    const selection = $createRangeSelectionFromDom(dom, editor);
    if (!selection || selection.isCollapsed()) return null;
    const lin = $lexicalText();
    const [a, b] = selection.isBackward() ? [selection.focus, selection.anchor] : [selection.anchor, selection.focus];
    const start = pointOffset(a, lin);
    const end = pointOffset(b, lin);
    if (start === null || end === null || end <= start) return null;
    const anchor = anchorAt(lin.text, { start, end });
    if (!anchor.quote || anchor.quote.length > MAX_QUOTE_CHARS) return null;
    let positions: Selected["positions"] = null;
    if (doc) {
      const yText = docText(doc);
      // Only when the Yjs document reads exactly like the editor do offsets mean the same place.
      if (yText.text === lin.text) positions = yText.relativeRange({ start, end });
    }
    return { anchor, positions };
  });
}

/** A DOM range for an offset range of the linear text (text segments only). */
function domRange(editor: LexicalEditor, lin: LinearText, start: number, end: number): Range | null {
  const at = (offset: number, preferEnd: boolean): [Node, number] | null => {
    const seg = lin.segments.find((s) => (preferEnd ? s.offset < offset && offset <= s.offset + s.length : s.offset <= offset && offset < s.offset + s.length));
    if (!seg) return null;
    const element = editor.getElementByKey(seg.key);
    const textNode = element?.firstChild;
    if (!textNode || textNode.nodeType !== Node.TEXT_NODE) return null;
    return [textNode, Math.min(offset - seg.offset, (textNode.textContent ?? "").length)];
  };
  const s = at(start, false);
  const e = at(end, true);
  if (!s || !e) return null;
  const range = document.createRange();
  try {
    range.setStart(s[0], s[1]);
    range.setEnd(e[0], e[1]);
  } catch {
    return null;
  }
  return range;
}

type HighlightRegistry = { set: (name: string, h: unknown) => void; delete: (name: string) => void };
const highlights = (): HighlightRegistry | null => (typeof CSS !== "undefined" && "highlights" in CSS ? (CSS as unknown as { highlights: HighlightRegistry }).highlights : null);
const HighlightCtor = (): (new (...ranges: Range[]) => unknown) | null => (globalThis as { Highlight?: new (...ranges: Range[]) => unknown }).Highlight ?? null;

/** Same-origin JSON call to the API; throws the API's error message. */
async function api<T>(path: string, init?: { method: string; body: unknown }): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method: init?.method ?? "GET",
    credentials: "same-origin",
    headers: init ? { "content-type": "application/json" } : undefined,
    body: init ? JSON.stringify(init.body) : undefined,
  });
  const data = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!res.ok) throw new Error(data.error?.message ?? `HTTP ${res.status}`);
  return data as T;
}

/** The anchored-comments plugin (mount inside the Lexical composer of a collaborative editor). */
export function CommentsPlugin({ standardId, proposalId, canComment, canResolve }: CommentsPluginProps) {
  const [editor] = useLexicalComposerContext();
  const collab = useCollab();
  const { t } = useTranslation("comments");
  const [comments, setComments] = useState<CommentItem[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [hasSelection, setHasSelection] = useState(false);
  const [draft, setDraft] = useState<Selected | "whole" | null>(null);
  const [active, setActive] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [host, setHost] = useState<Element | null>(null);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const doc = collab?.doc ?? null;
  // Where the document's comments live in the API, and where its resolution log is shown.
  const base = standardId ? `/standards/${encodeURIComponent(standardId)}` : proposalId ? `/proposals/${encodeURIComponent(proposalId)}` : null;
  const logHref = standardId ? `${base}/comments` : `${base}#comments`;

  const refresh = useCallback(async () => {
    if (!base) return;
    try {
      const data = await api<{ comments: CommentItem[] }>(`${base}/comments`);
      setComments(data.comments);
      setLoaded(true);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [base]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // The server's "comments changed" signal, through the document's own connection.
  useEffect(() => {
    const provider = collab?.provider;
    if (!provider) return;
    const onStateless = ({ payload }: { payload: string }) => {
      try {
        if ((JSON.parse(payload) as { type?: string }).type === "comments.changed") void refresh();
      } catch {
        // Not ours.
      }
    };
    provider.on("stateless", onStateless);
    return () => {
      provider.off("stateless", onStateless);
    };
  }, [collab?.provider, refresh]);

  // The sidebar goes next to the document (in the editor's side column) when there is one.
  useEffect(() => {
    const root = editor.getRootElement();
    setHost(root?.closest(".editor-layout")?.querySelector(".editor-side") ?? null);
    return editor.registerRootListener((next) => setHost(next?.closest(".editor-layout")?.querySelector(".editor-side") ?? null));
  }, [editor]);

  // Whether a passage of the editor is selected (read-only editors included: the DOM selection decides).
  useEffect(() => {
    const onChange = () => {
      const root = editor.getRootElement();
      const dom = window.getSelection();
      setHasSelection(Boolean(root && dom && !dom.isCollapsed && root.contains(dom.anchorNode) && root.contains(dom.focusNode)));
    };
    document.addEventListener("selectionchange", onChange);
    return () => document.removeEventListener("selectionchange", onChange);
  }, [editor]);

  const openForm = useCallback(() => {
    if (!canComment) return;
    const passage = selectedPassage(editor, doc);
    if (!passage) return;
    setError(null);
    setDraft(passage);
    setTimeout(() => bodyRef.current?.focus(), 0);
  }, [canComment, doc, editor]);

  // Ctrl+Alt+M (⌘⌥M): comment on the selection, wherever the focus is.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.altKey && event.code === "KeyM") {
        event.preventDefault();
        openForm();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [openForm]);

  // Highlights of the passages of attached comments, redrawn when the text or the comments change.
  useEffect(() => {
    const registry = highlights();
    const Ctor = HighlightCtor();
    if (!registry || !Ctor) return;
    const draw = () => {
      const all: Range[] = [];
      const current: Range[] = [];
      editor.read(() => {
        const lin = $lexicalText();
        const yText = doc ? docText(doc) : null;
        for (const c of comments) {
          if (c.state !== "attached" || !c.anchor) continue;
          let range: { start: number; end: number } | null = null;
          if (c.positions && yText && yText.text === lin.text) {
            const r = yText.resolve(c.positions.start, c.positions.end);
            if (r !== "lost" && r.end > r.start) range = r;
          } else if (!c.positions) {
            range = findAnchor(lin.text, c.anchor);
          }
          if (!range) continue;
          const dom = domRange(editor, lin, range.start, range.end);
          if (!dom) continue;
          all.push(dom);
          if (c.id === active) current.push(dom);
        }
      });
      registry.set(HIGHLIGHT, new Ctor(...all));
      registry.set(HIGHLIGHT_ACTIVE, new Ctor(...current));
    };
    draw();
    const stop = editor.registerUpdateListener(() => requestAnimationFrame(draw));
    return () => {
      stop();
      registry.delete(HIGHLIGHT);
      registry.delete(HIGHLIGHT_ACTIVE);
    };
  }, [active, comments, doc, editor]);

  const showInText = (c: CommentItem) => {
    setActive(c.id);
    editor.read(() => {
      const lin = $lexicalText();
      const yText = doc ? docText(doc) : null;
      const r = c.positions && yText && yText.text === lin.text ? yText.resolve(c.positions.start, c.positions.end) : c.anchor ? findAnchor(lin.text, c.anchor) : null;
      if (!r || r === "lost") return;
      const dom = domRange(editor, lin, r.start, r.end);
      (dom?.startContainer.parentElement ?? null)?.scrollIntoView({ block: "center", behavior: "smooth" });
    });
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!base || !draft) return;
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { kind: String(form.get("kind")), body: String(form.get("body") ?? "") };
      if (draft !== "whole") {
        body.anchor = { quote: draft.anchor.quote, prefix: draft.anchor.prefix ?? "", suffix: draft.anchor.suffix ?? "" };
        if (draft.positions) body.positions = draft.positions;
      }
      const { comment } = await api<{ comment: CommentItem }>(`${base}/comments`, { method: "POST", body });
      setDraft(null);
      setActive(comment.id);
      await refresh();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const postTo = async (event: FormEvent<HTMLFormElement>, path: string, read: (f: FormData) => unknown) => {
    event.preventDefault();
    const formEl = event.currentTarget;
    setBusy(true);
    setError(null);
    try {
      await api(path, { method: "POST", body: read(new FormData(formEl)) });
      formEl.reset();
      await refresh();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const attached = useMemo(() => comments.filter((c) => c.state === "attached"), [comments]);
  const detached = useMemo(() => comments.filter((c) => c.state === "detached"), [comments]);

  if (!base) return null;

  const card = (c: CommentItem) => (
    <CommentCard
      key={c.id}
      comment={c}
      compact
      active={c.id === active}
      actions={
        c.state === "attached" && c.anchor ? (
          <button type="button" className="comment-show" onClick={() => showInText(c)}>
            {t("sidebar.show")}
          </button>
        ) : null
      }
      replyForm={
        canComment ? (
          <form onSubmit={(e) => void postTo(e, `/comments/${c.id}/replies`, (f) => ({ body: String(f.get("body") ?? "") }))}>
            <ReplyFields commentId={c.id} disabled={busy} />
          </form>
        ) : null
      }
      resolutionForm={
        canResolve ? (
          <form onSubmit={(e) => void postTo(e, `/comments/${c.id}/resolution`, (f) => ({ status: String(f.get("status")), response: String(f.get("response") ?? "") }))}>
            <ResolutionFields comment={c} disabled={busy} />
          </form>
        ) : null
      }
    />
  );

  const sidebar = (
    <section className="comments-sidebar card" aria-labelledby="comments-sidebar-title">
      <div className="comments-sidebar__head">
        <h2 id="comments-sidebar-title">{t("sidebar.title")}</h2>
        <a href={logHref} className="comments-sidebar__log">
          {t("sidebar.log")}
        </a>
      </div>
      {canComment ? (
        <div className="comments-sidebar__actions">
          <button
            type="button"
            className="button button--small"
            disabled={!hasSelection}
            aria-keyshortcuts="Control+Alt+M"
            title={t("sidebar.commentHint")}
            // Keep the selection: a click must not move the focus out of the text first.
            onMouseDown={(e) => e.preventDefault()}
            onClick={openForm}
          >
            {t("sidebar.comment")}
          </button>
          <button type="button" className="button button--quiet button--small" onClick={() => setDraft("whole")}>
            {t("sidebar.generalComment")}
          </button>
          <p className="field__hint">{hasSelection ? t("sidebar.commentHint") : t("sidebar.noSelection")}</p>
        </div>
      ) : null}
      {draft ? (
        <form className="comment-form comment-form--new" onSubmit={(e) => void submit(e)} aria-label={t("form.title")}>
          <p className="comment-form__title">{t("form.title")}</p>
          {draft !== "whole" ? (
            <div className="comment-quote">
              <p className="comment-quote__hint">{t("form.quote")}</p>
              <blockquote>{draft.anchor.quote}</blockquote>
            </div>
          ) : (
            <p className="comment-onwhole">{t("sidebar.general")}</p>
          )}
          <label htmlFor="comment-kind">{t("form.kind")}</label>
          <select id="comment-kind" name="kind" defaultValue="technical">
            {COMMENT_KIND_OPTIONS.map((k) => (
              <option key={k} value={k}>
                {t(`kind.${k}`)}
              </option>
            ))}
          </select>
          <label htmlFor="comment-body">{t("form.body")}</label>
          <textarea id="comment-body" name="body" ref={bodyRef} rows={4} maxLength={10000} required aria-describedby="comment-body-hint" />
          <p className="field__hint" id="comment-body-hint">
            {t("form.bodyHint")}
          </p>
          <div className="button-row">
            <button type="submit" className="button button--small" disabled={busy}>
              {t("form.submit")}
            </button>
            <button type="button" className="button button--quiet button--small" onClick={() => setDraft(null)}>
              {t("form.cancel")}
            </button>
          </div>
        </form>
      ) : null}
      {error ? (
        <p className="field__error" role="alert">
          {t("error", { message: error })}
        </p>
      ) : null}
      {loaded && comments.length === 0 ? <p className="comments-sidebar__none">{t("sidebar.none")}</p> : null}
      {attached.length ? (
        <div className="comments-group" aria-label={t("sidebar.attached")}>
          <h3>{t("sidebar.attached")}</h3>
          {attached.map(card)}
        </div>
      ) : null}
      {detached.length ? (
        <div className="comments-group comments-group--detached" aria-label={t("sidebar.detached")}>
          <h3>{t("sidebar.detached")}</h3>
          {detached.map(card)}
        </div>
      ) : null}
    </section>
  );

  return host ? createPortal(sidebar, host) : sidebar;
}
