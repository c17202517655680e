/**
 * The permission matrix (every action × every kind of actor, against an explicit table written
 * here, so any drift of the policy fails), the abilities map, and the security modules around it:
 * sessions, sign-in throttling and the audit hash chain.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { STANDARD_STATUSES, type Role, type StandardStatus } from "../../db/schema";
import { ACTIONS, RESOURCE_ACTIONS, abilities, can, isReadAction, standardReadScope, type Action, type Actor } from "../../app/policies/policy";
import {
  ABSOLUTE_LIFETIME_MS,
  IDLE_TIMEOUT_MS,
  blankSessionCookie,
  createSession,
  invalidateSession,
  invalidateUserSessions,
  purgeExpiredSessions,
  readSessionToken,
  sessionCookie,
  sessionCookieName,
  validateSessionToken,
} from "../../app/auth/session.server";
import { hexEqual, sha256Hex } from "../../app/auth/tokens.server";
import {
  ACCOUNT_LIMIT,
  ADDRESS_LIMIT,
  WINDOW_MS,
  recordSignInFailure,
  recordSignInSuccess,
  resetThrottle,
  signInRetryAfter,
} from "../../app/auth/throttle.server";
import { GENESIS_HASH, entryHash, recordAudit, verifyAuditChain } from "../../app/domain/audit.server";
import { readEnv, setEnv } from "../../app/utils/env.server";
import { createOrg, createUser } from "../support/factories";
import { openTempDb } from "../support/db";

// ---------------------------------------------------------------------------------------------
// The permission matrix
// ---------------------------------------------------------------------------------------------

/**
 * Columns: each role outside committee TAR (in LOG instead) and inside TAR, the public, and
 * read-only personal access tokens of each role in TAR.
 */
const COLUMNS = ["admin", "admin+TAR", "expert", "expert+TAR", "member", "member+TAR", "observer", "observer+TAR", "public", "ro:admin+TAR", "ro:expert+TAR", "ro:member+TAR", "ro:observer+TAR"] as const;
type Column = (typeof COLUMNS)[number];

function actorFor(column: Column): Actor | null {
  if (column === "public") return null;
  const readOnly = column.startsWith("ro:");
  const [role, committee] = column.replace("ro:", "").split("+") as [Role, string | undefined];
  return { id: `id-${column}`, role, orgId: `org-${role}`, committees: committee ? [committee] : ["LOG"], votingRepresentative: role === "member", readOnly };
}

// "Y" = allowed, "." = refused, one cell per column above.
//                                        adm admT exp expT mem memT obs obsT pub  roA roE roM roO
const ACTOR_ACTIONS: Record<string, string> = {
  "org.list":                           "Y   Y    .   .    .   .    .   .    .    Y   .   .   .",
  "org.create":                         "Y   Y    .   .    .   .    .   .    .    .   .   .   .",
  "committee.list":                     "Y   Y    Y   Y    Y   Y    Y   Y    .    Y   Y   Y   Y",
  "committee.create":                   "Y   Y    .   .    .   .    .   .    .    .   .   .   .",
  "user.list":                          "Y   Y    .   .    .   .    .   .    .    Y   .   .   .",
  "user.create":                        "Y   Y    .   .    .   .    .   .    .    .   .   .   .",
  "user.update":                        "Y   Y    .   .    .   .    .   .    .    .   .   .   .",
  "user.disable":                       "Y   Y    .   .    .   .    .   .    .    .   .   .   .",
  "outbox.read":                        "Y   Y    .   .    .   .    .   .    .    Y   .   .   .",
  "audit.read":                         "Y   Y    .   .    .   .    .   .    .    Y   .   .   .",
  "audit.readPublic":                   "Y   Y    Y   Y    Y   Y    Y   Y    Y    Y   Y   Y   Y",
  "account.read":                       "Y   Y    Y   Y    Y   Y    Y   Y    .    Y   Y   Y   Y",
  "account.changePassword":             "Y   Y    Y   Y    Y   Y    Y   Y    .    .   .   .   .",
  "token.create":                       "Y   Y    Y   Y    Y   Y    Y   Y    .    .   .   .   .",
  "token.revoke":                       "Y   Y    Y   Y    Y   Y    Y   Y    .    .   .   .   .",
  "notification.read":                  "Y   Y    Y   Y    Y   Y    Y   Y    .    Y   Y   Y   Y",
  "notification.configure":             "Y   Y    Y   Y    Y   Y    Y   Y    .    .   .   .   .",
  "standard.list":                      "Y   Y    Y   Y    Y   Y    Y   Y    Y    Y   Y   Y   Y",
  "standard.create":                    "Y   Y    Y   Y    .   .    .   .    .    .   .   .   .",
  "proposal.list":                      "Y   Y    Y   Y    Y   Y    Y   Y    .    Y   Y   Y   Y",
  "ballot.create":                      "Y   Y    .   .    .   .    .   .    .    .   .   .   .",
  "ballot.close":                       "Y   Y    .   .    .   .    .   .    .    .   .   .   .",
  "ballot.cancel":                      "Y   Y    .   .    .   .    .   .    .    .   .   .   .",
  "ballot.vote":                        ".   .    Y   Y    Y   Y    .   .    .    .   .   .   .",
  "standard.translate":                 "Y   Y    .   .    .   .    .   .    .    .   .   .   .",
  "release.publish":                    "Y   Y    .   .    .   .    .   .    .    .   .   .   .",
  "webhook.create":                     "Y   Y    Y   Y    Y   Y    Y   Y    .    .   .   .   .",
  "webhook.manage":                     "Y   Y    Y   Y    Y   Y    Y   Y    .    .   .   .   .",
};

