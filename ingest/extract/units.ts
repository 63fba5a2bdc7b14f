import { DicomExtractionError } from '../dicom/errors.ts';
import type { ContentItem, Concept, NumericValue } from '../dicom/sr.ts';

/**
 * Unit conversion of SR numeric values into Kerma's storage units. Devices use the UCUM codes of
 * PS3.16 (Gy.m2, mGy, mGy.cm, s, mm) but also non-standard ones seen in the field (dGy.cm2 from
 * Toshiba/Canon, Gym2 from Siemens, mGycm from GE, dose at RP in mGy): each is converted, never
 * taken at face value. A DAP in a unit code Kerma does not know refuses the report (it goes to the
 * quarantine, bytes kept, to be retried once the unit is added here): read as Gy·m² it may be 10⁴
 * off, and one such value is enough to make the study's total wrong. Other unknown codes are
 * reported as a warning and the value is kept in the standard unit.
 */
export type Quantity =
  | 'dapGyCm2'
  | 'doseGy'
  | 'doseMgy'
  | 'dlpMgyCm'
  | 'timeS'
  | 'timeMs'
  | 'lengthMm'
  | 'currentMa'
  | 'chargeUas'
  | 'areaM2'
  | 'none';

const FACTORS: Record<Exclude<Quantity, 'none'>, Record<string, number>> = {
  // Storage unit Gy·cm²: 1 Gy·m² = 10⁴ Gy·cm²; 1 dGy·cm² = 0.1 Gy·cm².
  dapGyCm2: {
    'Gy.m2': 1e4,
    Gym2: 1e4,
    'Gy.cm2': 1,
    'dGy.cm2': 0.1,
    'cGy.cm2': 0.01,
    'mGy.cm2': 1e-3,
    'uGy.m2': 1e-2,
    'mGy.m2': 10,
    'uGy.cm2': 1e-6,
  },
  doseGy: { Gy: 1, mGy: 1e-3, uGy: 1e-6, cGy: 1e-2, dGy: 0.1 },
  doseMgy: { mGy: 1, Gy: 1e3, uGy: 1e-3, dGy: 100, cGy: 10 },
  dlpMgyCm: { 'mGy.cm': 1, mGycm: 1, 'mGy.mm': 0.1, 'Gy.cm': 1e3, 'mGy.m': 100 },
  timeS: { s: 1, ms: 1e-3, min: 60, us: 1e-6, h: 3600 },
  timeMs: { ms: 1, s: 1e3, us: 1e-3, min: 6e4 },
  lengthMm: { mm: 1, cm: 10, m: 1e3, um: 1e-3 },
  currentMa: { mA: 1, uA: 1e-3, A: 1e3 },
  chargeUas: { uAs: 1, 'uA.s': 1, mAs: 1e3, 'mA.s': 1e3, As: 1e6 },
  areaM2: { m2: 1, cm2: 1e-4, mm2: 1e-6 },
};

/** Units a device sends when it means "no unit" or "the standard one"; the value is kept as is. */
const DEFAULT_UNIT: Record<Exclude<Quantity, 'none'>, string> = {
  dapGyCm2: 'Gy.m2',
  doseGy: 'Gy',
  doseMgy: 'mGy',
  dlpMgyCm: 'mGy.cm',
  timeS: 's',
  timeMs: 'ms',
  lengthMm: 'mm',
  currentMa: 'mA',
  chargeUas: 'uAs',
  areaM2: 'm2',
};

export function convert(
  numeric: NumericValue | undefined,
  quantity: Quantity,
  warnings: string[],
  where = '',
): number | undefined {
  if (numeric?.value === undefined) return undefined;
  if (quantity === 'none') return numeric.value;
  const unit = numeric.unit?.value || DEFAULT_UNIT[quantity];
  const factor = FACTORS[quantity][unit];
  if (factor === undefined) {
    if (quantity === 'dapGyCm2')
      throw new DicomExtractionError(
        'invalid_value',
        `unknown unit ${JSON.stringify(unit)} for a dose-area product: its scale cannot be known`,
        where || undefined,
      );
    warnings.push(
      `unknown unit ${JSON.stringify(unit)} for ${quantity}${where ? ` at ${where}` : ''}: value kept as ${DEFAULT_UNIT[quantity]}`,
    );
    return numeric.value;
  }
  if (
    unit !== DEFAULT_UNIT[quantity] &&
    !(quantity === 'dlpMgyCm' && unit === 'mGycm') &&
    !(quantity === 'dapGyCm2' && unit === 'Gym2') &&
    !(quantity === 'chargeUas' && unit === 'uA.s')
  ) {
    warnings.push(`converted ${quantity} from ${unit}${where ? ` at ${where}` : ''}`);
  }
  return numeric.value * factor;
}

/** Every value of a multi-valued NUM (per-pulse kVp, mA, pulse width), converted. */
export function convertAll(
  numeric: NumericValue | undefined,
  quantity: Quantity,
  warnings: string[],
  where = '',
): number[] {
  if (!numeric) return [];
  return numeric.values.flatMap(
    (value) => convert({ ...numeric, value, values: [value] }, quantity, warnings, where) ?? [],
  );
}

/** A reader bound to one container: `n(concept, quantity)` finds the child NUM and converts it. */
export function numericReader(container: ContentItem | undefined, warnings: string[]) {
  return (wanted: Concept, quantity: Quantity = 'none'): number | undefined => {
    const item = container?.child(wanted);
    return item ? convert(item.numeric(), quantity, warnings, item.location) : undefined;
  };
}
