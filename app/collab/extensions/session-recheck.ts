/**
 * Re-checks every open document connection periodically: a signed-out, disabled or demoted user
 * (or one whose token was revoked) loses the socket with close code 1008; a renamed or re-roled
 * user's presence shows the new name and role from their next presence update on.
 */
import type { Connection, Extension } from "@hocuspocus/server";
import { closeSocket, type CollabContext } from "../context";
import { authenticateCredential, documentAccess } from "./authentication";

type Entry = { connection: Connection; documentName: string };
type Verdict = { auth: ReturnType<typeof authenticateCredential>; access: ReturnType<typeof documentAccess> };

/**
 * The session re-check extension and a `check` that runs one whole round now; `stop` ends the timer.
 * The timer's round reads the database for one connection per turn of the event loop, so that with
 * hundreds of editors connected the server does not stop relaying edits while it reads who they are
 * (a round over 200 connections took 150 ms in one go; eight reads in one turn still 7 ms); within a
 * round, connections with the same credential to the same document are decided once.
 */
export function sessionRecheck(options: { intervalMs: number }): { extension: Extension; check: () => void; stop: () => void } {
  const open = new Set<Entry>();

  /**
   * Re-checks one connection (verdicts memoized within the round); when the database cannot be read,
   * the connection stays. True when it read the database (no verdict for its credential yet).
   */
  const checkEntry = (entry: Entry, memo: Map<string, Verdict>): boolean => {
    if (!open.has(entry)) return false;
    const ctx = entry.connection.context as CollabContext;
    const credential = ctx.credential ?? {};
    const key = `${credential.token ?? ""}\u0000${credential.cookie ?? ""}\u0000${entry.documentName}`;
    let verdict = memo.get(key);
    const read = !verdict;
    if (!verdict) {
      try {
        const auth = authenticateCredential(credential);
        verdict = { auth, access: documentAccess(auth, entry.documentName) };
      } catch (error) {
        // The database could not be read (locked by another process, or failing): this runs on a
        // timer, where a throw would end the process. Keep the connection; the next round decides.
        console.error(`[collab] could not re-check ${entry.documentName} for user ${ctx.userId}: ${(error as Error).message}; trying again next round`);
        return true;
      }
      memo.set(key, verdict);
    }
    const { auth, access } = verdict;
    // A renamed or re-roled user's next presence says so.
    if (auth) ctx.presence = { userId: auth.user.id, name: auth.user.name, role: auth.user.role };
    if (access === "none" || (access === "read" && !ctx.readOnly)) {
      open.delete(entry);
      console.info(`[collab] closing ${entry.documentName} for user ${ctx.userId}: the right to ${access === "none" ? "read" : "edit"} it is gone`);
      closeSocket(entry.connection.webSocket, 1008, "access revoked");
    }
    return read;
  };

  /** One whole round at once. */
  const check = () => {
    const memo = new Map<string, Verdict>();
    for (const entry of [...open]) checkEntry(entry, memo);
  };

  /**
   * One round, one database read per turn of the event loop (connections whose credential was
   * decided earlier in the round go along with it, they cost nothing); a round still going when the
   * timer fires again is left to finish.
   */
  let round: NodeJS.Immediate | null = null;
  const checkInSlices = () => {
    if (round) return;
    const entries = [...open];
    const memo = new Map<string, Verdict>();
    let next = 0;
    const slice = () => {
      round = null;
      while (next < entries.length) if (checkEntry(entries[next++], memo)) break;
      if (next < entries.length) round = setImmediate(slice);
    };
    slice();
  };
  const timer = setInterval(checkInSlices, options.intervalMs);
  timer.unref();

  const extension: Extension = {
    extensionName: "session-recheck",
    async connected({ connection, documentName }) {
      const entry = { connection, documentName };
      open.add(entry);
      connection.onClose(() => open.delete(entry));
    },
  };
  return {
    extension,
    check,
    stop: () => {
      clearInterval(timer);
      if (round) clearImmediate(round);
      round = null;
    },
  };
}
