import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getAuth } from "../auth/guards.server";
import { StandardList } from "../components/standard-list";
import { EmptyState } from "../components/ui";
import { adminExists, listCommittees } from "../domain/members.server";
import { portalCounts } from "../domain/overview.server";
import { listStandards } from "../domain/standards.server";
import { can } from "../policies/policy";

export async function loader({ request }: LoaderFunctionArgs) {
  if (!adminExists()) throw redirect("/setup");
  const auth = getAuth(request);
  const actor = auth?.actor ?? null;
  const visible = listStandards(actor);
  const published = visible.filter((s) => ["published", "superseded"].includes(s.status));
  const drafts = actor ? visible.filter((s) => !["published", "superseded", "withdrawn"].includes(s.status) && can(actor, "standard.readDraft", s)) : [];
  const committees = listCommittees();
  return {
    user: auth ? { name: auth.user.name, role: auth.user.role } : null,
    myCommittees: committees.filter((c) => actor?.committees.includes(c.code)).map((c) => ({ code: c.code, name: c.name })),
    published,
    drafts,
    counts: actor && can(actor, "user.list") ? portalCounts() : null,
  };
}

export default function Home() {
  const { t } = useTranslation();
  const d = useLoaderData<typeof loader>();
  return (
    <>
      {d.user ? (
        <section className="card" aria-labelledby="welcome">
          <h1 id="welcome">{t("home.welcome", { name: d.user.name })}</h1>
          <p className="lead">{t(`roleDescriptions.${d.user.role}`)}</p>
          <h2>{t("home.yourCommittees")}</h2>
          {d.myCommittees.length ? (
            <ul>
              {d.myCommittees.map((c) => (
                <li key={c.code}>
                  <strong>{c.code}</strong> — {c.name}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">{t("home.noCommittees")}</p>
          )}
        </section>
      ) : (
        <section className="hero" aria-labelledby="hero-title">
          <p className="eyebrow">{t("home.eyebrow")}</p>
          <h1 id="hero-title">{t("home.title")}</h1>
          <p>{t("home.lead")}</p>
          <a className="button" href="/standards">
            {t("home.browse")}
          </a>
        </section>
      )}

      {d.counts ? (
        <section aria-labelledby="admin-glance">
          <h2 id="admin-glance">{t("home.adminTitle")}</h2>
          <div className="grid grid--3">
            <div className="card stat">
              <span className="stat__value">{d.counts.organisations}</span>
              <span className="stat__label">{t("home.organisations")}</span>
            </div>
            <div className="card stat">
              <span className="stat__value">{d.counts.members}</span>
              <span className="stat__label">{t("home.members")}</span>
            </div>
            <div className="card stat">
              <span className="stat__value">{d.counts.invited}</span>
              <span className="stat__label">{t("home.pendingInvitations")}</span>
            </div>
          </div>
          <p>
            <a className="button button--quiet" href="/admin">
              {t("home.manage")}
            </a>
          </p>
        </section>
      ) : null}

      {d.user ? (
        <section aria-labelledby="drafts-title">
          <h2 id="drafts-title">{t("home.draftsTitle")}</h2>
          {d.drafts.length ? <StandardList standards={d.drafts} /> : <EmptyState title={t("home.draftsEmpty")} />}
        </section>
      ) : null}

      <section aria-labelledby="published-title">
        <h2 id="published-title">{t("home.publishedTitle")}</h2>
        {d.published.length ? (
          <StandardList standards={d.published} />
        ) : (
          <EmptyState title={t("home.publishedEmpty")}>{t("home.publishedEmptyBody")}</EmptyState>
        )}
      </section>
    </>
  );
}
