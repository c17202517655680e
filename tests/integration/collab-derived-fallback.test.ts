/**
 * When the derive worker cannot start (here: its module does not exist), the portal logs one line
 * and derives drafts on the main thread, as before the worker (ADR 0013).
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import type { CollabServer } from "../../app/collab/server";
import { liveDocuments } from "../../app/collab/live.server";
import { markdownFromDoc, markdownIntoDoc } from "../../app/collab/yjs-markdown.server";
import { eventually } from "../support/collab";
import { collabSuite } from "../support/collab-suite";

const suite = collabSuite({ collab: { derivedDebounceMs: 300, deriveWorkerEntry: new URL("./no-such-derive-worker.ts", import.meta.url) } });
const errors = vi.spyOn(console, "error");

afterAll(() => errors.mockRestore());

describe("derived drafts without the worker", () => {
  it("are derived on the main thread after one logged line", async () => {
    const collab = liveDocuments() as CollabServer;
    const client = suite.open("standard.EWTP-TAR-001");
    await client.synced;
    await eventually(() => collab.derivedStats().mode === "main", 10_000, "the worker's failure to be noticed");
    markdownIntoDoc(client.doc, `${markdownFromDoc(client.doc).trimEnd()}\n\nDerived without the worker.\n`);
    await client.acknowledged();
    // Read the row without flushing: the debounced derivation wrote it.
    const stored = () => (suite.portal.db.$client.prepare("select markdown from standard_drafts where standard_id = ?").get("EWTP-TAR-001") as { markdown: string }).markdown;
    await eventually(() => stored().includes("Derived without the worker."), 5000, "the draft to be derived");
    const stats = collab.derivedStats();
    expect(stats.onMainThread).toBeGreaterThan(0);
    expect(stats.fromWorker).toBe(0);
    const lines = errors.mock.calls.map((args) => String(args[0])).filter((line) => line.includes("derive worker"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[collab\] the derive worker failed \(.*\); deriving drafts on the main thread from now on$/);
  });
});
