/**
 * The load side of the collaboration benchmark, run by bench/collab.bench.ts in its own process:
 * Yjs clients over raw `ws` + y-protocols, speaking Hocuspocus 3's wire format (each message is
 * the document name, a message type, then a y-protocols sync or awareness payload). Against the
 * portal they authenticate with a personal access token and sync with the server; against the
 * relay baseline they start from the same Yjs state (a file) and send exactly the same messages.
 *
 *   npx tsx bench/collab-client.ts '<json config>'
 *
 * Modes:
 * - traffic: N background clients type into the document (one character per edit at `rate` edits/s
 *   each, into their own paragraph) and update their presence (awareness: a cursor) at
 *   `presenceHz`; two probe clients measure edit propagation: the sender inserts a marker with a
 *   sequence number, the receiver timestamps its arrival (both in this process, one clock). At the
 *   end every client's document state is compared (state vector + delete set). Only the receiving
 *   probe applies remote updates as they arrive; every other client keeps their bytes and applies
 *   them at the end (see UpdateLog), so that at N=200 this process is not the bottleneck.
 * - open: time from connecting to synced for a fresh client, against Y.applyUpdate of the same bytes.
 * - opener: clients repeatedly open (connect, sync, close) a large document until a deadline.
 *
 * Prints progress lines (`MEASURE_START`, `MEASURE_END`) and a final `RESULT <json>`.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { constants as perfConstants, monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import WebSocket from "ws";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { percentile } from "./harness";

// Hocuspocus message types and sub-types.
const SYNC = 0;
const AWARENESS = 1;
const AUTH = 2;
const SYNC_REPLY = 4;
const SYNC_STATUS = 8;
const AUTH_TOKEN = 0;
const AUTH_DENIED = 1;
const AUTH_OK = 2;
const STEP1 = 0;
const STEP2 = 1;
const UPDATE = 2;

/** The probe marker: an invisible separator, "P", the sequence number, the separator again. */
const MARK = "\u2063P";
const MARK_BYTES = Buffer.from(MARK, "utf8");
/**
 * The fences: when the traffic stops, every client types "\u2063F<its index>\u2063". The server (and
 * the relay) forward each connection's messages in order, so a client that has another's fence has
 * all that client's edits: once it has every other client's fence, its document is complete.
 */
const FENCE_BYTES = Buffer.from("\u2063F", "utf8");
const SEP_BYTES = Buffer.from("\u2063", "utf8");

type Target = "portal" | "relay";

type ClientOptions = {
  url: string;
  docName: string;
  target: Target;
  token?: string;
  /** Relay: the document's starting state (the portal syncs it instead). */
  initialState?: Uint8Array;
  /**
   * Apply remote updates as they arrive (the receiving probe, openers) or only keep their bytes and
   * apply them all at the end, before the final comparison (background clients, the sending probe).
   * Either way every message is read off the socket.
   */
  live: boolean;
  onMessage?: (data: Buffer, at: number) => void;
};

/**
 * The remote update payloads a client received, as bytes appended to one growing buffer. One buffer
 * instead of an object per update: at N=200 the harness receives over 100,000 messages a second, and
 * keeping each as its own view (which also pins the socket's read chunk) filled the old generation
 * with millions of small objects whose major collections stalled every client in the process.
 */
class UpdateLog {
  private buf = Buffer.allocUnsafe(16 * 1024);
  private readonly ends: number[] = [];
  /** Bytes kept. */
  size = 0;

  get count(): number {
    return this.ends.length;
  }

  append(src: Buffer, start: number, end: number): void {
    const n = end - start;
    if (this.size + n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.size + n));
      this.buf.copy(bigger, 0, 0, this.size);
      this.buf = bigger;
    }
    src.copy(this.buf, this.size, start, end);
    this.size += n;
    this.ends.push(this.size);
  }

  /** The kept bytes from `from` (a byte offset) to the end: updates are appended whole, so a marker inside one is never cut. */
  bytesFrom(from: number): Buffer {
    return this.buf.subarray(from, this.size);
  }

  *updates(): Generator<Uint8Array> {
    let start = 0;
    for (const end of this.ends) {
      yield this.buf.subarray(start, end);
      start = end;
    }
  }
}

