/** Loader and action of the pages behind mailed links (invitation, password reset). */
import { data, redirect } from "@remix-run/node";
import { z } from "zod";
import { PasswordSchema } from "../domain/members.schemas";
import { peekUserToken, redeemUserToken } from "../domain/members.server";
import { PortalError } from "../utils/errors";
import { parseForm } from "../utils/forms";
import { startSession } from "./signin.server";

const NewPasswordSchema = z
  .object({ password: PasswordSchema, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { message: "The two passwords differ.", path: ["confirm"] });

/** What the page shows: the person the link is for, or that the link is dead. */
export function tokenLinkLoader(token: string | undefined, purpose: "invite" | "reset") {
  const found = token ? peekUserToken(token, purpose) : null;
  return found ? { valid: true as const, user: { name: found.user.name, email: found.user.email, role: found.user.role } } : { valid: false as const };
}

/** Sets the password through the link, signs the person in and sends them home. */
export async function tokenLinkAction(request: Request, token: string | undefined, purpose: "invite" | "reset") {
  const parsed = parseForm(await request.formData(), NewPasswordSchema);
  if (!parsed.ok) return data({ errors: parsed.errors, message: null as string | null }, { status: 400 });
  try {
    const user = await redeemUserToken(token ?? "", purpose, parsed.data.password);
    return redirect("/", { headers: { "Set-Cookie": startSession(user.id) } });
  } catch (err) {
    if (err instanceof PortalError) return data({ errors: {} as Record<string, string>, message: err.message }, { status: err.status });
    throw err;
  }
}
