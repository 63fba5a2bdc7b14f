import { createHmac } from 'node:crypto';
import type { PatientInfo } from '../extract/types.ts';

/**
 * Patient identifiers become keyed hashes here and nowhere else (DESIGN.md, Data): HMAC-SHA-256 with
 * the deployment secret, so the same NHS number from any trust gives the same key and links the
 * regional history, while nobody can list or reverse them.
 */
export interface TrustIdentityRules {
  /** The trust's code: a local ID means something only within the trust that issued it. */
  readonly code: string;
  /** Where this trust's objects carry the NHS number. */
  readonly nhsNumberSource: 'none' | 'patient_id' | 'other_patient_ids';
  /** Issuer of Patient ID naming the NHS number among Other Patient IDs (e.g. "NHS"). */
  readonly nhsNumberIssuer: string | undefined;
  /** Issuer for local MRNs when the object names none (usually the trust code). */
  readonly localIdIssuer: string;
}

export interface PatientKey {
  readonly hash: string;
  readonly kind: 'nhs_number' | 'local';
}

/** NHS numbers are 10 digits with a modulus-11 check digit (NHS Data Dictionary, NHS NUMBER). */
export function isValidNhsNumber(text: string): boolean {
  const digits = text.replace(/[\s-]/g, '');
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(digits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  const expected = check === 11 ? 0 : check;
  return expected !== 10 && expected === Number(digits[9]);
}

function keyed(secret: string, kind: PatientKey['kind'], value: string): PatientKey {
  return { kind, hash: createHmac('sha256', secret).update(`${kind}:${value}`, 'utf8').digest('hex') };
}

function nhsNumberOf(patient: PatientInfo, rules: TrustIdentityRules): string | undefined {
  let candidate: string | undefined;
  if (rules.nhsNumberSource === 'patient_id') candidate = patient.patientId;
  if (rules.nhsNumberSource === 'other_patient_ids') {
    const issuer = rules.nhsNumberIssuer?.toUpperCase();
    candidate = patient.otherPatientIds.find((o) => (o.issuer ?? '').toUpperCase() === issuer)?.id;
  }
  const digits = candidate?.replace(/[\s-]/g, '');
  return digits && isValidNhsNumber(digits) ? digits : undefined;
}

/**
 * Every key the object gives for its patient: the NHS number first, then the local ID scoped by the
 * trust and its issuer. Only the NHS number links across trusts: two trusts whose PACS use the same
 * issuer string (or none) number their patients independently, so the same MRN there is two people.
 */
export function patientKeys(patient: PatientInfo, rules: TrustIdentityRules, secret: string): PatientKey[] {
  const keys: PatientKey[] = [];
  const nhs = nhsNumberOf(patient, rules);
  if (nhs) keys.push(keyed(secret, 'nhs_number', nhs));
  const localId = patient.patientId?.trim();
  if (localId && localId !== nhs) {
    const issuer = patient.issuerOfPatientId?.trim() || rules.localIdIssuer;
    // JSON keeps the parts apart whatever characters an issuer or ID contains.
    keys.push(keyed(secret, 'local', JSON.stringify([rules.code, issuer, localId])));
  }
  return keys;
}

/**
 * The keyed hash an accession number is stored as: identifying, and unique only within the trust
 * that issued it, so the trust code is part of the key.
 */
export function accessionKey(
  secret: string,
  trustCode: string,
  accessionNumber: string | undefined,
): string | undefined {
  return accessionNumber
    ? createHmac('sha256', secret).update(`accession:${trustCode}|${accessionNumber}`).digest('hex')
    : undefined;
}

/** Year of birth is kept for dose analysis (age bands); the full date never is. */
export function birthYear(patient: PatientInfo): number | undefined {
  const year = Number(patient.patientBirthDate?.slice(0, 4));
  return Number.isInteger(year) && year >= 1850 && year <= 2200 ? year : undefined;
}

export function normalisedSex(patient: PatientInfo): 'F' | 'M' | 'O' | undefined {
  const sex = patient.patientSex?.trim().toUpperCase();
  return sex === 'F' || sex === 'M' || sex === 'O' ? sex : undefined;
}
