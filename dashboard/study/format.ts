/**
 * How the study page writes values: unknown as "—" (never 0), numbers to a useful precision, and
 * every field of a stored event as a labelled value with the unit its name carries.
 */
export const UNKNOWN = '—';

/** Four significant digits (doses vary over decades); large values as whole numbers. */
export function num(value: number | null | undefined, significant = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return UNKNOWN;
  if (Math.abs(value) >= 10 ** significant) return value.toLocaleString('en-GB', { maximumFractionDigits: 0 });
  return value.toLocaleString('en-GB', { maximumSignificantDigits: significant });
}

export const text = (value: string | null | undefined): string =>
  value === null || value === undefined || value === '' ? UNKNOWN : value;

/** Time of day with seconds in the region's zone: events of one study are minutes apart. */
export function timeOfDay(isoUtc: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(isoUtc));
}

type Json = unknown;
const isRecord = (v: Json): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A coded value (value, scheme, meaning): shown by its meaning. */
export function codeMeaning(v: Json): string | null {
  return isRecord(v) && typeof v.meaning === 'string' ? v.meaning : null;
}

/** A value at a dotted path of an event's details. */
export function at(details: Json, path: string): Json {
  let node: Json = details;
  for (const key of path.split('.')) {
    if (!isRecord(node)) return undefined;
    node = node[key];
  }
  return node;
}

export const numberAt = (details: Json, path: string): number | null => {
  const v = at(details, path);
  return typeof v === 'number' ? v : null;
};

export const stringAt = (details: Json, path: string): string | null => {
  const v = at(details, path);
  return typeof v === 'string' && v !== '' ? v : (codeMeaning(v) ?? null);
};

/** Per-pulse values (kVp, mA…) as one cell: one value, or "min–max" when they vary. */
export function spread(values: Json): string | null {
  if (!Array.isArray(values)) return typeof values === 'number' ? num(values) : null;
  const known = values.filter((v): v is number => typeof v === 'number');
  if (known.length === 0) return null;
  const [low, high] = [Math.min(...known), Math.max(...known)];
  return low === high ? num(low) : `${num(low)}–${num(high)}`;
}

/**
 * Units by the suffix of the normalised field names (ingest/extract/types.ts), longest first so
 * that "GyCm2" is not read as "Cm2" nor "Ms" as "s".
 */
const UNIT_SUFFIXES: ReadonlyArray<readonly [string, string]> = [
  ['MlPerMinPer173M2', 'mL/min/1.73 m²'],
  ['BqPerMol', 'Bq/mol'],
  ['MmolPerL', 'mmol/L'],
  ['MgPerDl', 'mg/dL'],
  ['KgPerM2', 'kg/m²'],
  ['GyCm2', 'Gy·cm²'],
  ['MgyCm', 'mGy·cm'],
  ['PerS', '/s'],
  ['Mgy', 'mGy'],
  ['Msv', 'mSv'],
  ['Mbq', 'MBq'],
  ['Kev', 'keV'],
  ['Uas', 'µAs'],
  ['Deg', '°'],
  ['Gy', 'Gy'],
  ['Mm', 'mm'],
  ['Ms', 'ms'],
  ['Ns', 'ns'],
  ['Ma', 'mA'],
  ['M2', 'm²'],
  ['Ml', 'mL'],
  ['Kg', 'kg'],
  ['Cm', 'cm'],
  ['S', 's'],
  ['H', 'h'],
  ['N', 'N'],
  ['M', 'm'],
];

const WORDS: Readonly<Record<string, string>> = {
  xray: 'X-ray',
  ctdivol: 'CTDIvol',
  ctdiw: 'CTDIw',
  ctdi: 'CTDI',
  dlp: 'DLP',
  dap: 'DAP',
  uid: 'UID',
  rp: 'RP',
  ii: 'II',
  kvp: 'kVp',
  crdr: 'CR/DR',
  utc: 'UTC',
  nm: 'NM',
};

/** "xrayTubeCurrentMa" → { label: "X-ray tube current", unit: "mA" }. */
export function fieldLabel(key: string): { label: string; unit: string | undefined } {
  if (key === 'kvp') return { label: 'kVp', unit: 'kV' };
  const suffix = UNIT_SUFFIXES.find(([s]) => key.endsWith(s) && /[a-z0-9]/.test(key.charAt(key.length - s.length - 1)));
  const stem = suffix ? key.slice(0, -suffix[0].length) : key;
  const words = stem
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(' ')
    .map((w) => WORDS[w.toLowerCase()] ?? w.toLowerCase());
  const label = words.join(' ');
  return { label: label.charAt(0).toUpperCase() + label.slice(1), unit: suffix?.[1] };
}

export interface Field {
  readonly label: string;
  readonly value: string;
}

function scalar(v: Json): string | null {
  if (typeof v === 'number') return num(v, 6);
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return codeMeaning(v);
}

/**
 * Every field present in an event's details, flattened ("Filters 1 › X-ray filter material"),
 * except the paths `shown` already in the table's columns. Empty values are left out.
 */
export function fieldsOf(details: Json, shown: ReadonlySet<string>, prefix = '', path = ''): Field[] {
  if (!isRecord(details)) return [];
  const fields: Field[] = [];
  for (const [key, value] of Object.entries(details)) {
    const here = path ? `${path}.${key}` : key;
    if (shown.has(here) || value === null || value === undefined) continue;
    const { label, unit } = fieldLabel(key);
    const named = `${prefix}${label}${unit ? ` (${unit})` : ''}`;
    const single = scalar(value);
    if (single !== null) {
      fields.push({ label: named, value: single });
    } else if (Array.isArray(value)) {
      const simple = value.map(scalar);
      if (simple.every((s) => s !== null)) {
        if (simple.length > 0) fields.push({ label: named, value: simple.join(', ') });
      } else {
        value.forEach((item, i) => fields.push(...fieldsOf(item, shown, `${prefix}${label} ${i + 1} › `, here)));
      }
    } else if (isRecord(value)) {
      fields.push(...fieldsOf(value, shown, `${prefix}${label} › `, here));
    }
  }
  return fields;
}
