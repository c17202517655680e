/**
 * Fuzzing the collaboration server with hostile messages (real server, real sockets): a legitimate
 * client edits document A while other sockets send document B random bytes, truncated and garbled
 * Yjs sync messages, and known-bad updates (huge varint lengths, an update claiming millions of
 * structs, deeply nested content, garbage awareness). Each hostile connection must be closed and
 * logged, the legitimate client's next edit must still be acknowledged and reach another client
 * promptly, and the process must keep answering /healthz. The PRNG is seeded: a failure prints the
 * seed, and `FUZZ_SEED=<n>` replays it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as encoding from "lib0/encoding";
import WebSocket from "ws";
import * as Y from "yjs";
import { prng } from "../../db/prng";
import { connectDoc, eventually, type CollabClient } from "../support/collab";
import { accessTokenFor, createOrg, createUser } from "../support/factories";
import { startPortal, type TestPortal } from "../support/portal";

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const DOC_A = "standard.EWTP-TAR-001";
const DOC_B = "standard.EWTP-LOG-001";
const CASES_PER_KIND = 4;

/** Seeded random integers and bytes (db/prng.ts), so a failing run can be replayed. */
function seeded(seed: number) {
  const next = prng(seed);
  return {
    int: (max: number) => Math.floor(next() * max),
    bytes: (n: number) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
  };
}

const rand = seeded(SEED);
let portal: TestPortal;
let token = "";
let legit: CollabClient;
let watcher: CollabClient;
const clients: CollabClient[] = [];
const logged: string[] = [];

/** A Hocuspocus message for `doc`: sync (0) with a sub-type and an update payload. */
function syncMessage(doc: string, syncType: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, doc);
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, syncType);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

function decodes(update: Uint8Array): boolean {
  try {
    Y.decodeUpdate(update);
    return true;
  } catch {
    return false;
  }
}

/** A real Yjs update: some text inserted into a fresh document. */
function realUpdate(): Uint8Array {
  const doc = new Y.Doc();
  doc.getText("t").insert(0, "x".repeat(1 + rand.int(200)));
  doc.getMap("m").set("k", rand.int(1000));
  return Y.encodeStateAsUpdate(doc);
}

/** Messages an authenticated socket sends to document B, by kind; each must close its connection. */
const hostileKinds: Record<string, () => Uint8Array> = {
  "truncated update": () => {
    for (;;) {
      const update = realUpdate();
      const cut = update.slice(0, 1 + rand.int(update.length - 2));
      if (!decodes(cut)) return syncMessage(DOC_B, 2, cut);
    }
  },
  "garbled update": () => {
    for (;;) {
      const update = realUpdate();
      for (let i = 0; i < 1 + rand.int(6); i++) update[rand.int(update.length)] = rand.int(256);
      if (!decodes(update)) return syncMessage(DOC_B, 2, update);
    }
  },
  "garbled sync step 2": () => {
    for (;;) {
      const payload = rand.bytes(1 + rand.int(64));
      if (!decodes(payload)) return syncMessage(DOC_B, 1, payload);
    }
  },
  "huge varint length": () => {
    // The update's byte length claims ~4 GiB; a few bytes follow.
    const e = encoding.createEncoder();
    encoding.writeVarString(e, DOC_B);
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint(e, 0xfffffff0 - rand.int(1000));
    encoding.writeUint8Array(e, rand.bytes(16));
    return encoding.toUint8Array(e);
  },
  "an update claiming millions of structs": () => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 1); // one client
    encoding.writeVarUint(e, 5_000_000 + rand.int(1_000_000)); // structs of that client
    encoding.writeVarUint(e, 1 + rand.int(1000)); // client id
    encoding.writeVarUint(e, 0); // clock
    encoding.writeUint8Array(e, rand.bytes(8));
    return syncMessage(DOC_B, 2, encoding.toUint8Array(e));
  },
  "deeply nested content": () => {
    // A map entry whose value is [0], re-encoded as [[[…[0]…]]] 150,000 levels deep (~300 KB).
    const doc = new Y.Doc();
    doc.getMap("m").set("k", [0]);
    const update = Y.encodeStateAsUpdate(doc);
    const marker = [117, 1, 125, 0]; // lib0 "any": array of length 1, holding the integer 0
    const at = update.findIndex((_, i) => marker.every((b, j) => update[i + j] === b));
    expect(at).toBeGreaterThan(0);
    const depth = 150_000 + rand.int(10_000);
    const nested = new Uint8Array(update.length - 4 + depth * 2 + 2);
    nested.set(update.subarray(0, at));
    for (let i = 0; i < depth; i++) nested.set([117, 1], at + i * 2);
    nested.set([125, 0], at + depth * 2);
    nested.set(update.subarray(at + 4), at + depth * 2 + 2);
    return syncMessage(DOC_B, 2, nested);
  },
  "garbage awareness": () => {
    const e = encoding.createEncoder();
    encoding.writeVarString(e, DOC_B);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint8Array(e, Uint8Array.from([5, ...rand.bytes(3 + rand.int(40))]));
    return encoding.toUint8Array(e);
  },
};

