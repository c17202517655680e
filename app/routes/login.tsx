import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { getAuth, safeRedirect } from "../auth/guards.server";
import { signIn } from "../auth/signin.server";
import { Field, Notice } from "../components/ui";
import { adminExists } from "../domain/members.server";
import { documentTitle } from "../i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "common:meta.login") }];

// Retry-After from a throttled sign-in reaches the browser on document requests too.
export const headers: HeadersFunction = ({ actionHeaders }) => actionHeaders;

export function loader({ request }: LoaderFunctionArgs) {
  if (!adminExists()) throw redirect("/setup");
  if (getAuth(request)) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  return null;
}

const LoginSchema = z.object({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(128) });

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const parsed = LoginSchema.safeParse({ email: form.get("email"), password: form.get("password") });
  if (!parsed.success) return data({ error: "missing" as const, retryAfter: 0 }, { status: 400 });
  const result = await signIn(parsed.data.email, parsed.data.password, context.clientAddress ?? "unknown");
  if (result.ok) throw redirect(safeRedirect(form.get("redirectTo")), { headers: { "Set-Cookie": result.setCookie } });
  if (result.reason === "throttled")
    return data({ error: "throttled" as const, retryAfter: result.retryAfter }, { status: 429, headers: { "Retry-After": String(result.retryAfter) } });
  return data({ error: "failed" as const, retryAfter: 0 }, { status: 401 });
}

export default function Login() {
  const { t } = useTranslation("auth");
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state !== "idle";
  return (
    <div className="card auth-card">
      <h1>{t("login.title")}</h1>
      <p className="muted">{t("login.lead")}</p>
      {result?.error ? (
        <Notice tone="error">
          {result.error === "throttled" ? t("login.throttled", { minutes: Math.max(1, Math.ceil(result.retryAfter / 60)) }) : t(`login.${result.error}`)}
        </Notice>
      ) : null}
      <Form method="post" className="stack">
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/"} />
        <Field label={t("login.email")} name="email" type="email" autoComplete="username" required />
        <Field label={t("login.password")} name="password" type="password" autoComplete="current-password" required maxLength={128} />
        <div className="button-row">
          <button type="submit" className="button" disabled={busy}>
            {t("login.submit")}
          </button>
          <a href="/forgot-password">{t("login.forgot")}</a>
        </div>
      </Form>
    </div>
  );
}