// Per-standard actions, for a standard of committee TAR in draft and once published.
//                                        adm admT exp expT mem memT obs obsT pub  roA roE roM roO
const STANDARD_ACTIONS: Record<string, { draft: string; published: string }> = {
  "standard.read": {
    draft:                              "Y   Y    .   Y    .   Y    .   Y    .    Y   Y   Y   Y",
    published:                          "Y   Y    Y   Y    Y   Y    Y   Y    Y    Y   Y   Y   Y",
  },
  "standard.readDraft": {
    draft:                              "Y   Y    .   Y    .   Y    .   Y    .    Y   Y   Y   Y",
    published:                          "Y   Y    .   Y    .   Y    .   Y    .    Y   Y   Y   Y",
  },
  "standard.editDraft": {
    draft:                              "Y   Y    .   Y    .   Y    .   .    .    .   .   .   .",
    published:                          "Y   Y    .   Y    .   Y    .   .    .    .   .   .   .",
  },
  "standard.freezeRevision": {
    draft:                              "Y   Y    .   Y    .   .    .   .    .    .   .   .   .",
    published:                          "Y   Y    .   Y    .   .    .   .    .    .   .   .   .",
  },
  "standard.changeStatus": {
    draft:                              "Y   Y    .   Y    .   .    .   .    .    .   .   .   .",
    published:                          "Y   Y    .   Y    .   .    .   .    .    .   .   .   .",
  },
  "comment.create": {
    draft:                              "Y   Y    .   Y    .   Y    .   Y    .    .   .   .   .",
    published:                          "Y   Y    .   Y    .   Y    .   Y    .    .   .   .   .",
  },
  "comment.resolve": {
    draft:                              "Y   Y    .   Y    .   .    .   .    .    .   .   .   .",
    published:                          "Y   Y    .   Y    .   .    .   .    .    .   .   .   .",
  },
  "proposal.create": {
    draft:                              "Y   Y    .   Y    .   Y    .   .    .    .   .   .   .",
    published:                          "Y   Y    .   Y    .   Y    .   .    .    .   .   .   .",
  },
  // Without being on the roll: like reading the standard. (On the roll: see the test below.)
  "ballot.read": {
    draft:                              "Y   Y    .   Y    .   Y    .   Y    .    Y   Y   Y   Y",
    published:                          "Y   Y    Y   Y    Y   Y    Y   Y    Y    Y   Y   Y   Y",
  },
};

