/**
 * Derived drafts off the event loop (ADR 0013), on a real portal with real providers: the export
 * runs in the derive worker (not the fallback), gives the main thread's Markdown, happens at the
 * latest the maximum wait after the first change even while typing never pauses, and a worker
 * result never overwrites a text saved (PUT) while it was being exported.
 *
 * The draft row is read straight from the database here: GET /standards/{id}/draft flushes the live
 * document first (synchronously), so it would show the typed text even if nothing were derived.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CollabServer } from "../../app/collab/server";
import { liveDocuments } from "../../app/collab/live.server";
import { markdownFromDoc, markdownIntoDoc } from "../../app/collab/yjs-markdown.server";
import { analyseDraft, prepareDraft } from "../../app/domain/draft-analysis";
import { normalizeMarkdown, storeDraft } from "../../app/domain/drafts.server";
import { connectDoc, eventually, type CollabClient } from "../support/collab";
import { accessTokenFor, createOrg, createUser } from "../support/factories";
import { call } from "../support/http";
import { startPortal, type TestPortal } from "../support/portal";

let portal: TestPortal;
let token: string;
const clients: CollabClient[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function open(name: string): CollabClient {
  const client = connectDoc(portal.baseUrl, name, { token });
  clients.push(client);
  return client;
}

/** A new TAR standard (through the API) and a synced editor of its live document. */
async function newLiveStandard(title: string, scope: string): Promise<{ standardId: string; name: string; client: CollabClient; base: string }> {
  const created = await call(portal, "/standards", { method: "POST", token, body: { committee: "TAR", title, scope } });
  expect(created.status).toBe(201);
  const standardId = created.body.standard.id as string;
  const name = `standard.${standardId}`;
  const client = open(name);
  await client.synced;
  return { standardId, name, client, base: markdownFromDoc(client.doc).trimEnd() };
}

/** The collaboration server of this process (the portal registered it as the live documents). */
function collab(): CollabServer {
  return liveDocuments() as CollabServer;
}

/** The draft row's text as stored, without flushing the live document. */
function storedDraft(standardId: string): string {
  const row = portal.db.$client.prepare("select markdown from standard_drafts where standard_id = ?").get(standardId) as { markdown: string } | undefined;
  return row?.markdown ?? "";
}

/** Resolves with the next worker result for `documentName` (outcome and the worker's Markdown). */
function nextResult(documentName: string, seq?: number): Promise<{ seq: number; outcome: string; markdown?: string }> {
  return new Promise((resolve) => {
    const listener = (name: string, s: number, outcome: string, markdown?: string) => {
      if (name !== documentName || (seq !== undefined && s !== seq)) return;
      collab().derivedEvents.off("result", listener);
      resolve({ seq: s, outcome, markdown });
    };
    collab().derivedEvents.on("result", listener);
  });
}

/** Resolves with the sequence number of the next derivation of `documentName` sent to the worker. */
function nextDispatch(documentName: string): Promise<number> {
  return new Promise((resolve) => {
    const listener = (name: string, seq: number) => {
      if (name !== documentName) return;
      collab().derivedEvents.off("dispatch", listener);
      resolve(seq);
    };
    collab().derivedEvents.on("dispatch", listener);
  });
}

/** The nice value of every thread of this process (Linux: field 19 of /proc/self/task/<tid>/stat). */
function threadNiceValues(): number[] {
  return fs.readdirSync("/proc/self/task").map((tid) => {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    // After "pid (comm) ", the fields start at the third (state): the nice value is the 19th.
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19 - 3]);
  });
}

beforeAll(async () => {
  portal = await startPortal({ collab: { derivedDebounceMs: 1000, derivedMaxWaitMs: 1500 } });
  const expert = await createUser({ org: createOrg({ kind: "expert", country: "SG" }), role: "expert", committees: ["TAR", "CUS"] });
  token = accessTokenFor(expert.id).token;
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await portal?.close();
});

