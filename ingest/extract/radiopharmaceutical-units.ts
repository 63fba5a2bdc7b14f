import type { Concept, ContentItem, NumericValue } from '../dicom/sr.ts';

/**
 * Units of the Radiopharmaceutical Radiation Dose SR (PS3.16 TID 10022 / 10023 / 10024) turned into
 * Kerma's storage units, which the field names carry (administeredActivityMbq, organDoseMgy, ...).
 *
 * Each quantity names the unit its template prescribes. A value in another known UCUM unit is
 * converted and a warning recorded (a GBq activity read as MBq would be a thousandfold error); a
 * value without a unit is read in the template's unit, with a warning; a value in a unit Kerma does
 * not know is dropped, with a warning, because no field name could honestly label it.
 */
export type RadioQuantity =
  | 'activityMbq'
  | 'halfLifeS'
  | 'specificActivityBqPerMol'
  | 'volumeMl'
  | 'effectiveDoseMsv'
  | 'organDoseMgy'
  | 'massG'
  | 'percent'
  | 'ageYears'
  | 'heightCm'
  | 'weightKg'
  | 'areaM2'
  | 'bmiKgPerM2'
  | 'glucoseMmolPerL'
  | 'durationH'
  | 'creatinineMgPerDl'
  | 'gfrMlPerMinPer173M2';

/**
 * value × mul ÷ div. Factors below one are divisions by exact powers of ten, so 394000000 Bq gives
 * exactly 394 MBq (multiplying by 1e-6 would not).
 */
interface Factor {
  readonly mul?: number;
  readonly div?: number;
}

interface UnitRule {
  /** The unit the template prescribes (UCUM code). */
  readonly standard: string;
  /** Other spellings of the standard unit, or units the template also allows: converted silently. */
  readonly equivalent?: Readonly<Record<string, Factor>>;
  /** Units a device should not send but that convert by a fixed factor: converted with a warning. */
  readonly convertible?: Readonly<Record<string, Factor>>;
  /** The unit to assume when none is encoded, when the value itself tells (metres against centimetres). */
  readonly guessWithoutUnit?: (value: number) => string;
}

const ONE: Factor = {};
const GFR_SPELLINGS = [
  'ml/min{1.73_m2}',
  'mL/min{1.73_m2}',
  'ml/min/{1.73_m2}',
  'mL/min/{1.73_m2}',
  'ml/min/1.73m2',
  'mL/min/1.73m2',
];

const RULES: Record<RadioQuantity, UnitRule> = {
  // TID 10022 rows 11, 13, 16: MBq.
  activityMbq: {
    standard: 'MBq',
    convertible: {
      Bq: { div: 1e6 },
      kBq: { div: 1e3 },
      GBq: { mul: 1e3 },
      TBq: { mul: 1e6 },
      Ci: { mul: 37000 },
      mCi: { mul: 37 },
      uCi: { mul: 37, div: 1e3 },
      nCi: { mul: 37, div: 1e6 },
    },
  },
  // TID 10022 row 4: seconds.
  halfLifeS: { standard: 's', convertible: { min: { mul: 60 }, h: { mul: 3600 }, d: { mul: 86400 } } },
  // TID 10022 row 5 encodes Bq/mmol; Kerma stores Bq/mol (the model's field name).
  specificActivityBqPerMol: {
    standard: 'Bq/mmol',
    equivalent: { 'Bq/mmol': { mul: 1e3 }, 'Bq/mol': ONE },
    convertible: {
      'Bq/umol': { mul: 1e6 },
      'MBq/umol': { mul: 1e12 },
      'GBq/umol': { mul: 1e15 },
      'MBq/mmol': { mul: 1e9 },
      'GBq/mmol': { mul: 1e12 },
    },
  },
  // TID 10022 row 12: cm3 (1 cm3 = 1 ml).
  volumeMl: {
    standard: 'cm3',
    equivalent: { ml: ONE, mL: ONE },
    convertible: { l: { mul: 1e3 }, L: { mul: 1e3 }, ul: { div: 1e3 }, uL: { div: 1e3 } },
  },
  effectiveDoseMsv: { standard: 'mSv', convertible: { Sv: { mul: 1e3 }, uSv: { div: 1e3 } } },
  // TID 10023 row 6: mGy.
  organDoseMgy: { standard: 'mGy', convertible: { Gy: { mul: 1e3 }, cGy: { mul: 10 }, uGy: { div: 1e3 } } },
  // TID 10023 row 4: grams.
  massG: { standard: 'g', convertible: { kg: { mul: 1e3 }, mg: { div: 1e3 } } },
  // TID 10022 row 8: percent of the administered activity.
  percent: { standard: '%' },
  // TID 10024 Subject Age: any unit of CID 7456 "Units of Measure for Age".
  ageYears: {
    standard: 'a',
    equivalent: {
      mo: { div: 12 },
      wk: { mul: 7, div: 365.25 },
      d: { div: 365.25 },
      h: { div: 8766 },
      min: { div: 525960 },
    },
  },
  // TID 10024 Patient Height, stored in cm: Siemens encodes metres, others centimetres; both are
  // read without warning, as the template editions in the field differ.
  heightCm: {
    standard: 'cm',
    equivalent: { m: { mul: 100 } },
    convertible: { mm: { div: 10 }, '[in_i]': { mul: 2.54 } },
    // Nobody is under 3 cm or over 3 m tall, so a bare number says which it is.
    guessWithoutUnit: (value) => (value <= 3 ? 'm' : 'cm'),
  },
  weightKg: { standard: 'kg', convertible: { g: { div: 1e3 }, '[lb_av]': { mul: 0.45359237 } } },
  areaM2: { standard: 'm2', convertible: { cm2: { div: 1e4 } } },
  bmiKgPerM2: { standard: 'kg/m2' },
  // Glucose molar mass 180.16 g/mol: 1 mmol/l = 18.016 mg/dl.
  glucoseMmolPerL: {
    standard: 'mmol/l',
    equivalent: { 'mmol/L': ONE },
    convertible: { 'mg/dl': { div: 18.016 }, 'mg/dL': { div: 18.016 } },
  },
  durationH: { standard: 'h', convertible: { min: { div: 60 }, s: { div: 3600 }, d: { mul: 24 } } },
  // Creatinine molar mass 113.12 g/mol: 1 mg/dl = 88.42 umol/l.
  creatinineMgPerDl: {
    standard: 'mg/dl',
    equivalent: { 'mg/dL': ONE },
    convertible: { 'umol/l': { div: 88.42 }, 'umol/L': { div: 88.42 } },
  },
  gfrMlPerMinPer173M2: {
    standard: 'ml/min{1.73_m2}',
    equivalent: Object.fromEntries(GFR_SPELLINGS.map((u) => [u, ONE])),
  },
};

