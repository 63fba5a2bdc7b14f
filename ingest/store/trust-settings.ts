import { ConflictError, NotFoundError, ValidationError, sql, type QueryRunner } from '../../core/index.ts';

/**
 * The trusts as configured, and the DICOM calling AE titles that map a sending modality or PACS to
 * its trust (dicom_calling_ae_titles, migration 0009). KERMA_TRUSTS_FILE seeds the titles of a trust
 * it creates; afterwards the administration page edits them, and the DICOM listener picks changes
 * up without a restart (transports/calling-ae-directory.ts).
 */
export interface TrustSettings {
  readonly trustId: number;
  readonly code: string;
  readonly name: string;
  /** IANA zone of the trust's devices; null: the deployment's KERMA_TIMEZONE. */
  readonly timeZone: string | null;
  readonly nhsNumberSource: 'none' | 'patient_id' | 'other_patient_ids';
  readonly callingAeTitles: readonly string[];
}

export interface CallingAeTitle {
  readonly aeTitle: string;
  readonly trustCode: string;
  readonly trustName: string;
}

export async function listTrustSettings(db: QueryRunner): Promise<TrustSettings[]> {
  const { rows } = await db.query<TrustSettings & { trustId: string }>(sql`
    SELECT t.trust_id AS "trustId", t.code, t.name, t.time_zone AS "timeZone", t.nhs_number_source AS "nhsNumberSource",
           COALESCE((SELECT array_agg(a.ae_title ORDER BY a.ae_title) FROM dicom_calling_ae_titles a
                     WHERE a.trust_id = t.trust_id), '{}') AS "callingAeTitles"
    FROM trusts t ORDER BY t.code`);
  return rows.map((row) => ({ ...row, trustId: Number(row.trustId) }));
}

export async function listCallingAeTitles(db: QueryRunner): Promise<CallingAeTitle[]> {
  const { rows } = await db.query<CallingAeTitle>(sql`
    SELECT a.ae_title AS "aeTitle", t.code AS "trustCode", t.name AS "trustName"
    FROM dicom_calling_ae_titles a JOIN trusts t USING (trust_id) ORDER BY a.ae_title`);
  return rows;
}

/** Calling AE title -> trust code, for the DICOM listener's allow-list. */
export async function callingAeMap(db: QueryRunner): Promise<Map<string, string>> {
  return new Map((await listCallingAeTitles(db)).map((row) => [row.aeTitle, row.trustCode] as const));
}

/**
 * PS3.5 Table 6.2-1, AE VR: up to 16 characters of the default repertoire without backslash or
 * control characters; leading and trailing spaces are not significant, so they are trimmed here.
 */
export function normaliseAeTitle(text: string): string {
  const title = text.trim();
  if (!/^[ -[\]-~]{1,16}$/.test(title)) {
    throw new ValidationError('An AE title is 1 to 16 printable ASCII characters without a backslash', {
      field: 'aeTitle',
    });
  }
  return title;
}

/** Maps `aeTitle` to the trust `trustCode`; a title already mapped (to any trust) is a conflict. */
export async function addCallingAeTitle(db: QueryRunner, aeTitle: string, trustCode: string): Promise<string> {
  const title = normaliseAeTitle(aeTitle);
  const { rows } = await db.query<{ ae_title: string }>(sql`
    INSERT INTO dicom_calling_ae_titles (ae_title, trust_id)
    SELECT ${title}, trust_id FROM trusts WHERE code = ${trustCode}
    ON CONFLICT (ae_title) DO NOTHING RETURNING ae_title`);
  if (rows.length > 0) return title;
  const owner = await db.query<{ code: string }>(sql`
    SELECT t.code FROM dicom_calling_ae_titles a JOIN trusts t USING (trust_id) WHERE a.ae_title = ${title}`);
  if (owner.rows[0]) throw new ConflictError(`AE title ${title} is already mapped to trust ${owner.rows[0].code}`);
  throw new NotFoundError(`No trust with code ${trustCode}`);
}

/** Removes a mapping and returns the trust it pointed to, for the audit log's "before". */
export async function removeCallingAeTitle(db: QueryRunner, aeTitle: string): Promise<string> {
  const { rows } = await db.query<{ code: string }>(sql`
    DELETE FROM dicom_calling_ae_titles a USING trusts t
    WHERE a.ae_title = ${aeTitle.trim()} AND t.trust_id = a.trust_id RETURNING t.code`);
  if (!rows[0]) throw new NotFoundError(`No calling AE title ${aeTitle.trim()}`);
  return rows[0].code;
}