describe("derived drafts", () => {
  it("derive in the worker the same Markdown the main thread exports", async () => {
    const standardId = "EWTP-TAR-001";
    const name = `standard.${standardId}`;
    const client = open(name);
    await client.synced;
    const before = collab().derivedStats();
    const text = markdownFromDoc(client.doc)
      .replace("# EWTP-TAR-001", "# EWTP-TAR-001 (derived in the worker)")
      .trimEnd()
      .concat("\n\n## Worker check\n\nSome *emphasis*, **strength** and `code`.\n\n- one\n- two\n\n> quoted\n");
    const result = nextResult(name);
    markdownIntoDoc(client.doc, text);
    await client.acknowledged();
    const { outcome, markdown } = await result;
    expect(outcome).toBe("written");
    const live = collab().document(name)!;
    // Byte for byte what markdownFromDoc gives on this thread for the server's own document.
    expect(markdown).toBe(markdownFromDoc(live));
    expect(markdown).toContain("(derived in the worker)");
    expect(storedDraft(standardId)).toBe(normalizeMarkdown(markdownFromDoc(live)));
    const after = collab().derivedStats();
    expect(after.mode).toBe("worker");
    expect(after.fromWorker).toBeGreaterThan(before.fromWorker);
    // Nothing read the draft meanwhile, so nothing was derived on the main thread.
    expect(after.onMainThread).toBe(before.onMainThread);

    // A second change reaches the worker as an increment of its replica, with the same result.
    const second = nextResult(name);
    markdownIntoDoc(client.doc, markdownFromDoc(client.doc).replace("- two", "- two, changed"));
    await client.acknowledged();
    const again = await second;
    expect(again.outcome).toBe("written");
    expect(again.markdown).toBe(markdownFromDoc(collab().document(name)!));

    // On Linux the worker runs at a lower priority than the event loop (nice 10): one thread of this process has it.
    if (process.platform === "linux") expect(threadNiceValues()).toContain(10);
    expect(storedDraft(standardId)).toContain("- two, changed");

    // The worker prepared the row too: hash, rule set, conformance and problems are those of the stored text…
    const stored = storedDraft(standardId);
    const row = portal.db.$client
      .prepare("select hash, ruleset_json as rulesetJson, conformance_json as conformanceJson, rule_errors_json as ruleErrorsJson from standard_drafts where standard_id = ?")
      .get(standardId);
    const expected = prepareDraft(standardId, stored, new Set());
    expect(row).toEqual({ hash: expected.hash, rulesetJson: expected.rulesetJson, conformanceJson: expected.conformanceJson, ruleErrorsJson: expected.ruleErrorsJson });
    // …and search follows the typed section.
    const sections = portal.db.$client.prepare("select ref from search_documents where standard_id = ? and kind = 'draft'").all(standardId) as { ref: string }[];
    expect(sections.map((s) => s.ref)).toContain("Worker check");
  });

  it("write a prepared row only for its own text and the standard's retired rule ids as they are at the write", () => {
    const standardId = "EWTP-LOG-001";
    const base = storedDraft(standardId);
    const ruleId = analyseDraft(standardId, base).ruleset.rules[0].id;
    const text = `${base.trimEnd()}\n\nA sentence added while a revision was being frozen.\n`;
    // Prepared (as in the worker) before the rule's id was retired by a freeze.
    const prepared = prepareDraft(standardId, text, new Set());
    // (This portal's database is this file's own; a retired id stays retired.)
    portal.db.$client.prepare("insert into retired_rule_ids (standard_id, rule_id, retired_in_revision) values (?, ?, ?)").run(standardId, ruleId, "0.9");
    storeDraft({ standardId, markdown: text, actorId: null, fromDocument: true, prepared });
    const row = portal.db.$client.prepare("select hash, ruleset_json as rulesetJson, rule_errors_json as ruleErrorsJson from standard_drafts where standard_id = ?").get(standardId) as {
      hash: string;
      rulesetJson: string;
      ruleErrorsJson: string;
    };
    expect(row.hash).toBe(prepared.hash);
    expect(JSON.parse(row.rulesetJson).rules.map((r: { id: string }) => r.id)).not.toContain(ruleId);
    expect(JSON.parse(row.ruleErrorsJson).map((e: { message: string }) => e.message).join("\n")).toContain(`rule ${ruleId} reuses a retired rule id`);
    // A row prepared for another text is not used for this one.
    const other = prepareDraft(standardId, `${text}\nAnother sentence.\n`, new Set([ruleId]));
    const hash = storeDraft({ standardId, markdown: `${text}\nYet another sentence.\n`, actorId: null, fromDocument: true, prepared: other });
    expect(hash).not.toBe(other.hash);
    expect(storedDraft(standardId)).toContain("Yet another sentence.");
  });

  it("update the draft at the latest the maximum wait after the first change, while typing never pauses", async () => {
    const { standardId, client, base } = await newLiveStandard("Typing without pause", "A standard typed into without a pause.");
    const before = collab().derivedStats();
    // A keystroke every ~200 ms (well under the 1 s debounce) for 4.5 s (three times the 1.5 s maximum wait).
    const typingEnds = Date.now() + 4500;
    let typed = 0;
    let seenWhileTyping = -1;
    let foundBySearch = false;
    while (Date.now() < typingEnds) {
      const words = Array.from({ length: typed + 1 }, (_, i) => `tick${i}`).join(" ");
      markdownIntoDoc(client.doc, `${base}\n\nQuokkatyping ${words}\n`);
      typed++;
      await sleep(200);
      const stored = storedDraft(standardId);
      const ticks = [...stored.matchAll(/tick(\d+)/g)].map((m) => Number(m[1]));
      if (ticks.length > 0) seenWhileTyping = Math.max(seenWhileTyping, ...ticks);
      if (!foundBySearch && ticks.length > 0) {
        // Search reads the index saveDraft keeps, and never flushes the live document.
        const hits = await call(portal, `/search?q=quokkatyping`, { token });
        foundBySearch = hits.status === 200 && JSON.stringify(hits.body).includes(standardId);
      }
    }
    // Typed text was derived while the typing went on (more than once: after 1.5 s, 3 s, …).
    expect(seenWhileTyping).toBeGreaterThanOrEqual(0);
    expect(seenWhileTyping).toBeLessThan(typed - 1);
    expect(foundBySearch).toBe(true);
    const after = collab().derivedStats();
    expect(after.fromWorker - before.fromWorker).toBeGreaterThanOrEqual(2);
    // Nothing flushed, so nothing was exported on the main thread: not even by writing a worker
    // result while newer keystrokes were waiting (saveDraft reads the draft, and reads flush).
    expect(after.onMainThread).toBe(before.onMainThread);
    // GET (which flushes) shows the last keystroke at once.
    const draft = await call(portal, `/standards/${standardId}/draft`, { token });
    expect(draft.body.markdown).toContain(`tick${typed - 1}`);
  });

  it("derive a change made while the worker exported the previous one in the next derivation", async () => {
    const { standardId, name, client, base } = await newLiveStandard("Changed during an export", "A standard changed while the worker exports it.");
    const before = collab().derivedStats();
    const dispatched = nextDispatch(name);
    markdownIntoDoc(client.doc, `${base}\n\nThe change the worker exports.\n`);
    const seq = await dispatched;
    // Still in this turn of the event loop, so before the worker's answer can arrive: change the
    // server's document again (the way a PUT applies its text to it).
    collab().applyMarkdown(name, `${base}\n\nThe change the worker exports.\n\nA change made during the export.\n`);
    const { outcome } = await nextResult(name, seq);
    expect(outcome).toBe("written");
    // The later change is derived by the next debounce (the draft row is read without flushing).
    await eventually(() => storedDraft(standardId).includes("A change made during the export."), 5000, "the later change to be derived");
    const after = collab().derivedStats();
    expect(after.onMainThread).toBe(before.onMainThread);
    expect(after.fromWorker - before.fromWorker).toBe(2);
  });

  it("derive the live text into a revision frozen while changes are still underived (inside the freeze's transaction)", async () => {
    const { standardId, client, base } = await newLiveStandard("Frozen while typing", "A standard frozen right after a change.");
    markdownIntoDoc(client.doc, `${base}\n\nTyped just before the freeze.\n`);
    await client.acknowledged();
    const frozen = await call(portal, `/standards/${standardId}/revisions`, { method: "POST", token });
    expect(frozen.status, JSON.stringify(frozen.body)).toBe(201);
    const revision = await call(portal, `/standards/${standardId}/revisions/${frozen.body.revision.number}`, { token });
    expect(revision.status).toBe(200);
    expect(JSON.stringify(revision.body)).toContain("Typed just before the freeze.");
    // The connection is at synchronous=FULL again for everything else.
    expect(portal.db.$client.pragma("synchronous", { simple: true })).toBe(2);
  });

  it("never let a worker result overwrite a PUT that landed while the worker was exporting", async () => {
    const standardId = "EWTP-CUS-001";
    const name = `standard.${standardId}`;
    const client = open(name);
    await client.synced;
    let overlapped = 0;
    // The PUT must reach the server while the worker exports (tens of ms for this standard); when
    // it comes too late the round proves nothing and is repeated.
    for (let round = 1; round <= 8 && overlapped === 0; round++) {
      const base = markdownFromDoc(client.doc).trimEnd();
      const dispatched = nextDispatch(name);
      markdownIntoDoc(client.doc, `${base}\n\nTyped live before the PUT, round ${round}.\n`);
      const seq = await dispatched;
      const result = nextResult(name, seq);
      const mainBefore = collab().derivedStats().onMainThread;
      const putText = `${base}\n\nSaved through the API, round ${round}.\n`;
      const put = await call(portal, `/standards/${standardId}/draft`, { method: "PUT", token, body: { markdown: putText } });
      expect(put.status).toBe(200);
      // The PUT's flush had to derive on the main thread: the worker still held the change.
      const flushedWhileInFlight = collab().derivedStats().onMainThread > mainBefore;
      const { outcome } = await result;
      if (flushedWhileInFlight) {
        overlapped++;
        expect(outcome).toBe("stale");
        // Read at once, before the PUT's own change is derived again (1 s later).
        expect(storedDraft(standardId)).toBe(normalizeMarkdown(putText));
      }
      await eventually(() => markdownFromDoc(client.doc).includes(`Saved through the API, round ${round}.`), 5000, "the PUT to reach the client");
    }
    expect(overlapped).toBeGreaterThan(0);
    // And the draft stays the PUT's text once everything settled.
    await sleep(1300);
    expect(storedDraft(standardId)).toContain("Saved through the API");
    expect(storedDraft(standardId)).not.toMatch(/Typed live before the PUT, round \d+\.\n$/);
  });

  it("leave a PUT's text as it was saved when the document derives the same text whitespace-normalized", async () => {
    const { standardId, name, client, base } = await newLiveStandard("Saved with loose whitespace", "A standard saved through the API with extra blank lines.");
    // Typed first, so the extension has written (and knows) the row before the PUT replaces it.
    const typed = nextResult(name);
    markdownIntoDoc(client.doc, `${base}\n\nTyped before the PUT.\n`);
    await client.acknowledged();
    expect((await typed).outcome).toBe("written");
    // A run of blank lines: the live document's Markdown is the same text with one blank line there.
    const putText = `${base}\n\n\n\nSaved with loose whitespace.\n`;
    const put = await call(portal, `/standards/${standardId}/draft`, { method: "PUT", token, body: { markdown: putText } });
    expect(put.status).toBe(200);
    const derived = nextResult(name);
    await eventually(() => markdownFromDoc(client.doc).includes("Saved with loose whitespace."), 5000, "the PUT to reach the client");
    // The PUT's change to the document is derived (in the worker) and found equal to the row: not written again.
    expect((await derived).outcome).toBe("written");
    expect(storedDraft(standardId)).toBe(putText);
    const saves = portal.db.$client.prepare("select count(*) as n from audit_events where action = 'standard.draftSaved' and subject_id = ?").get(standardId) as { n: number };
    expect(saves.n).toBe(2); // the typed text, then the PUT
  });
});