/** One Yjs client on a raw WebSocket. */
class RawClient {
  readonly doc = new Y.Doc();
  readonly awareness: awarenessProtocol.Awareness;
  /** Every remote update received (live clients keep them too: the fences are found in them). */
  readonly log = new UpdateLog();
  private applied = false;
  ws!: WebSocket;
  synced!: Promise<void>;
  received = 0;
  acks = 0;
  /** The fences found so far (see `scanFences`), and how far the log has been scanned. */
  readonly fences = new Set<number>();
  private fenceScan = 0;
  closeCode: number | null = null;
  private resolveSynced!: () => void;
  private rejectSynced!: (e: Error) => void;

  constructor(readonly options: ClientOptions) {
    this.awareness = new awarenessProtocol.Awareness(this.doc);
  }

  /**
   * Makes a change of this client's own and sends it. The update listener is attached only for the
   * change: with a listener always attached, Yjs would encode an update for every remote update
   * the receiving probe applies too (600 a second at N=200), only for it to be dropped.
   */
  change(edit: () => void): void {
    const out = (update: Uint8Array) => this.send(SYNC, (e) => syncProtocol.writeUpdate(e, update));
    this.doc.on("update", out);
    try {
      edit();
    } finally {
      this.doc.off("update", out);
    }
  }

  /** Connects (and, on the portal, authenticates and syncs); resolves when the document is synced. */
  connect(): Promise<void> {
    this.synced = new Promise<void>((resolve, reject) => {
      this.resolveSynced = resolve;
      this.rejectSynced = reject;
    });
    this.synced.catch(() => undefined); // a late close after the sync is not an error; connectAll reads failures

    const o = this.options;
    if (o.initialState) Y.applyUpdate(this.doc, o.initialState, "remote");
    this.ws = new WebSocket(o.url, { perMessageDeflate: false });
    this.ws.binaryType = "nodebuffer";
    this.ws.on("open", () => {
      if (o.target === "relay") return this.resolveSynced();
      this.send(AUTH, (e) => {
        encoding.writeVarUint(e, AUTH_TOKEN);
        encoding.writeVarString(e, o.token ?? "");
      });
    });
    this.ws.on("message", (data: Buffer) => this.handle(data));
    this.ws.on("error", (err) => this.rejectSynced(err));
    this.ws.on("close", (code) => {
      this.closeCode = code;
      this.rejectSynced(new Error(`closed ${code}`));
    });
    return this.synced;
  }

