// The derive worker's entry: registers tsx's loader in the worker's own thread, then loads the
// TypeScript worker. (Node 20 does not apply `--import tsx` from a Worker's execArgv, nor the main
// thread's loader hooks, to a worker; registering here works in `npm start`, Vitest and `npx tsx`.)
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
