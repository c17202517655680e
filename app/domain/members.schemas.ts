/** Validation schemas for organisations, committees and members, shared by forms and the API. */
import { z } from "zod";
import { ORG_KINDS, ROLES } from "../../db/schema";
import { PASSWORD_MAX, PASSWORD_MIN } from "../auth/password.constants";
import { COUNTRY_CODES } from "./countries";

export const EmailSchema = z
  .string()
  .trim()
  .min(3, "Enter an email address.")
  .max(254, "An email address has at most 254 characters.")
  .email("Enter a valid email address, like name@example.org.")
  .transform((v) => v.toLowerCase());

export const PasswordSchema = z
  .string()
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
  .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`);

/** Names and titles are one line: control characters (newlines included) would forge log lines, mail headers and CSV rows. */
export const oneLine = (v: string) => !/[\u0000-\u001f\u007f\u2028\u2029]/.test(v);
const ONE_LINE = "A name cannot contain line breaks or control characters.";

export const PersonNameSchema = z
  .string()
  .trim()
  .min(1, "Enter a name.")
  .max(120, "A name has at most 120 characters.")
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "A name cannot contain control characters.");

export const CountrySchema = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .refine((v) => COUNTRY_CODES.has(v), "Use an ISO 3166-1 alpha-2 country code, like DE, CN or BR.");

export const CommitteeCodeSchema = z
  .string()
  .trim()
  .regex(/^[A-Z]{2,5}$/, "A committee code is 2 to 5 capital letters, like TAR or LOG.");

export const OrgInputSchema = z.object({
  name: z.string().trim().min(2, "Enter the organisation's name.").max(160, "At most 160 characters.").refine(oneLine, ONE_LINE),
  kind: z.enum(ORG_KINDS, { message: `Kind must be one of: ${ORG_KINDS.join(", ")}.` }),
  country: CountrySchema,
});
export type OrgInput = z.infer<typeof OrgInputSchema>;

export const CommitteeInputSchema = z.object({
  code: CommitteeCodeSchema,
  name: z.string().trim().min(2, "Enter the committee's name.").max(160, "At most 160 characters.").refine(oneLine, ONE_LINE),
  description: z.string().trim().max(2000).optional(),
});
export type CommitteeInput = z.infer<typeof CommitteeInputSchema>;

export const UserInputSchema = z.object({
  email: EmailSchema,
  name: PersonNameSchema,
  orgId: z.string().trim().min(1, "Choose an organisation."),
  role: z.enum(ROLES, { message: `Role must be one of: ${ROLES.join(", ")}.` }),
  committees: z.array(CommitteeCodeSchema).max(50).optional().default([]),
  votingRepresentative: z.boolean().optional().default(false),
  password: PasswordSchema.optional(),
});
export type UserInput = z.input<typeof UserInputSchema>;

export const UserUpdateSchema = z.object({
  name: PersonNameSchema.optional(),
  role: z.enum(ROLES).optional(),
  committees: z.array(CommitteeCodeSchema).max(50).optional(),
  votingRepresentative: z.boolean().optional(),
  status: z.enum(["active", "disabled"]).optional(),
});
export type UserUpdate = z.infer<typeof UserUpdateSchema>;

export const AccessTokenInputSchema = z.object({
  label: z.string().trim().min(1, "Give the token a label, e.g. the tool that uses it.").max(80, "At most 80 characters."),
  readOnly: z.boolean().optional().default(false),
});
