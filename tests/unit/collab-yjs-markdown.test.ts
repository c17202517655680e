/**
 * The server's bridge between standard Markdown and a draft's Yjs document (@lexical/yjs binding).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { markdownFromDoc, markdownIntoDoc, ROOT_NAME } from "~/collab/yjs-markdown.server";
import { parseStandardFile } from "~/domain/standard-file";
import { normalizeMarkdownWhitespace } from "~/editor/markdown";

const dir = join(process.cwd(), "standards");
const files = readdirSync(dir).filter((f) => f.endsWith(".md")).sort();

describe("Markdown ⇄ Yjs document", () => {
  it.each(files)("%s: body → doc → Markdown is the body (whitespace-normalized)", (file) => {
    const { body } = parseStandardFile(readFileSync(join(dir, file), "utf8"), file);
    const doc = new Y.Doc();
    markdownIntoDoc(doc, body);
    expect(doc.get(ROOT_NAME, Y.XmlText).length).toBeGreaterThan(0);
    expect(markdownFromDoc(doc)).toBe(normalizeMarkdownWhitespace(body));

    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    expect(markdownFromDoc(copy)).toBe(normalizeMarkdownWhitespace(body));
  });

  it("replaces the content in one update that another replica applies", () => {
    const doc = new Y.Doc();
    markdownIntoDoc(doc, "# Title\n\nFirst text.\n");
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
    let updates = 0;
    doc.on("update", () => updates++);
    const update = markdownIntoDoc(doc, "# Title\n\nSecond text, *emphasised*.\n");
    expect(updates).toBe(1);
    Y.applyUpdate(replica, update!);
    expect(markdownFromDoc(replica)).toBe("# Title\n\nSecond text, *emphasised*.\n");
    expect(markdownIntoDoc(doc, "# Title\n\nSecond text, *emphasised*.\n")).toBeNull();
  });
});
