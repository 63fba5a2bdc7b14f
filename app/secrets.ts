import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../core/index.ts';
import type { KermaConfig } from './config/index.ts';

/**
 * Refuses an external database without KERMA_PATIENT_ID_KEY. Every instance writing to one database
 * must hash identifiers with the same secret, or one patient's histories silently stop linking; a key
 * generated per instance cannot give that, so there is nothing safe to fall back on.
 */
export function assertPatientIdKeyConfigured(config: KermaConfig): void {
  if (config.databaseUrl && !config.patientIdKey) {
    throw new ConfigError([
      'KERMA_PATIENT_ID_KEY (or KERMA_PATIENT_ID_KEY_FILE) must be set when DATABASE_URL is: every instance ' +
        'using the database must hash patient identifiers with the same secret (e.g. `openssl rand -base64 32`)',
    ]);
  }
}

/**
 * The secret of the patient-identifier keyed hashes. Configured (KERMA_PATIENT_ID_KEY) in any real
 * deployment; with the embedded database (one instance, one data directory) it may be generated once
 * and kept in the data directory.
 */
export async function patientIdSecret(config: KermaConfig): Promise<string> {
  assertPatientIdKeyConfigured(config);
  if (config.patientIdKey) return config.patientIdKey;
  const file = path.join(config.dataDir, 'patient-id.key');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(config.dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return (await readFile(file, 'utf8')).trim();
}
