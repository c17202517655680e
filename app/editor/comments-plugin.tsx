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
 *
 * Without a selection (a read-only draft has no keyboard caret, so a keyboard-only reader cannot
 * select), Comment opens the form with a Passage field instead: the reader types or pastes the words
 * they mean, the portal finds them in the text (findOccurrences: exact, whitespace-insensitive), lets
 * them choose among several occurrences by the words around each, highlights the one chosen, and
 * anchors the comment exactly as a selection of that passage would be (same quote, context and Yjs
 * positions).
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
import { anchorAt, findAnchor, findOccurrences, MAX_QUOTE_CHARS, normalizeWhitespace, type Anchor, type AnchorRange } from "../domain/anchors";
import { useCollab } from "./collab-context";

export type CommentsPluginProps = { standardId?: string; proposalId?: string; canComment: boolean; canResolve: boolean };

/** The highlight names registered with CSS.highlights (styled in comments.css). */
const HIGHLIGHT = "ewtp-comment";
const HIGHLIGHT_ACTIVE = "ewtp-comment-active";
/** The passage a reader is about to comment on by its words (the Passage field). */
const HIGHLIGHT_PENDING = "ewtp-comment-pending";

/** How many occurrences of typed words are offered to choose from; beyond that, the reader adds words. */
const MAX_OCCURRENCES = 8;

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

