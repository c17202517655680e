/** One member: change the name, role, committees and voting flag, or disable and enable the account. */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import type { Role } from "../../db/schema";
import { notFound, requireAbility } from "../auth/guards.server";
import { Field, Notice, StatusBadge } from "../components/ui";
import { UserUpdateSchema } from "../domain/members.schemas";
import { getOrganization, getUser, listCommittees, publicUser, roleOrganizationKinds, updateUser } from "../domain/members.server";
import { documentTitle } from "../i18n/i18n";
import { useRootData } from "../root";
import { PortalError } from "../utils/errors";
import { formatDate } from "../utils/format";
import { parseForm } from "../utils/forms";

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "admin:meta.member") }];

/** The member, their organisation, the committees to choose from and the roles their organisation allows. */
export function loader({ request, params }: LoaderFunctionArgs) {
  const auth = requireAbility(request, "user.list");
  const row = params.id ? getUser(params.id) : undefined;
  if (!row) throw notFound();
  const org = getOrganization(row.orgId)!;
  const kinds = roleOrganizationKinds();
  return {
    member: publicUser(row),
    org: { id: org.id, name: org.name, kind: org.kind },
    possibleRoles: (Object.keys(kinds) as Role[]).filter((r) => kinds[r].includes(org.kind)),
    committees: listCommittees().map((c) => ({ code: c.code, name: c.name })),
    isSelf: auth.user.id === row.id,
  };
}

const IntentSchema = z.object({ intent: z.enum(["save", "status"]) });
const DetailsSchema = UserUpdateSchema.pick({ name: true, role: true, committees: true, votingRepresentative: true }).required({ name: true, role: true });
const StatusSchema = UserUpdateSchema.pick({ status: true }).required();

type Result = {
  intent: "save" | "status" | null;
  ok: boolean;
  done: "saved" | "disabled" | "enabled" | null;
  errors: Record<string, string>;
  values: Record<string, string>;
  message: string | null;
};

/** Saves the details form or changes the account's status; every refusal is shown on the page, never as a 500. */
export async function action({ request, params }: ActionFunctionArgs) {
  const form = await request.formData();
  const which = IntentSchema.safeParse({ intent: form.get("intent") });
  if (!which.success) {
    requireAbility(request, "user.update");
    return data<Result>({ intent: null, ok: false, done: null, errors: {}, values: {}, message: null }, { status: 400 });
  }
  const intent = which.data.intent;
  const fail = (status: number, errors: Record<string, string>, values: Record<string, string>, message: string | null) =>
    data<Result>({ intent, ok: false, done: null, errors, values, message }, { status });

  if (intent === "save") {
    const auth = requireAbility(request, "user.update");
    const parsed = parseForm(form, DetailsSchema, { arrays: ["committees"], booleans: ["votingRepresentative"] });
    if (!parsed.ok) return fail(400, parsed.errors, parsed.values, null);
    try {
      updateUser(params.id ?? "", parsed.data, auth.user.id);
      return data<Result>({ intent, ok: true, done: "saved", errors: {}, values: {}, message: null });
    } catch (err) {
      if (!(err instanceof PortalError)) throw err;
      if (err.code === "not_found") throw notFound();
      return fail(err.status, err.fields ?? {}, { name: parsed.data.name, role: parsed.data.role }, err.message);
    }
  }

  const parsed = parseForm(form, StatusSchema);
  if (!parsed.ok) {
    requireAbility(request, "user.update");
    return fail(400, parsed.errors, {}, parsed.errors.status ?? null);
  }
  const auth = requireAbility(request, parsed.data.status === "disabled" ? "user.disable" : "user.update");
  try {
    updateUser(params.id ?? "", { status: parsed.data.status }, auth.user.id);
    return data<Result>({ intent, ok: true, done: parsed.data.status === "disabled" ? "disabled" : "enabled", errors: {}, values: {}, message: null });
  } catch (err) {
    if (!(err instanceof PortalError)) throw err;
    if (err.code === "not_found") throw notFound();
    return fail(err.status, err.fields ?? {}, {}, err.message);
  }
}

/** The member edit page. */
export default function AdminMember() {
  const { member } = useLoaderData<typeof loader>();
  // A fresh form for each member and whenever what is stored changes, so it never shows an earlier, refused attempt.
  const saved = [member.id, member.name, member.role, member.status, member.votingRepresentative, ...member.committees].join("|");
  return <MemberEditor key={saved} />;
}

