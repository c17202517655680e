/**
 * Coalesced socket writes (app/collab/coalesce.ts): what is written to a socket within one turn of
 * the event loop leaves in one vectored write at the end of the turn, on a real Node stream.
 */
import http from "node:http";
import type { Duplex } from "node:stream";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { coalesceWrites, corkForThisTurn, framedOnce, relayedNow, releaseWrites, sendFramed, waitingSockets } from "../../app/collab/coalesce";

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
    expect(waitingSockets()).toBe(1);
    await nextTurn();
    expect(calls).toEqual([["edit 1", "edit 2", "presence"]]);
    expect(socket.writableCorked).toBe(0);
    expect(waitingSockets()).toBe(0);

    // The next turn is a batch of its own.
    corkForThisTurn(socket);
    socket.write(Buffer.from("edit 3"));
    await nextTurn();
    expect(calls).toEqual([["edit 1", "edit 2", "presence"], ["edit 3"]]);
  });

  it("sends what is waiting at once when work that holds the event loop is about to run", async () => {
    const { socket, calls } = recordingSocket();
    corkForThisTurn(socket);
    socket.write(Buffer.from("relayed edit"));
    releaseWrites(); // e.g. before a group commit
    expect(calls).toEqual([["relayed edit"]]);
    expect(waitingSockets()).toBe(0);
    await nextTurn();
    expect(calls).toEqual([["relayed edit"]]);
  });

  it("sends a turn's first relayed message at once after a quiet turn, and batches a busy turn's to its end", async () => {
    const a = recordingSocket();
    const b = recordingSocket();
    const relay = (message: string) => {
      for (const { socket } of [a, b]) {
        corkForThisTurn(socket);
        socket.write(Buffer.from(message));
      }
      relayedNow();
    };
    await nextTurn();
    // A busy turn: three relayed messages. The first may go at once (the turn before was quiet), the rest wait for the end of the turn.
    relay("one");
    relay("two");
    relay("three");
    await nextTurn();
    expect(a.calls).toEqual([["one"], ["two", "three"]]);
    // After a busy turn even the first message waits for the end of its turn, with what follows it.
    relay("four");
    expect(a.calls).toHaveLength(2);
    relay("five");
    await nextTurn();
    expect(a.calls).toEqual([["one"], ["two", "three"], ["four", "five"]]);
    // A quiet turn (two messages is not quiet, one is): the next turn's first message leaves at once.
    relay("six");
    await nextTurn();
    relay("seven");
    expect(a.calls.at(-1)).toEqual(["seven"]);
    expect(b.calls.at(-1)).toEqual(["seven"]);
    await nextTurn();
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
    expect(waitingSockets()).toBe(0);
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

  it("writes one frame, made once, to several WebSockets, which receive the message intact and in order with ws's own sends", async () => {
    const server = http.createServer();
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    const accepted: WebSocket[] = [];
    server.on("upgrade", (req, socket: Duplex, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        coalesceWrites(ws, socket);
        accepted.push(ws);
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const clients = [new WebSocket(`ws://127.0.0.1:${port}`), new WebSocket(`ws://127.0.0.1:${port}`)];
    const received: Buffer[][] = [[], []];
    clients.forEach((c, i) => c.on("message", (data: Buffer) => received[i].push(data)));
    await Promise.all(clients.map((c) => new Promise((resolve) => c.once("open", resolve))));
    while (accepted.length < 2) await nextTurn();
    try {
      // Payload lengths of each header form: 7-bit, 16-bit and 64-bit lengths.
      const messages = [100, 5000, 70_000].map((n, k) => new Uint8Array(n).fill(k + 1));
      for (const message of messages) {
        // Framed from parts (as relayed edits are: a prefix, a length, the update) or whole: the same bytes.
        const frame = framedOnce(message.subarray(0, 3), message.subarray(3, 50), message.subarray(50));
        expect(frame.equals(framedOnce(message))).toBe(true);
        for (const ws of accepted) expect(sendFramed(ws, frame)).toBe(true);
        for (const ws of accepted) ws.send(Buffer.from(`after ${message.length}`));
      }
      const expected = messages.flatMap((m) => [Buffer.from(m), Buffer.from(`after ${m.length}`)]);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("messages did not arrive")), 5000);
        const check = () => (received.every((r) => r.length === expected.length) ? (clearTimeout(timer), resolve()) : setTimeout(check, 10));
        check();
      });
      for (const r of received) expect(r).toEqual(expected);
      // A WebSocket that is closing gets nothing written directly (its owner falls back to ws.send).
      accepted[0].close();
      expect(sendFramed(accepted[0], framedOnce(new Uint8Array([1])))).toBe(false);
    } finally {
      clients.forEach((c) => c.terminate());
      wss.close();
      server.close();
    }
  });
});
