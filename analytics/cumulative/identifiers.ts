import { ForbiddenError, sql, ValidationError, type QueryRunner } from '../../core/index.ts';
import { isValidNhsNumber, patientKeys, type PatientInfo, type TrustIdentityRules } from '../../ingest/index.ts';
import type { PatientIdentifier } from './types.ts';

/**
 * The keyed hash ingest stored for a typed identifier, computed by ingest's own patientKeys (one
 * definition of a patient key: a look-up can never drift from what was stored). The identifier is
 * dressed as the object ingest would have read it from: the NHS number in Patient ID of a trust
 * that keeps it there; a local ID with its issuer at its trust.
 */

function patientInfo(patientId: string, issuer: string | undefined): PatientInfo {
  return {
    patientName: undefined,
    patientId,
    issuerOfPatientId: issuer,
    otherPatientIds: [],
    patientBirthDate: undefined,
    patientSex: undefined,
    patientAge: undefined,
    patientAgeYears: undefined,
    patientWeightKg: undefined,
    patientSizeM: undefined,
  };
}

/** NHS numbers are typed with spaces or dashes ("943 476 5919"); the key is of the ten digits. */
export function normalNhsNumber(text: string): string {
  const digits = text.replace(/[\s-]/g, '');
  if (!isValidNhsNumber(digits)) {
    throw new ValidationError('invalid body: field "nhsNumber" must be a valid NHS number (10 digits, modulus 11)', {
      problems: [{ field: 'nhsNumber', message: 'must be a valid NHS number (10 digits, modulus 11)' }],
    });
  }
  return digits;
}

export function nhsNumberKey(nhsNumber: string, secret: string): string {
  const rules: TrustIdentityRules = {
    code: '',
    nhsNumberSource: 'patient_id',
    nhsNumberIssuer: undefined,
    localIdIssuer: '',
  };
  const key = patientKeys(patientInfo(normalNhsNumber(nhsNumber), undefined), rules, secret).find(
    (k) => k.kind === 'nhs_number',
  );
  if (!key) throw new Error('patientKeys gave no NHS number key for a valid NHS number');
  return key.hash;
}

/**
 * The key of a local ID at one of the caller's trusts. A local ID means something only at the trust
 * that issued it, and a look-up at a trust the caller does not belong to is refused: it would let a
 * user probe another trust's patient numbers.
 */
export async function localIdKey(
  db: QueryRunner,
  identifier: Extract<PatientIdentifier, { kind: 'local' }>,
  trustIds: readonly number[],
  secret: string,
): Promise<string> {
  const { rows } = await db.query<{ trust_id: string; code: string; local_id_issuer: string | null }>(
    sql`SELECT trust_id, code, local_id_issuer FROM trusts WHERE code = ${identifier.trust}`,
  );
  const trust = rows[0];
  if (!trust || !trustIds.includes(Number(trust.trust_id))) {
    throw new ForbiddenError('local IDs can be looked up only at your own trusts', { field: 'localId.trust' });
  }
  const rules: TrustIdentityRules = {
    code: trust.code,
    nhsNumberSource: 'none',
    nhsNumberIssuer: undefined,
    localIdIssuer: trust.local_id_issuer ?? trust.code,
  };
  const value = identifier.value.trim();
  const key = patientKeys(patientInfo(value, identifier.issuer?.trim() || undefined), rules, secret).find(
    (k) => k.kind === 'local',
  );
  if (!key) throw new ValidationError('invalid body: field "localId.value" must not be blank');
  return key.hash;
}

/** The key of whatever was typed. */
export async function identifierKey(
  db: QueryRunner,
  identifier: PatientIdentifier,
  trustIds: readonly number[],
  secret: string,
): Promise<string> {
  return identifier.kind === 'nhs_number'
    ? nhsNumberKey(identifier.nhsNumber, secret)
    : localIdKey(db, identifier, trustIds, secret);
}
