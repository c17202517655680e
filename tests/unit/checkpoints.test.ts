/**
 * Signing keys and signed audit checkpoints: keys made on first use (private files) or read from a
 * configured PEM; signed documents that verify and stop verifying when anything changes; and
 * `verifyAuditRecord` naming the first bad entry or checkpoint after an attacker with the database
 * file edits it — including an edit hidden by recomputing every later hash.
 */
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { entryHash, recordAudit } from "../../app/domain/audit.server";
import { latestCheckpoint, signCheckpoint, signDailyCheckpointIfDue, verifyAuditRecord } from "../../app/domain/checkpoints.server";
import { keyIdOf, keyPath, listPublicKeys, publicKeyInfo, signDocument, signingBytes, verifyDocument } from "../../app/domain/signing-keys.server";
import { openTempDb } from "../support/db";

let temp: ReturnType<typeof openTempDb>;
beforeEach(() => {
  temp = openTempDb();
});
afterEach(() => temp.close());

describe("signing keys", () => {
  it("are made on first use under DATA_DIR/keys: a private directory and private files, one key per role", () => {
    const keys = listPublicKeys();
    expect(keys.map((k) => k.role)).toEqual(["release", "index"]);
    expect(keys[0].keyid).not.toBe(keys[1].keyid);
    const dir = path.join(temp.dataDir, "keys");
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(dir).sort()).toEqual(["index-ed25519.pem", "release-ed25519.pem"]);
    for (const f of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
    for (const k of keys) {
      const raw = Buffer.from(k.publicKey, "base64");
      expect(raw).toHaveLength(32);
      expect(k.keyid).toBe(keyIdOf(raw));
    }
    // The same key comes back (from the file, not made again).
    expect(listPublicKeys()).toEqual(keys);
  });

  it("are read from INDEX_KEY_PATH / RELEASE_KEY_PATH when set (PEM, PKCS #8); a missing file is a clear error", () => {
    const file = path.join(temp.dataDir, "supplied-index.pem");
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    fs.writeFileSync(file, privateKey.export({ format: "pem", type: "pkcs8" }));
    const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
    process.env.INDEX_KEY_PATH = file;
    try {
      expect(keyPath("index")).toEqual({ file, configured: true });
      expect(publicKeyInfo("index")).toMatchObject({ keyid: keyIdOf(raw), publicKey: raw.toString("base64"), role: "index" });
      process.env.RELEASE_KEY_PATH = path.join(temp.dataDir, "missing.pem");
      expect(() => publicKeyInfo("release")).toThrow(/RELEASE_KEY_PATH names .*missing\.pem, which does not exist/);
    } finally {
      delete process.env.INDEX_KEY_PATH;
      delete process.env.RELEASE_KEY_PATH;
    }
  });

  it("sign the RFC 8785 canonical JSON: key order does not matter, any change breaks the signature", () => {
    const doc = signDocument("release", { b: 1, a: "ü", nested: { z: [1, 2], y: null } });
    expect(signingBytes({ nested: { y: null, z: [1, 2] }, a: "ü", b: 1 }).toString("utf8")).toBe('{"a":"ü","b":1,"nested":{"y":null,"z":[1,2]}}');
    const keys = listPublicKeys();
    expect(verifyDocument(doc, keys)).toBe(true);
    expect(verifyDocument({ signed: { nested: { y: null, z: [1, 2] }, a: "ü", b: 1 }, signatures: doc.signatures }, keys)).toBe(true);
    expect(verifyDocument({ ...doc, signed: { ...doc.signed, b: 2 } }, keys)).toBe(false);
    expect(verifyDocument(doc, [keys[1]])).toBe(false); // signed by the release key, checked against the index key only
    expect(verifyDocument(doc, keys, 2)).toBe(false); // one signature does not meet a threshold of two
    expect(verifyDocument({ ...doc, signatures: [{ keyid: doc.signatures[0].keyid, sig: "AAAA" }] }, keys)).toBe(false);
    expect(verifyDocument({ ...doc, signatures: [...doc.signatures, ...doc.signatures] }, keys, 2)).toBe(false); // the same key twice counts once
    for (const junk of [null, 42, "x", {}, { signed: 1 }, { signed: {}, signatures: "no" }]) expect(verifyDocument(junk, keys)).toBe(false);
  });
});

