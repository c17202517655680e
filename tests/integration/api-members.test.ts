/**
 * Organisations, committees and members through the real HTTP API of a running portal: what an
 * admin's tool or browser sees, the contract's error format, and that refused writes write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTIONS, RESOURCE_ACTIONS, isReadAction } from "../../app/policies/policy";
import { revokeAccessToken } from "../../app/domain/members.server";
import { endpoints } from "../../app/api/router";
import { accessTokenFor, createAdmin, createOrg, createUser, sessionCookieFor, unique, TEST_PASSWORD } from "../support/factories";
import { call, type CallResult } from "../support/http";
import { startPortal, tableCounts, type TestPortal } from "../support/portal";

let portal: TestPortal;
let adminId: string;
let adminCookie: string;
let adminToken: string;
let companyId: string;
let governmentId: string;

beforeAll(async () => {
  portal = await startPortal();
  const { user } = await createAdmin();
  adminId = user.id;
  adminCookie = sessionCookieFor(user.id);
  adminToken = accessTokenFor(user.id).token;
  companyId = createOrg({ kind: "company", country: "CN" }).id;
  governmentId = createOrg({ kind: "government", country: "BR" }).id;
});

afterAll(async () => {
  await portal?.close();
});

/** Asserts the contract's error body: exactly `{error: {code, message, fields?}}`. */
function expectError(res: CallResult, status: number, code: string): void {
  expect(res.status, res.text).toBe(status);
  expect(res.contentType).toMatch(/^application\/json/);
  expect(Object.keys(res.body)).toEqual(["error"]);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe("string");
  expect(res.body.error.message.length).toBeGreaterThan(0);
  for (const key of Object.keys(res.body.error)) expect(["code", "message", "fields"]).toContain(key);
}

/** Runs a request that must be refused, and asserts the status, the error body, and that no table changed. */
async function refused(request: () => Promise<CallResult>, status: number, code: string): Promise<CallResult> {
  const before = tableCounts(portal.db);
  const res = await request();
  expectError(res, status, code);
  expect(tableCounts(portal.db)).toEqual(before);
  return res;
}

/** The raw users row (to see what was really stored, beyond the public shape). */
function storedUser(id: string) {
  return portal.db.$client.prepare("select * from users where id = ?").get(id) as
    | { id: string; email: string; org_id: string; role: string; status: string; password_hash: string | null; created_at: string }
    | undefined;
}

