import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { tokenLinkAction, tokenLinkLoader } from "../auth/token-links.server";
import { SetPasswordForm } from "../components/set-password-form";
import { documentTitle } from "../i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "common:meta.reset") }, { name: "referrer", content: "no-referrer" }];

export const loader = ({ params }: LoaderFunctionArgs) => tokenLinkLoader(params.token, "reset");
export const action = ({ request, params }: ActionFunctionArgs) => tokenLinkAction(request, params.token, "reset");

export default function ResetPassword() {
  const { t } = useTranslation("auth");
  const link = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <SetPasswordForm
      valid={link.valid}
      title={t("reset.title")}
      lead={link.valid ? t("reset.lead", { email: link.user.email }) : null}
      invalidTitle={t("reset.invalid")}
      invalidBody={t("reset.invalidBody")}
      submit={t("reset.submit")}
      result={result}
    />
  );
}
