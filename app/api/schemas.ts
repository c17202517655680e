/** Response schemas of the API (request schemas live with their domain, in app/domain/*.schemas.ts). */
import { z } from "zod";
import { ORG_KINDS, ROLES, USER_STATUSES } from "../../db/schema";

export const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()).optional() }),
});

export const OrgSchema = z.object({ id: z.string(), name: z.string(), kind: z.enum(ORG_KINDS), country: z.string(), createdAt: z.string() });
export const CommitteeSchema = z.object({ code: z.string(), name: z.string(), description: z.string(), createdAt: z.string() });
export const UserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  orgId: z.string(),
  role: z.enum(ROLES),
  status: z.enum(USER_STATUSES),
  votingRepresentative: z.boolean(),
  committees: z.array(z.string()),
  createdAt: z.string(),
});

// ─── Signed documents (release manifests, the index, checkpoints) ────────────────────────────────

export const SignatureSchema = z.object({
  keyid: z.string().meta({ description: "Hex SHA-256 of the signing key's raw 32-byte public key" }),
  sig: z.string().meta({ description: "Base64 Ed25519 signature over the RFC 8785 canonical JSON of `signed`" }),
});
export const KeySchema = z.object({ keyid: z.string(), algorithm: z.literal("ed25519"), publicKey: z.string(), role: z.enum(["release", "index"]) });
const FileHashSchema = z.object({ sha256: z.string(), length: z.number().int() });

export const ManifestSchema = z
  .object({
    signed: z.object({
      _type: z.literal("release"),
      standard: z.string(),
      version: z.string(),
      publishedAt: z.string(),
      effectiveFrom: z.string(),
      supersedes: z.string().nullable(),
      revisionHash: z.string().meta({ description: "Hex SHA-256 of the revision's standard Markdown" }),
      ballotId: z.string().meta({ description: "The closed ballot that approved the revision" }),
      files: z.record(z.string(), FileHashSchema).meta({ description: "ruleset.json, conformance.json, document.md, document.html: hex SHA-256 and length in bytes" }),
    }),
    signatures: z.array(SignatureSchema),
  })
  .meta({ description: "The signed release manifest, signed with the release key (GET /keys); byte-identical forever" });

export const IndexSchema = z
  .object({
    signed: z.object({
      _type: z.literal("index"),
      version: z.number().int(),
      expires: z.string(),
      releases: z.record(z.string(), FileHashSchema).meta({ description: "Per `<id>@<version>`: hex SHA-256 and length of that release's manifest as served" }),
      keys: z.array(KeySchema).meta({ description: "Addition to the contract: the release key, so that pinning the index key pins it too (ADR 0011)" }),
    }),
    signatures: z.array(SignatureSchema),
  })
  .meta({ description: "The signed index of every release, signed with the index key" });
