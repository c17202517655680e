/**
 * A child process of the test run that prints `listening on port N` when it is ready: the portal
 * (`server.ts`) or the test portal (`tests/support/collab-server-main.ts`), started with node + tsx.
 */
import { spawn, type ChildProcess } from "node:child_process";

export type ListeningProcess = { child: ChildProcess; port: number; output: () => string };

/**
 * Spawns `node ...args` with `env` (added to this process's), collects its stdout and stderr, and
 * resolves once it prints `listening on port N`; rejects (with its output) if it exits first or
 * does not listen within `timeoutMs`. `track` receives the child at once so callers can kill it.
 */
export async function spawnListening(
  args: string[],
  env: Record<string, string>,
  opts: { timeoutMs: number; name?: string; track?: (child: ChildProcess) => void },
): Promise<ListeningProcess> {
  const name = opts.name ?? "server";
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  opts.track?.(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}`)), opts.timeoutMs);
    const check = () => {
      const m = /listening on port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", () => reject(new Error(`${name} exited:\n${out}`)));
  });
  return { child, port, output: () => out };
}

/** Resolves when the process has exited (at once if it already has). */
export const exited = (child: ChildProcess) =>
  new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", () => r())));
