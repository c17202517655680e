/** Password hashing with argon2id at OWASP's recommended parameters (m=19456 KiB, t=2, p=1). */
import { hash, verify } from "@node-rs/argon2";

const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32, algorithm: 2 /* Argon2id */ } as const;

export { PASSWORD_MIN, PASSWORD_MAX } from "./password.constants";

/** Hashes a password for storage. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

// A real hash of a random string, verified against when the account does not exist, so the time
// a failed sign-in takes does not tell whether the email is registered.
let dummyHash: Promise<string> | undefined;

/** Checks a password against a stored hash (or against a dummy when there is none). */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored) {
    dummyHash ??= hashPassword("not-a-real-password-" + Math.random());
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