  /** Sends one Hocuspocus message: the document name, the type, then `write`'s payload. */
  send(type: number, write: (e: encoding.Encoder) => void): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    const e = encoding.createEncoder();
    encoding.writeVarString(e, this.options.docName);
    encoding.writeVarUint(e, type);
    write(e);
    this.ws.send(encoding.toUint8Array(e));
  }

  /** Sends this client's presence (awareness state). */
  sendPresence(): void {
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]);
    this.send(AWARENESS, (e) => encoding.writeVarUint8Array(e, update));
  }

  /**
   * One incoming message. The hot path (a remote update, 100,000+ a second across the process at
   * N=200) only skips the header and copies the update's bytes; awareness is not decoded (no client
   * here renders others' cursors) and the document name is skipped, not decoded.
   */
  private handle(data: Buffer): void {
    this.received++;
    if (this.options.onMessage) this.options.onMessage(data, performance.now());
    const d = decoding.createDecoder(data);
    const nameLength = decoding.readVarUint(d); // (read first: `d.pos += read(d)` would add to the old position)
    d.pos += nameLength; // the document name: one room, one name
    const type = decoding.readVarUint(d);
    if (type === AUTH) {
      const sub = decoding.readVarUint(d);
      if (sub === AUTH_DENIED) this.rejectSynced(new Error(`permission denied: ${decoding.readVarString(d)}`));
      if (sub === AUTH_OK) this.send(SYNC, (e) => syncProtocol.writeSyncStep1(e, this.doc));
      return;
    }
    if (type === SYNC_STATUS) {
      this.acks++;
      return;
    }
    if (type !== SYNC && type !== SYNC_REPLY) return;
    const sub = decoding.readVarUint(d);
    if (sub === STEP1) {
      const stateVector = decoding.readVarUint8Array(d);
      this.send(SYNC, (e) => {
        encoding.writeVarUint(e, STEP2);
        encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(this.doc, stateVector));
      });
    } else if (sub === STEP2) {
      Y.applyUpdate(this.doc, decoding.readVarUint8Array(d), "remote");
      this.resolveSynced();
    } else if (sub === UPDATE) {
      const length = decoding.readVarUint(d);
      this.log.append(data, d.pos, d.pos + length);
      if (this.options.live) Y.applyUpdate(this.doc, data.subarray(d.pos, d.pos + length), "remote");
    }
  }

  /**
   * Reads the fences ("\u2063F<index>\u2063") in the updates received since the last call: a scan
   * of the new bytes only, done while waiting for the fences, never per message.
   */
  scanFences(): Set<number> {
    const bytes = this.log.bytesFrom(this.fenceScan);
    for (let i = bytes.indexOf(FENCE_BYTES); i >= 0; i = bytes.indexOf(FENCE_BYTES, i + 1)) {
      const start = i + FENCE_BYTES.length;
      this.fences.add(Number(bytes.subarray(start, bytes.indexOf(SEP_BYTES, start)).toString("utf8")));
    }
    this.fenceScan = this.log.size;
    return this.fences;
  }

  /**
   * Applies what was kept (a client that was not live), in one transaction: one transaction's
   * clean-up instead of one per update, and far cheaper than Y.mergeUpdates over thousands of
   * updates. Then a digest of the document's exact state: its state vector and delete set (equal
   * digests = identical documents).
   */
  digest(): string {
    if (!this.options.live && !this.applied) {
      this.applied = true;
      Y.transact(this.doc, () => {
        for (const update of this.log.updates()) Y.applyUpdate(this.doc, update, "remote");
      }, "remote");
    }
    return docDigest(this.doc);
  }

  close(): void {
    this.awareness.destroy();
    this.ws?.terminate();
  }
}

/** The digest of a document's exact state (see RawClient.digest); bench/collab.bench.ts computes the server's the same way. */
function docDigest(doc: Y.Doc): string {
  return createHash("sha256").update(Y.encodeSnapshotV2(Y.snapshot(doc))).digest("hex").slice(0, 16);
}

/** The paragraphs (Lexical element nodes, as XmlText children of "root") that end in text, where typing appends. */
function typableParagraphs(doc: Y.Doc): Y.XmlText[] {
  const root = doc.get("root", Y.XmlText) as Y.XmlText;
  return (root.toDelta() as { insert: unknown }[])
    .map((d) => d.insert)
    .filter((x): x is Y.XmlText => x instanceof Y.XmlText)
    .filter((p) => {
      const delta = p.toDelta() as { insert: unknown }[];
      return delta.length > 0 && typeof delta[delta.length - 1].insert === "string";
    });
}

/**
 * The id (client, clock) of the first struct of the Yjs update in a sync message (document name,
 * SYNC, UPDATE, the update), read without decoding the update; null for any other message.
 */
function firstStructId(data: Buffer): { client: number; clock: number } | null {
  try {
    const d = decoding.createDecoder(data);
    const nameLength = decoding.readVarUint(d);
    d.pos += nameLength;
    if (decoding.readVarUint(d) !== SYNC || decoding.readVarUint(d) !== UPDATE) return null;
    decoding.readVarUint(d); // the update's length
    if (decoding.readVarUint(d) < 1) return null; // clients with structs
    decoding.readVarUint(d); // structs of the first client
    const client = decoding.readVarUint(d);
    return { client, clock: decoding.readVarUint(d) };
  } catch {
    return null;
  }
}