describe("organisations", () => {
  it("an admin creates an organisation (201 {org}), country normalised to upper case, and it is listed", async () => {
    const name = `Acme Parcels ${unique()}`;
    const res = await call(portal, "/orgs", { method: "POST", cookie: adminCookie, body: { name, kind: "company", country: "de" } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({ org: { id: expect.any(String), name, kind: "company", country: "DE", createdAt: expect.any(String) } });
    const list = await call(portal, "/orgs", { cookie: adminCookie });
    expect(list.status).toBe(200);
    expect(list.body.orgs.map((o: { name: string }) => o.name)).toContain(name);
  });

  it("forged fields (id, createdAt) are ignored and never stored", async () => {
    const name = `Forged Org ${unique()}`;
    const res = await call(portal, "/orgs", {
      method: "POST",
      token: adminToken,
      body: { name, kind: "company", country: "FR", id: "forged-org-id", createdAt: "1999-01-01T00:00:00.000Z" },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.org.id).not.toBe("forged-org-id");
    expect(res.body.org.createdAt).not.toMatch(/^1999/);
    const row = portal.db.$client.prepare("select id, created_at from organizations where name = ?").get(name) as { id: string; created_at: string };
    expect(row.id).toBe(res.body.org.id);
    expect(row.created_at).not.toMatch(/^1999/);
    expect(portal.db.$client.prepare("select count(*) as n from organizations where id = 'forged-org-id'").get()).toEqual({ n: 0 });
  });

  it("a duplicate name, in any letter case, is 409 and writes nothing", async () => {
    const name = `Duplicate Trading ${unique()}`;
    expect((await call(portal, "/orgs", { method: "POST", token: adminToken, body: { name, kind: "company", country: "CN" } })).status).toBe(201);
    await refused(() => call(portal, "/orgs", { method: "POST", token: adminToken, body: { name: name.toUpperCase(), kind: "expert", country: "CN" } }), 409, "conflict");
  });

  it("invalid fields are 400 with a message per field", async () => {
    const res = await refused(
      () => call(portal, "/orgs", { method: "POST", cookie: adminCookie, body: { name: "x", kind: "club", country: "XX" } }),
      400,
      "bad_request",
    );
    expect(Object.keys(res.body.error.fields).sort()).toEqual(["country", "kind", "name"]);
    for (const message of Object.values(res.body.error.fields)) expect(message).toEqual(expect.any(String));
  });

  it("a missing body field is named in fields", async () => {
    const res = await refused(() => call(portal, "/orgs", { method: "POST", token: adminToken, body: { name: "No Kind Ltd", country: "DE" } }), 400, "bad_request");
    expect(res.body.error.fields).toHaveProperty("kind");
  });

  it("malformed JSON is 400 bad_request, never a 500", async () => {
    await refused(() => call(portal, "/orgs", { method: "POST", cookie: adminCookie, rawBody: '{"name": "Half', contentType: "application/json" }), 400, "bad_request");
  });

  it("a JSON scalar or array instead of an object is 400", async () => {
    await refused(() => call(portal, "/orgs", { method: "POST", token: adminToken, rawBody: '"just a string"' }), 400, "bad_request");
    await refused(() => call(portal, "/orgs", { method: "POST", token: adminToken, rawBody: "[]" }), 400, "bad_request");
  });

  it("a body that is not sent as application/json is 400, even when it is JSON", async () => {
    const json = JSON.stringify({ name: `Plain Text Co ${unique()}`, kind: "company", country: "DE" });
    await refused(() => call(portal, "/orgs", { method: "POST", cookie: adminCookie, rawBody: json, contentType: "text/plain" }), 400, "bad_request");
    await refused(
      () => call(portal, "/orgs", { method: "POST", token: adminToken, rawBody: "name=Form+Co&kind=company&country=DE", contentType: "application/x-www-form-urlencoded" }),
      400,
      "bad_request",
    );
    await refused(() => call(portal, "/orgs", { method: "POST", token: adminToken }), 400, "bad_request");
  });

  it("a body over 1 MiB is 413 payload_too_large", async () => {
    const body = JSON.stringify({ name: "x".repeat(1024 * 1024 + 10), kind: "company", country: "DE" });
    await refused(() => call(portal, "/orgs", { method: "POST", token: adminToken, rawBody: body }), 413, "payload_too_large");
  });

  it("without credentials creating an organisation is 401; a member gets 403", async () => {
    const body = { name: `Nobody Inc ${unique()}`, kind: "company", country: "DE" };
    await refused(() => call(portal, "/orgs", { method: "POST", body }), 401, "unauthorized");
    const member = await createUser({ org: { id: companyId }, role: "member" });
    const cookie = sessionCookieFor(member.id);
    await refused(() => call(portal, "/orgs", { method: "POST", cookie, body }), 403, "forbidden");
    await refused(() => call(portal, "/orgs", { cookie }), 403, "forbidden");
  });
});

describe("committees", () => {
  it("an admin creates a committee (201 {committee}) and everyone signed in can list it", async () => {
    const res = await call(portal, "/committees", { method: "POST", cookie: adminCookie, body: { code: "ECO", name: "E-commerce platforms" } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({ committee: { code: "ECO", name: "E-commerce platforms", description: "", createdAt: expect.any(String) } });
    const member = await createUser({ org: { id: companyId } });
    const list = await call(portal, "/committees", { cookie: sessionCookieFor(member.id) });
    expect(list.status).toBe(200);
    expect(list.body.committees.map((c: { code: string }) => c.code)).toEqual(expect.arrayContaining(["ECO", "TAR", "LOG"]));
  });

  it("a code that is not 2–5 capital letters is 400 naming the code field", async () => {
    for (const code of ["eco", "E", "TOOLONG", "T4R"]) {
      const res = await refused(() => call(portal, "/committees", { method: "POST", token: adminToken, body: { code, name: "Bad code" } }), 400, "bad_request");
      expect(res.body.error.fields).toHaveProperty("code");
    }
  });

  it("an existing code is 409", async () => {
    await refused(() => call(portal, "/committees", { method: "POST", token: adminToken, body: { code: "TAR", name: "Tariffs again" } }), 409, "conflict");
  });
});

describe("users", () => {
  it("with a password the account is active at once, and its password hash is never shown", async () => {
    const email = `Active.${unique()}@Example.org`;
    const res = await call(portal, "/users", {
      method: "POST",
      cookie: adminCookie,
      body: { email, name: "Ana Active", orgId: companyId, role: "member", committees: ["TAR"], votingRepresentative: true, password: TEST_PASSWORD },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({
      user: {
        id: expect.any(String),
        email: email.toLowerCase(),
        name: "Ana Active",
        orgId: companyId,
        role: "member",
        status: "active",
        votingRepresentative: true,
        committees: ["TAR"],
        createdAt: expect.any(String),
      },
    });
    expect(res.text).not.toMatch(/argon2|passwordHash|password/i);
    expect(storedUser(res.body.user.id)?.password_hash).toMatch(/^\$argon2id\$/);
    const outbox = portal.db.$client.prepare('select count(*) as n from outbox where "to" = ?').get(email.toLowerCase());
    expect(outbox).toEqual({ n: 0 });
  });

  it("without a password the account is invited and an invitation with a link to this portal is in the outbox", async () => {
    const email = `invitee.${unique()}@example.org`;
    const res = await call(portal, "/users", { method: "POST", token: adminToken, body: { email, name: "Ivo Invited", orgId: governmentId, role: "observer", committees: ["TAR"] } });
    expect(res.status, res.text).toBe(201);
    expect(res.body.user).toMatchObject({ email, role: "observer", status: "invited", votingRepresentative: false, committees: ["TAR"] });
    const mail = portal.db.$client.prepare('select "to", subject, text from outbox where "to" = ?').all(email) as { to: string; subject: string; text: string }[];
    expect(mail).toHaveLength(1);
    expect(mail[0].subject).toMatch(/invitation/i);
    const link = new RegExp(`${portal.baseUrl.replace(/[.]/g, "\\.")}/invite/[a-z2-7]{16,64}`);
    expect(mail[0].text).toMatch(link);
    expect(storedUser(res.body.user.id)).toMatchObject({ status: "invited", password_hash: null });
  });

  it("forged fields (status, passwordHash, id, createdAt) are ignored: the member is invited, with no password", async () => {
    const email = `forger.${unique()}@example.org`;
    const res = await call(portal, "/users", {
      method: "POST",
      cookie: adminCookie,
      body: {
        email,
        name: "Fred Forger",
        orgId: companyId,
        role: "member",
        status: "active",
        passwordHash: "x",
        password_hash: "x",
        id: "forged-user-id",
        createdAt: "2000-01-01T00:00:00.000Z",
        isAdmin: true,
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.user.status).toBe("invited");
    expect(res.body.user.id).not.toBe("forged-user-id");
    expect(res.body.user).not.toHaveProperty("isAdmin");
    const row = storedUser(res.body.user.id)!;
    expect(row).toMatchObject({ role: "member", status: "invited", password_hash: null, org_id: companyId });
    expect(row.created_at).not.toMatch(/^2000/);
    expect(storedUser("forged-user-id")).toBeUndefined();
  });

  it("a forged admin role for a company's person is 422 and writes nothing", async () => {
    const email = `wannabe.${unique()}@example.org`;
    await refused(
      () => call(portal, "/users", { method: "POST", cookie: adminCookie, body: { email, name: "Wanna Be", orgId: companyId, role: "admin", status: "active", passwordHash: "x" } }),
      422,
      "unprocessable",
    );
    expect(portal.db.$client.prepare("select count(*) as n from users where email = ?").get(email)).toEqual({ n: 0 });
  });

  it("an observer in a company organisation is 422 naming the role field, and writes nothing", async () => {
    const res = await refused(
      () =>
        call(portal, "/users", {
          method: "POST",
          token: adminToken,
          body: { email: `obs.${unique()}@example.org`, name: "Olga Observer", orgId: companyId, role: "observer", password: TEST_PASSWORD },
        }),
      422,
      "unprocessable",
    );
    expect(res.body.error.fields).toHaveProperty("role");
  });

  it("an unknown organisation or committee is 422", async () => {
    const base = { email: `nowhere.${unique()}@example.org`, name: "No Where", role: "member" };
    await refused(() => call(portal, "/users", { method: "POST", token: adminToken, body: { ...base, orgId: "no-such-org" } }), 422, "unprocessable");
    await refused(() => call(portal, "/users", { method: "POST", token: adminToken, body: { ...base, orgId: companyId, committees: ["ZZZ"] } }), 422, "unprocessable");
  });

  it("an email already registered, in any letter case, is 409 and writes nothing", async () => {
    const email = `twice.${unique()}@example.org`;
    const first = await call(portal, "/users", { method: "POST", token: adminToken, body: { email, name: "Tom Twice", orgId: companyId, role: "member", password: TEST_PASSWORD } });
    expect(first.status, first.text).toBe(201);
    const res = await refused(
      () => call(portal, "/users", { method: "POST", token: adminToken, body: { email: email.toUpperCase(), name: "Tom Again", orgId: companyId, role: "expert" } }),
      409,
      "conflict",
    );
    expect(res.body.error.fields).toHaveProperty("email");
  });

  it("invalid fields are 400 with one message per field", async () => {
    const res = await refused(
      () => call(portal, "/users", { method: "POST", cookie: adminCookie, body: { email: "not-an-email", name: "", orgId: companyId, role: "king", password: "short" } }),
      400,
      "bad_request",
    );
    expect(Object.keys(res.body.error.fields).sort()).toEqual(["email", "name", "password", "role"]);
  });

  it("GET /users lists members for admins only, without password hashes", async () => {
    const res = await call(portal, "/users", { cookie: adminCookie });
    expect(res.status).toBe(200);
    expect(res.body.users.length).toBeGreaterThan(1);
    expect(res.body.users.map((u: { id: string }) => u.id)).toContain(adminId);
    expect(res.text).not.toMatch(/argon2|passwordHash|password_hash/);
    const member = await createUser({ org: { id: companyId } });
    expectError(await call(portal, "/users", { cookie: sessionCookieFor(member.id) }), 403, "forbidden");
    expectError(await call(portal, "/users"), 401, "unauthorized");
  });
});

describe("GET /me", () => {
  it("answers {user, org, role, committees, permissions} for a session", async () => {
    const org = createOrg({ kind: "company", country: "CN" });
    const member = await createUser({ org, role: "member", committees: ["TAR", "LOG"], votingRepresentative: true });
    const res = await call(portal, "/me", { cookie: sessionCookieFor(member.id) });
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["committees", "org", "permissions", "role", "user"]);
    expect(res.body.user).toMatchObject({ id: member.id, email: member.email, role: "member", status: "active", votingRepresentative: true, committees: ["LOG", "TAR"] });
    expect(res.body.user).not.toHaveProperty("passwordHash");
    expect(res.body.org).toEqual({ id: org.id, name: org.name, kind: "company", country: "CN", createdAt: expect.any(String) });
    expect(res.body.role).toBe("member");
    expect(res.body.committees).toEqual(["LOG", "TAR"]);
    expect(res.body.permissions).toEqual(expect.arrayContaining(["account.read", "committee.list", "ballot.vote", "token.create", "standard.list"]));
    for (const p of ["org.create", "user.create", "user.list", "ballot.create", "release.publish", "standard.create"]) expect(res.body.permissions).not.toContain(p);
    for (const p of res.body.permissions) expect(ACTIONS).toContain(p);
  });

  it("an admin's permissions include the administration actions; an observer's never voting", async () => {
    const admin = await call(portal, "/me", { cookie: adminCookie });
    expect(admin.status, admin.text).toBe(200);
    expect(admin.body.role).toBe("admin");
    expect(admin.body.org.kind).toBe("secretariat");
    expect(admin.body.permissions).toEqual(expect.arrayContaining(["org.create", "user.create", "user.update", "committee.create", "ballot.create", "release.publish"]));
    const observer = await createUser({ org: { id: governmentId }, role: "observer", committees: ["TAR"] });
    const obs = await call(portal, "/me", { cookie: sessionCookieFor(observer.id) });
    expect(obs.status).toBe(200);
    expect(obs.body.permissions).not.toContain("ballot.vote");
    expect(obs.body.permissions).not.toContain("standard.create");
  });

  it("without credentials, or with an unknown session, is 401", async () => {
    expectError(await call(portal, "/me"), 401, "unauthorized");
    expectError(await call(portal, "/me", { cookie: "ewtp_session=nosuchid.nosuchsecret" }), 401, "unauthorized");
    expectError(await call(portal, "/me", { cookie: "ewtp_session=garbage" }), 401, "unauthorized");
  });
});

describe("PATCH /users/{id}", () => {
  it("a role change ends the user's sessions: their cookie then gets 401", async () => {
    const member = await createUser({ org: { id: companyId }, role: "member" });
    const cookie = sessionCookieFor(member.id);
    const otherCookie = sessionCookieFor(member.id);
    expect((await call(portal, "/me", { cookie })).status).toBe(200);
    const res = await call(portal, `/users/${member.id}`, { method: "PATCH", cookie: adminCookie, body: { role: "expert" } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.user).toMatchObject({ id: member.id, role: "expert" });
    expectError(await call(portal, "/me", { cookie }), 401, "unauthorized");
    expectError(await call(portal, "/me", { cookie: otherCookie }), 401, "unauthorized");
    expect((await call(portal, "/me", { cookie: adminCookie })).status).toBe(200);
  });

  it("a name change keeps the user's sessions", async () => {
    const member = await createUser({ org: { id: companyId }, role: "member" });
    const cookie = sessionCookieFor(member.id);
    const res = await call(portal, `/users/${member.id}`, { method: "PATCH", token: adminToken, body: { name: "Renamed Person" } });
    expect(res.status, res.text).toBe(200);
    const me = await call(portal, "/me", { cookie });
    expect(me.status).toBe(200);
    expect(me.body.user.name).toBe("Renamed Person");
  });

  it("disabling a user ends their sessions and their tokens stop working", async () => {
    const member = await createUser({ org: { id: companyId }, role: "member" });
    const cookie = sessionCookieFor(member.id);
    const { token } = accessTokenFor(member.id);
    expect((await call(portal, "/me", { token })).status).toBe(200);
    const res = await call(portal, `/users/${member.id}`, { method: "PATCH", token: adminToken, body: { status: "disabled" } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.user.status).toBe("disabled");
    expectError(await call(portal, "/me", { cookie }), 401, "unauthorized");
    expectError(await call(portal, "/me", { token }), 401, "unauthorized");
  });

  it("forged fields (email, orgId, passwordHash) are ignored", async () => {
    const member = await createUser({ org: { id: companyId }, role: "member" });
    const before = storedUser(member.id)!;
    const res = await call(portal, `/users/${member.id}`, {
      method: "PATCH",
      cookie: adminCookie,
      body: { name: "Still Me", email: "hijack@evil.example", orgId: governmentId, passwordHash: "x", password_hash: "x", id: "other" },
    });
    expect(res.status, res.text).toBe(200);
    expect(storedUser(member.id)).toMatchObject({ id: member.id, email: before.email, org_id: companyId, password_hash: before.password_hash });
  });

  it("an unknown user is 404; an impossible role for the organisation is 422; both write nothing", async () => {
    await refused(() => call(portal, "/users/no-such-user", { method: "PATCH", token: adminToken, body: { name: "Ghost" } }), 404, "not_found");
    const member = await createUser({ org: { id: companyId }, role: "member" });
    await refused(() => call(portal, `/users/${member.id}`, { method: "PATCH", token: adminToken, body: { role: "observer" } }), 422, "unprocessable");
    await refused(() => call(portal, `/users/${member.id}`, { method: "PATCH", token: adminToken, body: { role: "boss" } }), 400, "bad_request");
  });

  it("an admin cannot demote their own account (422)", async () => {
    await refused(() => call(portal, `/users/${adminId}`, { method: "PATCH", cookie: adminCookie, body: { role: "expert" } }), 422, "unprocessable");
  });
});

describe("unknown endpoints", () => {
  it("an unknown API path is 404 in the error format, whatever the method", async () => {
    expectError(await call(portal, "/no-such-endpoint"), 404, "not_found");
    await refused(() => call(portal, "/no-such-endpoint", { method: "POST", token: adminToken, body: { a: 1 } }), 404, "not_found");
    await refused(() => call(portal, "/orgs", { method: "DELETE", token: adminToken }), 404, "not_found");
  });

  it("the OpenAPI document describes every endpoint", async () => {
    const res = await call(portal, "/openapi.json");
    expect(res.status).toBe(200);
    for (const e of endpoints) expect(res.body.paths?.[e.path]?.[e.method], `${e.method} ${e.path}`).toBeDefined();
  });
});

describe("bearer tokens", () => {
  it("a read-only token may GET /me, and lists only read permissions", async () => {
    const { token } = accessTokenFor(adminId, { readOnly: true });
    const res = await call(portal, "/me", { token });
    expect(res.status, res.text).toBe(200);
    expect(res.body.user.id).toBe(adminId);
    expect(res.body.permissions).toContain("org.list");
    for (const p of res.body.permissions) expect(isReadAction(p)).toBe(true);
    for (const p of res.body.permissions) expect(RESOURCE_ACTIONS.has(p)).toBe(false);
  });

  it("a read-only token gets 403 on POST /orgs, and nothing is written", async () => {
    const { token } = accessTokenFor(adminId, { readOnly: true });
    await refused(() => call(portal, "/orgs", { method: "POST", token, body: { name: `Read Only Ltd ${unique()}`, kind: "company", country: "DE" } }), 403, "forbidden");
    expect((await call(portal, "/orgs", { token })).status).toBe(200);
  });

  it("a revoked token gets 401", async () => {
    const { token, id } = accessTokenFor(adminId);
    expect((await call(portal, "/me", { token })).status).toBe(200);
    revokeAccessToken(adminId, id);
    expectError(await call(portal, "/me", { token }), 401, "unauthorized");
    await refused(() => call(portal, "/orgs", { method: "POST", token, body: { name: `Revoked Ltd ${unique()}`, kind: "company", country: "DE" } }), 401, "unauthorized");
  });

  it("an unknown or malformed token gets 401, even alongside a valid session cookie", async () => {
    expectError(await call(portal, "/me", { token: "ewtp_pat_thisisnotarealtokenatall" }), 401, "unauthorized");
    expectError(await call(portal, "/me", { token: "not-even-our-format" }), 401, "unauthorized");
    expectError(await call(portal, "/me", { headers: { authorization: "Basic YWRtaW46YWRtaW4=" } }), 401, "unauthorized");
    expectError(await call(portal, "/me", { token: "ewtp_pat_unknown", cookie: adminCookie }), 401, "unauthorized");
  });
});
