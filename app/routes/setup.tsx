import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { notFound } from "../auth/guards.server";
import { startSession } from "../auth/signin.server";
import { Field, Notice } from "../components/ui";
import { CountrySchema, EmailSchema, PasswordSchema, PersonNameSchema } from "../domain/members.schemas";
import { adminExists, setupSecretariat } from "../domain/members.server";
import { parseForm } from "../utils/forms";
import { PortalError } from "../utils/errors";
import { documentTitle } from "../i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "common:meta.setup") }];

const SetupSchema = z
  .object({
    orgName: z.string().trim().min(2, "Enter the organisation's name.").max(160),
    country: CountrySchema,
    name: PersonNameSchema,
    email: EmailSchema,
    password: PasswordSchema,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { message: "The two passwords differ.", path: ["confirm"] });

export function loader() {
  // Once an admin exists the page is gone.
  if (adminExists()) throw notFound();
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  if (adminExists()) throw notFound();
  const parsed = parseForm(await request.formData(), SetupSchema);
  if (!parsed.ok) return data({ errors: parsed.errors, values: parsed.values, message: null }, { status: 400 });
  try {
    const admin = await setupSecretariat(parsed.data);
    return redirect("/admin", { headers: { "Set-Cookie": startSession(admin.id) } });
  } catch (err) {
    if (err instanceof PortalError) return data({ errors: err.fields ?? {}, values: parsed.data as unknown as Record<string, string>, message: err.message }, { status: err.status });
    throw err;
  }
}

export default function Setup() {
  const { t } = useTranslation("auth");
  const result = useActionData<typeof action>();
  const e = result?.errors ?? {};
  const v = result?.values ?? {};
  return (
    <div className="card auth-card">
      <h1>{t("setup.title")}</h1>
      <p className="muted">{t("setup.lead")}</p>
      {result?.message ? <Notice tone="error">{result.message}</Notice> : null}
      <Form method="post" className="stack" noValidate>
        <Field label={t("setup.orgName")} name="orgName" defaultValue={v.orgName ?? t("setup.orgNameDefault")} error={e.orgName} required />
        <Field label={t("setup.country")} name="country" hint={t("setup.countryHint")} defaultValue={v.country ?? "CH"} error={e.country} required maxLength={2} />
        <Field label={t("setup.name")} name="name" defaultValue={v.name} error={e.name} autoComplete="name" required />
        <Field label={t("setup.email")} name="email" type="email" defaultValue={v.email} error={e.email} autoComplete="username" required />
        <Field label={t("setup.password")} name="password" type="password" hint={t("setup.passwordHint")} error={e.password} autoComplete="new-password" required maxLength={128} />
        <Field label={t("setup.confirm")} name="confirm" type="password" error={e.confirm} autoComplete="new-password" required maxLength={128} />
        <button type="submit" className="button">
          {t("setup.submit")}
        </button>
      </Form>
    </div>
  );
}
