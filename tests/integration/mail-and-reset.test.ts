/**
 * Mail through a real SMTP server (smtp-server on loopback) and the password-reset and invitation
 * links it carries: delivered once, single use, expiring, and ending the person's sessions.
 */
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateSession } from "../../app/auth/actor.server";
import { createSession } from "../../app/auth/session.server";
import { deliverOutbox, listOutbox } from "../../app/domain/mail.server";
import { createUser as createMember, peekUserToken, redeemUserToken, requestPasswordReset } from "../../app/domain/members.server";
import { setEnv } from "../../app/utils/env.server";
import { createOrg, createUser } from "../support/factories";
import { startPortal, tableCounts, type TestPortal } from "../support/portal";

type Received = { to: string[]; body: string };
const received: Received[] = [];
let smtp: SMTPServer;
let portal: TestPortal;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      let body = "";
      stream.on("data", (d: Buffer) => (body += d.toString()));
      stream.on("end", () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve) => smtp.listen(0, "127.0.0.1", () => resolve((smtp.server.address() as { port: number }).port)));
  portal = await startPortal();
  setEnv({ ...portal.env, smtpUrl: `smtp://127.0.0.1:${port}` });
});

afterAll(async () => {
  await portal?.close();
  await new Promise<void>((r) => smtp?.close(() => r()));
});

/** The link of a given kind in the newest mail to `to`. */
function linkIn(to: string, kind: "invite" | "reset-password"): string {
  const mail = [...received].reverse().find((m) => m.to.includes(to));
  expect(mail, `a mail to ${to}`).toBeDefined();
  const m = new RegExp(`/${kind}/([a-z2-7]+)`).exec(mail!.body.replace(/=\r?\n/g, ""));
  expect(m, `a ${kind} link in the mail`).not.toBeNull();
  return m![1];
}

describe("mail", () => {
  it("delivers an invitation through SMTP and marks it sent in the outbox", async () => {
    const org = createOrg({ kind: "government" });
    await createMember({ email: "reviewer@ministry.example", name: "Ana Reviewer", orgId: org.id, role: "observer" }, null);
    await deliverOutbox();
    const token = linkIn("reviewer@ministry.example", "invite");
    expect(peekUserToken(token, "invite")?.user.email).toBe("reviewer@ministry.example");
    const row = listOutbox().find((m) => m.to === "reviewer@ministry.example")!;
    expect(row.sentAt).not.toBeNull();
    expect(row.attempts).toBe(1);
    // Delivering again sends nothing twice.
    const count = received.length;
    await deliverOutbox();
    expect(received.length).toBe(count);
  });
});

describe("password reset by mailed link", () => {
  it("sets a new password once, and ends every session of the account", async () => {
    const user = await createUser({ role: "member", org: createOrg({ kind: "company" }), email: "trader@shop.example" });
    const { token: sessionToken } = createSession(user.id);
    expect(authenticateSession(sessionToken)).not.toBeNull();

    requestPasswordReset("Trader@Shop.example");
    await deliverOutbox();
    const link = linkIn("trader@shop.example", "reset-password");
    await redeemUserToken(link, "reset", "a brand new long passphrase");
    expect(authenticateSession(sessionToken)).toBeNull();
    await expect(redeemUserToken(link, "reset", "another long passphrase")).rejects.toThrow(/already used|expired|invalid/i);
  });

  it("says nothing and sends nothing for an unknown address", async () => {
    const before = tableCounts(portal.db);
    const mails = received.length;
    requestPasswordReset("nobody@nowhere.example");
    await deliverOutbox();
    expect(tableCounts(portal.db)).toEqual(before);
    expect(received.length).toBe(mails);
  });

  it("refuses an expired link", async () => {
    const user = await createUser({ role: "member", org: createOrg({ kind: "company" }), email: "late@shop.example" });
    requestPasswordReset(user.email);
    await deliverOutbox();
    const link = linkIn("late@shop.example", "reset-password");
    portal.db.$client.prepare("update user_tokens set expires_at = ? where user_id = ?").run(Date.now() - 1, user.id);
    expect(peekUserToken(link, "reset")).toBeNull();
    await expect(redeemUserToken(link, "reset", "a brand new long passphrase")).rejects.toThrow(/expired/);
  });
});
