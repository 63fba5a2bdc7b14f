/**
 * How a study finds its k-factor row: the region of its standard procedure (a DICOM Body Part
 * Examined defined term) mapped to the regions the k-factor tables use, and the patient's age mapped
 * to the tables' phantom ages. Both are design choices documented in ADR 0011, not sourced figures;
 * the factors themselves come only from the reference sets.
 */

/** Regions of the k-factor tables (reference data §5.1; reference_values.body_region). */
export type KRegion = 'head' | 'neck' | 'chest' | 'abdomen_pelvis' | 'trunk';

/**
 * Body Part Examined terms (compared without spaces, hyphens or case) and their k-factor region.
 * Head covers the skull and face (the sinus NDRL category is a head scan). Neck and cervical spine
 * map to 'neck', for which the shipped reference data has no confirmed factor at most ages: those
 * studies get no estimate, with the reason, until a physicist loads one. Spine below the neck, limbs
 * and whole body have no region here: no table row describes them.
 */
export const K_REGION_OF_BODY_PART: Readonly<Record<string, KRegion>> = {
  HEAD: 'head',
  BRAIN: 'head',
  SKULL: 'head',
  SINUS: 'head',
  SINUSES: 'head',
  PARANASALSINUS: 'head',
  PARANASALSINUSES: 'head',
  FACE: 'head',
  ORBIT: 'head',
  IAC: 'head',
  TEMPORALBONE: 'head',
  MAXILLA: 'head',
  MANDIBLE: 'head',
  JAW: 'head',
  NECK: 'neck',
  CSPINE: 'neck',
  CHEST: 'chest',
  THORAX: 'chest',
  LUNG: 'chest',
  HEART: 'chest',
  CORONARYARTERY: 'chest',
  ABDOMEN: 'abdomen_pelvis',
  PELVIS: 'abdomen_pelvis',
  ABDOMENPELVIS: 'abdomen_pelvis',
  ABDPELVIS: 'abdomen_pelvis',
  KIDNEY: 'abdomen_pelvis',
  KUB: 'abdomen_pelvis',
  COLON: 'abdomen_pelvis',
  LIVER: 'abdomen_pelvis',
  CHESTABDOMEN: 'trunk',
  CHESTABDPELVIS: 'trunk',
  CHESTABDOMENPELVIS: 'trunk',
};

/** The comparison form of a body part term: letters and digits only, upper case. */
export function bodyPartKey(term: string): string {
  return term.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
}

export function kRegionOf(bodyPart: string | null | undefined): KRegion | null {
  if (!bodyPart) return null;
  return K_REGION_OF_BODY_PART[bodyPartKey(bodyPart)] ?? null;
}

/** Phantom ages of the k-factor tables (reference_values.age_band). */
export type AgeBand = '0y' | '1y' | '5y' | '10y' | 'adult';

/**
 * A patient takes the factor of the oldest phantom not older than them: under 1 year the newborn's,
 * 1 to under 5 the 1-year-old's, and so on; 15 and over the adult's (the Shrimpton set has no 15-year
 * phantom). `belowYears` is the band's exclusive upper bound.
 */
export const AGE_BANDS: ReadonlyArray<{ readonly band: AgeBand; readonly belowYears: number | null }> = [
  { band: '0y', belowYears: 1 },
  { band: '1y', belowYears: 5 },
  { band: '5y', belowYears: 10 },
  { band: '10y', belowYears: 15 },
  { band: 'adult', belowYears: null },
];

export function ageBandOf(ageYears: number | null | undefined): AgeBand | null {
  if (ageYears === null || ageYears === undefined || !Number.isFinite(ageYears) || ageYears < 0) return null;
  return AGE_BANDS.find((b) => b.belowYears === null || ageYears < b.belowYears)!.band;
}