/** p50/p95/p99/max of samples in ms (3 decimals). */
function summarize(samples: number[]): { count: number; p50: number; p95: number; p99: number; max: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { count: s.length, p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), p99: r(percentile(s, 99)), max: r(s[s.length - 1] ?? NaN), mean: r(s.reduce((a, b) => a + b, 0) / (s.length || 1)) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connects clients `stagger` ms apart (no thundering herd of handshakes); resolves with those that synced within `timeoutMs`, and why the others did not. */
async function connectAll(clients: RawClient[], stagger = 10, timeoutMs = 90_000): Promise<{ ok: RawClient[]; failures: string[] }> {
  const all: Promise<void>[] = [];
  for (const c of clients) {
    all.push(c.connect());
    await sleep(stagger);
  }
  const timeout = sleep(timeoutMs).then(() => Promise.reject(new Error(`not synced within ${timeoutMs} ms`)));
  timeout.catch(() => undefined);
  const settled = await Promise.all(all.map((p) => Promise.race([p, timeout]).then(() => null, (e: Error) => e.message)));
  return { ok: clients.filter((_, i) => settled[i] === null), failures: settled.filter((x): x is string => x !== null) };
}

// ─── traffic ─────────────────────────────────────────────────────────────────────────────────────

type TrafficConfig = {
  mode: "traffic";
  target: Target;
  url: string;
  docName: string;
  tokens: string[];
  initialStatePath?: string;
  clients: number;
  rate: number;
  presenceHz: number;
  probeRate: number;
  warmupMs: number;
  durationMs: number;
  settleMs: number;
};

/** The event-loop delay histogram samples every 10 ms and records whole intervals: lateness is the excess (ns in, ms out). */
const LOOP_RESOLUTION_MS = 10;
const lateMs = (ns: number) => Math.round(Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS) * 100) / 100;

