import type { PatientInfo, TrustIdentityRules } from '../ingest/index.ts';
import type { RegionModel, Trust } from './model.ts';
import { hash32, unitOf, WeightedChoice } from './random.ts';

/**
 * The synthetic population. Patient i is a pure function of (seed, i): nothing is stored, so the
 * same person looks the same at every trust and in every exam. Identities are made up: NHS numbers
 * count down from 999 999 99xx (the 999 block is the conventional test range; regions of more than
 * ~900,000 people continue into 998…, 997…), names read "SYNTHETIC^…".
 */
export interface Patient {
  readonly index: number;
  /** Valid by the modulus-11 check; undefined for the few patients without one (visitors). */
  readonly nhsNumber: string | undefined;
  /** YYYYMMDD */
  readonly birthDate: string;
  readonly sex: 'F' | 'M';
  readonly name: string;
  readonly homeTrustIndex: number;
  readonly weightKg: number;
  readonly heightM: number;
}

/** Where every synthetic trust's objects carry identifiers (README "Trusts"): MRN in Patient ID, NHS number among Other Patient IDs. */
export const NHS_NUMBER_ISSUER = 'NHS';

export function identityRules(trust: Trust): TrustIdentityRules {
  return {
    code: trust.code,
    nhsNumberSource: 'other_patient_ids',
    nhsNumberIssuer: NHS_NUMBER_ISSUER,
    localIdIssuer: trust.localIdIssuer,
  };
}

/** About one patient in 200 has no NHS number (overseas visitors, unidentified emergencies). */
const NO_NHS_NUMBER_RATE = 0.005;

function checkDigit(nineDigits: string): number {
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(nineDigits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  return check === 11 ? 0 : check;
}

/**
 * A unique valid NHS number per index: eight digits from the index, the ninth chosen so that the
 * check digit is not 10 (exactly one of the ten choices would be, so at most one retry).
 */
export function nhsNumberOf(seed: number, index: number): string {
  const offset = hash32(seed, 'nhs-offset') % 100_000;
  const eight = String(99_999_999 - ((index + offset) % 10_000_000));
  let ninth = hash32(seed, 'nhs-ninth', index) % 10;
  if (checkDigit(`${eight}${ninth}`) === 10) ninth = (ninth + 1) % 10;
  const nine = `${eight}${ninth}`;
  return `${nine}${checkDigit(nine)}`;
}

/** A normal deviate from two hashed uniforms: per-patient facts must not consume the exam stream. */
function hashedNormal(seed: number, label: string, index: number): number {
  const u = 1 - unitOf(seed, label, index, 1);
  const v = unitOf(seed, label, index, 2);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const clip = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/** Caches the trust chooser per model: building it for every patient would dominate direct mode. */
const homeChoosers = new WeakMap<RegionModel, WeightedChoice<Trust>>();

export function patientAt(model: RegionModel, index: number): Patient {
  const seed = model.options.seed;
  // Imaged adults skew old: mean age 58 at the start of the period. Paediatric exams are left out
  // because the UK adult NDRLs used for the CT medians do not apply to children.
  const age = clip(58 + 19 * hashedNormal(seed, 'age', index), 18, 98);
  const startYear = new Date(model.startLocalMs).getUTCFullYear();
  const birth = new Date(
    Date.UTC(startYear - Math.floor(age), 0, 1) + Math.floor(unitOf(seed, 'bday', index) * 365) * 86_400_000,
  );
  const sex = unitOf(seed, 'sex', index) < 0.53 ? 'F' : 'M';
  let chooser = homeChoosers.get(model);
  if (!chooser) homeChoosers.set(model, (chooser = new WeightedChoice(model.trusts, (t) => t.weight)));
  return {
    index,
    nhsNumber: unitOf(seed, 'no-nhs', index) < NO_NHS_NUMBER_RATE ? undefined : nhsNumberOf(seed, index),
    birthDate: birth.toISOString().slice(0, 10).replace(/-/g, ''),
    sex,
    name: `SYNTHETIC^${sex === 'F' ? 'FEMALE' : 'MALE'} ${index.toString(36).toUpperCase()}`,
    homeTrustIndex: chooser.at(unitOf(seed, 'home', index)).index,
    weightKg: Math.round(clip((sex === 'F' ? 71 : 84) + 14 * hashedNormal(seed, 'weight', index), 40, 180)),
    heightM:
      Math.round(clip((sex === 'F' ? 1.63 : 1.76) + 0.07 * hashedNormal(seed, 'height', index), 1.4, 2.05) * 100) / 100,
  };
}

/**
 * The patient's MRN at a trust: the trust's letter and an affine permutation of the index modulo
 * 10^8 (multiplier coprime with 10), so every patient has a distinct number at every trust.
 */
export function localIdOf(model: RegionModel, index: number, trust: Trust): string {
  let multiplier = (hash32(model.options.seed, 'mrn-a', trust.index) % 1_000_000) | 1;
  if (multiplier % 5 === 0) multiplier += 2;
  const shift = hash32(model.options.seed, 'mrn-b', trust.index) % 100_000_000;
  const permuted = (index * multiplier + shift) % 100_000_000;
  return `${trust.code.slice(-1)}${String(permuted).padStart(8, '0')}`;
}

/** The patient as the trust's objects present them, in the shape ingest reads (for patientKeys). */
export function patientInfoAt(model: RegionModel, patient: Patient, trust: Trust): PatientInfo {
  return {
    patientName: patient.name,
    patientId: localIdOf(model, patient.index, trust),
    issuerOfPatientId: trust.localIdIssuer,
    otherPatientIds: patient.nhsNumber ? [{ id: patient.nhsNumber, issuer: NHS_NUMBER_ISSUER }] : [],
    patientBirthDate: `${patient.birthDate.slice(0, 4)}-${patient.birthDate.slice(4, 6)}-${patient.birthDate.slice(6)}`,
    patientSex: patient.sex,
    patientAge: undefined,
    patientAgeYears: undefined,
    patientWeightKg: patient.weightKg,
    patientSizeM: patient.heightM,
  };
}
