/**
 * The derive worker (a worker_threads Worker, see extensions/derived-state.ts and ADR 0013): keeps a
 * replica Y.Doc per document, fed the main thread's incremental updates, and exports each replica's
 * standard Markdown with the same code the main thread uses (`markdownFromDoc`), so the text is
 * byte-identical. For a standard it also prepares the draft's row (hash, rule set, conformance,
 * search rows: `prepareDraft`), so the main thread is left with the writes. It never touches the
 * database: the main thread writes the result.
 */
import { parentPort } from "node:worker_threads";
import * as decoding from "lib0/decoding";
import * as Y from "yjs";
import { normalizeMarkdown, prepareDraft, type PreparedDraft } from "../domain/draft-analysis";
import { lowerThisThreadsPriority } from "../utils/thread-priority.server";
import { markdownFromDoc } from "./yjs-markdown.server";

// Exporting a large draft takes this thread tens of milliseconds of CPU every few seconds while people
// type; at normal priority, on a 2-core machine, it took turns with the event loop that relays their
// edits (the edits' 99th-percentile latency rose by half). Deriving can wait; relaying cannot.
lowerThisThreadsPriority(10);

/**
 * A message from the main thread. `derive`: `updates` holds the updates the replica has not seen, in
 * order, each as a lib0 var-length byte array (the first for a document is its whole state);
 * `standard`: prepare the draft row of this standard against these retired rule ids.
 */
export type DeriveRequest =
  | { type: "derive"; name: string; seq: number; updates: Uint8Array; standard?: { id: string; retired: string[] } }
  | { type: "drop"; name: string }
  | { type: "dropAll" };

/** The worker's answer to a `derive` request: the Markdown (and the prepared draft row of a standard), or why there is none. */
export type DeriveResult =
  | { type: "result"; name: string; seq: number; markdown: string; prepared?: PreparedDraft }
  | { type: "result"; name: string; seq: number; error: string };

const replicas = new Map<string, Y.Doc>();

function drop(name: string): void {
  replicas.get(name)?.destroy();
  replicas.delete(name);
}

function handle(request: DeriveRequest): DeriveResult | null {
  if (request.type === "dropAll") {
    for (const name of [...replicas.keys()]) drop(name);
    return null;
  }
  if (request.type === "drop") {
    drop(request.name);
    return null;
  }
  try {
    let replica = replicas.get(request.name);
    if (!replica) {
      replica = new Y.Doc();
      replicas.set(request.name, replica);
    }
    const decoder = decoding.createDecoder(request.updates);
    while (decoding.hasContent(decoder)) Y.applyUpdate(replica, decoding.readVarUint8Array(decoder));
    const markdown = markdownFromDoc(replica);
    const { standard } = request;
    const prepared = standard ? prepareDraft(standard.id, normalizeMarkdown(markdown), new Set(standard.retired)) : undefined;
    return { type: "result", name: request.name, seq: request.seq, markdown, prepared };
  } catch (error) {
    // The replica may be incomplete now: drop it; the main thread sends the whole state next time.
    drop(request.name);
    return { type: "result", name: request.name, seq: request.seq, error: (error as Error).message };
  }
}

parentPort?.on("message", (request: DeriveRequest) => {
  const result = handle(request);
  if (result) parentPort!.postMessage(result);
});