async function traffic(cfg: TrafficConfig) {
  const initialState = cfg.initialStatePath ? new Uint8Array(fs.readFileSync(cfg.initialStatePath)) : undefined;
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let measuring = false;
  const seen = new Set<number>();
  // Every background client's edit too, as the receiver gets it: thousands of samples per run where
  // the probes give 100–300, so the p99 is not decided by two or three of them. An edit is known by
  // its Yjs id (client, clock), which the relay forwards as sent and the portal re-encodes unchanged.
  const editSentAt = new Map<number, number>();
  const editLatencies: number[] = [];
  const editKey = (client: number, clock: number) => client * 2 ** 20 + clock; // clientIDs < 2^32, clocks < 2^20 here: exact in a double
  const onProbeMessage = (data: Buffer, at: number) => {
    if (editSentAt.size > 0) {
      const id = firstStructId(data);
      if (id) {
        const key = editKey(id.client, id.clock);
        const sent = editSentAt.get(key);
        if (sent !== undefined) {
          editSentAt.delete(key);
          editLatencies.push(at - sent);
        }
      }
    }
    let i = data.indexOf(MARK_BYTES);
    while (i >= 0) {
      const start = i + MARK_BYTES.length;
      const end = data.indexOf(SEP_BYTES, start);
      const seq = Number(data.subarray(start, end).toString("utf8"));
      const sent = sentAt.get(seq);
      if (sent !== undefined && !seen.has(seq)) {
        seen.add(seq);
        if (measuring) latencies.push(at - sent);
      }
      i = data.indexOf(MARK_BYTES, end);
    }
  };
  const base = { url: cfg.url, docName: cfg.docName, target: cfg.target, initialState };
  const background = Array.from({ length: cfg.clients }, (_, i) => new RawClient({ ...base, token: cfg.tokens[i % cfg.tokens.length], live: false }));
  // The sender measures nothing on receipt: like the background clients it keeps what it receives
  // for the end. The receiver applies every update as it arrives, as an editor does.
  const sender = new RawClient({ ...base, token: cfg.tokens[0], live: false });
  const receiver = new RawClient({ ...base, token: cfg.tokens[1 % cfg.tokens.length], live: true, onMessage: onProbeMessage });
  const t0 = performance.now();
  const connected = await connectAll([sender, receiver, ...background]);
  const connectMs = performance.now() - t0;
  if (!connected.ok.includes(sender) || !connected.ok.includes(receiver)) throw new Error(`a probe client could not connect: ${connected.failures.join("; ")}`);
  // Clients that could not connect (refused, timed out) are left out of the run and reported.
  const everyone = connected.ok;
  background.splice(0, background.length, ...background.filter((c) => everyone.includes(c)));

  const timers: NodeJS.Timeout[] = [];
  /** The measured window (edits are timed only in it). */
  let inWindow = false;
  const letters = "abcdefghijklmnopqrstuvwxyz ";
  let edits = 0;
  background.forEach((c, i) => {
    const paragraphs = typableParagraphs(c.doc);
    const p = paragraphs[i % paragraphs.length];
    const period = 1000 / cfg.rate;
    let n = 0;
    const typeOne = () => {
      if (inWindow) editSentAt.set(editKey(c.doc.clientID, Y.getState(c.doc.store, c.doc.clientID)), performance.now());
      c.change(() => p.insert(p.length, letters[(i + n++) % letters.length]));
      c.awareness.setLocalStateField("cursor", { paragraph: i % paragraphs.length, offset: p.length });
      edits++;
    };
    const presence = () => c.sendPresence();
    c.awareness.setLocalState({ user: { name: `Bench ${i}`, color: "#336699" }, cursor: null });
    // A random phase, so the clients do not type in lockstep.
    timers.push(
      setTimeout(() => {
        typeOne();
        timers.push(setInterval(typeOne, period));
      }, Math.random() * period),
    );
    if (cfg.presenceHz > 0) {
      const pp = 1000 / cfg.presenceHz;
      timers.push(
        setTimeout(() => {
          presence();
          timers.push(setInterval(presence, pp));
        }, Math.random() * pp),
      );
    }
  });

  // The probes: the sender types a marker into its own paragraph; the receiver timestamps it.
  const probeParagraphs = typableParagraphs(sender.doc);
  const probeP = probeParagraphs[probeParagraphs.length - 1];
  let seq = 0;
  const probe = () => {
    const n = ++seq;
    const text = `${MARK}${n}\u2063`;
    sentAt.set(n, performance.now());
    sender.change(() => probeP.insert(probeP.length, text)); // sends synchronously
  };

  await sleep(cfg.warmupMs);
  // Is the harness itself the bottleneck? Its CPU, its event loop's delay (a timer's lateness: any
  // stall here delays every client's reading and typing) and its garbage collection, over the window.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const gc = { ms: 0, majorMs: 0, count: 0 };
  inWindow = true;
  const gcObserver = new PerformanceObserver((list) => {
    if (!inWindow) return;
    for (const e of list.getEntries()) {
      gc.ms += e.duration;
      gc.count++;
      if ((e.detail as { kind?: number } | undefined)?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) gc.majorMs += e.duration;
    }
  });
  gcObserver.observe({ entryTypes: ["gc"] });
  loopDelay.enable();
  const cpu0 = process.cpuUsage();
  measuring = true;
  console.log("MEASURE_START");
  const probeTimer = setInterval(probe, 1000 / cfg.probeRate);
  const editsBefore = edits;
  await sleep(cfg.durationMs);
  clearInterval(probeTimer);
  const editsInWindow = edits - editsBefore;
  const lastProbe = seq;
  console.log("MEASURE_END");
  const cpu1 = process.cpuUsage(cpu0);
  inWindow = false; // (`measuring` stays on: probes sent in the window still count when they arrive late)
  loopDelay.disable();
  gcObserver.disconnect();
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  for (const t of timers) {
    clearTimeout(t);
    clearInterval(t);
  }
  // Everyone has stopped typing: each types its fence, then waits (bounded by settleMs) until it has everyone else's.
  everyone.forEach((c, i) => {
    const ps = typableParagraphs(c.doc);
    const p = c === sender ? probeP : ps[i % ps.length];
    c.change(() => p.insert(p.length, `\u2063F${i}\u2063`));
  });
  const settleStart = performance.now();
  const until = settleStart + cfg.settleMs;
  // (The portal may echo a client's own update back to it: its own fence does not count.)
  const done = new Set<RawClient>();
  const complete = (c: RawClient, i: number) => {
    if (done.has(c)) return true;
    const fences = c.scanFences();
    if (fences.size - (fences.has(i) ? 1 : 0) < everyone.length - 1) return false;
    done.add(c);
    return true;
  };
  while (everyone.some((c, i) => !complete(c, i)) && performance.now() < until) await sleep(20);
  const unfenced = everyone.filter((c, i) => !complete(c, i)).length;
  const settleMs = performance.now() - settleStart;
  const lostSeqs = [...sentAt.keys()].filter((s) => !seen.has(s));
  const lost = lostSeqs.length;
  // A probe that never arrived took at least until now: counted so, and the figures are then lower bounds.
  const givenUp = performance.now();
  for (const s of lostSeqs) latencies.push(givenUp - sentAt.get(s)!);
  // Likewise for edits the receiver never got.
  const editsLost = editSentAt.size;
  for (const sent of editSentAt.values()) editLatencies.push(givenUp - sent);
  const closed = everyone.filter((c) => c.closeCode !== null).map((c) => c.closeCode);

  const digests = new Map<string, number>();
  const byDigest = new Map<string, RawClient[]>();
  const applyStart = performance.now();
  for (const c of everyone) {
    const d = c.digest();
    digests.set(d, (digests.get(d) ?? 0) + 1);
    byDigest.set(d, [...(byDigest.get(d) ?? []), c]);
  }
  // When documents differ, say how: which clients' edits (by clock) the groups disagree on.
  let difference: unknown = null;
  if (byDigest.size > 1) {
    const role = (clientID: number) => {
      const i = everyone.findIndex((c) => c.doc.clientID === clientID);
      return i === 0 ? "sender" : i === 1 ? "receiver" : i > 1 ? `background ${i - 2}` : `other ${clientID}`;
    };
    const groups = [...byDigest.values()].map((cs) => ({ members: cs.map((c) => role(c.doc.clientID)).slice(0, 5), size: cs.length, sv: Y.decodeStateVector(Y.encodeStateVector(cs[0].doc)), pending: !!cs[0].doc.store.pendingStructs }));
    const a = groups[0];
    difference = groups.slice(1).map((g) => ({
      group: g.members,
      size: g.size,
      pending: g.pending,
      vsFirst: [...new Set([...a.sv.keys(), ...g.sv.keys()])].filter((k) => a.sv.get(k) !== g.sv.get(k)).map((k) => ({ client: role(k), first: a.sv.get(k) ?? 0, this: g.sv.get(k) ?? 0 })),
      first: a.members,
      firstPending: a.pending,
    }));
  }
  const applyMs = performance.now() - applyStart;
  const received = everyone.reduce((n, c) => n + c.received, 0);
  const updatesKept = everyone.reduce((n, c) => n + c.log.count, 0);
  for (const c of everyone) c.close();
  return {
    target: cfg.target,
    clients: cfg.clients,
    rate: cfg.rate,
    presenceHz: cfg.presenceHz,
    probeRate: cfg.probeRate,
    connectMs: Math.round(connectMs),
    propagation: { ...summarize(latencies), lowerBound: lost > 0 },
    edits: { ...summarize(editLatencies), lowerBound: editsLost > 0, lost: editsLost },
    connectFailures: connected.failures.length,
    connectFailureReasons: [...new Set(connected.failures)],
    probesSent: sentAt.size,
    probesLost: lost,
    clientsWithoutFence: unfenced,
    socketsClosedEarly: closed.length,
    closeCodes: [...new Set(closed)],
    editsInWindow,
    editsPerSecond: Math.round((editsInWindow / cfg.durationMs) * 1000),
    messagesReceived: received,
    updatesReceived: updatesKept,
    harnessCpuPercent: Math.round(((cpu1.user + cpu1.system) / 1000 / cfg.durationMs) * 100),
    harness: {
      processes: 1,
      cpuPercent: Math.round(((cpu1.user + cpu1.system) / 1000 / cfg.durationMs) * 100),
      loopDelayP50Ms: lateMs(loopDelay.percentile(50)),
      loopDelayP99Ms: lateMs(loopDelay.percentile(99)),
      loopDelayMaxMs: lateMs(loopDelay.max),
      gcMs: Math.round(gc.ms),
      gcMajorMs: Math.round(gc.majorMs),
      gcCount: gc.count,
      rssMbAtEnd: Math.round(rssMb),
      /** After the window: waiting for every fence, then applying every kept update and comparing. */
      settleMs: Math.round(settleMs),
      applyAndCompareMs: Math.round(applyMs),
    },
    documents: { digests: Object.fromEntries(digests), identical: digests.size === 1, difference },
  };
}

