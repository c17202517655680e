import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { tokenLinkAction, tokenLinkLoader } from "../auth/token-links.server";
import { SetPasswordForm } from "../components/set-password-form";
import { documentTitle } from "../i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "common:meta.invite") }, { name: "referrer", content: "no-referrer" }];

export const loader = ({ params }: LoaderFunctionArgs) => tokenLinkLoader(params.token, "invite");
export const action = ({ request, params }: ActionFunctionArgs) => tokenLinkAction(request, params.token, "invite");

export default function AcceptInvitation() {
  const { t } = useTranslation(["auth", "common"]);
  const link = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <SetPasswordForm
      valid={link.valid}
      title={t("invite.title")}
      lead={link.valid ? t("invite.lead", { name: link.user.name, email: link.user.email, role: t(`common:roles.${link.user.role}`) }) : null}
      invalidTitle={t("invite.invalid")}
      invalidBody={t("invite.invalidBody")}
      submit={t("invite.submit")}
      result={result}
    />
  );
}
