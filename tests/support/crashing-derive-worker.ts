/**
 * A derive worker that dies in the middle of its first export (tests/integration/collab-derived-crash.test.ts):
 * it takes the request, then its thread exits, as a worker killed by a fatal error would.
 */
import { parentPort } from "node:worker_threads";

parentPort?.on("message", (request: { type: string }) => {
  if (request.type === "derive") process.exit(3);
});
