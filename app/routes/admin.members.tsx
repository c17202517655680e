/** Members: everyone with an account, and the form that invites a new person by email. */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useOutlet } from "@remix-run/react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { OrgKind, Role } from "../../db/schema";
import { requireAbility } from "../auth/guards.server";
import { EmptyState, Field, Notice, StatusBadge } from "../components/ui";
import { mailDeliveryConfigured } from "../domain/mail.server";
import { UserInputSchema } from "../domain/members.schemas";
import { createUser, listCommittees, listOrganizations, listUsers, roleOrganizationKinds } from "../domain/members.server";
import { documentTitle } from "../i18n/i18n";
import { useRootData } from "../root";
import { PortalError } from "../utils/errors";
import { parseForm } from "../utils/forms";

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "admin:meta.members") }];

/** Members, and what the invitation form offers: organisations, committees and which role fits which organisation. */
export function loader({ request }: LoaderFunctionArgs) {
  requireAbility(request, "user.list");
  return {
    members: listUsers(),
    organisations: listOrganizations().map((o) => ({ id: o.id, name: o.name, kind: o.kind, country: o.country })),
    committees: listCommittees().map((c) => ({ code: c.code, name: c.name })),
    roleKinds: roleOrganizationKinds(),
    mailDelivery: mailDeliveryConfigured(),
  };
}

type Result = {
  ok: boolean;
  errors: Record<string, string>;
  values: Record<string, string>;
  committees: string[];
  voting: boolean;
  message: string | null;
  invited: { name: string; email: string; link: string | null } | null;
};

/** Invites a member: the account waits, without a password, until the person opens the mailed link. */
export async function action({ request }: ActionFunctionArgs) {
  const auth = requireAbility(request, "user.create");
  const form = await request.formData();
  const parsed = parseForm(form, UserInputSchema, { arrays: ["committees"], booleans: ["votingRepresentative"] });
  const refill = { committees: form.getAll("committees").map(String), voting: form.get("votingRepresentative") === "on" };
  if (!parsed.ok) return data<Result>({ ok: false, errors: parsed.errors, values: parsed.values, ...refill, message: null, invited: null }, { status: 400 });
  try {
    // This form only invites: a password, if one was posted anyway, is ignored.
    const { user, invitationLink } = await createUser({ ...parsed.data, password: undefined }, auth.user.id);
    return data<Result>({ ok: true, errors: {}, values: {}, committees: [], voting: false, message: null, invited: { name: user.name, email: user.email, link: invitationLink ?? null } });
  } catch (err) {
    if (!(err instanceof PortalError)) throw err;
    const values = { email: parsed.data.email, name: parsed.data.name, orgId: parsed.data.orgId, role: parsed.data.role };
    return data<Result>({ ok: false, errors: err.fields ?? {}, values, ...refill, message: err.message, invited: null }, { status: err.status });
  }
}

/** The members page; an edit page below it (/admin/members/:id) replaces it. */
export default function AdminMembers() {
  const outlet = useOutlet();
  return outlet ?? <MembersPage />;
}

