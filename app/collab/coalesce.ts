/**
 * Coalesced socket writes. Every edit and every presence change is relayed to every connection of
 * the document, and `ws` writes each message to its socket at once: one `writev` system call per
 * message per recipient. At 200 editors that is over 100,000 system calls a second, most of the
 * server's time (the loopback TCP stack runs inside each call).
 *
 * Instead, what is written to a socket in one turn of the event loop leaves at the end of that turn
 * (`setImmediate`, i.e. once the incoming messages that were ready have been handled), in one system
 * call. Nothing waits for a timer: on a quiet server a turn handles one message and its frames leave
 * at the end of that turn, as before; under load a turn handles many and the system calls per
 * message fall — the busier the server, the larger the batches.
 *
 * A relayed message is also framed once (`framedOnce`), and its
 * frame is queued for every recipient's socket (`sendFramed`) instead of going through `ws.send`
 * per recipient, which frames the message again and allocates a callback, an options object, a
 * header and stream bookkeeping each time (most of the garbage the server made under load). The
 * queued frames of a socket are written as one buffer. ws's own sends on a socket (acknowledgements,
 * sync answers) first write the frames queued before them, then go to the corked socket: every
 * message keeps its order.
 */
import type { Duplex, Writable } from "node:stream";
import type { WebSocket } from "ws";

/**
 * A socket's writes in the current turn: frames queued by `sendFramed` (for `ws`), whether it is
 * corked, and whether it is in this turn's batch. One per socket for its whole life, reused every
 * turn: this runs for every message to every recipient, and allocating here is what made the
 * garbage collector pause the server.
 */
type Batching = { socket: Writable; ws: WebSocket | null; frames: (Buffer | undefined)[]; queued: number; corked: boolean; inBatch: boolean };

const batchingOf = new WeakMap<Writable, Batching>();
/** This turn's sockets: the first `batchSize` slots of `batch` (emptied slot by slot, see writeFrames). */
let batch: (Batching | undefined)[] = [];
let batchSize = 0;
let spare: (Batching | undefined)[] = [];
let scheduled = false;

/** The socket's batching state, entered into this turn's batch. */
function batching(socket: Writable): Batching {
  let entry = batchingOf.get(socket);
  if (!entry) {
    entry = { socket, ws: null, frames: [], queued: 0, corked: false, inBatch: false };
    batchingOf.set(socket, entry);
  }
  if (!entry.inBatch) {
    entry.inBatch = true;
    batch[batchSize++] = entry;
    if (!scheduled) {
      scheduled = true;
      setImmediate(endOfTurn);
    }
  }
  return entry;
}

/**
 * Writes a socket's queued frames (as one buffer) into the socket — unless its WebSocket was closed
 * meanwhile (ws has written its close frame then, and nothing may follow it; the frames are for a
 * connection that is going away).
 */
function writeFrames(entry: Batching): void {
  const { socket, frames, queued } = entry;
  if (queued === 0) return;
  if (!socket.destroyed && socket.writable && entry.ws?.readyState === 1 /* OPEN */) {
    socket.write(queued === 1 ? frames[0]! : joined(frames, queued));
  }
  // Emptied slot by slot, never by `frames.length = 0`: V8 drops an emptied array's storage, and
  // allocating it again for every socket on every turn was most of what a relayed edit allocated.
  for (let i = 0; i < queued; i++) frames[i] = undefined;
  entry.queued = 0;
}

/** The first `count` frames as one buffer. */
function joined(frames: (Buffer | undefined)[], count: number): Buffer {
  let length = 0;
  for (let i = 0; i < count; i++) length += frames[i]!.length;
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  for (let i = 0; i < count; i++) at += frames[i]!.copy(out, at);
  return out;
}

/** Relayed messages queued in this turn, and in the last turn that queued any. */
let relayedThisTurn = 0;
let relayedLastTurn = 0;

function endOfTurn(): void {
  scheduled = false;
  relayedLastTurn = relayedThisTurn;
  relayedThisTurn = 0;
  releaseAll();
}

