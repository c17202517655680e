/**
 * Webhooks end to end: registering (validation, the secret once), the owner-only list and log, and
 * real deliveries to a local node:http receiver: the signed body, retries after a failure, no redirects.
 * The receiver listens on loopback, so these tests turn WEBHOOK_ALLOW_PRIVATE on; the SSRF guard
 * tests at the end turn it off again (registration refusals, a refused delivery).
 */
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverDueWebhooks } from "../../app/domain/webhooks.server";
import { accessTokenFor, createAdmin, createOrg, createUser, sessionCookieFor } from "../support/factories";
import { call } from "../support/http";
import { env, setEnv } from "../../app/utils/env.server";
import { startPortal, tableCounts, type TestPortal } from "../support/portal";
import { publishTestRelease } from "../support/releases";

type Received = { headers: http.IncomingHttpHeaders; body: string };

/** A receiver that answers with the next status of `script` (the last one repeats) and records what it got. */
async function receiver(script: number[]) {
  const received: Received[] = [];
  let waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const status = script[Math.min(received.length - 1, script.length - 1)];
      if (status >= 300 && status < 400) res.writeHead(status, { location: "http://127.0.0.1:9/elsewhere" });
      else res.writeHead(status, { "content-type": "text/plain" });
      res.end("ok");
      const w = waiters;
      waiters = [];
      w.forEach((f) => f());
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/ewtp?team=tariffs`;
  /** Resolves once `n` requests have arrived (or fails after 8 s). */
  const arrived = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (received.length >= n ? resolve() : waiters.push(check));
      setTimeout(() => reject(new Error(`only ${received.length} of ${n} deliveries arrived`)), 8000).unref();
      check();
    });
  return { url, received, arrived, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let portal: TestPortal;
let adminId: string;
let owner: { id: string; token: string; cookie: string };
let other: { id: string; token: string };

/** Sets WEBHOOK_ALLOW_PRIVATE for the running portal (the configuration is read per delivery). */
const allowPrivate = (on: boolean) => setEnv({ ...env(), webhookAllowPrivate: on });

beforeAll(async () => {
  portal = await startPortal();
  allowPrivate(true); // the receivers below listen on 127.0.0.1
  adminId = (await createAdmin()).user.id;
  const org = createOrg();
  const a = await createUser({ org, role: "member", committees: ["TAR"] });
  const b = await createUser({ org: createOrg({ kind: "government" }), role: "observer" });
  owner = { id: a.id, token: accessTokenFor(a.id).token, cookie: sessionCookieFor(a.id) };
  other = { id: b.id, token: accessTokenFor(b.id).token };
});

afterAll(async () => {
  await portal?.close();
});

describe("registering", () => {
  it("creates a webhook and shows its secret once", async () => {
    const r = await call(portal, "/webhooks", { method: "POST", token: owner.token, body: { url: "https://hooks.example.org/ewtp", events: ["release.published"] } });
    expect(r.status).toBe(201);
    expect(r.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(r.body.webhook).toMatchObject({ url: "https://hooks.example.org/ewtp", events: ["release.published"] });
    const list = await call(portal, "/webhooks", { token: owner.token });
    expect(list.status).toBe(200);
    expect(list.body.webhooks.map((w: { id: string }) => w.id)).toContain(r.body.webhook.id);
    expect(list.text).not.toContain(r.body.secret);
  });

  const invalid: [string, unknown, string][] = [
    ["a non-http URL", { url: "ftp://files.example.org/x", events: ["release.published"] }, "url"],
    ["a javascript: URL", { url: "javascript:alert(1)", events: ["release.published"] }, "url"],
    ["a URL with credentials", { url: "https://user:pw@hooks.example.org/", events: ["release.published"] }, "url"],
    ["a URL over 2048 characters", { url: `https://hooks.example.org/${"a".repeat(2048)}`, events: ["release.published"] }, "url"],
    ["not a URL", { url: "hooks dot example", events: ["release.published"] }, "url"],
    ["an unknown event", { url: "https://hooks.example.org/", events: ["standard.deleted"] }, "events.0"],
    ["no events", { url: "https://hooks.example.org/", events: [] }, "events"],
  ];
  for (const [what, body, field] of invalid) {
    it(`refuses ${what} with 400 and writes nothing`, async () => {
      const before = tableCounts(portal.db);
      const r = await call(portal, "/webhooks", { method: "POST", token: owner.token, body });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("bad_request");
      expect(Object.keys(r.body.error.fields)).toContain(field);
      expect(tableCounts(portal.db)).toEqual(before);
    });
  }

  it("answers 401 to the public", async () => {
    expect((await call(portal, "/webhooks", { method: "POST", body: { url: "https://hooks.example.org/", events: ["release.published"] } })).status).toBe(401);
    expect((await call(portal, "/webhooks")).status).toBe(401);
  });

  it("hides other people's webhooks: not listed, and 404 on their log and on removal", async () => {
    const mine = await call(portal, "/webhooks", { method: "POST", token: owner.token, body: { url: "https://hooks.example.org/mine", events: ["release.published"] } });
    const id = mine.body.webhook.id as string;
    expect((await call(portal, "/webhooks", { token: other.token })).body.webhooks).toEqual([]);
    const log = await call(portal, `/webhooks/${id}/deliveries`, { token: other.token });
    expect(log.status).toBe(404);
    expect(log.body.error.code).toBe("not_found");
    expect((await call(portal, `/webhooks/${id}`, { method: "DELETE", token: other.token })).status).toBe(404);
    // The owner removes it from the browser; it is gone from the list, and removing it again is 404.
    expect((await call(portal, `/webhooks/${id}`, { method: "DELETE", cookie: owner.cookie })).status).toBe(204);
    expect((await call(portal, "/webhooks", { token: owner.token })).body.webhooks.map((w: { id: string }) => w.id)).not.toContain(id);
    expect((await call(portal, `/webhooks/${id}`, { method: "DELETE", token: owner.token })).status).toBe(404);
  });
});

