/**
 * Coalesced socket writes. Every edit and every presence change is relayed to every connection of
 * the document, and `ws` writes each message to its socket at once: one `writev` system call per
 * message per recipient. At 200 editors that is over 100,000 system calls a second, most of the
 * server's time (the loopback TCP stack runs inside each call).
 *
 * Instead, the first message written to a socket in a turn of the event loop corks the socket, and
 * the sockets corked in that turn are uncorked together right after it (`setImmediate`, i.e. once
 * the incoming messages that were ready have been handled). Everything written to a socket in
 * between leaves in one `writev`. Nothing waits for a timer: on a quiet server a turn handles one
 * message and its frames leave at the end of that turn, as before; under load a turn handles many
 * and the system calls per message fall — the busier the server, the larger the batches.
 */
import type { Writable } from "node:stream";

let corked = new Set<Writable>();
let scheduled = false;

function uncorkAll(): void {
  scheduled = false;
  // Swapped first: an uncork may lead to more writes, which belong to the next batch.
  const batch = corked;
  corked = new Set();
  for (const socket of batch) {
    // cork() was called exactly once for this socket in this turn; uncork() releases the writes.
    if (socket.writableCorked > 0) socket.uncork();
  }
}

/** Corks `socket` until the end of this turn of the event loop (once per turn; no-op when it is closing). */
export function corkForThisTurn(socket: Writable): void {
  if (corked.has(socket) || socket.destroyed || !socket.writable) return;
  socket.cork();
  corked.add(socket);
  if (!scheduled) {
    scheduled = true;
    setImmediate(uncorkAll);
  }
}

/** Sockets corked now and not yet released (for tests). */
export function corkedSockets(): number {
  return corked.size;
}
