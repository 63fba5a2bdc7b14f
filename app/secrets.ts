import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/index.ts';
import type { KermaConfig } from './config/index.ts';

/**
 * The secret of the patient-identifier keyed hashes. Configured (KERMA_PATIENT_ID_KEY) in any real
 * deployment; otherwise generated once and kept in the data directory, which is right for a single
 * instance on the embedded database and wrong for several instances, hence the warning.
 */
export async function patientIdSecret(config: KermaConfig, logger: Logger): Promise<string> {
  if (config.patientIdKey) return config.patientIdKey;
  const file = path.join(config.dataDir, 'patient-id.key');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(config.dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  if (config.databaseUrl) {
    logger.warn(
      { file },
      'KERMA_PATIENT_ID_KEY is not set: generated a key for this instance only; every instance must share one',
    );
  }
  return (await readFile(file, 'utf8')).trim();
}
