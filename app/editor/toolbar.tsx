/**
 * The editor's toolbar: block type (paragraph, H2, H3), bold, italic, inline code, lists, quote,
 * link, table and rule block, undo and redo. Every control is a real <button> with an aria-label;
 * the toolbar is one tab stop whose arrow keys move between them (role="toolbar", roving tabindex),
 * and pressed states are announced with aria-pressed.
 */
import { $isLinkNode, TOGGLE_LINK_COMMAND } from "@lexical/link";
import { $isListNode, INSERT_ORDERED_LIST_COMMAND, INSERT_UNORDERED_LIST_COMMAND, ListNode, REMOVE_LIST_COMMAND } from "@lexical/list";
import { useLexicalComposerContext } from "@lexical/react/LexicalComposerContext";
import { $createHeadingNode, $createQuoteNode, $isHeadingNode, $isQuoteNode } from "@lexical/rich-text";
import { $setBlocksType } from "@lexical/selection";
import { INSERT_TABLE_COMMAND } from "@lexical/table";
import { $findMatchingParent, $getNearestNodeOfType, $insertNodeToNearestRoot, mergeRegister } from "@lexical/utils";
import {
  $createParagraphNode,
  $getRoot,
  $getSelection,
  $isRangeSelection,
  $isRootOrShadowRoot,
  $setSelection,
  CAN_REDO_COMMAND,
  CAN_UNDO_COMMAND,
  COMMAND_PRIORITY_LOW,
  FORMAT_TEXT_COMMAND,
  REDO_COMMAND,
  UNDO_COMMAND,
  type BaseSelection,
  type LexicalNode,
} from "lexical";
import { useCallback, useEffect, useId, useRef, useState, type FocusEvent, type KeyboardEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { newRuleSource } from "./rule-form";
import { useRuleDocument } from "./rule-document";
import { $createRuleNode } from "./rule-node";

type BlockType = "paragraph" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "quote" | "bullet" | "number" | "check" | "other";

type ToolbarState = { block: BlockType; bold: boolean; italic: boolean; code: boolean; link: boolean; canUndo: boolean; canRedo: boolean };

const INITIAL: ToolbarState = { block: "paragraph", bold: false, italic: false, code: false, link: false, canUndo: false, canRedo: false };

/** Only web and mail addresses become links (no javascript: and the like). */
export function isAllowedUrl(url: string): boolean {
  return /^(https?:\/\/[^\s]+|mailto:[^\s]+)$/i.test(url.trim());
}

function $blockTypeOf(node: LexicalNode): BlockType {
  const list = $getNearestNodeOfType(node, ListNode);
  if ($isListNode(list)) return list.getListType();
  const top = node.getKey() === "root" ? node : $findMatchingParent(node, (n) => n.getParent() !== null && $isRootOrShadowRoot(n.getParent()!));
  if (!top) return "other";
  if ($isHeadingNode(top)) return top.getTag();
  if ($isQuoteNode(top)) return "quote";
  return top.getType() === "paragraph" ? "paragraph" : "other";
}

/** A toolbar button: visible short label, full accessible name, optional pressed state. */
function ToolButton({
  label,
  short,
  pressed,
  disabled,
  onClick,
}: {
  label: string;
  short: ReactNode;
  pressed?: boolean;
  disabled?: boolean;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className={`editor-toolbar__button${pressed ? " editor-toolbar__button--on" : ""}`}
      aria-label={label}
      title={label}
      aria-pressed={pressed}
      disabled={disabled}
      // Keep the editor's selection: a mouse press on a toolbar button must not move focus first.
      onMouseDown={(e) => e.preventDefault()}
      onClick={onClick}
    >
      {short}
    </button>
  );
}

/** The formatting toolbar of the standard editor. */
export function Toolbar() {
  const { t } = useTranslation("editor");
  const [editor] = useLexicalComposerContext();
  const doc = useRuleDocument();
  const [state, setState] = useState<ToolbarState>(INITIAL);
  const [linkOpen, setLinkOpen] = useState(false);
  const [linkUrl, setLinkUrl] = useState("");
  const [linkError, setLinkError] = useState(false);
  const savedSelection = useRef<BaseSelection | null>(null);
  const linkInputId = useId();

  const $refresh = useCallback(() => {
    const selection = $getSelection();
    if (!$isRangeSelection(selection)) return;
    const anchor = selection.anchor.getNode();
    const link = $findMatchingParent(anchor, $isLinkNode);
    // Read everything now, inside the editor read: a state updater runs later, outside it.
    const next = {
      block: $blockTypeOf(anchor),
      bold: selection.hasFormat("bold"),
      italic: selection.hasFormat("italic"),
      code: selection.hasFormat("code"),
      link: link !== null,
    };
    setState((s) => ({ ...s, ...next }));
  }, []);

  useEffect(
    () =>
      mergeRegister(
        editor.registerUpdateListener(({ editorState }) => editorState.read($refresh)),
        editor.registerCommand(
          CAN_UNDO_COMMAND,
          (canUndo) => {
            setState((s) => ({ ...s, canUndo }));
            return false;
          },
          COMMAND_PRIORITY_LOW
        ),
        editor.registerCommand(
          CAN_REDO_COMMAND,
          (canRedo) => {
            setState((s) => ({ ...s, canRedo }));
            return false;
          },
          COMMAND_PRIORITY_LOW
        )
      ),
    [editor, $refresh]
  );

  const setBlock = (block: "paragraph" | "h2" | "h3" | "quote") => {
    editor.update(() => {
      const selection = $getSelection();
      if (!$isRangeSelection(selection)) return;
      $setBlocksType(selection, () => (block === "paragraph" ? $createParagraphNode() : block === "quote" ? $createQuoteNode() : $createHeadingNode(block)));
    });
    editor.focus();
  };
  const toggleList = (type: "bullet" | "number") => {
    if (state.block === type) editor.dispatchCommand(REMOVE_LIST_COMMAND, undefined);
    else editor.dispatchCommand(type === "bullet" ? INSERT_UNORDERED_LIST_COMMAND : INSERT_ORDERED_LIST_COMMAND, undefined);
    editor.focus();
  };
  const openLink = () => {
    editor.getEditorState().read(() => {
      const selection = $getSelection();
      savedSelection.current = selection ? selection.clone() : null;
      const link = $isRangeSelection(selection) ? $findMatchingParent(selection.anchor.getNode(), $isLinkNode) : null;
      setLinkUrl($isLinkNode(link) ? link.getURL() : "https://");
    });
    setLinkError(false);
    setLinkOpen(true);
  };
  const applyLink = (url: string | null) => {
    if (url !== null && !isAllowedUrl(url)) {
      setLinkError(true);
      return;
    }
    editor.update(() => {
      if (savedSelection.current) $setSelection(savedSelection.current.clone());
    });
    editor.dispatchCommand(TOGGLE_LINK_COMMAND, url === null ? null : url.trim());
    setLinkOpen(false);
    editor.focus();
  };
  const insertRule = () => {
    const ids = [...doc.idCounts.keys()];
    const source = newRuleSource(doc.idPrefix || "XXX-000.R", ids, {
      title: t("newRule.title"),
      description: t("newRule.description"),
      exampleName: t("newRule.exampleName"),
    });
    editor.update(() => {
      const node = $createRuleNode(source);
      if ($getSelection()) $insertNodeToNearestRoot(node);
      else $getRoot().append(node);
    });
  };

  // The ARIA toolbar pattern: one tab stop (the button last used, else the first), arrow keys move
  // between the buttons (mirrored right to left), Home and End jump to the ends.
  const toolbarRef = useRef<HTMLDivElement>(null);
  const rovingAt = useRef<HTMLButtonElement | null>(null);
  const enabledButtons = () => Array.from(toolbarRef.current?.querySelectorAll<HTMLButtonElement>(".editor-toolbar__button:not(:disabled)") ?? []);
  const applyRoving = useCallback(() => {
    const root = toolbarRef.current;
    if (!root) return;
    const buttons = enabledButtons();
    const stop = rovingAt.current && buttons.includes(rovingAt.current) ? rovingAt.current : (buttons[0] ?? null);
    rovingAt.current = stop;
    for (const b of root.querySelectorAll<HTMLButtonElement>(".editor-toolbar__button")) b.tabIndex = b === stop ? 0 : -1;
  }, []);
  useEffect(applyRoving);
  const onFocus = (e: FocusEvent<HTMLDivElement>) => {
    if (!(e.target instanceof HTMLButtonElement) || !e.target.classList.contains("editor-toolbar__button")) return;
    rovingAt.current = e.target;
    applyRoving();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(e.key)) return;
    const buttons = enabledButtons();
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    e.preventDefault();
    const rtl = getComputedStyle(e.currentTarget).direction === "rtl";
    const forward = (e.key === "ArrowRight") !== rtl;
    const next = e.key === "Home" ? 0 : e.key === "End" ? buttons.length - 1 : (at + (forward ? 1 : -1) + buttons.length) % buttons.length;
    buttons[next].focus();
  };

  return (
    <div className="editor-toolbar-wrap">
      <div className="editor-toolbar" role="toolbar" aria-label={t("toolbar.label")} ref={toolbarRef} onKeyDown={onKeyDown} onFocus={onFocus}>
        <div className="editor-toolbar__group">
          <ToolButton
            label={t("toolbar.undo")}
            short={t("toolbar.undoShort")}
            disabled={!state.canUndo}
            onClick={() => editor.dispatchCommand(UNDO_COMMAND, undefined)}
          />
          <ToolButton
            label={t("toolbar.redo")}
            short={t("toolbar.redoShort")}
            disabled={!state.canRedo}
            onClick={() => editor.dispatchCommand(REDO_COMMAND, undefined)}
          />
        </div>
        <div className="editor-toolbar__group">
          <ToolButton
            label={t("toolbar.paragraph")}
            short={t("toolbar.paragraphShort")}
            pressed={state.block === "paragraph"}
            onClick={() => setBlock("paragraph")}
          />
          <ToolButton label={t("toolbar.h2")} short={t("toolbar.h2Short")} pressed={state.block === "h2"} onClick={() => setBlock("h2")} />
          <ToolButton label={t("toolbar.h3")} short={t("toolbar.h3Short")} pressed={state.block === "h3"} onClick={() => setBlock("h3")} />
        </div>
        <div className="editor-toolbar__group">
          <ToolButton
            label={t("toolbar.bold")}
            short={<strong>{t("toolbar.boldShort")}</strong>}
            pressed={state.bold}
            onClick={() => editor.dispatchCommand(FORMAT_TEXT_COMMAND, "bold")}
          />
          <ToolButton
            label={t("toolbar.italic")}
            short={<em>{t("toolbar.italicShort")}</em>}
            pressed={state.italic}
            onClick={() => editor.dispatchCommand(FORMAT_TEXT_COMMAND, "italic")}
          />
          <ToolButton
            label={t("toolbar.code")}
            short={<code>{t("toolbar.codeShort")}</code>}
            pressed={state.code}
            onClick={() => editor.dispatchCommand(FORMAT_TEXT_COMMAND, "code")}
          />
          <ToolButton
            label={t("toolbar.link")}
            short={t("toolbar.linkShort")}
            pressed={state.link || linkOpen}
            onClick={linkOpen ? () => setLinkOpen(false) : openLink}
          />
        </div>
        <div className="editor-toolbar__group">
          <ToolButton label={t("toolbar.bullet")} short={t("toolbar.bulletShort")} pressed={state.block === "bullet"} onClick={() => toggleList("bullet")} />
          <ToolButton label={t("toolbar.number")} short={t("toolbar.numberShort")} pressed={state.block === "number"} onClick={() => toggleList("number")} />
          <ToolButton
            label={t("toolbar.quote")}
            short={t("toolbar.quoteShort")}
            pressed={state.block === "quote"}
            onClick={() => setBlock(state.block === "quote" ? "paragraph" : "quote")}
          />
        </div>
        <div className="editor-toolbar__group">
          <ToolButton
            label={t("toolbar.table")}
            short={t("toolbar.tableShort")}
            onClick={() => editor.dispatchCommand(INSERT_TABLE_COMMAND, { rows: "3", columns: "3", includeHeaders: { rows: true, columns: false } })}
          />
          <ToolButton label={t("toolbar.rule")} short={t("toolbar.ruleShort")} onClick={insertRule} />
        </div>
      </div>
      {linkOpen ? (
        <div className="editor-link-form" role="group" aria-label={t("toolbar.link")}>
          <label htmlFor={linkInputId}>{t("toolbar.linkUrl")}</label>
          <input
            id={linkInputId}
            type="url"
            value={linkUrl}
            autoFocus
            aria-invalid={linkError || undefined}
            aria-describedby={linkError ? `${linkInputId}-error` : undefined}
            onChange={(e) => {
              setLinkUrl(e.target.value);
              setLinkError(false);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                applyLink(linkUrl);
              } else if (e.key === "Escape") {
                e.preventDefault();
                setLinkOpen(false);
                editor.focus();
              }
            }}
          />
          <button type="button" className="button button--small" onClick={() => applyLink(linkUrl)}>
            {t("toolbar.linkApply")}
          </button>
          {state.link ? (
            <button type="button" className="button button--small button--quiet" onClick={() => applyLink(null)}>
              {t("toolbar.linkRemove")}
            </button>
          ) : null}
          <button
            type="button"
            className="button button--small button--quiet"
            onClick={() => {
              setLinkOpen(false);
              editor.focus();
            }}
          >
            {t("toolbar.linkCancel")}
          </button>
          {linkError ? (
            <p className="field__error" id={`${linkInputId}-error`}>
              {t("toolbar.linkInvalid")}
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
