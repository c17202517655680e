/**
 * When the derive worker dies in the middle of an export, the derivation it held is made on the
 * main thread at once, one line is logged, and every later derivation runs there too (ADR 0013).
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import type { CollabServer } from "../../app/collab/server";
import { liveDocuments } from "../../app/collab/live.server";
import { markdownFromDoc, markdownIntoDoc } from "../../app/collab/yjs-markdown.server";
import { eventually } from "../support/collab";
import { collabSuite } from "../support/collab-suite";

const suite = collabSuite({ collab: { derivedDebounceMs: 300, deriveWorkerEntry: new URL("../support/crashing-derive-worker.ts", import.meta.url) } });
const errors = vi.spyOn(console, "error");

afterAll(() => errors.mockRestore());

/** The draft row's text as stored (without flushing the live document). */
const stored = () => (suite.portal.db.$client.prepare("select markdown from standard_drafts where standard_id = ?").get("EWTP-TAR-001") as { markdown: string }).markdown;

describe("a derive worker that dies during an export", () => {
  it("leaves the derivation it held to the main thread, which derives everything from then on", async () => {
    const collab = liveDocuments() as CollabServer;
    const client = suite.open("standard.EWTP-TAR-001");
    await client.synced;
    expect(collab.derivedStats().mode).toBe("worker");
    markdownIntoDoc(client.doc, `${markdownFromDoc(client.doc).trimEnd()}\n\nTyped while the worker died.\n`);
    await client.acknowledged();
    // The debounced derivation goes to the worker, which exits with it in hand.
    await eventually(() => collab.derivedStats().mode === "main", 10_000, "the worker's death to be noticed");
    await eventually(() => stored().includes("Typed while the worker died."), 5000, "the held derivation to be made on the main thread");
    const stats = collab.derivedStats();
    expect(stats.dispatched).toBe(1);
    expect(stats.fromWorker).toBe(0);
    expect(stats.inFlight).toBe(0);
    const lines = errors.mock.calls.map((args) => String(args[0])).filter((line) => line.includes("derive worker"));
    expect(lines).toEqual(["[collab] the derive worker failed (the worker exited with code 3); deriving drafts on the main thread from now on"]);

    // Later changes are derived on the main thread.
    markdownIntoDoc(client.doc, `${markdownFromDoc(client.doc).trimEnd()}\n\nTyped after the worker died.\n`);
    await client.acknowledged();
    await eventually(() => stored().includes("Typed after the worker died."), 5000, "the next change to be derived");
    expect(collab.derivedStats().onMainThread).toBeGreaterThan(stats.onMainThread);
    expect(collab.derivedStats().dispatched).toBe(1);
  });
});