/** Random bytes that are not an authentication message (those are answered, not closed). */
function randomFrame(): Uint8Array {
  for (;;) {
    const bytes = rand.bytes(1 + rand.int(512));
    // Second byte 2 after a one-byte-long name would be an auth message; re-roll those.
    if (!(bytes[0] < 128 && bytes[bytes[0] + 1] === 2)) return bytes;
  }
}

/** Sends `frame` on a bare socket that never authenticated; resolves with the close code. */
function rawSend(frame: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${portal.baseUrl.replace(/^http/, "ws")}/collab`);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("the server did not close a socket that sent random bytes"));
    }, 5000);
    ws.on("open", () => ws.send(frame));
    ws.on("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    ws.on("error", () => undefined);
  });
}

/** The legitimate client edits A; the edit must be acknowledged and reach the watcher promptly. */
async function legitEditStillSyncs(n: number) {
  legit.doc.getMap("fuzz").set("n", n);
  await Promise.race([legit.acknowledged(), new Promise((_, reject) => setTimeout(() => reject(new Error(`edit ${n} not acknowledged within 2 s`)), 2000))]);
  await eventually(() => watcher.doc.getMap("fuzz").get("n") === n, 2000, `edit ${n} to reach the other client`);
}

beforeAll(async () => {
  console.info(`collab-fuzz seed: ${SEED} (replay with FUZZ_SEED=${SEED})`);
  portal = await startPortal();
  const expert = await createUser({ org: createOrg({ kind: "expert", country: "SG" }), role: "expert", committees: ["TAR", "LOG"] });
  token = accessTokenFor(expert.id).token;
  for (const level of ["warn", "error", "info"] as const) {
    const original = console[level].bind(console);
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(" "));
      original(...args);
    });
  }
  legit = connectDoc(portal.baseUrl, DOC_A, { token });
  watcher = connectDoc(portal.baseUrl, DOC_A, { token });
  clients.push(legit, watcher);
  await Promise.all([legit.synced, watcher.synced]);
});

afterAll(async () => {
  vi.restoreAllMocks();
  for (const c of clients) c.destroy();
  await portal?.close();
});

describe(`the collaboration server under hostile messages (seed ${SEED})`, () => {
  it("closes a bare socket that sends random bytes, logs it, and keeps serving", async () => {
    for (let i = 0; i < 8; i++) {
      const before = logged.length;
      const code = await rawSend(randomFrame());
      expect([1003, 1008, 4401], `close code of random frame ${i} (seed ${SEED})`).toContain(code);
      await eventually(() => logged.length > before, 2000, "a log line about the closed socket");
      await legitEditStillSyncs(i);
    }
  });

  for (const [kind, make] of Object.entries(hostileKinds)) {
    it(`closes a connection that sends ${kind} to another document, logs it, and the first document stays responsive`, async () => {
      for (let i = 0; i < CASES_PER_KIND; i++) {
        const hostile = connectDoc(portal.baseUrl, DOC_B, { token });
        clients.push(hostile);
        await hostile.synced;
        const before = logged.length;
        const started = Date.now();
        hostile.socket.send(make());
        await eventually(() => hostile.closeCodes.length > 0, 3000, `the connection that sent ${kind} #${i} to close (seed ${SEED})`);
        expect(hostile.closeCodes[0]).toBeGreaterThanOrEqual(1000);
        await eventually(() => logged.slice(before).some((line) => line.includes("[collab]")), 2000, "the server to log the hostile connection");
        await legitEditStillSyncs(1000 + i);
        // "Promptly": well within the time a person would notice (generous for a loaded CI machine).
        expect(Date.now() - started).toBeLessThan(5000);
        hostile.destroy();
      }
    });
  }

  it("still answers /healthz, and document B still opens with its content", async () => {
    const health = await fetch(`${portal.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const fresh = connectDoc(portal.baseUrl, DOC_B, { token });
    clients.push(fresh);
    await fresh.synced;
    expect(fresh.doc.get("root", Y.XmlText).length).toBeGreaterThan(0);
  });
});
