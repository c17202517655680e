/**
 * The process's live collaborative documents, as the API sees them: set by the collaboration
 * server when it starts, absent otherwise (then the draft row alone is the text). Kept on
 * globalThis because server.ts and the Remix bundle load modules separately.
 */

/** What the API needs from the collaboration server. */
export type LiveDocuments = {
  applyMarkdown: (documentName: string, markdown: string) => void;
  flush: (documentName: string) => void;
  /** The loaded Yjs document of that name, if it is open now (comments read their anchors from it). */
  document?: (documentName: string) => import("yjs").Doc | undefined;
  /** Sends a stateless message to every connection of the document (e.g. "comments changed"). */
  broadcastStateless?: (documentName: string, payload: string) => void;
  /** Group-commit counters since the server started: commits made, updates appended (the benchmark reads them). */
  commitStats?: () => { commits: number; updates: number; failures: number };
  /** Counters of the derived drafts: whether the derive worker is in use, and how many derivations went where (tests read them). */
  derivedStats?: () => import("./extensions/derived-state").DerivedStats;
  /** `dispatch` and `result` events of the derivations sent to the derive worker (tests observe them). */
  derivedEvents?: import("node:events").EventEmitter;
};

const g = globalThis as { __portalLiveDocuments?: LiveDocuments | null };

/** Registers (or, with null, removes) the live documents of this process. */
export function setLiveDocuments(live: LiveDocuments | null): void {
  g.__portalLiveDocuments = live;
}

/** The live documents, or null when no collaboration server runs in this process. */
export function liveDocuments(): LiveDocuments | null {
  return g.__portalLiveDocuments ?? null;
}
