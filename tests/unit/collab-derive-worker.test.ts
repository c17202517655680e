/**
 * The derive worker itself (a real worker_threads Worker, loaded the way the portal loads it): its
 * replica of a document, fed only the updates it has not seen, exports the Markdown markdownFromDoc
 * gives for the original document on this thread, edit after edit; a dropped replica is rebuilt
 * from the whole state.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { DeriveResult } from "~/collab/derive-worker";
import { startDeriveWorker } from "~/collab/derive-worker-client";
import { markdownFromDoc, markdownIntoDoc } from "~/collab/yjs-markdown.server";
import { parseStandardFile } from "~/domain/standard-file";

const dir = join(process.cwd(), "standards");
const files = readdirSync(dir).filter((f) => f.endsWith(".md")).sort();

const waiting = new Map<number, (result: DeriveResult) => void>();
const failures: Error[] = [];
const worker = startDeriveWorker({ onResult: (result) => waiting.get(result.seq)?.(result), onFailure: (error) => failures.push(error) });
let seq = 0;

/** Sends what the worker's replica of `name` lacks since `sent` and resolves with its Markdown. */
function derive(name: string, doc: Y.Doc, sent: Uint8Array | null): Promise<DeriveResult> {
  const mine = ++seq;
  return new Promise((resolve) => {
    waiting.set(mine, resolve);
    expect(worker.post({ type: "derive", name, seq: mine, update: Y.encodeStateAsUpdate(doc, sent ?? undefined) })).toBe(true);
  });
}

afterAll(async () => {
  await worker.stop();
});

describe("the derive worker", () => {
  it.each(files)("%s: the replica, fed increments, exports what the main thread exports", async (file) => {
    const { body } = parseStandardFile(readFileSync(join(dir, file), "utf8"), file);
    const name = `standard.${file.replace(/\.md$/, "")}`;
    const doc = new Y.Doc();
    markdownIntoDoc(doc, body);
    let sent: Uint8Array | null = null;
    const edits = [
      (md: string) => md.replace(/\n## /, "\n## Renamed: "),
      (md: string) => `${md.trimEnd()}\n\n## Added in a later edit\n\nWith *emphasis*, **strength**, \`code\` and a [link](https://example.org).\n\n1. first\n2. second\n`,
      (md: string) => md.replace(/\n\n[^\n]+\n/, "\n\n"), // a deletion
    ];
    for (const edit of [(md: string) => md, ...edits]) {
      const next = edit(markdownFromDoc(doc));
      markdownIntoDoc(doc, next);
      const result = await derive(name, doc, sent);
      sent = Y.encodeStateVector(doc);
      expect("markdown" in result ? result.markdown : result.error).toBe(markdownFromDoc(doc));
    }
    // Dropped (as on unload), the replica is rebuilt from the whole state.
    worker.post({ type: "drop", name });
    const rebuilt = await derive(name, doc, null);
    expect("markdown" in rebuilt && rebuilt.markdown).toBe(markdownFromDoc(doc));
    worker.post({ type: "drop", name });
    expect(failures).toEqual([]);
    expect(worker.alive()).toBe(true);
  });
});
