/**
 * The shape of a serialized editor state as a browser sends it back, checked before the server
 * lets Lexical parse it: a size limit, a depth limit, then a zod schema of the node tree.
 */
import type { SerializedEditorState } from "lexical";
import { z } from "zod";

/** The largest serialized state accepted, in bytes of JSON (5 MB). */
export const MAX_EDITOR_STATE_BYTES = 5 * 1024 * 1024;

/**
 * The most the browser can post to a page today: server.ts refuses any request body over 1 MiB
 * (MAX_BODY_BYTES of app/api/router.ts) before Remix sees it, with a plain-text 413. Until the
 * editor route is allowed MAX_EDITOR_STATE_BYTES there, the editor checks this before posting.
 */
export const PAGE_BODY_LIMIT_BYTES = 1024 * 1024;

/** The largest serialized state the editor page will post: the smaller of the two limits, less room for the form envelope. */
export const MAX_POSTED_STATE_BYTES = Math.min(MAX_EDITOR_STATE_BYTES, PAGE_BODY_LIMIT_BYTES) - 8 * 1024;

/** The deepest node nesting accepted (a real document nests lists and tables a few levels). */
export const MAX_EDITOR_STATE_DEPTH = 64;

type SerializedNodeShape = { type: string; version: number; children?: SerializedNodeShape[]; [key: string]: unknown };

/** One serialized node: a type, a version, maybe children; other properties are the node's own. */
export const SerializedNodeSchema: z.ZodType<SerializedNodeShape> = z.looseObject({
  type: z.string().min(1).max(64),
  version: z.number().int().nonnegative(),
  get children() {
    return z.array(SerializedNodeSchema).optional();
  },
});

/** A serialized editor state: a root node of type "root" with its children. */
export const EditorStateSchema = z.object({
  root: z.looseObject({
    type: z.literal("root"),
    version: z.number().int().nonnegative(),
    children: z.array(SerializedNodeSchema),
  }),
});

/** The nesting depth of a JSON value, computed without recursion (so a hostile value cannot overflow the stack). */
export function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > max) max = depth;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return max;
}

/** The result of reading a posted state: the state, or an HTTP status and a message that says what was wrong. */
export type ReadEditorState = { ok: true; state: SerializedEditorState } | { ok: false; status: 400 | 413; message: string };

/** Reads a serialized editor state posted as JSON text: size, JSON syntax, depth and shape. */
export function readEditorStateJson(text: string): ReadEditorState {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_EDITOR_STATE_BYTES) return { ok: false, status: 413, message: `the document is ${bytes} bytes; the limit is ${MAX_EDITOR_STATE_BYTES}` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, status: 400, message: `not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  // Each node nests two levels (the node object and its children array).
  if (jsonDepth(value) > MAX_EDITOR_STATE_DEPTH * 2 + 4)
    return { ok: false, status: 400, message: `nodes are nested more than ${MAX_EDITOR_STATE_DEPTH} levels deep` };
  const parsed = EditorStateSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, status: 400, message: `${issue.path.join(".") || "state"}: ${issue.message}` };
  }
  return { ok: true, state: parsed.data as unknown as SerializedEditorState };
}