// ─── open ────────────────────────────────────────────────────────────────────────────────────────

type OpenConfig = { mode: "open"; url: string; docName: string; token: string; runs: number };

/** Connect → authenticated → synced, for a fresh client; the document's state bytes as it received them. */
async function openOnce(url: string, docName: string, token: string): Promise<{ ms: number; client: RawClient }> {
  const client = new RawClient({ url, docName, target: "portal", token, live: true });
  const t0 = performance.now();
  await client.connect();
  return { ms: performance.now() - t0, client };
}

async function open(cfg: OpenConfig) {
  // The first open loads the document on the server (from SQLite); the holder keeps it loaded, as
  // it is while anyone edits it, and gives the state bytes the baseline applies.
  const first = await openOnce(cfg.url, cfg.docName, cfg.token);
  const holder = first.client;
  const bytes = Y.encodeStateAsUpdate(holder.doc);
  const chars = (holder.doc.get("root", Y.XmlText) as Y.XmlText).toString().length;
  const opens: number[] = [];
  const applies: number[] = [];
  for (let i = 0; i < cfg.runs; i++) {
    const o = await openOnce(cfg.url, cfg.docName, cfg.token);
    opens.push(o.ms);
    o.client.close();
    const t0 = performance.now();
    const d = new Y.Doc();
    Y.applyUpdate(d, bytes);
    applies.push(performance.now() - t0);
    d.destroy();
  }
  holder.close();
  return { firstOpenMs: Math.round(first.ms * 1000) / 1000, stateBytes: bytes.length, xmlChars: chars, open: summarize(opens), applyUpdate: summarize(applies) };
}

