import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { ConfigError, sql, type QueryRunner } from '../core/index.ts';

/**
 * The trusts (sites) of the consortium, from KERMA_TRUSTS_FILE. Applied at start-up: each entry is
 * created or updated by its code. The calling AE titles are the exception: the file seeds them when
 * it creates a trust, and from then on the administration page owns them (migration 0009), so an
 * admin's edit is not undone at the next start.
 */
export interface TrustDefinition {
  readonly code: string;
  readonly name: string;
  /** Calling AE titles of this trust's modalities and PACS (seed only: see above); the SCP accepts only listed ones. */
  readonly callingAeTitles?: readonly string[];
  readonly nhsNumber?: { readonly source: 'patient_id' | 'other_patient_ids'; readonly issuer?: string };
  readonly localIdIssuer?: string;
  /**
   * IANA zone of the trust's devices, for objects that state no UTC offset (0008,0201 or a DT
   * suffix); without it, KERMA_TIMEZONE. See docs/adr/0005-times-and-event-identity.md.
   */
  readonly timeZone?: string;
}

const schema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['code', 'name'],
    additionalProperties: false,
    properties: {
      code: { type: 'string', pattern: '^[A-Z0-9_-]{1,32}$' },
      name: { type: 'string', minLength: 1 },
      callingAeTitles: { type: 'array', items: { type: 'string', pattern: '^[ -~]{1,16}$' }, uniqueItems: true },
      nhsNumber: {
        type: 'object',
        required: ['source'],
        additionalProperties: false,
        properties: { source: { enum: ['patient_id', 'other_patient_ids'] }, issuer: { type: 'string', minLength: 1 } },
      },
      localIdIssuer: { type: 'string', minLength: 1 },
      timeZone: { type: 'string', minLength: 1 },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile<TrustDefinition[]>(schema);

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export function loadTrustsFile(path: string): TrustDefinition[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError([`KERMA_TRUSTS_FILE: cannot read ${path} (${(error as Error).message})`]);
  }
  if (!validate(parsed)) {
    throw new ConfigError(
      (validate.errors ?? []).map((e) => `KERMA_TRUSTS_FILE ${e.instancePath || '/'} ${e.message ?? 'is invalid'}`),
    );
  }
  const badZones = parsed.filter((t) => t.timeZone !== undefined && !isTimeZone(t.timeZone));
  if (badZones.length > 0)
    throw new ConfigError(
      badZones.map(
        (t) =>
          `KERMA_TRUSTS_FILE: timeZone of ${t.code} must be an IANA time zone such as Europe/London (got ${JSON.stringify(t.timeZone)})`,
      ),
    );
  const aeOwners = new Map<string, string>();
  for (const trust of parsed) {
    for (const ae of trust.callingAeTitles ?? []) {
      const owner = aeOwners.get(ae);
      if (owner)
        throw new ConfigError([
          `KERMA_TRUSTS_FILE: calling AE title ${ae} is listed for both ${owner} and ${trust.code}`,
        ]);
      aeOwners.set(ae, trust.code);
    }
  }
  return parsed;
}

export async function applyTrusts(db: QueryRunner, trusts: readonly TrustDefinition[]): Promise<void> {
  for (const t of trusts) {
    const { rows } = await db.query<{ trust_id: string; created: boolean }>(sql`
      INSERT INTO trusts (code, name, nhs_number_source, nhs_number_issuer, local_id_issuer, time_zone)
      VALUES (${t.code}, ${t.name}, ${t.nhsNumber?.source ?? 'none'}, ${t.nhsNumber?.issuer ?? null}, ${t.localIdIssuer ?? null}, ${t.timeZone ?? null})
      ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,
        nhs_number_source = EXCLUDED.nhs_number_source, nhs_number_issuer = EXCLUDED.nhs_number_issuer,
        local_id_issuer = EXCLUDED.local_id_issuer, time_zone = EXCLUDED.time_zone
      RETURNING trust_id, (xmax = 0) AS created`);
    // xmax = 0 only on a row this statement inserted: the trust is new, so the file's titles seed it.
    const row = rows[0];
    if (row?.created && (t.callingAeTitles ?? []).length > 0) {
      await db.query(sql`
        INSERT INTO dicom_calling_ae_titles (ae_title, trust_id)
        SELECT btrim(ae), ${row.trust_id}::bigint FROM unnest(${t.callingAeTitles ?? []}::text[]) AS ae
        ON CONFLICT (ae_title) DO NOTHING`);
    }
  }
}
