/** Reading HTML forms with zod: values in, either typed data or field errors out. */
import type { z } from "zod";
import { fieldErrors } from "./errors";

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: Record<string, string>; values: Record<string, string> };

/** Validates a form submission against a schema. Checkbox fields listed in `booleans` become booleans; `arrays` collect repeated fields. */
export function parseForm<T>(
  form: FormData,
  schema: z.ZodType<T>,
  options: { booleans?: string[]; arrays?: string[] } = {},
): FormResult<T> {
  const raw: Record<string, unknown> = {};
  const values: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value !== "string") continue;
    if (options.arrays?.includes(key)) {
      (raw[key] as string[] | undefined) ? (raw[key] as string[]).push(value) : (raw[key] = [value]);
      continue;
    }
    raw[key] = value;
    if (!/password/i.test(key)) values[key] = value;
  }
  for (const key of options.booleans ?? []) raw[key] = form.get(key) === "on" || form.get(key) === "true";
  for (const key of options.arrays ?? []) raw[key] ??= [];
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, data: r.data };
  return { ok: false, errors: fieldErrors(r.error.issues), values };
}
