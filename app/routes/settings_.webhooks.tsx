/** One's webhooks: register a URL for release events (the secret shown once), see recent deliveries, remove. */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requireAbility } from "../auth/guards.server";
import { EmptyState, Field, Notice, PageHeader, StatusBadge } from "../components/ui";
import { WEBHOOK_EVENTS, WebhookInputSchema } from "../domain/webhooks.schemas";
import { createWebhook, listDeliveries, listWebhooks, removeWebhook } from "../domain/webhooks.server";
import { documentTitle } from "../i18n/i18n";
import { useRootData } from "../root";
import styles from "../styles/webhooks.css?url";
import { PortalError } from "../utils/errors";
import { formatDateTime } from "../utils/format";
import { parseForm } from "../utils/forms";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "settings:webhooks.meta.title") }];

const RECENT_DELIVERIES = 10;

/** The signed-in person's webhooks with their latest deliveries (never a secret). */
export function loader({ request }: LoaderFunctionArgs) {
  const { user } = requireAbility(request, "webhook.manage");
  return {
    webhooks: listWebhooks(user.id).map((w) => ({ ...w, deliveries: listDeliveries({ ownerId: user.id, id: w.id, limit: RECENT_DELIVERIES }) })),
  };
}

const IntentSchema = z.object({ intent: z.enum(["create", "remove"]) });
const RemoveSchema = z.object({ webhookId: z.string().trim().min(1).max(64) });

type Result = {
  intent: "create" | "remove" | null;
  ok: boolean;
  errors: Record<string, string>;
  values: Record<string, string>;
  message: string | null;
  created: { url: string; secret: string } | null;
  removed: string | null;
};
const reply = (r: Partial<Result> & Pick<Result, "intent" | "ok">, init?: ResponseInit) =>
  data<Result>({ errors: {}, values: {}, message: null, created: null, removed: null, ...r }, init);

/** Registers a webhook or removes one, as the hidden `intent` field says. */
export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData();
  const which = IntentSchema.safeParse({ intent: form.get("intent") });
  if (!which.success) {
    requireAbility(request, "webhook.manage");
    return reply({ intent: null, ok: false }, { status: 400 });
  }
  const intent = which.data.intent;
  try {
    if (intent === "create") {
      const { user } = requireAbility(request, "webhook.create");
      const parsed = parseForm(form, WebhookInputSchema, { arrays: ["events"] });
      if (!parsed.ok) return reply({ intent, ok: false, errors: parsed.errors, values: parsed.values }, { status: 400 });
      const { webhook, secret } = createWebhook({ ownerId: user.id, ...parsed.data });
      // The secret travels once, in this response; nothing may keep a copy of it.
      return reply({ intent, ok: true, created: { url: webhook.url, secret } }, { headers: { "Cache-Control": "no-store" } });
    }
    const { user } = requireAbility(request, "webhook.manage");
    const parsed = parseForm(form, RemoveSchema);
    if (!parsed.ok) return reply({ intent, ok: false, errors: parsed.errors }, { status: 400 });
    const url = listWebhooks(user.id).find((w) => w.id === parsed.data.webhookId)?.url ?? "";
    removeWebhook({ ownerId: user.id, id: parsed.data.webhookId });
    return reply({ intent, ok: true, removed: url });
  } catch (err) {
    if (!(err instanceof PortalError)) throw err;
    return reply({ intent, ok: false, errors: err.fields ?? {}, message: err.message }, { status: err.status });
  }
}

