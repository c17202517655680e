/**
 * The message types of Hocuspocus's wire format and the sync steps of y-protocols, under the names
 * the collaboration code reads and writes messages with (taken from the libraries, never copied).
 */
import { MessageType } from "@hocuspocus/server";
import { messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate } from "y-protocols/sync";

export const SYNC = MessageType.Sync;
export const AWARENESS = MessageType.Awareness;
export const QUERY_AWARENESS = MessageType.QueryAwareness;
/** An acknowledgement ("SyncStatus"). */
export const SYNC_STATUS = MessageType.SyncStatus;
export const SYNC_STEP_1 = messageYjsSyncStep1;
export const SYNC_STEP_2 = messageYjsSyncStep2;
export const SYNC_UPDATE = messageYjsUpdate;