/** The passage `range` of the linear text as a comment's anchor, with its Yjs positions when the document reads like the editor. */
function passageAt(lin: LinearText, range: AnchorRange, doc: import("yjs").Doc | null): Selected {
  const anchor = anchorAt(lin.text, range);
  let positions: Selected["positions"] = null;
  if (doc) {
    const yText = docText(doc);
    // Only when the Yjs document reads exactly like the editor do offsets mean the same place.
    if (yText.text === lin.text) positions = yText.relativeRange(range);
  }
  return { anchor, positions };
}

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
    const passage = passageAt(lin, { start, end }, doc);
    if (!passage.anchor.quote || passage.anchor.quote.length > MAX_QUOTE_CHARS) return null;
    return passage;
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
  // The form: on a selected passage, on the whole draft, or on a passage given by its words ("typed").
  const [draft, setDraft] = useState<Selected | "whole" | "typed" | null>(null);
  const [words, setWords] = useState("");
  const [choice, setChoice] = useState<number | null>(null);
  const [textVersion, setTextVersion] = useState(0);
  const [active, setActive] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [host, setHost] = useState<Element | null>(null);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const passageRef = useRef<HTMLInputElement>(null);
  const choicesRef = useRef<HTMLFieldSetElement>(null);
  const statusRef = useRef<HTMLDivElement>(null);
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
    setError(null);
    if (passage) {
      setDraft(passage);
      setTimeout(() => bodyRef.current?.focus(), 0);
      return;
    }
    // No selection (a read-only draft has no caret to select with): the passage is given by its words.
    if (draft !== "typed") {
      setWords("");
      setChoice(null);
      setDraft("typed");
    }
    setTimeout(() => passageRef.current?.focus(), 0);
  }, [canComment, doc, draft, editor]);

  // Where the typed words are in the text, recomputed as they change and as the text changes.
  useEffect(() => {
    if (draft !== "typed") return;
    return editor.registerUpdateListener(() => setTextVersion((v) => v + 1));
  }, [draft, editor]);
  const search = useMemo(() => {
    if (draft !== "typed" || !normalizeWhitespace(words)) return null;
    if (normalizeWhitespace(words).length > MAX_QUOTE_CHARS) return { tooLong: true as const };
    return editor.read(() => {
      const { text } = $lexicalText();
      const found = findOccurrences(text, words, { limit: MAX_OCCURRENCES });
      return { tooLong: false as const, count: found.count, occurrences: found.occurrences.map((o) => ({ ...o, quote: normalizeWhitespace(text.slice(o.start, o.end)) })) };
    });
    // textVersion is in the list for its change (the text changed), not for its value.
  }, [draft, editor, words, textVersion]);
  /** The occurrence the typed words designate: the only one, or the one chosen among a few. */
  const pending = useMemo(() => {
    if (!search || search.tooLong) return null;
    if (search.count === 1) return search.occurrences[0];
    if (search.count > 1 && search.count <= MAX_OCCURRENCES && choice !== null) return search.occurrences[choice] ?? null;
    return null;
  }, [choice, search]);

  // The designated passage is highlighted in the text while the form is open, and brought into view
  // when the reader designates another one (not when someone else's edit moves it: no jumps while typing).
  const scrolledFor = useRef("");
  useEffect(() => {
    const registry = highlights();
    const Ctor = HighlightCtor();
    if (!registry || !Ctor || !pending) return;
    const dom = editor.read(() => domRange(editor, $lexicalText(), pending.start, pending.end));
    registry.set(HIGHLIGHT_PENDING, new Ctor(...(dom ? [dom] : [])));
    const designation = `${words}\u0000${choice}`;
    if (scrolledFor.current !== designation) {
      scrolledFor.current = designation;
      (dom?.startContainer.parentElement ?? null)?.scrollIntoView({ block: "nearest" });
    }
    return () => registry.delete(HIGHLIGHT_PENDING);
  }, [choice, editor, pending, words]);

  // What was found (and the choice among occurrences) stays in view under the field as the reader types.
  useEffect(() => {
    if (draft === "typed" && words) (choicesRef.current ?? statusRef.current)?.scrollIntoView({ block: "nearest" });
  }, [draft, words]);

  /** Enter in the Passage field finds the words: on to the choice among occurrences, or to the comment when found once. */
  const onPassageKey = (event: import("react").KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    if (!search || search.tooLong) return;
    if (search.count === 1) bodyRef.current?.focus();
    else if (search.count > 1 && search.count <= MAX_OCCURRENCES) choicesRef.current?.querySelector<HTMLInputElement>("input[type=radio]")?.focus();
  };

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
    let passage: Selected | null = draft === "whole" || draft === "typed" ? null : draft;
    if (draft === "typed") {
      // Anchored on the text as it is now: the words are looked up again, the chosen occurrence kept.
      passage = editor.read(() => {
        const lin = $lexicalText();
        const found = findOccurrences(lin.text, words, { limit: MAX_OCCURRENCES });
        const index = found.count === 1 ? 0 : found.count > 1 && found.count <= MAX_OCCURRENCES ? choice : null;
        const at = index === null ? undefined : found.occurrences[index];
        return at ? passageAt(lin, at, doc) : null;
      });
      if (!passage) {
        passageRef.current?.focus();
        return;
      }
    }
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { kind: String(form.get("kind")), body: String(form.get("body") ?? "") };
      if (passage) {
        body.anchor = { quote: passage.anchor.quote, prefix: passage.anchor.prefix ?? "", suffix: passage.anchor.suffix ?? "" };
        if (passage.positions) body.positions = passage.positions;
      }
      const { comment } = await api<{ comment: CommentItem }>(`${base}/comments`, { method: "POST", body });
      setDraft(null);
      setActive(comment.id);
      await refresh();
      // The focus goes to the new comment (the form it was in is gone), where a keyboard user reads it.
      setTimeout(() => document.getElementById(`comment-${comment.id}`)?.focus(), 0);
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

  // The Passage field of the form on a passage given by its words, with what was found.
  const notFound = search !== null && !search.tooLong && search.count === 0;
  const several = search !== null && !search.tooLong && search.count > 1 && search.count <= MAX_OCCURRENCES ? search : null;
  const passageFields = (
    <div className="comment-passage">
      <label htmlFor="comment-passage">{t("form.passage")}</label>
      <input
        id="comment-passage"
        name="passage"
        type="text"
        ref={passageRef}
        value={words}
        onChange={(e) => {
          setWords(e.currentTarget.value);
          setChoice(null);
        }}
        onKeyDown={onPassageKey}
        required
        autoComplete="off"
        spellCheck={false}
        dir="auto"
        aria-invalid={search !== null && !pending && !several ? true : undefined}
        aria-describedby="comment-passage-hint comment-passage-status"
      />
      <p className="field__hint" id="comment-passage-hint">
        {t("form.passageHint")}
      </p>
      <div id="comment-passage-status" role="status" ref={statusRef} className={`comment-passage__status${search !== null && !pending && !several ? " field__error" : ""}`}>
        {search === null ? null : search.tooLong ? (
          t("form.passageTooLong", { max: MAX_QUOTE_CHARS })
        ) : notFound ? (
          t("form.passageNotFound")
        ) : search.count === 1 ? (
          <>
            <span className="comment-passage__found">{t("form.passageFound")}</span>{" "}
            <span className="comment-passage__context" data-testid="comment-passage-preview" dir="auto">
              {search.occurrences[0].before}
              <mark>{search.occurrences[0].quote}</mark>
              {search.occurrences[0].after}
            </span>
          </>
        ) : several ? (
          t("form.passageSeveral", { count: search.count })
        ) : (
          t("form.passageTooMany", { count: search.count })
        )}
      </div>
      {notFound ? (
        <button
          type="button"
          className="button button--quiet button--small"
          onClick={() => {
            setDraft("whole");
            setTimeout(() => bodyRef.current?.focus(), 0);
          }}
        >
          {t("sidebar.generalComment")}
        </button>
      ) : null}
      {several ? (
        <fieldset
          className="comment-passage__choices"
          ref={choicesRef}
          // Enter on a choice goes on to the comment (rather than submitting the form half filled).
          onKeyDown={(e) => {
            if (e.key !== "Enter") return;
            e.preventDefault();
            if (choice !== null) bodyRef.current?.focus();
          }}
        >
          <legend>{t("form.passageWhich")}</legend>
          {several.occurrences.map((o, i) => (
            <label key={`${o.start}-${o.end}`} className="comment-passage__choice">
              <input type="radio" name="occurrence" value={i} checked={choice === i} onChange={() => setChoice(i)} required />
              <span className="comment-passage__context" dir="auto">
                {o.before}
                <mark>{o.quote}</mark>
                {o.after}
              </span>
            </label>
          ))}
        </fieldset>
      ) : null}
    </div>
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
        <form className="comment-form comment-form--new" onSubmit={(e) => void submit(e)} aria-label={draft === "typed" ? t("form.titlePassage") : t("form.title")}>
          <p className="comment-form__title">{draft === "typed" ? t("form.titlePassage") : t("form.title")}</p>
          {draft === "typed" ? (
            passageFields
          ) : draft !== "whole" ? (
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
