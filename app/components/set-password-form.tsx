/** The form behind an invitation or reset link: a new password, twice. */
import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Field, Notice } from "./ui";

/** Shows the password form, or an explanation when the link is dead. */
export function SetPasswordForm(props: {
  valid: boolean;
  title: ReactNode;
  lead: ReactNode;
  invalidTitle: ReactNode;
  invalidBody: ReactNode;
  submit: ReactNode;
  result?: { errors: Record<string, string>; message: string | null };
}) {
  const { t } = useTranslation("auth");
  if (!props.valid)
    return (
      <div className="card auth-card">
        <h1>{props.invalidTitle}</h1>
        <p>{props.invalidBody}</p>
        <a className="button" href="/login">
          {t("login.title")}
        </a>
      </div>
    );
  const e = props.result?.errors ?? {};
  return (
    <div className="card auth-card">
      <h1>{props.title}</h1>
      <p className="muted">{props.lead}</p>
      {props.result?.message ? <Notice tone="error">{props.result.message}</Notice> : null}
      <Form method="post" className="stack" noValidate>
        <Field label={t("setup.password")} name="password" type="password" hint={t("setup.passwordHint")} error={e.password} autoComplete="new-password" required maxLength={128} />
        <Field label={t("setup.confirm")} name="confirm" type="password" error={e.confirm} autoComplete="new-password" required maxLength={128} />
        <button type="submit" className="button">
          {props.submit}
        </button>
      </Form>
    </div>
  );
}
