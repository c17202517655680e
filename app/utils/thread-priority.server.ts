/**
 * Background threads yield the CPU to the event loop. On Linux a thread's nice value is its own
 * (setpriority(2) with a thread id changes only that thread), so a worker doing background work (the
 * derive worker exporting Markdown) can lower its own priority: on a small server it then takes the
 * cores the event loop relaying edits leaves idle, instead of taking turns with it.
 */
import fs from "node:fs";
import os from "node:os";

/**
 * Lowers the calling thread's priority to `nice` (0 normal, 19 lowest); true if it did. Elsewhere
 * than on Linux (no /proc/thread-self, or a nice value per process) it does nothing and says so.
 */
export function lowerThisThreadsPriority(nice: number): boolean {
  if (process.platform !== "linux") return false;
  try {
    // "<pid>/task/<tid>": the calling thread's id, which Node does not expose otherwise.
    const tid = Number(fs.readlinkSync("/proc/thread-self").split("/").pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    os.setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
