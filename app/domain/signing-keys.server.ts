/**
 * The portal's Ed25519 signing keys (node:crypto): "release" signs release manifests, "index"
 * signs the repository index and the audit checkpoints. Each key is read from the PEM (PKCS #8)
 * file named by RELEASE_KEY_PATH / INDEX_KEY_PATH, or made on first use under DATA_DIR/keys/
 * (directory 0700, files 0600).
 *
 * Signed documents follow the API contract: `{signed, signatures: [{keyid, sig}]}`, where `sig` is
 * the base64 Ed25519 signature over the RFC 8785 canonical JSON of `signed`, and `keyid` is the hex
 * SHA-256 of the raw 32-byte public key.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import canonicalize from "canonicalize";
import { env } from "../utils/env.server";

export const KEY_ROLES = ["release", "index"] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

/** A public key as GET /keys publishes it. */
export type PublicKeyInfo = { keyid: string; algorithm: "ed25519"; publicKey: string; role: KeyRole };

/** A signed document of the contract. */
export type SignedDocument<T = Record<string, unknown>> = { signed: T; signatures: { keyid: string; sig: string }[] };

type LoadedKey = { privateKey: KeyObject; info: PublicKeyInfo; source: string };

const ENV_PATH: Record<KeyRole, string> = { release: "RELEASE_KEY_PATH", index: "INDEX_KEY_PATH" };

// Keyed by the file the key came from, so tests with their own DATA_DIR never see another's key.
const g = globalThis as { __portalSigningKeys?: Map<string, LoadedKey> };
const cache = () => (g.__portalSigningKeys ??= new Map());

/** The raw 32 bytes of an Ed25519 public key. */
function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: "jwk" });
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || !jwk.x) throw new Error("The key is not an Ed25519 key.");
  return Buffer.from(jwk.x, "base64url");
}

/** The contract's key id: hex SHA-256 of the raw public key bytes. */
export function keyIdOf(rawPublic: Buffer): string {
  return createHash("sha256").update(rawPublic).digest("hex");
}

/** Where a role's key lives: the configured path, or DATA_DIR/keys/<role>-ed25519.pem. */
export function keyPath(role: KeyRole): { file: string; configured: boolean } {
  const configured = process.env[ENV_PATH[role]];
  if (configured) return { file: path.resolve(configured), configured: true };
  return { file: path.join(env().dataDir, "keys", `${role}-ed25519.pem`), configured: false };
}

/** Creates the key file if it does not exist yet (exclusively, so two processes starting together agree on one key). */
function createKeyFile(file: string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const { privateKey } = generateKeyPairSync("ed25519");
  const pem = privateKey.export({ format: "pem", type: "pkcs8" }) as string;
  try {
    fs.writeFileSync(file, pem, { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
}

/** The role's key, loaded once per file; made on first use unless its path was configured. */
function loadKey(role: KeyRole): LoadedKey {
  const { file, configured } = keyPath(role);
  const hit = cache().get(`${role}:${file}`);
  if (hit) return hit;
  if (!fs.existsSync(file)) {
    if (configured) throw new Error(`${ENV_PATH[role]} names ${file}, which does not exist. Point it at an Ed25519 private key (PEM, PKCS #8).`);
    createKeyFile(file);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: fs.readFileSync(file, "utf8"), format: "pem" });
  } catch (err) {
    throw new Error(`The ${role} signing key in ${file} cannot be read as a PEM private key: ${(err as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error(`The ${role} signing key in ${file} is ${privateKey.asymmetricKeyType}, not Ed25519.`);
  const raw = rawPublicKey(createPublicKey(privateKey));
  const loaded: LoadedKey = { privateKey, info: { keyid: keyIdOf(raw), algorithm: "ed25519", publicKey: raw.toString("base64"), role }, source: file };
  cache().set(`${role}:${file}`, loaded);
  return loaded;
}

/** The public half of a role's key. */
export function publicKeyInfo(role: KeyRole): PublicKeyInfo {
  return loadKey(role).info;
}

/** Every public key of the portal, as GET /keys lists them. */
export function listPublicKeys(): PublicKeyInfo[] {
  return KEY_ROLES.map(publicKeyInfo);
}

/** The bytes that are signed: the RFC 8785 canonical JSON of `signed`, in UTF-8. */
export function signingBytes(signed: unknown): Buffer {
  const text = canonicalize(signed);
  if (text === undefined) throw new Error("Cannot sign a value that has no JSON form.");
  return Buffer.from(text, "utf8");
}

/** Signs `signed` with the role's key: `{signed, signatures: [{keyid, sig}]}`. */
export function signDocument<T>(role: KeyRole, signed: T): SignedDocument<T> {
  const key = loadKey(role);
  const sig = sign(null, signingBytes(signed), key.privateKey).toString("base64");
  return { signed, signatures: [{ keyid: key.info.keyid, sig }] };
}

/** A public key object from the contract's base64 raw 32 bytes. */
function publicKeyFromRaw(base64: string): KeyObject | null {
  const raw = Buffer.from(base64, "base64");
  if (raw.length !== 32) return null;
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
}

/**
 * Whether a signed document carries at least `threshold` valid signatures by distinct keys among
 * `publicKeys` (signatures by unknown keys are ignored). Never throws on malformed input.
 */
export function verifyDocument(doc: unknown, publicKeys: readonly Pick<PublicKeyInfo, "keyid" | "publicKey">[], threshold = 1): boolean {
  if (!doc || typeof doc !== "object") return false;
  const { signed, signatures } = doc as Partial<SignedDocument<unknown>>;
  if (signed === undefined || !Array.isArray(signatures)) return false;
  let bytes: Buffer;
  try {
    bytes = signingBytes(signed);
  } catch {
    return false;
  }
  const valid = new Set<string>();
  for (const s of signatures) {
    if (!s || typeof s.keyid !== "string" || typeof s.sig !== "string" || valid.has(s.keyid)) continue;
    const known = publicKeys.find((k) => k.keyid === s.keyid);
    if (!known) continue;
    try {
      const key = publicKeyFromRaw(known.publicKey);
      if (key && keyIdOf(rawPublicKey(key)) === s.keyid && verify(null, bytes, key, Buffer.from(s.sig, "base64"))) valid.add(s.keyid);
    } catch {
      // A malformed key or signature is simply not a valid signature.
    }
  }
  return valid.size >= threshold;
}