// Per-proposal actions, for a proposal of committee TAR written by someone else, and by the actor
// themselves. Proposal states are not the policy's concern: a step the state forbids is a 409 from
// the proposal lifecycle, not a 403.
//                                        adm admT exp expT mem memT obs obsT pub  roA roE roM roO
const PROPOSAL_ACTIONS: Record<string, { others: string; own: string }> = {
  "proposal.read": {
    others:                             "Y   Y    .   Y    .   Y    .   Y    .    Y   Y   Y   Y",
    own:                                "Y   Y    .   Y    .   Y    .   Y    .    Y   Y   Y   Y",
  },
  "proposal.edit": {
    others:                             "Y   Y    .   Y    .   .    .   .    .    .   .   .   .",
    own:                                "Y   Y    .   Y    .   Y    .   .    .    .   .   .   .",
  },
  "proposal.submit": {
    others:                             "Y   Y    .   .    .   .    .   .    .    .   .   .   .",
    own:                                "Y   Y    .   Y    .   Y    .   .    .    .   .   .   .",
  },
  "proposal.withdraw": {
    others:                             "Y   Y    .   .    .   .    .   .    .    .   .   .   .",
    own:                                "Y   Y    .   Y    .   Y    .   .    .    .   .   .   .",
  },
  "proposal.apply": {
    others:                             "Y   Y    .   Y    .   .    .   .    .    .   .   .   .",
    own:                                "Y   Y    .   Y    .   .    .   .    .    .   .   .   .",
  },
};

function cells(row: string): Record<Column, boolean> {
  const marks = row.trim().split(/\s+/);
  if (marks.length !== COLUMNS.length) throw new Error(`Row "${row}" has ${marks.length} cells, expected ${COLUMNS.length}`);
  return Object.fromEntries(COLUMNS.map((c, i) => [c, marks[i] === "Y"])) as Record<Column, boolean>;
}

const tar = (status: StandardStatus) => ({ committee: "TAR", status });
const check = (actor: Actor | null, action: Action, status?: StandardStatus): boolean =>
  status === undefined ? can(actor, action as never) : (can as (a: Actor | null, x: Action, r: unknown) => boolean)(actor, action, tar(status));

