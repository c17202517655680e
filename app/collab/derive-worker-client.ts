/**
 * The main thread's side of the derive worker (derive-worker.ts, ADR 0013): starts it, sends it
 * requests and hands its results back. The worker is unref()'d, so it never keeps the process alive;
 * when it cannot start or dies, `onFailure` is told once and the client stays dead (callers derive on
 * the main thread from then on).
 */
import { Worker } from "node:worker_threads";
import type { DeriveRequest, DeriveResult } from "./derive-worker";

export type DeriveWorker = {
  /** Sends a request (moving the buffers in `transfer`, which the caller must not use again); false when the worker is dead (nothing was sent). */
  post: (request: DeriveRequest, transfer?: ArrayBuffer[]) => boolean;
  /** True until the worker failed or was stopped. */
  alive: () => boolean;
  /** Gives the worker up as failed (it hangs): terminates it and tells `onFailure`. */
  abandon: (error: Error) => void;
  /** Terminates the worker. */
  stop: () => Promise<void>;
};

/** Starts the derive worker; `onResult` gets each answer, `onFailure` the first failure (not a `stop`). */
export function startDeriveWorker(handlers: { onResult: (result: DeriveResult) => void; onFailure: (error: Error) => void; entry?: URL }): DeriveWorker {
  let alive = true;
  let worker: Worker | null = null;
  const fail = (error: Error) => {
    if (!alive) return;
    alive = false;
    worker?.removeAllListeners();
    void worker?.terminate();
    worker = null;
    handlers.onFailure(error);
  };
  try {
    worker = new Worker(new URL("./derive-worker-boot.mjs", import.meta.url), {
      workerData: { entry: (handlers.entry ?? new URL("./derive-worker.ts", import.meta.url)).href },
      // Not the parent's flags (tsx's or Vitest's loaders): the entry registers its own.
      execArgv: [],
    });
    worker.unref();
    worker.on("message", (result: DeriveResult) => handlers.onResult(result));
    worker.on("error", (error) => fail(error));
    worker.on("messageerror", (error) => fail(error));
    worker.on("exit", (code) => fail(new Error(`the worker exited with code ${code}`)));
  } catch (error) {
    fail(error as Error);
  }
  return {
    post: (request, transfer) => {
      if (!alive || !worker) return false;
      try {
        worker.postMessage(request, transfer);
        return true;
      } catch (error) {
        fail(error as Error);
        return false;
      }
    },
    alive: () => alive,
    abandon: fail,
    stop: async () => {
      if (!worker) return;
      const w = worker;
      alive = false;
      worker = null;
      w.removeAllListeners();
      await w.terminate();
    },
  };
}
