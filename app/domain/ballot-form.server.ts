/**
 * The "open a ballot" form: its fields (strings, as a browser posts them) to the input of
 * `createBallot`, with field errors a person can act on. Times arrive as datetime-local values in
 * the browser's time zone (posted alongside as `timeZone`; UTC without JavaScript).
 */
import { z } from "zod";
import { wallTimeToUtc } from "../utils/zoned-time";
import { fieldErrors } from "../utils/errors";
import type { CreateBallotInput } from "./ballots.server";
import { RULE_PRESETS, type BallotRule } from "./tally";

/** The form's fields; repeated checkboxes (roles, committees) arrive as arrays. */
const FormSchema = z.object({
  subject: z.string().regex(/^(revision:[A-Z0-9-]+:[0-9]{2,3}|proposal:[\w-]+)$/, "Choose what the ballot is on."),
  rule: z.enum([...RULE_PRESETS, "custom"], { message: "Choose a rule." }),
  approveFraction: z.string().optional(),
  approveOf: z.enum(["cast", "eligible"]).optional(),
  maxDisapproveFraction: z.string().optional(),
  maxDisapproveOf: z.enum(["cast", "eligible"]).optional(),
  excludeDisapproveWithoutReason: z.boolean(),
  voterUnit: z.enum(["individual", "organization"], { message: "Choose who votes: each person or each organisation." }),
  roles: z.array(z.enum(["expert", "member"])).min(1, "Choose at least one role."),
  committees: z.array(z.string().regex(/^[A-Z]{2,5}$/)),
  quorum: z.string().optional(),
  opensAt: z.string().optional(),
  closesAt: z.string().min(1, "Choose when the ballot closes."),
  timeZone: z.string().optional(),
  resultsVisible: z.enum(["live", "after-close"]),
});

export type BallotFormResult = { ok: true; input: CreateBallotInput } | { ok: false; errors: Record<string, string>; values: Record<string, string | string[]> };

/** A percentage field (e.g. "66.67") as a fraction from 0 to 1, or an error message. */
function percentField(raw: string | undefined, required: boolean): number | null | string {
  const text = (raw ?? "").trim().replace(",", ".");
  if (!text) return required ? "Enter a percentage from 0 to 100." : null;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 100) return "Enter a percentage from 0 to 100.";
  // Keep the decimal as written: 66.67 % → 0.6667, not 0.6667000000000001.
  return Number((n / 100).toFixed(8));
}

/** Reads the posted form into `createBallot`'s input, or field errors (keys match the form's field names). */
export function parseBallotForm(form: FormData): BallotFormResult {
  const values: Record<string, string | string[]> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string") values[k] = form.getAll(k).length > 1 || k === "roles" || k === "committees" ? form.getAll(k).map(String) : v;
  const raw = {
    ...Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === "" ? undefined : v])),
    roles: form.getAll("roles").map(String),
    committees: form.getAll("committees").map(String),
    excludeDisapproveWithoutReason: form.get("excludeDisapproveWithoutReason") === "on",
  };
  const parsed = FormSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error.issues), values };
  const f = parsed.data;
  const errors: Record<string, string> = {};

  let rule: BallotRule;
  if (f.rule === "custom") {
    const approve = percentField(f.approveFraction, true);
    const max = percentField(f.maxDisapproveFraction, false);
    if (typeof approve === "string") errors.approveFraction = approve;
    if (typeof max === "string") errors.maxDisapproveFraction = max;
    rule = {
      approve: { fraction: typeof approve === "number" ? approve : 0, of: f.approveOf ?? "cast" },
      ...(typeof max === "number" ? { maxDisapprove: { fraction: max, of: f.maxDisapproveOf ?? "cast" } } : {}),
      ...(f.excludeDisapproveWithoutReason ? { excludeDisapproveWithoutReason: true } : {}),
    };
  } else rule = f.rule;

  const quorum = percentField(f.quorum, false);
  if (typeof quorum === "string") errors.quorum = quorum;
  const opensAt = f.opensAt ? wallTimeToUtc(f.opensAt, f.timeZone) : undefined;
  if (opensAt === null) errors.opensAt = "Enter a date and time.";
  const closesAt = wallTimeToUtc(f.closesAt, f.timeZone);
  if (!closesAt) errors.closesAt = "Enter a date and time.";
  if (Object.keys(errors).length) return { ok: false, errors, values };

  const [kind, ...rest] = f.subject.split(":");
  const subject = kind === "proposal" ? { proposalId: rest.join(":") } : { standardId: rest[0], revision: rest[1] };
  return {
    ok: true,
    input: {
      subject,
      rule,
      voterUnit: f.voterUnit,
      eligible: { roles: f.roles, ...(f.committees.length ? { committees: f.committees } : {}) },
      quorum: typeof quorum === "number" ? quorum : null,
      ...(opensAt ? { opensAt } : {}),
      closesAt: closesAt!,
      resultsVisible: f.resultsVisible,
    },
  };
}