describe("permission matrix", () => {
  it("the expectation tables cover exactly the policy's actions", () => {
    const tabled = [...Object.keys(ACTOR_ACTIONS), ...Object.keys(STANDARD_ACTIONS), ...Object.keys(PROPOSAL_ACTIONS)].sort();
    expect(tabled).toEqual([...ACTIONS].sort());
    expect([...Object.keys(STANDARD_ACTIONS), ...Object.keys(PROPOSAL_ACTIONS)].sort()).toEqual([...RESOURCE_ACTIONS].sort());
  });

  describe.each(Object.entries(ACTOR_ACTIONS))("%s", (action, row) => {
    it.each(Object.entries(cells(row)))("%s → %s", (column, expected) => {
      expect(check(actorFor(column as Column), action as Action)).toBe(expected);
    });
  });

  describe.each(Object.entries(STANDARD_ACTIONS))("%s on a TAR standard", (action, rows) => {
    for (const phase of ["draft", "published"] as const) {
      it.each(Object.entries(cells(rows[phase])))(`${phase}: %s → %s`, (column, expected) => {
        expect(check(actorFor(column as Column), action as Action, phase)).toBe(expected);
      });
    }
  });

  describe.each(Object.entries(PROPOSAL_ACTIONS))("%s on a TAR proposal", (action, rows) => {
    for (const whose of ["others", "own"] as const) {
      it.each(Object.entries(cells(rows[whose])))(`${whose}: %s → %s`, (column, expected) => {
        const actor = actorFor(column as Column);
        const createdBy = whose === "own" && actor ? actor.id : "someone-else";
        expect((can as (a: Actor | null, x: Action, r: unknown) => boolean)(actor, action as Action, { committee: "TAR", createdBy })).toBe(expected);
      });
    }
  });

  it("a proposal of another committee is nobody's business but the secretariat's, even its author's", () => {
    for (const column of COLUMNS) {
      const actor = actorFor(column);
      for (const action of Object.keys(PROPOSAL_ACTIONS) as Action[]) {
        const allowed = (can as (a: Actor | null, x: Action, r: unknown) => boolean)(actor, action, { committee: "CUS", createdBy: actor?.id ?? "x" });
        expect(allowed, `${column} ${action}`).toBe(actor?.role === "admin" && (!actor.readOnly || action === "proposal.read"));
      }
    }
  });

  it("a standard in review or under ballot is governed like a draft; a superseded one like a published one", () => {
    for (const column of COLUMNS) {
      const actor = actorFor(column);
      for (const action of RESOURCE_ACTIONS) {
        expect(check(actor, action, "review"), `${column} ${action} review`).toBe(check(actor, action, "draft"));
        expect(check(actor, action, "ballot"), `${column} ${action} ballot`).toBe(check(actor, action, "draft"));
        expect(check(actor, action, "superseded"), `${column} ${action} superseded`).toBe(check(actor, action, "published"));
      }
    }
  });

  it("a withdrawn standard is readable like a published one, and nobody edits its draft", () => {
    for (const column of COLUMNS) {
      const actor = actorFor(column);
      expect(check(actor, "standard.editDraft", "withdrawn"), column).toBe(false);
      for (const action of RESOURCE_ACTIONS) {
        if (action !== "standard.editDraft") expect(check(actor, action, "withdrawn"), `${column} ${action}`).toBe(check(actor, action, "published"));
      }
    }
  });

  it("observers never edit, never vote, never create proposals or standards, whatever the committee or status", () => {
    for (const committees of [["TAR"], ["LOG"], ["TAR", "LOG"], []]) {
      const observer: Actor = { id: "o", role: "observer", orgId: "gov", committees, votingRepresentative: true, readOnly: false };
      expect(can(observer, "ballot.vote")).toBe(false);
      expect(can(observer, "standard.create")).toBe(false);
      for (const status of STANDARD_STATUSES) {
        for (const action of ["standard.editDraft", "proposal.create", "standard.freezeRevision", "comment.resolve"] as const) {
          expect(can(observer, action, tar(status)), `${action} ${status}`).toBe(false);
        }
        expect(can(observer, "comment.create", tar(status))).toBe(committees.includes("TAR"));
      }
    }
  });

  it("a ballot on a draft is also seen by everyone on its roll, whatever their committee; never by the public", () => {
    const outside = { committee: "TAR", status: "draft" as const, onRoll: true };
    for (const column of COLUMNS) {
      const actor = actorFor(column);
      expect(can(actor, "ballot.read", outside), column).toBe(actor !== null);
      expect(can(actor, "ballot.read", { ...outside, onRoll: false }), column).toBe(can(actor, "standard.read", tar("draft")));
    }
  });

  it("members edit the drafts of their committees and vote", () => {
    const member = actorFor("member+TAR")!;
    expect(can(member, "ballot.vote")).toBe(true);
    expect(can(member, "standard.editDraft", tar("draft"))).toBe(true);
    expect(can(member, "standard.editDraft", { committee: "LOG", status: "draft" })).toBe(false);
  });

  it("the public sees published standards only", () => {
    for (const status of STANDARD_STATUSES) {
      expect(can(null, "standard.read", tar(status)), status).toBe(["published", "superseded", "withdrawn"].includes(status));
      expect(can(null, "standard.readDraft", tar(status))).toBe(false);
      expect(can(null, "comment.create", tar(status))).toBe(false);
    }
  });

  it("read-only tokens may only take read actions, whatever the role", () => {
    for (const role of ["admin", "expert", "member", "observer"] as const) {
      const actor: Actor = { id: "r", role, orgId: "o", committees: ["TAR", "LOG"], votingRepresentative: true, readOnly: true };
      for (const action of ACTIONS) {
        const allowed = RESOURCE_ACTIONS.has(action) ? STANDARD_STATUSES.some((s) => check(actor, action, s)) : check(actor, action);
        if (allowed) expect(isReadAction(action), `${role} ${action}`).toBe(true);
      }
    }
  });

  it("the read actions are exactly the listing and reading ones", () => {
    expect(ACTIONS.filter(isReadAction).sort()).toEqual(
      [
        "account.read",
        "audit.read",
        "audit.readPublic",
        "ballot.read",
        "committee.list",
        "notification.read",
        "org.list",
        "outbox.read",
        "proposal.list",
        "proposal.read",
        "standard.list",
        "standard.read",
        "standard.readDraft",
        "user.list",
      ].sort(),
    );
  });
});

