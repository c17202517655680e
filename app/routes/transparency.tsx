/** Transparency (public): recent governance events from the hash-chained audit record, and the latest signed checkpoint with how to verify it. */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getAuth } from "../auth/guards.server";
import { BallotResult } from "../components/ballot-parts";
import { EmptyState, PageHeader } from "../components/ui";
import { latestCheckpoint } from "../domain/checkpoints.server";
import { publicKeyInfo } from "../domain/signing-keys.server";
import { recentGovernanceEvents, type GovernanceEvent } from "../domain/transparency.server";
import { documentTitle } from "../i18n/i18n";
import { useRootData } from "../root";
import styles from "../styles/governance.css?url";
import { env } from "../utils/env.server";
import { formatDateTime } from "../utils/format";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** The browser tab's title. */
export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "governance:meta.transparency") }];

/** The events the reader may see described, the latest checkpoint and the key that verifies it. */
export function loader({ request }: LoaderFunctionArgs) {
  const auth = getAuth(request);
  return { events: recentGovernanceEvents(auth?.actor ?? null), checkpoint: latestCheckpoint(), key: publicKeyInfo("index"), base: env().publicUrl };
}

const SNIPPET = (base: string) => `// verify-checkpoint.mjs — Node 20+: npm install canonicalize
import { createPublicKey, verify } from "node:crypto";
import canonicalize from "canonicalize";

const { checkpoint, publicKey } = await (await fetch("${base}/api/v1/audit/checkpoints/latest")).json();
const { keys } = await (await fetch("${base}/api/v1/keys")).json();
const published = keys.find((k) => k.keyid === checkpoint.signatures[0].keyid && k.role === "index");
const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(published.publicKey, "base64").toString("base64url") }, format: "jwk" });
const ok = verify(null, Buffer.from(canonicalize(checkpoint.signed)), key, Buffer.from(checkpoint.signatures[0].sig, "base64"));
console.log(ok ? "valid: entry " + checkpoint.signed.seq + " has hash " + checkpoint.signed.headHash : "INVALID signature");`;

/** The transparency page. */
export default function Transparency() {
  const { t } = useTranslation("governance");
  const { events, checkpoint, key, base } = useLoaderData<typeof loader>();
  const { locale } = useRootData();
  return (
    <>
      <PageHeader title={t("transparency.title")} lead={t("transparency.lead")} />
      <div className="ballot-layout">
        <section aria-labelledby="transparency-events">
          <h2 id="transparency-events">{t("transparency.eventsTitle")}</h2>
          <p className="muted small">{t("transparency.eventsLead")}</p>
          {events.length ? (
            <ol className="event-list">
              {events.map((e) => (
                <li key={e.seq} className="event">
                  <div className="event__head">
                    <span className="event__title">{t(`transparency.actions.${e.action}`, { defaultValue: e.action })}</span>
                    {e.result ? <BallotResult result={e.result} /> : null}
                  </div>
                  <div>
                    <EventSubject event={e} />
                  </div>
                  <div className="event__meta">
                    {t("transparency.entry", { seq: e.seq })} · {formatDateTime(e.at, locale)} · <span className="hash" title={e.hash}>{e.hash.slice(0, 16)}…</span>
                  </div>
                </li>
              ))}
            </ol>
          ) : (
            <EmptyState title={t("transparency.noEvents")} />
          )}
        </section>
        <aside aria-label={t("transparency.checkpointTitle")}>
          <section className="card" aria-labelledby="transparency-checkpoint">
            <h2 id="transparency-checkpoint">{t("transparency.checkpointTitle")}</h2>
            {checkpoint ? (
              <dl className="definition-list definition-list--stacked">
                <dt>{t("transparency.cpEntry")}</dt>
                <dd>{checkpoint.signed.seq}</dd>
                <dt>{t("transparency.cpSignedAt")}</dt>
                <dd>{formatDateTime(checkpoint.signed.signedAt, locale)}</dd>
                <dt>{t("transparency.cpReason")}</dt>
                <dd>{checkpoint.signed.reason}</dd>
                <dt>{t("transparency.cpHead")}</dt>
                <dd className="hash">{checkpoint.signed.headHash}</dd>
                <dt>{t("transparency.cpKeyId")}</dt>
                <dd className="hash">{checkpoint.signatures[0].keyid}</dd>
                <dt>{t("transparency.cpSignature")}</dt>
                <dd className="hash">{checkpoint.signatures[0].sig}</dd>
              </dl>
            ) : (
              <p className="muted">{t("transparency.noCheckpoint")}</p>
            )}
            <p className="small">
              {t("transparency.publicKey")}: <span className="hash">{key.publicKey}</span>
            </p>
            <p className="small">
              <a href="/api/v1/audit/checkpoints/latest">{t("transparency.cpJson")}</a> · <a href="/api/v1/keys">{t("transparency.keysJson")}</a>
            </p>
          </section>
        </aside>
      </div>
      <section className="card" aria-labelledby="transparency-verify">
        <h2 id="transparency-verify">{t("transparency.verifyTitle")}</h2>
        <ol className="verify-steps">
          <li>{t("transparency.verify1")}</li>
          <li>{t("transparency.verify2")}</li>
          <li>{t("transparency.verify3")}</li>
          <li>{t("transparency.verify4")}</li>
        </ol>
        <pre className="code-block" tabIndex={0} aria-label={t("transparency.snippetLabel")}>
          {SNIPPET(base)}
        </pre>
        <p className="small muted">{t("transparency.operators")}</p>
        <pre className="code-block">npm run portal -- audit:verify</pre>
      </section>
    </>
  );
}

/** What an event concerns, as far as the reader may see it. */
function EventSubject({ event }: { event: GovernanceEvent }) {
  const { t } = useTranslation("governance");
  const s = event.subject;
  if (!s) return <span className="muted">{t("transparency.notPublic")}</span>;
  const label =
    s.kind === "ballot"
      ? s.standardId
        ? t("transparency.ballotOnRevision", { standardId: s.standardId, revision: s.revision })
        : t("transparency.ballotOnProposal", { title: s.title })
      : s.kind === "proposal"
        ? t("transparency.proposal", { title: s.title })
        : s.version
          ? t("transparency.release", { standardId: s.standardId, version: s.version })
          : s.revision
            ? t("transparency.revision", { standardId: s.standardId, revision: s.revision, title: s.title })
            : `${s.standardId} ${s.title ?? ""}`;
  return <Link to={s.link}>{label}</Link>;
}