/**
 * Called once a relayed message is queued for every recipient. On a quiet server (the last turn
 * relayed at most one message) the first message of a turn leaves at once instead of at the end of
 * the turn: nothing would join it, and it need not wait for the rest of its own handling (the
 * acknowledgement, the change hooks) nor for other sockets' messages read in the same turn. Under
 * load, turns relay many messages and everything waits for the end of the turn, in one system call
 * per socket.
 */
export function relayedNow(): void {
  relayedThisTurn++;
  if (relayedThisTurn === 1 && relayedLastTurn <= 1) releaseAll();
}

function releaseAll(): void {
  // Swapped first: releasing may lead to more writes, which belong to the next turn's batch.
  const released = batch;
  const count = batchSize;
  batch = spare;
  batchSize = 0;
  for (let i = 0; i < count; i++) {
    const entry = released[i]!;
    released[i] = undefined;
    entry.inBatch = false;
    writeFrames(entry);
    // cork() was called once for this socket in this turn; uncork() sends what was written (an ended socket is uncorked already).
    if (entry.corked) {
      entry.corked = false;
      if (entry.socket.writableCorked > 0) entry.socket.uncork();
    }
  }
  spare = released;
}

/**
 * Writes what is waiting now, without waiting for the end of the turn. Called before work that holds
 * the event loop for a while (a group commit, writing a derived draft): the edits already relayed in
 * this turn leave first instead of waiting behind it.
 */
export function releaseWrites(): void {
  if (batchSize > 0) releaseAll();
}

/** Makes what is written to `socket` wait for the end of this turn, after the frames queued before it. */
export function corkForThisTurn(socket: Writable): void {
  if (socket.destroyed || !socket.writable) return;
  const entry = batching(socket);
  if (!entry.corked) {
    socket.cork();
    entry.corked = true;
  }
  writeFrames(entry);
}

/** The TCP socket under each WebSocket registered with `coalesceWrites`. */
const socketOf = new WeakMap<WebSocket, Duplex>();

/**
 * Makes everything `ws` writes to `socket` (its TCP socket, as the upgrade handed it over) wait for
 * the end of the turn, and lets `sendFramed` queue frames for it. Call once, right after the upgrade.
 * (No permessage-deflate on this server: ws then writes each message at once, never from a queue of
 * its own, so the frames written here cannot overtake its messages, nor its messages these.)
 */
export function coalesceWrites(ws: WebSocket, socket: Duplex): void {
  socketOf.set(ws, socket);
  const send = ws.send;
  ws.send = function coalescedSend(this: WebSocket, ...args: unknown[]) {
    corkForThisTurn(socket);
    return (send as (...a: unknown[]) => void).apply(this, args);
  } as WebSocket["send"];
}

/**
 * A binary message, the concatenation of `parts`, framed as a server's WebSocket frame (FIN, binary,
 * unmasked; RFC 6455 §5.2) in one buffer, to send to many sockets: the parts are copied once, into
 * the frame, with no message buffer in between (small buffers come from Node's shared pool).
 */
export function framedOnce(...parts: Uint8Array[]): Buffer {
  let length = 0;
  for (const part of parts) length += part.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x82;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt16BE(0, 2);
    frame.writeUIntBE(length, 4, 6);
  }
  let at = header;
  for (const part of parts) {
    frame.set(part, at);
    at += part.length;
  }
  return frame;
}

/** The message inside a frame from `framedOnce` (what `ws.send` would frame again). */
export function messageOf(frame: Buffer): Buffer {
  return frame.subarray(frame[1] === 126 ? 4 : frame[1] === 127 ? 10 : 2);
}

/**
 * Queues a frame from `framedOnce` for the socket of `ws` (it leaves at the end of the turn); false
 * (nothing queued) when the WebSocket is not open or was not registered with `coalesceWrites` — send
 * it the usual way then.
 */
export function sendFramed(ws: WebSocket, frame: Buffer): boolean {
  if (ws.readyState !== 1 /* OPEN */) return false;
  const socket = socketOf.get(ws);
  if (!socket || socket.destroyed || !socket.writable) return false;
  const entry = batching(socket);
  entry.ws = ws;
  entry.frames[entry.queued++] = frame;
  return true;
}

/** Sockets with something waiting now, not yet released (for tests). */
export function waitingSockets(): number {
  return batchSize;
}