describe("the read scope lists filter on in SQL", () => {
  it("admits exactly the standards `standard.read` allows, for every actor, committee and status", () => {
    for (const column of COLUMNS) {
      const actor = actorFor(column);
      const scope = standardReadScope(actor);
      for (const committee of ["TAR", "LOG", "PAY"]) {
        for (const status of STANDARD_STATUSES) {
          const inScope = scope.all || scope.statuses.includes(status) || scope.committees.includes(committee);
          expect(inScope, `${column} ${committee} ${status}`).toBe(can(actor, "standard.read", { committee, status }));
        }
      }
    }
  });
});

describe("abilities", () => {
  it("maps every actor-only action, and no per-standard action", () => {
    for (const column of COLUMNS) {
      const map = abilities(actorFor(column));
      expect(Object.keys(map).sort()).toEqual(ACTIONS.filter((a) => !RESOURCE_ACTIONS.has(a)).sort());
    }
  });

  it.each(COLUMNS.map((c) => [c]))("agrees with the expectation table for %s", (column) => {
    const map = abilities(actorFor(column));
    for (const [action, row] of Object.entries(ACTOR_ACTIONS)) expect(map[action as Action], action).toBe(cells(row)[column]);
  });

  it("the public may only list standards and read the public audit record", () => {
    const map = abilities(null);
    expect(Object.entries(map).filter(([, ok]) => ok).map(([a]) => a).sort()).toEqual(["audit.readPublic", "standard.list"]);
  });
});

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

