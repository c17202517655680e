import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getAuth, notFound } from "../auth/guards.server";
import { StandardTabs } from "../components/standard-tabs";
import { EmptyState, PageHeader } from "../components/ui";
import { getStandard } from "../domain/standards.server";
import { can } from "../policies/policy";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.standard.id} comments · e-WTP` : "Comments · e-WTP" }];

export function loader({ request, params }: LoaderFunctionArgs) {
  const auth = getAuth(request);
  const standard = getStandard(params.id ?? "");
  if (!standard || !can(auth?.actor ?? null, "standard.readDraft", standard)) throw notFound();
  return { standard };
}

export default function Comments() {
  const { t } = useTranslation("standards");
  const { standard } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader eyebrow={standard.id} title={standard.title} />
      <StandardTabs id={standard.id} />
      <EmptyState title={t("comments.soon")}>{t("comments.soonBody")}</EmptyState>
    </>
  );
}
