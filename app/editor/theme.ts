/** CSS classes Lexical puts on the document's elements (styles in app/styles/app.css, `editor-` prefix). */
import type { EditorThemeClasses } from "lexical";

/** The editor theme: semantic elements inside `.document` get the reading styles; these classes add editing cues. */
export const editorTheme: EditorThemeClasses & { rule: string } = {
  paragraph: "editor-paragraph",
  heading: { h1: "editor-h1", h2: "editor-h2", h3: "editor-h3", h4: "editor-h4", h5: "editor-h5", h6: "editor-h6" },
  quote: "editor-quote",
  list: {
    ul: "editor-list-ul",
    ol: "editor-list-ol",
    listitem: "editor-listitem",
    nested: { listitem: "editor-nested-listitem" },
  },
  link: "editor-link",
  text: {
    bold: "editor-text-bold",
    italic: "editor-text-italic",
    code: "editor-text-code",
    strikethrough: "editor-text-strike",
    underline: "editor-text-underline",
  },
  code: "editor-code",
  table: "editor-table",
  tableRow: "editor-table-row",
  tableCell: "editor-table-cell",
  tableCellHeader: "editor-table-cell--header",
  tableSelection: "editor-table--selection",
  tableCellSelected: "editor-table-cell--selected",
  tableScrollableWrapper: "editor-table-wrap",
  rule: "editor-rule-host",
};