function apply(value: number, factor: Factor): number {
  const scaled = factor.mul === undefined ? value : value * factor.mul;
  return factor.div === undefined ? scaled : scaled / factor.div;
}

function at(where: string): string {
  return where ? ` at ${where}` : '';
}

/** The value of a NUM content item in the storage unit of `quantity`, or undefined (see the module comment). */
export function toStorageUnit(
  numeric: NumericValue | undefined,
  quantity: RadioQuantity,
  warnings: string[],
  where = '',
): number | undefined {
  const value = numeric?.value;
  if (value === undefined) return undefined;
  const rule = RULES[quantity];
  let unit = numeric?.unit?.value.trim();
  if (!unit) {
    unit = rule.guessWithoutUnit?.(value) ?? rule.standard;
    warnings.push(`no unit for ${quantity}${at(where)}: read as ${unit}`);
  }
  const silent = rule.equivalent?.[unit] ?? (unit === rule.standard ? ONE : undefined);
  if (silent) return apply(value, silent);
  const convertible = rule.convertible?.[unit];
  if (convertible) {
    warnings.push(`${quantity} converted from ${unit}${at(where)}`);
    return apply(value, convertible);
  }
  warnings.push(`unknown unit ${JSON.stringify(unit)} for ${quantity}${at(where)}: value ignored`);
  return undefined;
}

/** The NUM child `wanted` of `parent` in the storage unit of `quantity`. */
export function childQuantity(
  parent: ContentItem | undefined,
  wanted: Concept,
  quantity: RadioQuantity,
  warnings: string[],
): number | undefined {
  const item = parent?.child(wanted);
  return item ? toStorageUnit(item.numeric(), quantity, warnings, item.location) : undefined;
}

/** Larger than any single therapeutic administration (a few GBq): see imageTotalDoseMbq. */
const IMPLAUSIBLE_NM_ACTIVITY_MBQ = 1e5;

/**
 * Radionuclide Total Dose (0018,1074) of an image header in MBq. PS3.3 defines it in Bq for PET
 * Images (C.8.9.2 PET Isotope) and in MBq for NM Images (C.8.4.10 NM Isotope). An NM value of
 * 100 GBq or more is no clinical administration: it is a device writing Bq, converted with a warning.
 */
export function imageTotalDoseMbq(
  value: number | undefined,
  unitIsBq: boolean,
  warnings: string[],
): number | undefined {
  if (value === undefined) return undefined;
  if (unitIsBq) return value / 1e6;
  if (value >= IMPLAUSIBLE_NM_ACTIVITY_MBQ) {
    warnings.push(`Radionuclide Total Dose ${value} is implausible in MBq: read as Bq`);
    return value / 1e6;
  }
  return value;
}
