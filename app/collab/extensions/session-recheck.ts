/**
 * Re-checks every open document connection periodically: a signed-out, disabled or demoted user
 * (or one whose token was revoked) loses the socket with close code 1008; a renamed or re-roled
 * user's presence shows the new name and role from their next presence update on.
 */
import type { Connection, Extension } from "@hocuspocus/server";
import { closeSocket, type CollabContext } from "../context";
import { authenticateCredential, documentAccess } from "./authentication";

/** The session re-check extension and a `check` that runs one round now; `stop` ends the timer. */
export function sessionRecheck(options: { intervalMs: number }): { extension: Extension; check: () => void; stop: () => void } {
  const open = new Set<{ connection: Connection; documentName: string }>();

  const check = () => {
    for (const entry of open) {
      const ctx = entry.connection.context as CollabContext;
      let auth: ReturnType<typeof authenticateCredential>;
      let access: ReturnType<typeof documentAccess>;
      try {
        auth = authenticateCredential(ctx.credential ?? {});
        access = documentAccess(auth, entry.documentName);
      } catch (error) {
        // The database could not be read (locked by another process, or failing): this runs on a
        // timer, where a throw would end the process. Keep the connection; the next round decides.
        console.error(`[collab] could not re-check ${entry.documentName} for user ${ctx.userId}: ${(error as Error).message}; trying again next round`);
        continue;
      }
      // A renamed or re-roled user's next presence says so.
      if (auth) ctx.presence = { userId: auth.user.id, name: auth.user.name, role: auth.user.role };
      if (access === "none" || (access === "read" && !ctx.readOnly)) {
        open.delete(entry);
        console.info(`[collab] closing ${entry.documentName} for user ${ctx.userId}: the right to ${access === "none" ? "read" : "edit"} it is gone`);
        closeSocket(entry.connection.webSocket, 1008, "access revoked");
      }
    }
  };
  const timer = setInterval(check, options.intervalMs);
  timer.unref();

  const extension: Extension = {
    extensionName: "session-recheck",
    async connected({ connection, documentName }) {
      const entry = { connection, documentName };
      open.add(entry);
      connection.onClose(() => open.delete(entry));
    },
  };
  return { extension, check, stop: () => clearInterval(timer) };
}