describe("sessions", () => {
  let temp: ReturnType<typeof openTempDb>;
  let userId: string;
  let otherUserId: string;
  const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);
  const MINUTE = 60 * 1000;
  const DAY = 24 * 60 * MINUTE;

  beforeAll(async () => {
    temp = openTempDb();
    const org = createOrg({ kind: "company" });
    userId = (await createUser({ org })).id;
    otherUserId = (await createUser({ org })).id;
  });

  afterAll(() => temp.close());

  const row = (id: string) =>
    temp.db.$client.prepare("select id, secret_hash as secretHash, expires_at as expiresAt, last_verified_at as lastVerifiedAt from sessions where id = ?").get(id) as
      | { id: string; secretHash: string; expiresAt: number; lastVerifiedAt: number }
      | undefined;

  it("a token is `<id>.<secret>` in lower-case base32; only the SHA-256 of the secret is stored", () => {
    const { token, session } = createSession(userId, T0);
    expect(token).toMatch(/^[a-z2-7]{24}\.[a-z2-7]{32}$/);
    const [id, secret] = token.split(".");
    expect(session.id).toBe(id);
    expect(row(id)?.secretHash).toBe(sha256Hex(secret));
    const everything = JSON.stringify(temp.db.$client.prepare("select * from sessions").all());
    expect(everything).not.toContain(secret);
  });

  it("two sessions never share an id or a secret", () => {
    const a = createSession(userId, T0).token.split(".");
    const b = createSession(userId, T0).token.split(".");
    expect(a[0]).not.toBe(b[0]);
    expect(a[1]).not.toBe(b[1]);
  });

  it("the right token validates; a wrong secret of the same length is refused through the hash comparison and does not end the session", () => {
    const { token } = createSession(userId, T0);
    const [id, secret] = token.split(".");
    expect(validateSessionToken(token, T0 + 1000)?.userId).toBe(userId);
    const flipped = secret.slice(0, -1) + (secret.endsWith("a") ? "b" : "a");
    expect(validateSessionToken(`${id}.${flipped}`, T0 + 1000)).toBeNull();
    expect(validateSessionToken(`${id}.${secret.slice(1)}`, T0 + 1000)).toBeNull();
    expect(validateSessionToken(token, T0 + 2000)?.userId).toBe(userId);
  });

  it("hexEqual compares equal strings true, and different contents or lengths false", () => {
    const h = sha256Hex("secret");
    expect(hexEqual(h, sha256Hex("secret"))).toBe(true);
    expect(hexEqual(h, sha256Hex("secreT"))).toBe(false);
    expect(hexEqual(h, h.slice(0, -1))).toBe(false);
    expect(hexEqual("", "")).toBe(true);
  });

  it.each([[""], ["nodot"], ["a.b.c"], [".secret"], ["id."], [`${"a".repeat(65)}.secret`], [`id.${"b".repeat(65)}`], ["unknownid.unknownsecret"]])(
    "a malformed or unknown token %j is refused",
    (token) => {
      expect(validateSessionToken(token, T0)).toBeNull();
    },
  );

  it("idle expiry slides with use, at most one write a minute", () => {
    const { token, session } = createSession(userId, T0);
    expect(session.expiresAt).toBe(T0 + IDLE_TIMEOUT_MS);
    validateSessionToken(token, T0 + 30 * 1000);
    expect(row(session.id)).toMatchObject({ expiresAt: T0 + IDLE_TIMEOUT_MS, lastVerifiedAt: T0 });
    expect(validateSessionToken(token, T0 + 6 * DAY)?.expiresAt).toBe(T0 + 6 * DAY + IDLE_TIMEOUT_MS);
    expect(row(session.id)?.expiresAt).toBe(T0 + 6 * DAY + IDLE_TIMEOUT_MS);
    // Past the first idle deadline, but used within a week: still valid.
    expect(validateSessionToken(token, T0 + 12 * DAY)).not.toBeNull();
  });

  it("a session unused for the idle timeout ends, and its row is removed", () => {
    const { token, session } = createSession(userId, T0);
    expect(validateSessionToken(token, T0 + IDLE_TIMEOUT_MS - 1)).not.toBeNull();
    const after = T0 + IDLE_TIMEOUT_MS - 1 + IDLE_TIMEOUT_MS;
    expect(validateSessionToken(token, after)).toBeNull();
    expect(row(session.id)).toBeUndefined();
  });

  it("the absolute lifetime caps the sliding expiry", () => {
    const { token, session } = createSession(userId, T0);
    for (let day = 6; day < 30; day += 6) expect(validateSessionToken(token, T0 + day * DAY), `day ${day}`).not.toBeNull();
    expect(row(session.id)?.expiresAt).toBe(T0 + ABSOLUTE_LIFETIME_MS);
    expect(validateSessionToken(token, T0 + ABSOLUTE_LIFETIME_MS - 1)).not.toBeNull();
    expect(validateSessionToken(token, T0 + ABSOLUTE_LIFETIME_MS)).toBeNull();
    expect(row(session.id)).toBeUndefined();
  });

  it("invalidateUserSessions ends every session of the user except the one kept, and no one else's", () => {
    const s1 = createSession(userId, T0);
    const kept = createSession(userId, T0);
    const s3 = createSession(userId, T0);
    const other = createSession(otherUserId, T0);
    invalidateUserSessions(userId, kept.session.id);
    expect(validateSessionToken(s1.token, T0 + 1)).toBeNull();
    expect(validateSessionToken(s3.token, T0 + 1)).toBeNull();
    expect(validateSessionToken(kept.token, T0 + 1)?.userId).toBe(userId);
    expect(validateSessionToken(other.token, T0 + 1)?.userId).toBe(otherUserId);
    invalidateUserSessions(userId);
    expect(validateSessionToken(kept.token, T0 + 2)).toBeNull();
    expect(validateSessionToken(other.token, T0 + 2)?.userId).toBe(otherUserId);
  });

  it("invalidateSession ends one session; purgeExpiredSessions removes only expired ones", () => {
    const one = createSession(otherUserId, T0);
    invalidateSession(one.session.id);
    expect(validateSessionToken(one.token, T0 + 1)).toBeNull();
    const old = createSession(otherUserId, T0 - 40 * DAY);
    const fresh = createSession(otherUserId, T0);
    purgeExpiredSessions(T0);
    expect(row(old.session.id)).toBeUndefined();
    expect(row(fresh.session.id)).toBeDefined();
  });

  it("reads the token from a Cookie header among other cookies", () => {
    const name = sessionCookieName();
    expect(readSessionToken(`theme=dark; ${name}=abc.def; lang=de`)).toBe("abc.def");
    expect(readSessionToken(`${name}=abc%2Edef`)).toBe("abc.def");
    expect(readSessionToken(`${name}=`)).toBeNull();
    expect(readSessionToken("theme=dark")).toBeNull();
    expect(readSessionToken(`x${name}=abc.def`)).toBeNull();
    expect(readSessionToken(undefined)).toBeNull();
  });

  it("the cookie is HttpOnly and SameSite=Lax; over HTTPS it is __Host- prefixed and Secure", () => {
    const plain = sessionCookie("abc.def", T0 + DAY);
    expect(plain).toMatch(/^ewtp_session=abc\.def; /);
    expect(plain).toContain("HttpOnly");
    expect(plain).toContain("SameSite=Lax");
    expect(plain).toContain("Path=/");
    expect(plain).not.toContain("Secure");
    expect(blankSessionCookie()).toContain("Max-Age=0");
    const previous = readEnv({ DATA_DIR: temp.dataDir });
    try {
      setEnv(readEnv({ DATA_DIR: temp.dataDir, PUBLIC_URL: "https://standards.example.org" }));
      const secure = sessionCookie("abc.def", T0 + DAY);
      expect(secure).toMatch(/^__Host-ewtp_session=abc\.def; /);
      expect(secure).toContain("Secure");
      expect(secure).not.toContain("Domain=");
      expect(blankSessionCookie()).toMatch(/^__Host-ewtp_session=;.*Secure/);
    } finally {
      setEnv(previous);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Sign-in throttling
// ---------------------------------------------------------------------------------------------

describe("sign-in throttle", () => {
  const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);
  beforeEach(() => resetThrottle());
  afterEach(() => resetThrottle());

  it(`allows ${ACCOUNT_LIMIT - 1} failures on an account, then asks it to wait`, () => {
    for (let i = 0; i < ACCOUNT_LIMIT - 1; i++) recordSignInFailure("ana@example.org", "10.0.0.1", T0 + i * 1000);
    expect(signInRetryAfter("ana@example.org", "10.0.0.1", T0 + 10_000)).toBe(0);
    recordSignInFailure("ana@example.org", "10.0.0.1", T0 + 10_000);
    // The oldest of the last five failures (at T0) leaves the window at T0 + 15 min.
    expect(signInRetryAfter("ana@example.org", "10.0.0.9", T0 + 20_000)).toBe(Math.ceil((WINDOW_MS - 20_000) / 1000));
  });

  it("counts the account regardless of the email's letter case, and from any address", () => {
    for (let i = 0; i < ACCOUNT_LIMIT; i++) recordSignInFailure(i % 2 ? "Bob@Example.org" : "bob@example.org", `10.0.0.${i}`, T0 + i);
    expect(signInRetryAfter("BOB@EXAMPLE.ORG", "192.168.1.1", T0 + 100)).toBeGreaterThan(0);
    expect(signInRetryAfter("carol@example.org", "192.168.1.1", T0 + 100)).toBe(0);
  });

  it("forgets failures once they leave the window", () => {
    for (let i = 0; i < ACCOUNT_LIMIT; i++) recordSignInFailure("dan@example.org", "10.0.0.1", T0 + i * 1000);
    expect(signInRetryAfter("dan@example.org", "10.0.0.1", T0 + WINDOW_MS - 1)).toBeGreaterThan(0);
    expect(signInRetryAfter("dan@example.org", "10.0.0.1", T0 + WINDOW_MS)).toBe(0);
  });

  it(`limits one address to ${ADDRESS_LIMIT} failures across accounts, and a success does not clear the address`, () => {
    for (let i = 0; i < ADDRESS_LIMIT; i++) recordSignInFailure(`user${i}@example.org`, "203.0.113.7", T0 + i);
    expect(signInRetryAfter("fresh@example.org", "203.0.113.7", T0 + 100)).toBeGreaterThan(0);
    expect(signInRetryAfter("fresh@example.org", "203.0.113.8", T0 + 100)).toBe(0);
    recordSignInSuccess("user0@example.org");
    expect(signInRetryAfter("fresh@example.org", "203.0.113.7", T0 + 100)).toBeGreaterThan(0);
  });

  it("a successful sign-in clears the account's failures", () => {
    for (let i = 0; i < ACCOUNT_LIMIT; i++) recordSignInFailure("eve@example.org", `10.0.1.${i}`, T0 + i);
    expect(signInRetryAfter("eve@example.org", "10.9.9.9", T0 + 100)).toBeGreaterThan(0);
    recordSignInSuccess("EVE@example.org");
    expect(signInRetryAfter("eve@example.org", "10.9.9.9", T0 + 100)).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// The audit chain
// ---------------------------------------------------------------------------------------------

describe("audit chain", () => {
  let temp: ReturnType<typeof openTempDb>;
  beforeEach(() => {
    temp = openTempDb();
    for (let i = 1; i <= 6; i++) recordAudit({ actorId: i % 2 ? null : "user-1", action: "test.event", subjectType: "test", subjectId: `s${i}`, data: { i, note: "ünïcödé" } });
  });
  afterEach(() => temp.close());

  type Row = { seq: number; at: string; actorId: string | null; action: string; subjectType: string; subjectId: string | null; data: string; prevHash: string; hash: string };
  const rows = () =>
    temp.db.$client
      .prepare("select seq, at, actor_id as actorId, action, subject_type as subjectType, subject_id as subjectId, data, prev_hash as prevHash, hash from audit_events order by seq")
      .all() as Row[];

  it("links every entry to its predecessor, from the genesis hash", () => {
    const all = rows();
    expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all[0].prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < all.length; i++) expect(all[i].prevHash).toBe(all[i - 1].hash);
    for (const r of all) expect(entryHash(r)).toBe(r.hash);
  });

  it("verifies an intact chain and counts its entries", () => {
    expect(verifyAuditChain()).toEqual({ ok: true, count: 6 });
  });

  // Someone with the database file in hand (the sqlite3 command line) first drops the triggers
  // that make the table append-only, then edits; the chain still names the entry.
  const asTamperer = () => temp.db.$client.exec("DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;");

  it("refuses to update or delete an entry through SQL at all", () => {
    expect(() => temp.db.$client.prepare("update audit_events set data = '{}' where seq = 1").run()).toThrow(/append-only/);
    expect(() => temp.db.$client.prepare("delete from audit_events where seq = 1").run()).toThrow(/append-only/);
    expect(() => temp.db.$client.prepare("insert or replace into audit_events select * from audit_events where seq = 1").run()).toThrow(/append-only/);
    expect(verifyAuditChain()).toEqual({ ok: true, count: 6 });
  });

  it("names the entry whose data was edited", () => {
    asTamperer();
    temp.db.$client.prepare(`update audit_events set data = '{"i":3,"note":"forged"}' where seq = 3`).run();
    expect(verifyAuditChain()).toEqual({ ok: false, seq: 3, reason: expect.stringMatching(/does not match its hash/) });
  });

  it("names the entry after one whose hash was recomputed to hide an edit", () => {
    asTamperer();
    const second = rows()[1];
    const forged = { ...second, actorId: "someone-else" };
    temp.db.$client.prepare("update audit_events set actor_id = ?, hash = ? where seq = 2").run(forged.actorId, entryHash(forged));
    expect(verifyAuditChain()).toEqual({ ok: false, seq: 3, reason: expect.stringMatching(/link/) });
  });

  it("names the gap where an entry was deleted", () => {
    asTamperer();
    temp.db.$client.prepare("delete from audit_events where seq = 4").run();
    expect(verifyAuditChain()).toEqual({ ok: false, seq: 5, reason: expect.stringMatching(/entry 4 is missing/) });
  });
});