function MemberEditor() {
  const { t } = useTranslation(["admin", "common"]);
  const { member, org, possibleRoles, committees, isSelf } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { locale, abilities } = useRootData();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const saveResult = result?.intent === "save" ? result : null;
  const statusResult = result?.intent === "status" ? result : null;
  const e = saveResult && !saveResult.ok ? saveResult.errors : {};
  const v = saveResult && !saveResult.ok ? saveResult.values : {};
  // The current role stays selectable even if the organisation's kind no longer allows it.
  const roleChoices = possibleRoles.includes(member.role) ? possibleRoles : [member.role, ...possibleRoles];
  const [role, setRole] = useState<Role>(roleChoices.find((r) => r === v.role) ?? member.role);
  const kindLabel = t(`common:orgKinds.${org.kind}`);
  const rolesList = listOf(locale, possibleRoles.map((r) => t(`common:roles.${r}`)));

  return (
    <>
      <p className="back-link">
        <Link to="/admin/members">
          <span aria-hidden="true" className="flip-rtl">← </span>
          {t("member.back")}
        </Link>
      </p>
      <div className="section-head section-head--person">
        <h2>{member.name}</h2>
        <p className="meta-row">
          <span className={`role-badge role-badge--${member.role}`}>{t(`common:roles.${member.role}`)}</span>
          <StatusBadge status={member.status} label={t(`common:userStatus.${member.status}`)} />
          <span>{t("member.lead", { email: member.email, organisation: org.name, kind: kindLabel })}</span>
        </p>
      </div>

      {isSelf ? <Notice tone="info">{t("member.you")}</Notice> : null}
      {result?.ok && result.done ? <Notice tone="success">{t(`member.${result.done}`)}</Notice> : null}
      {result && !result.ok && result.intent === null ? <Notice tone="error">{t("shared.unknownForm")}</Notice> : null}

      <div className="admin-split admin-split--wide-first">
        <section className="card" aria-labelledby="member-details">
          <h3 id="member-details">{t("member.detailsTitle")}</h3>
          {saveResult && !saveResult.ok ? <Notice tone="error">{saveResult.message ?? t("shared.fixErrors")}</Notice> : null}
          <Form method="post" className="stack" noValidate>
            <input type="hidden" name="intent" value="save" />
            <Field label={t("member.name")} name="name" defaultValue={v.name ?? member.name} error={e.name} required maxLength={120} autoComplete="off" />
            <Field label={t("member.role")} name="role" hint={t("member.roleFits", { org: org.name, kind: kindLabel, roles: rolesList })} error={e.role}>
              {/* One's own role cannot change (the domain refuses it); the current one still travels with the form. */}
              {isSelf ? <input type="hidden" name="role" value={member.role} /> : null}
              <select
                id="field-role"
                name={isSelf ? undefined : "role"}
                disabled={isSelf}
                value={role}
                onChange={(ev) => setRole(ev.target.value as Role)}
                aria-invalid={e.role ? true : undefined}
                aria-describedby={`field-role-hint field-role-note${e.role ? " field-role-error" : ""}`}
              >
                {roleChoices.map((r) => (
                  <option key={r} value={r}>
                    {t(`common:roles.${r}`)}
                  </option>
                ))}
              </select>
            </Field>
            <p className="inline-note" id="field-role-note">
              {t("member.sessionsNote")}
            </p>
            <fieldset>
              <legend>{t("members.committees")}</legend>
              <p className="field__hint">{committees.length ? t("members.committeesHint") : t("members.noCommittees")}</p>
              <div className="checkbox-grid">
                {committees.map((c) => (
                  <label key={c.code} className="checkbox">
                    <input type="checkbox" name="committees" value={c.code} defaultChecked={member.committees.includes(c.code)} />
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
                  defaultChecked={member.votingRepresentative}
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
            <button type="submit" className="button" disabled={busy}>
              {t("member.save")}
            </button>
          </Form>
        </section>

        <section className="card" aria-labelledby="member-access">
          <h3 id="member-access">{t("member.accessTitle")}</h3>
          <dl className="definition-list">
            <dt>{t("member.statusLabel")}</dt>
            <dd>
              <StatusBadge status={member.status} label={t(`common:userStatus.${member.status}`)} />
            </dd>
            <dt>{t("member.created")}</dt>
            <dd>{formatDate(member.createdAt, locale)}</dd>
          </dl>
          {member.status === "invited" ? <p className="muted">{t("member.invitedNote")}</p> : null}
          {statusResult && !statusResult.ok ? <Notice tone="error">{statusResult.message ?? t("shared.fixErrors")}</Notice> : null}
          {member.status === "disabled" ? (
            abilities["user.update"] ? (
              <Form method="post" className="stack">
                <input type="hidden" name="intent" value="status" />
                <input type="hidden" name="status" value="active" />
                <p>{t("member.disabledLead")}</p>
                <button type="submit" className="button" disabled={busy}>
                  {t("member.enable")}
                </button>
              </Form>
            ) : null
          ) : abilities["user.disable"] && !isSelf ? (
            <Form method="post" className="stack">
              <input type="hidden" name="intent" value="status" />
              <input type="hidden" name="status" value="disabled" />
              <p>{t("member.disableLead")}</p>
              <button type="submit" className="button button--danger" disabled={busy}>
                {t("member.disable")}
              </button>
            </Form>
          ) : null}
        </section>
      </div>
    </>
  );
}

/** "A, B and C" in the reader's language. */
function listOf(locale: string, items: string[]): string {
  try {
    return new Intl.ListFormat(locale, { type: "conjunction" }).format(items);
  } catch {
    return items.join(", ");
  }
}

/** The committees field's error; zod names a bad item by its index (`committees.2`). */
function committeesError(errors: Record<string, string>): string | undefined {
  return errors.committees ?? Object.entries(errors).find(([key]) => key.startsWith("committees."))?.[1];
}
