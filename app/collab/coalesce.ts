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
 * A relayed message is also framed once (`framedOnce`, with ws's public `Sender.frame`), and its
 * frame is queued for every recipient's socket (`sendFramed`) instead of going through `ws.send`
 * per recipient, which frames the message again and allocates a callback, an options object, a
 * header and stream bookkeeping each time (most of the garbage the server made under load). The
 * queued frames of a socket are written as one buffer. ws's own sends on a socket (acknowledgements,
 * sync answers) first write the frames queued before them, then go to the corked socket: every
 * message keeps its order.
 */
import type { Duplex, Writable } from "node:stream";
import * as wsModule from "ws";
import type { WebSocket } from "ws";

/** ws's frame encoder (public in ws, not in its type definitions). */
const { Sender } = wsModule as unknown as {
  Sender: { frame: (data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }) => Buffer[] };
};

/**
 * A socket's writes in the current turn: frames queued by `sendFramed` (for `ws`), whether it is
 * corked, and whether it is in this turn's batch. One per socket for its whole life, reused every
 * turn: this runs for every message to every recipient, and allocating here is what made the
 * garbage collector pause the server.
 */
type Batching = { socket: Writable; ws: WebSocket | null; frames: Buffer[]; corked: boolean; inBatch: boolean };

const batchingOf = new WeakMap<Writable, Batching>();
let batch: Batching[] = [];
let spare: Batching[] = [];
let scheduled = false;

/** The socket's batching state, entered into this turn's batch. */
function batching(socket: Writable): Batching {
  let entry = batchingOf.get(socket);
  if (!entry) {
    entry = { socket, ws: null, frames: [], corked: false, inBatch: false };
    batchingOf.set(socket, entry);
  }
  if (!entry.inBatch) {
    entry.inBatch = true;
    batch.push(entry);
    if (!scheduled) {
      scheduled = true;
      setImmediate(releaseAll);
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
  const { socket, frames } = entry;
  if (frames.length === 0) return;
  if (!socket.destroyed && socket.writable && entry.ws?.readyState === 1 /* OPEN */) {
    socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
  }
  frames.length = 0;
}

function releaseAll(): void {
  scheduled = false;
  // Swapped first: releasing may lead to more writes, which belong to the next turn's batch.
  const released = batch;
  batch = spare;
  for (const entry of released) {
    entry.inBatch = false;
    writeFrames(entry);
    // cork() was called once for this socket in this turn; uncork() sends what was written (an ended socket is uncorked already).
    if (entry.corked) {
      entry.corked = false;
      if (entry.socket.writableCorked > 0) entry.socket.uncork();
    }
  }
  released.length = 0;
  spare = released;
}

/**
 * Writes what is waiting now, without waiting for the end of the turn. Called before work that holds
 * the event loop for a while (a group commit, writing a derived draft): the edits already relayed in
 * this turn leave first instead of waiting behind it.
 */
export function releaseWrites(): void {
  if (batch.length > 0) releaseAll();
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

/** A binary message framed as a server's WebSocket frame (unmasked), to send to many sockets. */
export function framedOnce(message: Uint8Array): Buffer {
  const data = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const [header, payload] = Sender.frame(data, { fin: true, opcode: 0x02, mask: false, readOnly: true, rsv1: false });
  return Buffer.concat([header, payload]);
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
  entry.frames.push(frame);
  return true;
}

/** Sockets with something waiting now, not yet released (for tests). */
export function waitingSockets(): number {
  return batch.length;
}
