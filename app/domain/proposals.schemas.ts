/** Validation schemas for proposals, shared by the proposal forms and the API. */
import { oneLine } from "./members.schemas";
import { z } from "zod";
import { PROPOSAL_KINDS } from "../../db/schema";

/** Standard Markdown as sent by a client (the domain refuses more than 2 MiB with a 413). */
export const ProposalMarkdownSchema = z.string().max(4 * 1024 * 1024, "The text is too long.");

/** A committee code. */
export const CommitteeCodeSchema = z.string().regex(/^[A-Z]{2,5}$/, "A committee code is 2 to 5 capital letters.");

/** A new proposal: which fields go with which kind is checked here (400 naming the field). */
export const NewProposalSchema = z
  .object({
    kind: z.enum(PROPOSAL_KINDS, "Choose an amendment or a new standard."),
    title: z.string().trim().min(3, "A title has at least 3 characters.").max(200, "A title has at most 200 characters.").refine(oneLine, "A title cannot contain line breaks or control characters."),
    rationale: z.string().trim().min(10, "Explain the proposal in at least 10 characters.").max(10000, "A rationale has at most 10000 characters."),
    standardId: z.string().min(1).max(40).optional().meta({ description: "amendment: the standard to amend" }),
    baseRevision: z
      .string()
      .regex(/^[0-9]{2,3}$/, "A revision number is two digits, such as 00 or 01.")
      .optional()
      .meta({ description: "amendment: the revision it is based on (default: the latest)" }),
    committee: CommitteeCodeSchema.optional().meta({ description: "new-standard: the committee that will own it" }),
    markdown: ProposalMarkdownSchema.optional().meta({
      description:
        "The initial text (default: the base revision's text, or a skeleton for a new standard); the rules of a new standard use its committee's number 000 until it exists (TAR-000.R1), renamed when applied",
    }),
  })
  .superRefine((v, ctx) => {
    if (v.kind === "amendment" && !v.standardId) ctx.addIssue({ code: "custom", path: ["standardId"], message: "Choose the standard to amend." });
    if (v.kind === "new-standard") {
      if (!v.committee) ctx.addIssue({ code: "custom", path: ["committee"], message: "Choose the committee of the new standard." });
      if (v.standardId) ctx.addIssue({ code: "custom", path: ["standardId"], message: "A proposal for a new standard has no standardId; use kind \"amendment\" to change an existing standard." });
      if (v.baseRevision) ctx.addIssue({ code: "custom", path: ["baseRevision"], message: "A proposal for a new standard has no base revision." });
    }
  });
