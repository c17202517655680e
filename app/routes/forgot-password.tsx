import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Field, Notice } from "../components/ui";
import { EmailSchema } from "../domain/members.schemas";
import { requestPasswordReset } from "../domain/members.server";
import { deliverOutbox } from "../domain/mail.server";
import { documentTitle } from "../i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "common:meta.forgot") }];

export async function action({ request }: ActionFunctionArgs) {
  const email = EmailSchema.safeParse((await request.formData()).get("email"));
  // The answer is the same whether or not the account exists.
  if (email.success) {
    requestPasswordReset(email.data);
    void deliverOutbox();
  }
  return { sent: true };
}

export default function ForgotPassword() {
  const { t } = useTranslation("auth");
  const result = useActionData<typeof action>();
  return (
    <div className="card auth-card">
      <h1>{t("forgot.title")}</h1>
      <p className="muted">{t("forgot.lead")}</p>
      {result?.sent ? <Notice tone="success">{t("forgot.sent")}</Notice> : null}
      <Form method="post" className="stack">
        <Field label={t("forgot.email")} name="email" type="email" autoComplete="username" required />
        <button type="submit" className="button">
          {t("forgot.submit")}
        </button>
      </Form>
    </div>
  );
}
