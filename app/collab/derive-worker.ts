/**
 * The derive worker (a worker_threads Worker, see extensions/derived-state.ts and ADR 0013): keeps a
 * replica Y.Doc per document, fed the main thread's incremental updates, and exports each replica's
 * standard Markdown with the same code the main thread uses (`markdownFromDoc`), so the text is
 * byte-identical. It never touches the database: the main thread writes the result.
 */
import { parentPort } from "node:worker_threads";
import * as Y from "yjs";
import { lowerThisThreadsPriority } from "../utils/thread-priority.server";
import { markdownFromDoc } from "./yjs-markdown.server";

// Exporting a large draft takes this thread tens of milliseconds of CPU every few seconds while people
// type; at normal priority, on a 2-core machine, it took turns with the event loop that relays their
// edits (the edits' 99th-percentile latency rose by half). Deriving can wait; relaying cannot.
lowerThisThreadsPriority(10);

/** A message from the main thread. */
export type DeriveRequest =
  | { type: "derive"; name: string; seq: number; update: Uint8Array }
  | { type: "drop"; name: string }
  | { type: "dropAll" };

/** The worker's answer to a `derive` request: the Markdown, or why there is none. */
export type DeriveResult = { type: "result"; name: string; seq: number; markdown: string } | { type: "result"; name: string; seq: number; error: string };

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
    Y.applyUpdate(replica, request.update);
    return { type: "result", name: request.name, seq: request.seq, markdown: markdownFromDoc(replica) };
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
