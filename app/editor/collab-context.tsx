/**
 * The collaborative document around an editor, for the parts that need more than Lexical's
 * composer context (presence, the status pill, anchored comments): the Y.Doc, the Hocuspocus
 * provider, the document name, who this user is (with their cursor colour) and the live
 * connection state. `useCollab()` is null outside a collaborative editor.
 */
import type { HocuspocusProvider } from "@hocuspocus/provider";
import { createContext, useContext, useMemo, useSyncExternalStore, type ReactNode } from "react";
import type * as Y from "yjs";
import type { CollabConnection, CollabSnapshot, CollabStatus } from "./collab-provider";

/** The user at this end of the document, as others see them in presence and cursors. */
export type CollabUser = { id: string; name: string; role: string; color: string };

/** What `useCollab()` gives. */
export type CollabValue = {
  doc: Y.Doc;
  provider: HocuspocusProvider;
  docName: string;
  user: CollabUser;
  status: CollabStatus;
  /** Local changes the server has not acknowledged yet. */
  unsynced: number;
  /** True when the server let this connection read only (observers, frozen documents). */
  readOnly: boolean;
  /** True when the server refused the connection (signed out, access withdrawn). */
  refused: boolean;
  /** True once the document's content first arrived from the server (until then the editor is empty). */
  loaded: boolean;
};

/** The collaborative document context (null outside a collaborative editor). */
export const CollabContext = createContext<CollabValue | null>(null);

/** The collaborative document around the calling component, or null. */
export function useCollab(): CollabValue | null {
  return useContext(CollabContext);
}

const NOTHING: CollabSnapshot = { status: "connecting", unsynced: 0, readOnly: false, refused: false, loaded: false };

/** Provides `useCollab()` for one open connection, re-rendering when its state changes. */
export function CollabProvider({ connection, user, children }: { connection: CollabConnection; user: CollabUser; children: ReactNode }) {
  const state = useSyncExternalStore(connection.subscribe, connection.snapshot, () => NOTHING);
  const value = useMemo<CollabValue>(
    () => ({ doc: connection.doc, provider: connection.provider, docName: connection.name, user, ...state }),
    [connection, user, state],
  );
  return <CollabContext.Provider value={value}>{children}</CollabContext.Provider>;
}