describe("checkpoints", () => {
  const write = (n: number) => {
    for (let i = 0; i < n; i++) recordAudit({ actorId: null, action: "test.event", subjectType: "test", subjectId: `s${i}`, data: { i } });
  };
  type Row = { seq: number; at: string; actorId: string | null; action: string; subjectType: string; subjectId: string | null; data: string; prevHash: string; hash: string };
  const rows = () =>
    temp.db.$client
      .prepare("select seq, at, actor_id as actorId, action, subject_type as subjectType, subject_id as subjectId, data, prev_hash as prevHash, hash from audit_events order by seq")
      .all() as Row[];
  const asAttacker = () => temp.db.$client.exec("DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete; DROP TRIGGER audit_checkpoints_no_update; DROP TRIGGER audit_checkpoints_no_delete;");

  it("sign the chain head with the index key; the record verifies", () => {
    expect(signCheckpoint("empty")).toBeNull();
    write(4);
    const cp = signCheckpoint("ballot X closed")!;
    expect(cp.signed).toMatchObject({ seq: 4, headHash: rows()[3].hash, reason: "ballot X closed" });
    expect(cp.signatures[0].keyid).toBe(publicKeyInfo("index").keyid);
    expect(verifyDocument(cp, [publicKeyInfo("index")])).toBe(true);
    write(3);
    signCheckpoint("daily");
    expect(verifyAuditRecord()).toMatchObject({ ok: true, entries: 7, checkpoints: 2, latest: { seq: 7, reason: "daily" } });
  });

  it("a daily checkpoint is signed when none was signed in the last 24 hours", () => {
    const t0 = new Date("2030-01-01T09:00:00Z");
    expect(signDailyCheckpointIfDue(t0)).toBeNull(); // nothing to sign yet
    write(1);
    expect(signDailyCheckpointIfDue(t0)?.signed.signedAt).toBe(t0.toISOString());
    expect(signDailyCheckpointIfDue(new Date(t0.getTime() + 23 * 3600_000))).toBeNull();
    expect(signDailyCheckpointIfDue(new Date(t0.getTime() + 24 * 3600_000))?.signed.reason).toBe("daily");
    expect(latestCheckpoint()?.signed.signedAt).toBe("2030-01-02T09:00:00.000Z");
  });

  it("an edited entry is named by the chain", () => {
    write(5);
    signCheckpoint("daily");
    asAttacker();
    temp.db.$client.prepare(`update audit_events set data = '{"i":99}' where seq = 3`).run();
    expect(verifyAuditRecord()).toMatchObject({ ok: false, problem: { kind: "entry", seq: 3, message: expect.stringMatching(/does not match its hash/) } });
  });

  it("an edit hidden by recomputing every later hash is caught by the checkpoint, naming the rewritten entries", () => {
    write(3);
    signCheckpoint("daily");
    write(3);
    signCheckpoint("ballot Y closed");
    asAttacker();
    // Rewrite entry 5, then rebuild the chain after it so that every link and hash is consistent again.
    let prev = rows()[3].hash;
    for (const r of rows().slice(4)) {
      const forged = { ...r, data: r.seq === 5 ? '{"i":"forged"}' : r.data, prevHash: prev };
      const hash = entryHash(forged);
      temp.db.$client.prepare("update audit_events set data = ?, prev_hash = ?, hash = ? where seq = ?").run(forged.data, prev, hash, r.seq);
      prev = hash;
    }
    expect(verifyAuditRecord()).toEqual({
      ok: false,
      entries: 6,
      checkpoints: 2,
      problem: { kind: "checkpoint", id: 2, seq: 6, message: "entry 6 no longer has the signed hash: entries 4 to 6 were rewritten after the checkpoint was signed" },
    });
  });

  it("a checkpoint whose head was edited no longer verifies; a deleted checkpoint is missing; a truncated tail is noticed", () => {
    write(2);
    signCheckpoint("a");
    write(2);
    signCheckpoint("b");
    write(2);
    signCheckpoint("c");
    asAttacker();
    temp.db.$client.prepare("update audit_checkpoints set head_hash = ? where id = 2").run("f".repeat(64));
    expect(verifyAuditRecord()).toMatchObject({ ok: false, problem: { kind: "checkpoint", id: 2, message: expect.stringMatching(/signature does not verify/) } });
    temp.db.$client.prepare("delete from audit_checkpoints where id = 2").run();
    expect(verifyAuditRecord()).toMatchObject({ ok: false, problem: { kind: "checkpoint", id: 3, message: "checkpoint 2 is missing" } });
  });

  it("removing the newest entries (which the chain alone cannot see) is caught by a checkpoint that signed them", () => {
    write(4);
    signCheckpoint("daily");
    asAttacker();
    temp.db.$client.prepare("delete from audit_events where seq >= 3").run();
    expect(verifyAuditRecord()).toMatchObject({ ok: false, entries: 2, problem: { kind: "checkpoint", id: 1, seq: 4, message: expect.stringMatching(/no longer in the record/) } });
  });

  it("a checkpoint signed by another key does not verify", () => {
    write(2);
    signCheckpoint("daily");
    expect(verifyAuditRecord([publicKeyInfo("release")])).toMatchObject({ ok: false, problem: { kind: "checkpoint", id: 1, message: expect.stringMatching(/does not verify/) } });
  });
});
