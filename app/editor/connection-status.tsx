/**
 * The connection state of the collaborative document, said honestly in a status pill: connected
 * (everything acknowledged, or how many changes are on their way), connecting, reconnecting, or
 * offline with the number of changes not yet saved (they stay in this page and merge on reconnect).
 * Announced politely to screen readers. Also warns before leaving the page with unsaved changes.
 */
import { useBeforeUnload } from "@remix-run/react";
import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { useCollab } from "./collab-context";

/** The status pill of the collaborative document around it (nothing outside one). */
export function ConnectionStatus() {
  const { t } = useTranslation("editor");
  const collab = useCollab();
  const unsynced = collab && !collab.readOnly ? collab.unsynced : 0;
  useBeforeUnload(
    useCallback(
      (e: BeforeUnloadEvent) => {
        if (unsynced <= 0) return;
        e.preventDefault();
        e.returnValue = t("status.leaveWarning", { count: unsynced });
      },
      [unsynced, t],
    ),
  );
  if (!collab) return null;
  const { status, refused, readOnly } = collab;
  const text = refused
    ? t("status.refused")
    : status === "connected"
      ? unsynced > 0
        ? t("status.saving", { count: unsynced })
        : readOnly
          ? t("status.liveReadOnly")
          : t("status.connected")
      : status === "connecting"
        ? t("status.connecting")
        : status === "reconnecting"
          ? unsynced > 0
            ? t("status.reconnectingUnsynced", { count: unsynced })
            : t("status.reconnecting")
          : unsynced > 0
            ? t("status.offlineUnsynced", { count: unsynced })
            : t("status.offline");
  return (
    <p className={`collab-status collab-status--${refused ? "refused" : status}`} role="status" aria-live="polite" data-status={status} data-unsynced={unsynced}>
      <span className="collab-status__dot" aria-hidden="true" />
      {text}
    </p>
  );
}