function MembersPage() {
  const { t } = useTranslation(["admin", "common"]);
  const { members, organisations, committees, roleKinds } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();

  return (
    <>
      <div className="section-head">
        <h2>{t("members.title")}</h2>
        <p className="muted">{t("members.lead")}</p>
      </div>

      {result?.ok && result.invited ? <InvitationNotice invited={result.invited} /> : null}

      <section aria-labelledby="members-list">
        <h3 id="members-list" className="visually-hidden">
          {t("members.listTitle")}
        </h3>
        {members.length === 0 ? (
          <EmptyState title={t("members.empty")}>{t("members.emptyBody")}</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="data data--stack">
              <thead>
                <tr>
                  <th scope="col">{t("members.columns.name")}</th>
                  <th scope="col">{t("members.columns.organisation")}</th>
                  <th scope="col">{t("members.columns.role")}</th>
                  <th scope="col">{t("members.columns.committees")}</th>
                  <th scope="col">{t("members.columns.voting")}</th>
                  <th scope="col">{t("members.columns.status")}</th>
                </tr>
              </thead>
              <tbody>
                {members.map((m) => (
                  <tr key={m.id}>
                    <th scope="row" className="cell-person">
                      <Link to={`/admin/members/${m.id}`} className="cell-strong" aria-label={t("members.edit", { name: m.name })}>
                        {m.name}
                      </Link>
                      <span className="cell-sub">{m.email}</span>
                    </th>
                    <td data-label={t("members.columns.organisation")}>
                      {m.org.name}
                      <span className="cell-sub">{t(`common:orgKinds.${m.org.kind}`)}</span>
                    </td>
                    <td data-label={t("members.columns.role")}>
                      <span className={`role-badge role-badge--${m.role}`}>{t(`common:roles.${m.role}`)}</span>
                    </td>
                    <td data-label={t("members.columns.committees")}>
                      {m.committees.length ? (
                        <span className="tag-list">
                          {m.committees.map((code) => (
                            <span key={code} className="code-tag">
                              {code}
                            </span>
                          ))}
                        </span>
                      ) : (
                        <span className="muted">{t("shared.none")}</span>
                      )}
                    </td>
                    <td data-label={t("members.columns.voting")}>{m.votingRepresentative ? t("members.votingYes") : <span className="muted">{t("shared.none")}</span>}</td>
                    <td data-label={t("members.columns.status")}>
                      <StatusBadge status={m.status} label={t(`common:userStatus.${m.status}`)} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {/* A new key after each invitation starts the form afresh. */}
      <InviteForm key={result?.ok && result.invited ? result.invited.email : "invite"} organisations={organisations} committees={committees} roleKinds={roleKinds} result={result} />
    </>
  );
}

function InvitationNotice({ invited }: { invited: { name: string; email: string; link: string | null } }) {
  const { t } = useTranslation("admin");
  return (
    <Notice tone="success" title={t("members.invitedTitle", { name: invited.name })}>
      <p>{t("members.invitedMailed", { email: invited.email })}</p>
      {invited.link ? (
        <>
          <p>{t("members.invitedLink")}</p>
          <p className="secret">{invited.link}</p>
        </>
      ) : null}
      <p>
        {t("members.invitedOutbox")} <Link to="/admin/outbox">{t("members.openOutbox")}</Link>
      </p>
    </Notice>
  );
}

type Org = { id: string; name: string; kind: OrgKind; country: string };

function InviteForm({
  organisations,
  committees,
  roleKinds,
  result,
}: {
  organisations: Org[];
  committees: { code: string; name: string }[];
  roleKinds: Record<Role, OrgKind[]>;
  result: Result | undefined;
}) {
  const { t } = useTranslation(["admin", "common"]);
  const { locale } = useRootData();
  const busy = useNavigation().state === "submitting";
  const failed = result && !result.ok ? result : null;
  const e = failed?.errors ?? {};
  const v = failed?.values ?? {};
  const roles = Object.keys(roleKinds) as Role[];
  const [role, setRole] = useState<Role>(roles.find((r) => r === v.role) ?? "member");
  const [orgId, setOrgId] = useState(v.orgId ?? "");
  const org = organisations.find((o) => o.id === orgId);
  const kindList = (kinds: OrgKind[]) => listOf(locale, kinds.map((k) => t(`common:orgKinds.${k}`)));
  // The server's refusal, once shown, says the same; no need to repeat it.
  const mismatch = org && !roleKinds[role].includes(org.kind) && !(e.role && role === v.role && orgId === v.orgId);

  return (
    <section className="card invite-card" aria-labelledby="members-invite">
      <h3 id="members-invite">{t("members.inviteTitle")}</h3>
      <p className="muted">{t("members.inviteLead")}</p>
      {organisations.length === 0 ? (
        <Notice tone="warning">
          {t("members.noOrganisations")} <Link to="/admin/organisations">{t("overview.checklist.go.organisations")}</Link>
        </Notice>
      ) : null}
      {failed?.message ? <Notice tone="error">{failed.message}</Notice> : null}
      {failed && !failed.message ? <Notice tone="error">{t("shared.fixErrors")}</Notice> : null}
      <Form method="post" className="stack" noValidate>
        <div className="form-row">
          <Field label={t("members.email")} name="email" type="email" defaultValue={v.email} error={e.email} required autoComplete="off" maxLength={254} />
          <Field label={t("members.name")} name="name" defaultValue={v.name} error={e.name} required autoComplete="off" maxLength={120} />
        </div>
        <div className="form-row">
          <Field label={t("members.organisation")} name="orgId" error={e.orgId}>
            <select
              id="field-orgId"
              name="orgId"
              defaultValue={v.orgId ?? ""}
              onChange={(ev) => setOrgId(ev.target.value)}
              aria-invalid={e.orgId ? true : undefined}
              aria-describedby={e.orgId ? "field-orgId-error" : undefined}
            >
              <option value="">{t("members.chooseOrganisation")}</option>
              {organisations.map((o) => (
                <option key={o.id} value={o.id}>
                  {t("members.organisationOption", { name: o.name, kind: t(`common:orgKinds.${o.kind}`), country: o.country })}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t("members.role")} name="role" error={e.role}>
            <select
              id="field-role"
              name="role"
              value={role}
              onChange={(ev) => setRole(ev.target.value as Role)}
              aria-invalid={e.role ? true : undefined}
              aria-describedby={["role-hints", mismatch ? "role-mismatch" : null, e.role ? "field-role-error" : null].filter(Boolean).join(" ")}
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {t(`common:roles.${r}`)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        {mismatch ? (
          <p className="inline-warning" id="role-mismatch" role="status">
            {t("members.roleMismatch", { org: org.name, kind: t(`common:orgKinds.${org.kind}`), kinds: kindList(roleKinds[role]) })}
          </p>
        ) : null}
        <div className="role-hints" id="role-hints">
          <p className="role-hints__title">{t("members.roleHintsLabel")}</p>
          <ul>
            {roles.map((r) => (
              <li key={r} className={r === role ? "role-hints__item role-hints__item--current" : "role-hints__item"}>
                <span className={`role-badge role-badge--${r}`}>{t(`common:roles.${r}`)}</span> {t(`members.roleSummaries.${r}`)}{" "}
                <span className="muted">{t("members.roleFits", { kinds: kindList(roleKinds[r]) })}</span>
              </li>
            ))}
          </ul>
        </div>
        <fieldset aria-describedby="field-committees-hint">
          <legend>{t("members.committees")}</legend>
          <p className="field__hint" id="field-committees-hint">
            {committees.length ? t("members.committeesHint") : t("members.noCommittees")}
          </p>
          <div className="checkbox-grid">
            {committees.map((c) => (
              <label key={c.code} className="checkbox">
                <input type="checkbox" name="committees" value={c.code} defaultChecked={failed?.committees.includes(c.code)} />
                <span>{t("members.committeeOption", { code: c.code, name: c.name })}</span>
              </label>
            ))}
          </div>
          {committeesError(e) ? <p className="field__error">{committeesError(e)}</p> : null}
        </fieldset>
        <div className={`field${e.votingRepresentative ? " field--error" : ""}`}>
          <label className="checkbox">
            <input
              type="checkbox"
              name="votingRepresentative"
              defaultChecked={failed?.voting}
              disabled={role !== "member"}
              aria-describedby={`field-votingRepresentative-hint${e.votingRepresentative ? " field-votingRepresentative-error" : ""}`}
            />
            <span>{t("members.voting")}</span>
          </label>
          <p className="field__hint field__hint--after" id="field-votingRepresentative-hint">
            {t("members.votingHint")}
          </p>
          {e.votingRepresentative ? (
            <p className="field__error" id="field-votingRepresentative-error">
              {e.votingRepresentative}
            </p>
          ) : null}
        </div>
        <button type="submit" className="button" disabled={busy || organisations.length === 0}>
          {t("members.submit")}
        </button>
      </Form>
    </section>
  );
}

/** "A, B or C" in the reader's language. */
function listOf(locale: string, items: string[]): string {
  try {
    return new Intl.ListFormat(locale, { type: "disjunction" }).format(items);
  } catch {
    return items.join(", ");
  }
}

/** The committees field's error; zod names a bad item by its index (`committees.2`). */
function committeesError(errors: Record<string, string>): string | undefined {
  return errors.committees ?? Object.entries(errors).find(([key]) => key.startsWith("committees."))?.[1];
}
