/**
 * Published releases for serving tests and the benchmark.
 *
 * `publishTestRelease` goes through the real publishing path (freeze a revision, an approved
 * ballot on it, `publishRelease`: signed manifest, files, index, event). The ballot is written as
 * closed-and-approved directly: voting is the ballots tests' business, not serving's.
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { ballots, users } from "../../db/schema";
import { actorFor } from "../../app/auth/actor.server";
import { saveDraft } from "../../app/domain/drafts.server";
import { publishRelease, type ReleaseManifest } from "../../app/domain/releases.server";
import { freezeRevision } from "../../app/domain/revisions.server";
import { db } from "../../app/utils/db.server";

/**
 * Writes a closed ballot that approved `revision` of `standardId` (opened and closed at `now`), so
 * the revision may be published. Voting is the ballots tests' business, not serving's.
 */
export function recordApprovingBallot(standardId: string, revision: { number: string; hash: string }, adminId: string, now = new Date()): void {
  const at = now.toISOString();
  db()
    .insert(ballots)
    .values({
      id: randomUUID(),
      standardId,
      revision: revision.number,
      subjectHash: revision.hash,
      ruleJson: JSON.stringify("simple-majority"),
      voterUnit: "individual",
      eligibleJson: JSON.stringify({ roles: ["expert"] }),
      opensAt: at,
      closesAt: at,
      status: "closed",
      result: "approved",
      closedAt: at,
      createdBy: adminId,
      createdAt: at,
    })
    .run();
}

/**
 * Publishes the standard's draft (replaced by `markdown` when given) through the real path: a new
 * frozen revision, a closed approved ballot on it, then `publishRelease` by the admin. Returns the
 * signed manifest and its exact bytes as served.
 */
export function publishTestRelease(input: { standard: string; adminId: string; markdown?: string; version?: string; now?: Date }): { manifest: ReleaseManifest; version: string } {
  const d = db();
  if (input.markdown !== undefined) saveDraft({ standardId: input.standard, markdown: input.markdown, actorId: input.adminId });
  const revision = freezeRevision({ standardId: input.standard, actorId: input.adminId });
  recordApprovingBallot(input.standard, revision, input.adminId, input.now);
  const admin = d.select().from(users).where(eq(users.id, input.adminId)).get();
  if (!admin) throw new Error(`No user ${input.adminId}`);
  const manifest = publishRelease({ standardId: input.standard, revision: revision.number, version: input.version }, actorFor(admin), input.now);
  return { manifest, version: manifest.signed.version };
}
