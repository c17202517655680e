/**
 * Coalesced socket writes (app/collab/coalesce.ts): what is written to a socket within one turn of
 * the event loop leaves in one vectored write at the end of the turn, on a real Node stream.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { corkForThisTurn, corkedSockets } from "../../app/collab/coalesce";

/** A stream that records each system-call-like write: one entry per `writev`/`write`, with its chunks. */
function recordingSocket(): { socket: Writable; calls: string[][] } {
  const calls: string[][] = [];
  const socket = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      calls.push([chunk.toString()]);
      callback();
    },
    writev(chunks, callback) {
      calls.push(chunks.map((c) => (c.chunk as Buffer).toString()));
      callback();
    },
  });
  return { socket, calls };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("coalesced writes", () => {
  it("sends what is written to a socket within one turn in one write, at the end of the turn", async () => {
    const { socket, calls } = recordingSocket();
    for (const message of ["edit 1", "edit 2", "presence"]) {
      corkForThisTurn(socket);
      socket.write(Buffer.from(message));
    }
    expect(calls).toEqual([]); // held while the turn goes on
    expect(corkedSockets()).toBe(1);
    await nextTurn();
    expect(calls).toEqual([["edit 1", "edit 2", "presence"]]);
    expect(socket.writableCorked).toBe(0);
    expect(corkedSockets()).toBe(0);

    // The next turn is a batch of its own.
    corkForThisTurn(socket);
    socket.write(Buffer.from("edit 3"));
    await nextTurn();
    expect(calls).toEqual([["edit 1", "edit 2", "presence"], ["edit 3"]]);
  });

  it("releases every socket written to in the turn, each in one write", async () => {
    const a = recordingSocket();
    const b = recordingSocket();
    for (const { socket } of [a, b, a, b]) {
      corkForThisTurn(socket);
      socket.write(Buffer.from("x"));
    }
    await nextTurn();
    expect(a.calls).toEqual([["x", "x"]]);
    expect(b.calls).toEqual([["x", "x"]]);
  });

  it("leaves a destroyed socket alone", async () => {
    const { socket, calls } = recordingSocket();
    socket.destroy();
    corkForThisTurn(socket);
    expect(corkedSockets()).toBe(0);
    expect(socket.writableCorked).toBe(0);
    await nextTurn();
    expect(calls).toEqual([]);
  });

  it("does not leave a socket corked when it is ended before the turn is over", async () => {
    const { socket, calls } = recordingSocket();
    corkForThisTurn(socket);
    socket.write(Buffer.from("last words"));
    socket.end();
    await nextTurn();
    await nextTurn();
    expect(calls.flat()).toEqual(["last words"]);
  });
});