describe("deliveries", () => {
  it("POSTs the event with a correct HMAC signature right after a publication", async () => {
    const rx = await receiver([200]);
    try {
      const created = await call(portal, "/webhooks", { method: "POST", token: owner.token, body: { url: rx.url, events: ["release.published"] } });
      const { secret, webhook } = created.body as { secret: string; webhook: { id: string } };
      const { version } = publishTestRelease({ standard: "EWTP-TAR-001", adminId });
      const manifestSha256 = (portal.db.$client.prepare("select manifest_sha256 as sha from releases where standard_id = 'EWTP-TAR-001'").get() as { sha: string }).sha;
      await rx.arrived(1);
      const got = rx.received[0];
      expect(got.headers["content-type"]).toBe("application/json");
      expect(got.headers["x-portal-event"]).toBe("release.published");
      expect(got.headers["x-portal-signature"]).toBe(`sha256=${createHmac("sha256", secret).update(got.body).digest("hex")}`);
      const event = JSON.parse(got.body);
      expect(event).toMatchObject({ event: "release.published", standard: "EWTP-TAR-001", version, manifestSha256 });
      expect(event.manifestUrl).toBe(`${portal.baseUrl}/api/v1/standards/EWTP-TAR-001/releases/${version}`);

      await deliverDueWebhooks(); // lets the attempt's bookkeeping finish
      const log = await call(portal, `/webhooks/${webhook.id}/deliveries`, { token: owner.token });
      expect(log.status).toBe(200);
      expect(log.body.deliveries).toHaveLength(1);
      expect(log.body.deliveries[0]).toMatchObject({ event: "release.published", status: "delivered", attempts: 1, lastStatusCode: 200, lastError: null });
      expect(String(log.body.deliveries[0].id)).toBe(got.headers["x-portal-delivery"]);
      expect(log.body.deliveries[0].deliveredAt).toBeTruthy();
      await call(portal, `/webhooks/${webhook.id}`, { method: "DELETE", token: owner.token });
    } finally {
      await rx.close();
    }
  });

  it("retries a receiver that answered 500 and records both attempts", async () => {
    const rx = await receiver([500, 200]);
    try {
      const created = await call(portal, "/webhooks", { method: "POST", token: owner.token, body: { url: rx.url, events: ["release.published"] } });
      const id = created.body.webhook.id as string;
      publishTestRelease({ standard: "EWTP-LOG-001", adminId });
      await rx.arrived(1);
      await deliverDueWebhooks();
      let log = (await call(portal, `/webhooks/${id}/deliveries`, { token: owner.token })).body.deliveries;
      expect(log[0]).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500, lastError: "The receiver answered 500." });
      const retryAt = Date.parse(log[0].nextAttemptAt);
      expect(retryAt - Date.now()).toBeGreaterThan(5_000); // backs off, does not hammer

      // The clock moves past the backoff: the next run sends it again, and it is delivered.
      await deliverDueWebhooks(new Date(retryAt + 1000));
      expect(rx.received).toHaveLength(2);
      expect(rx.received[1].body).toBe(rx.received[0].body);
      log = (await call(portal, `/webhooks/${id}/deliveries`, { token: owner.token })).body.deliveries;
      expect(log[0]).toMatchObject({ status: "delivered", attempts: 2, lastStatusCode: 200, lastError: null });
      await call(portal, `/webhooks/${id}`, { method: "DELETE", token: owner.token });
    } finally {
      await rx.close();
    }
  });

  it("never follows a redirect, and gives up after 8 attempts", async () => {
    const rx = await receiver([302]);
    try {
      const created = await call(portal, "/webhooks", { method: "POST", token: owner.token, body: { url: rx.url, events: ["release.published"] } });
      const id = created.body.webhook.id as string;
      publishTestRelease({ standard: "EWTP-CUS-001", adminId });
      await rx.arrived(1);
      await deliverDueWebhooks();
      let clock = Date.now();
      for (let i = 0; i < 10; i++) {
        clock += 24 * 3600_000;
        await deliverDueWebhooks(new Date(clock));
      }
      expect(rx.received).toHaveLength(8);
      const log = (await call(portal, `/webhooks/${id}/deliveries`, { token: owner.token })).body.deliveries;
      expect(log[0]).toMatchObject({ status: "failed", attempts: 8, lastStatusCode: 302, nextAttemptAt: null });
      expect(log[0].lastError).toContain("not followed");
    } finally {
      await rx.close();
    }
  });
});

