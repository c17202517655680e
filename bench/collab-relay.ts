/**
 * The baseline of the collaboration benchmark: a raw WebSocket relay (`ws`) that forwards every
 * message it receives, unchanged, to every other socket in the same room (the URL path). No
 * authentication, no Yjs, no persistence: the least a server can do to carry the same traffic.
 *
 * Run by bench/collab.bench.ts as its own process: prints `PORT <n>` once listening; on each
 * `stats` line on standard input prints `STATS {cpuUserMs, cpuSystemMs, rssMb}`; exits on `exit`
 * or when standard input closes.
 */
import http from "node:http";
import readline from "node:readline";
import { WebSocketServer, type WebSocket } from "ws";

const rooms = new Map<string, Set<WebSocket>>();
const server = http.createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server, maxPayload: 1024 * 1024 });

wss.on("connection", (ws, req) => {
  const room = (req.url ?? "/").split("?")[0];
  let peers = rooms.get(room);
  if (!peers) rooms.set(room, (peers = new Set()));
  peers.add(ws);
  ws.on("message", (data, isBinary) => {
    for (const peer of peers) if (peer !== ws && peer.readyState === peer.OPEN) peer.send(data, { binary: isBinary });
  });
  ws.on("close", () => peers.delete(ws));
  ws.on("error", () => peers.delete(ws));
});

server.listen(0, "127.0.0.1", () => {
  console.log(`PORT ${(server.address() as { port: number }).port}`);
});

const input = readline.createInterface({ input: process.stdin });
input.on("line", (line) => {
  if (line.trim() === "stats") {
    const cpu = process.cpuUsage();
    console.log(`STATS ${JSON.stringify({ cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, rssMb: process.memoryUsage().rss / 2 ** 20 })}`);
  } else if (line.trim() === "exit") {
    process.exit(0);
  }
});
input.on("close", () => process.exit(0));
// Bounded: a relay left behind by a crashed benchmark stops by itself.
setTimeout(() => process.exit(0), 15 * 60_000).unref();