/** The webhooks page. */
export default function Webhooks() {
  const { t } = useTranslation(["settings", "common"]);
  const { webhooks } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { locale } = useRootData();
  const busy = useNavigation().state === "submitting";
  const create = result?.intent === "create" ? result : null;
  const remove = result?.intent === "remove" ? result : null;
  const errors = create && !create.ok ? create.errors : {};
  const values = create && !create.ok ? create.values : {};

  return (
    <>
      <p className="back-link">
        <Link to="/settings">
          <span aria-hidden="true" className="flip-rtl">← </span>
          {t("webhooks.back")}
        </Link>
      </p>
      <PageHeader title={t("webhooks.title")} lead={t("webhooks.lead")} />
      {result && result.intent === null ? <Notice tone="error">{t("unknownForm")}</Notice> : null}

      {create?.ok && create.created ? (
        <Notice tone="warning" title={<span className="cell-break">{t("webhooks.createdTitle", { url: create.created.url })}</span>}>
          <p className="secret" aria-label={t("webhooks.secretLabel")}>
            {create.created.secret}
          </p>
          <p>{t("webhooks.createdWarning")}</p>
        </Notice>
      ) : null}
      {remove?.ok ? (
        <Notice tone="success">
          <span className="cell-break">{t("webhooks.removed", { url: remove.removed })}</span>
        </Notice>
      ) : null}
      {remove && !remove.ok ? <Notice tone="error">{remove.message ?? t("fixErrors")}</Notice> : null}

      <div className="grid grid--2 webhooks-grid">
        <section className="card" aria-labelledby="webhooks-add">
          <h2 id="webhooks-add">{t("webhooks.addTitle")}</h2>
          {create && !create.ok ? <Notice tone="error">{create.message ?? t("fixErrors")}</Notice> : null}
          <Form method="post" className="stack" noValidate key={create?.ok && create.created ? create.created.secret : "create"}>
            <input type="hidden" name="intent" value="create" />
            <Field label={t("webhooks.url")} name="url" type="url" hint={t("webhooks.urlHint")} defaultValue={values.url} error={errors.url} required maxLength={2048} autoComplete="off" />
            <fieldset className="field">
              <legend>{t("webhooks.events")}</legend>
              {WEBHOOK_EVENTS.map((event) => (
                <label className="checkbox" key={event}>
                  <input type="checkbox" name="events" value={event} defaultChecked />
                  <span>
                    <code>{event}</code> — {t(`webhooks.eventNames.${event}`)}
                  </span>
                </label>
              ))}
              {errors.events || errors["events.0"] ? (
                <p className="field__error" role="alert">
                  {errors.events ?? errors["events.0"]}
                </p>
              ) : null}
            </fieldset>
            <button type="submit" className="button" disabled={busy}>
              {t("webhooks.submit")}
            </button>
          </Form>
        </section>

        <section className="card" aria-labelledby="webhooks-verify">
          <h2 id="webhooks-verify">{t("webhooks.verifyTitle")}</h2>
          <p>{t("webhooks.verifyLead")}</p>
          <dl className="definition-list webhook-headers">
            <dt>
              <code>X-Portal-Event</code>
            </dt>
            <dd>{t("webhooks.headerEvent")}</dd>
            <dt>
              <code>X-Portal-Delivery</code>
            </dt>
            <dd>{t("webhooks.headerDelivery")}</dd>
            <dt>
              <code>X-Portal-Signature</code>
            </dt>
            <dd>{t("webhooks.headerSignature")}</dd>
          </dl>
          <p className="muted small">{t("webhooks.retries")}</p>
        </section>
      </div>

      <section className="webhooks-list" aria-labelledby="webhooks-mine">
        <h2 id="webhooks-mine">{t("webhooks.listTitle")}</h2>
        {webhooks.length === 0 ? (
          <EmptyState title={t("webhooks.empty")}>{t("webhooks.emptyHint")}</EmptyState>
        ) : (
          webhooks.map((w) => (
            <article className="card webhook" key={w.id} aria-label={w.url}>
              <header className="webhook__head">
                <div>
                  <p className="webhook__url cell-break">{w.url}</p>
                  <p className="muted small">
                    {t("webhooks.subscribed", { events: w.events.join(", "), date: formatDateTime(w.createdAt, locale) })}
                  </p>
                </div>
                <Form method="post">
                  <input type="hidden" name="intent" value="remove" />
                  <input type="hidden" name="webhookId" value={w.id} />
                  <button type="submit" className="button button--small button--danger" disabled={busy} aria-label={t("webhooks.removeLabel", { url: w.url })}>
                    {t("webhooks.remove")}
                  </button>
                </Form>
              </header>
              <h3 className="webhook__subtitle">{t("webhooks.deliveriesTitle", { count: RECENT_DELIVERIES })}</h3>
              {w.deliveries.length === 0 ? (
                <p className="muted">{t("webhooks.noDeliveries")}</p>
              ) : (
                <div className="table-wrap">
                  <table className="data data--stack">
                    <thead>
                      <tr>
                        <th scope="col">{t("webhooks.columns.delivery")}</th>
                        <th scope="col">{t("webhooks.columns.status")}</th>
                        <th scope="col">{t("webhooks.columns.attempts")}</th>
                        <th scope="col">{t("webhooks.columns.lastAnswer")}</th>
                        <th scope="col">{t("webhooks.columns.created")}</th>
                        <th scope="col">{t("webhooks.columns.delivered")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {w.deliveries.map((d) => (
                        <tr key={d.id}>
                          <th scope="row" className="nowrap">
                            #{d.id} <code>{d.event}</code>
                          </th>
                          <td data-label={t("webhooks.columns.status")}>
                            <StatusBadge status={`delivery-${d.status}`} label={t(`webhooks.status.${d.status}`)} />
                            {d.status === "pending" && d.nextAttemptAt ? <span className="muted small webhook__next">{t("webhooks.nextAttempt", { date: formatDateTime(d.nextAttemptAt, locale) })}</span> : null}
                          </td>
                          <td data-label={t("webhooks.columns.attempts")}>{d.attempts}</td>
                          <td data-label={t("webhooks.columns.lastAnswer")} className="cell-break">
                            {d.lastStatusCode !== null ? <code>{d.lastStatusCode}</code> : null} {d.lastError ?? (d.lastStatusCode === null ? <span className="muted">{t("none")}</span> : null)}
                          </td>
                          <td data-label={t("webhooks.columns.created")} className="nowrap">{formatDateTime(d.createdAt, locale)}</td>
                          <td data-label={t("webhooks.columns.delivered")} className="nowrap">{d.deliveredAt ? formatDateTime(d.deliveredAt, locale) : <span className="muted">{t("none")}</span>}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </article>
          ))
        )}
      </section>
    </>
  );
}