describe("comment anchors", () => {
  it("are recomputed and announced at the latest the maximum wait after the first change, while typing never pauses", async () => {
    const passage = "The wallaroo clause applies to every parcel";
    const { standardId, client, base } = await newLiveStandard("Anchors while typing", "A standard whose commented passage is deleted while typing goes on.");
    markdownIntoDoc(client.doc, `${base}\n\n${passage}.\n\nTyping goes on here.\n`);
    await client.acknowledged();
    const created = await call(portal, `/standards/${standardId}/comments`, { method: "POST", token, body: { kind: "editorial", body: "Which parcels?", anchor: { quote: passage } } });
    expect(created.status, created.text).toBe(201);
    const id = created.body.comment.id as string;
    await sleep(1500); // the announcement of the new comment
    const announced: number[] = [];
    client.provider.on("stateless", ({ payload }: { payload: string }) => {
      if (JSON.parse(payload).type === "comments.changed") announced.push(Date.now());
    });
    // The passage goes, then a keystroke every ~200 ms (well under the 1 s debounce) for 4 s. The
    // editors' comment lists refetch on the announcement; listing the comments here would recompute
    // the states itself, so nothing is read until the typing stops.
    markdownIntoDoc(client.doc, `${base}\n\nTyping goes on here.\n`);
    const typingEnds = Date.now() + 4000;
    let typed = 0;
    while (Date.now() < typingEnds) {
      markdownIntoDoc(client.doc, `${base}\n\nTyping goes on here${"!".repeat(++typed)}\n`);
      await sleep(200);
    }
    expect(announced.filter((at) => at < typingEnds).length).toBeGreaterThan(0);
    const comments = (await call(portal, `/standards/${standardId}/comments`, { token })).body.comments as { id: string; state: string }[];
    expect(comments.find((c) => c.id === id)?.state).toBe("detached");
  });
});