// ─── opener ──────────────────────────────────────────────────────────────────────────────────────

type OpenerConfig = { mode: "opener"; url: string; docName: string; tokens: string[]; clients: number; durationMs: number };

async function opener(cfg: OpenerConfig) {
  const deadline = performance.now() + cfg.durationMs;
  const times: number[] = [];
  let failures = 0;
  console.log("MEASURE_START");
  await Promise.all(
    Array.from({ length: cfg.clients }, async (_, i) => {
      while (performance.now() < deadline) {
        try {
          const o = await openOnce(cfg.url, cfg.docName, cfg.tokens[i % cfg.tokens.length]);
          times.push(o.ms);
          o.client.close();
        } catch {
          failures++;
          await sleep(100);
        }
      }
    }),
  );
  return { clients: cfg.clients, opens: times.length, failures, open: summarize(times) };
}

// ─── main ────────────────────────────────────────────────────────────────────────────────────────

const cfg = JSON.parse(process.argv[2] ?? "{}") as TrafficConfig | OpenConfig | OpenerConfig;
// Bounded: whatever happens, this process ends.
setTimeout(() => {
  console.error("collab-client: time limit reached");
  process.exit(2);
}, 5 * 60_000).unref();
const run = cfg.mode === "traffic" ? traffic(cfg) : cfg.mode === "open" ? open(cfg) : cfg.mode === "opener" ? opener(cfg) : Promise.reject(new Error("unknown mode"));
run.then(
  (result) => {
    console.log(`RESULT ${JSON.stringify(result)}`);
    process.exit(0);
  },
  (err) => {
    console.error(`collab-client failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
