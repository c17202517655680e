/**
 * The derive worker itself (a real worker_threads Worker, loaded the way the portal loads it): its
 * replica of a document, fed only the updates it has not seen (as the document emitted them),
 * exports the Markdown markdownFromDoc gives for the original document on this thread, edit after
 * edit, and prepares the draft row prepareDraft gives on this thread; a dropped replica is rebuilt
 * from the whole state.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as encoding from "lib0/encoding";
import * as Y from "yjs";
import type { DeriveResult } from "~/collab/derive-worker";
import { startDeriveWorker } from "~/collab/derive-worker-client";
import { markdownFromDoc, markdownIntoDoc } from "~/collab/yjs-markdown.server";
import { analyseDraft, normalizeMarkdown, prepareDraft } from "~/domain/draft-analysis";
import { parseStandardFile } from "~/domain/standard-file";

const dir = join(process.cwd(), "standards");
const files = readdirSync(dir).filter((f) => f.endsWith(".md")).sort();

const waiting = new Map<number, (result: DeriveResult) => void>();
const failures: Error[] = [];
const worker = startDeriveWorker({ onResult: (result) => waiting.get(result.seq)?.(result), onFailure: (error) => failures.push(error) });
let seq = 0;

/** Sends `updates` (what the worker's replica of `name` lacks) and resolves with its answer. */
function derive(name: string, updates: Uint8Array[], standard?: { id: string; retired: string[] }): Promise<DeriveResult> {
  const mine = ++seq;
  const encoder = encoding.createEncoder();
  for (const update of updates) encoding.writeVarUint8Array(encoder, update);
  const bytes = encoding.toUint8Array(encoder);
  return new Promise((resolve) => {
    waiting.set(mine, resolve);
    expect(worker.post({ type: "derive", name, seq: mine, updates: bytes, standard }, [bytes.buffer as ArrayBuffer])).toBe(true);
  });
}

afterAll(async () => {
  await worker.stop();
});

describe("the derive worker", () => {
  it.each(files)("%s: the replica, fed increments, exports what the main thread exports", async (file) => {
    const { body } = parseStandardFile(readFileSync(join(dir, file), "utf8"), file);
    const name = `standard.${file.replace(/\.md$/, "")}`;
    const id = file.replace(/\.md$/, "");
    const doc = new Y.Doc();
    markdownIntoDoc(doc, body);
    // The first request carries the whole state; later ones the updates the document emitted since.
    let unsent: Uint8Array[] = [Y.encodeStateAsUpdate(doc)];
    doc.on("update", (update: Uint8Array) => unsent.push(update));
    // One of its rules retired: the prepared row must show it as a problem, as on this thread.
    const retired = analyseDraft(id, body).ruleset.rules.slice(0, 1).map((rule) => rule.id);
    expect(retired).toHaveLength(1);
    const edits = [
      (md: string) => md.replace(/\n## /, "\n## Renamed: "),
      (md: string) => `${md.trimEnd()}\n\n## Added in a later edit\n\nWith *emphasis*, **strength**, \`code\` and a [link](https://example.org).\n\n1. first\n2. second\n`,
      (md: string) => md.replace(/\n\n[^\n]+\n/, "\n\n"), // a deletion
    ];
    for (const edit of [(md: string) => md, ...edits]) {
      const next = edit(markdownFromDoc(doc));
      markdownIntoDoc(doc, next);
      const result = await derive(name, unsent, { id, retired });
      unsent = [];
      const expected = markdownFromDoc(doc);
      expect("markdown" in result ? result.markdown : result.error).toBe(expected);
      expect("prepared" in result && result.prepared).toEqual(prepareDraft(id, normalizeMarkdown(expected), new Set(retired)));
    }
    // Dropped (as on unload), the replica is rebuilt from the whole state.
    worker.post({ type: "drop", name });
    const rebuilt = await derive(name, [Y.encodeStateAsUpdate(doc)]);
    expect("markdown" in rebuilt && rebuilt.markdown).toBe(markdownFromDoc(doc));
    // A proposal's document (no standard) gets its Markdown only.
    expect("prepared" in rebuilt && rebuilt.prepared).toBe(undefined);
    worker.post({ type: "drop", name });
    expect(failures).toEqual([]);
    expect(worker.alive()).toBe(true);
  });
});
