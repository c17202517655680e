/** The comment-resolution log as CSV for the signed-in reader of the draft (the same file as GET /api/v1/standards/{id}/comments.csv). */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getAuth, notFound } from "../auth/guards.server";
import { commentsCsv } from "../domain/comments.server";
import { getStandard } from "../domain/standards.server";
import { can } from "../policies/policy";

export function loader({ request, params }: LoaderFunctionArgs) {
  const actor = getAuth(request)?.actor ?? null;
  const standard = getStandard(params.id ?? "");
  if (!standard || !can(actor, "standard.readDraft", standard)) throw notFound();
  return new Response(commentsCsv({ actor, standardId: standard.id }), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${standard.id}-comments.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