describe("private destinations (SSRF guard, WEBHOOK_ALLOW_PRIVATE off)", () => {
  const refused = [
    "http://127.0.0.1:8080/hooks",
    "http://localhost/",
    "http://LOCALHOST./hooks",
    "http://api.localhost/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::]/",
    "http://0.0.0.0/",
    "http://2130706433/", // 127.0.0.1 written as one number
    "http://10.0.0.5/",
    "http://172.20.1.1/",
    "http://192.168.1.10/",
    "http://100.64.0.1/",
    "http://[fd00::1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
  ];
  for (const url of refused) {
    it(`refuses to register ${url} with 400 and writes nothing`, async () => {
      allowPrivate(false);
      const before = tableCounts(portal.db);
      const r = await call(portal, "/webhooks", { method: "POST", token: owner.token, body: { url, events: ["release.published"] } });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("bad_request");
      expect(r.body.error.message).toContain("points at a private or loopback address; webhooks must reach a public address");
      expect(r.body.error.fields.url).toContain("private or loopback");
      expect(tableCounts(portal.db)).toEqual(before);
    });
  }

  it("still registers a public host name with the setting off", async () => {
    allowPrivate(false);
    const r = await call(portal, "/webhooks", { method: "POST", token: owner.token, body: { url: "https://hooks.example.net/ewtp", events: ["release.published"] } });
    expect(r.status).toBe(201);
    await call(portal, `/webhooks/${r.body.webhook.id}`, { method: "DELETE", token: owner.token });
  });

  it("refuses at delivery a host name that resolves to loopback: failed at once, nothing sent, the reason in the log", async () => {
    const rx = await receiver([200]);
    try {
      // Registered while private destinations were allowed (as a host name, like a DNS record changed later) ...
      allowPrivate(true);
      const port = new URL(rx.url).port;
      const created = await call(portal, "/webhooks", { method: "POST", token: owner.token, body: { url: `http://localhost:${port}/hooks`, events: ["release.published"] } });
      expect(created.status).toBe(201);
      const id = created.body.webhook.id as string;
      // ... then the administrator turns the setting off before anything is delivered.
      allowPrivate(false);
      publishTestRelease({ standard: "EWTP-TRU-001", adminId });
      await deliverDueWebhooks();
      await deliverDueWebhooks();
      let log = (await call(portal, `/webhooks/${id}/deliveries`, { token: owner.token })).body.deliveries;
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: null, nextAttemptAt: null, deliveredAt: null });
      expect(log[0].lastError).toMatch(/^Not sent: localhost resolves to (127\.0\.0\.1|::1), which is a private or loopback address; webhooks must reach a public address/);

      // No retry storm: a day later nothing more is attempted, and the receiver never heard a thing.
      await deliverDueWebhooks(new Date(Date.now() + 24 * 3600_000));
      log = (await call(portal, `/webhooks/${id}/deliveries`, { token: owner.token })).body.deliveries;
      expect(log[0]).toMatchObject({ status: "failed", attempts: 1 });
      expect(rx.received).toHaveLength(0);
      await call(portal, `/webhooks/${id}`, { method: "DELETE", token: owner.token });
    } finally {
      allowPrivate(true);
      await rx.close();
    }
  });
});
