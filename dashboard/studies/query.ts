import { Ajv, type ErrorObject } from 'ajv';
import { ValidationError } from '../../core/index.ts';
import {
  SEXES,
  SORT_KEYS,
  type Cursor,
  type NumberRange,
  type SortKey,
  type StudyFilters,
  type StudyQuery,
} from './types.ts';

/**
 * The study browser's query string, shared by the page, its htmx fragment and the JSON API, so the
 * three accept exactly the same filters. Every parameter is checked here and a bad one is a 400
 * naming it: nothing unchecked reaches the SQL (which takes every value as a parameter anyway).
 */

export const DEFAULT_LIMIT = 50;
/** A page bound keeps one request from reading much of the table into memory. */
export const MAX_LIMIT = 200;
/** Free text long enough for any real description or protocol, short enough to bound the work of ILIKE. */
const MAX_TEXT = 200;

const text = {
  type: 'string',
  maxLength: MAX_TEXT,
  // Control characters (NUL above all, which PostgreSQL text refuses) are never part of a description.
  pattern: '^[^\\u0000-\\u001f\\u007f]*$',
} as const;
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'calendar-date' } as const;
// Numbers are matched as text and converted here, not coerced by ajv: its coercion lets
// "Infinity", "1e309" and "0x10" through as numbers. A decimal of at most 9 integer digits covers
// every dose, weight and age; integers likewise.
const decimal = { type: 'string', pattern: '^\\d{1,9}(\\.\\d{1,9})?$' } as const;
const integer = { type: 'string', pattern: '^\\d{1,9}$' } as const;
const cursor = { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' } as const;

/** Range parameters: the URL name's stem and where its value goes. */
const RANGES = {
  age: 'ageYears',
  weight: 'weightKg',
  dlp: 'totalDlpMgyCm',
  ctdi: 'maxCtdivolMgy',
  dap: 'totalDapGyCm2',
  doseRp: 'totalDoseRpGy',
  events: 'eventCount',
} as const satisfies Record<string, keyof StudyFilters>;
type RangeStem = keyof typeof RANGES;

const rangeProperties = Object.fromEntries(
  (Object.keys(RANGES) as RangeStem[]).flatMap((stem) => {
    const schema = stem === 'events' ? integer : decimal;
    return [
      [`${stem}Min`, schema],
      [`${stem}Max`, schema],
    ];
  }),
);

/**
 * The filter parameters (every parameter but the sort and the page), exported so other lists over
 * studies (DRL compliance) accept the same filters, and the OpenAPI document describes them.
 */
export const STUDY_FILTER_PROPERTIES = {
  from: date,
  to: date,
  trust: { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' },
  device: integer,
  modality: {
    type: 'array',
    maxItems: 10,
    items: { type: 'string', pattern: '^[A-Z]{2}$' },
  },
  description: text,
  procedure: text,
  protocol: text,
  sex: { type: 'string', enum: [...SEXES] },
  ...rangeProperties,
  standardProcedure: { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' },
  weightUnknown: { type: 'string', enum: ['include'] },
  patientsOnly: { type: 'string', enum: ['true'] },
} as const;

export const STUDY_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...STUDY_FILTER_PROPERTIES,
    sort: { type: 'string', enum: [...SORT_KEYS] },
    dir: { type: 'string', enum: ['asc', 'desc'] },
    after: cursor,
    before: cursor,
    limit: integer,
  },
} as const;

type RawQuery = Record<string, unknown> & {
  from?: string;
  to?: string;
  trust?: string;
  device?: string;
  modality?: string[];
  description?: string;
  procedure?: string;
  protocol?: string;
  sex?: (typeof SEXES)[number];
  sort?: SortKey;
  dir?: 'asc' | 'desc';
  after?: string;
  before?: string;
  limit?: string;
  standardProcedure?: string;
  weightUnknown?: 'include';
  patientsOnly?: 'true';
};

const ajv = new Ajv({ allErrors: true, coerceTypes: 'array' });
// A real calendar day: "2025-02-30" matches the pattern but is no date.
ajv.addFormat('calendar-date', (value: string) => {
  const day = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(value);
});
const validate = ajv.compile<RawQuery>(STUDY_QUERY_SCHEMA);

function fieldOf(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') {
    return (error.params as { additionalProperty: string }).additionalProperty;
  }
  return error.instancePath.slice(1).split('/')[0] ?? '';
}

function describe(error: ErrorObject): string {
  const field = fieldOf(error);
  if (error.keyword === 'additionalProperties') return `unknown query parameter "${field}"`;
  if (error.keyword === 'pattern' || error.keyword === 'format') {
    if (field === 'description' || field === 'procedure' || field === 'protocol')
      return `${field} must not contain control characters`;
    if (field === 'from' || field === 'to') return `${field} must be a date (YYYY-MM-DD)`;
    if (field === 'modality') return 'modality must be a two-letter DICOM modality such as CT';
    if (field === 'after' || field === 'before') return `${field} is not a page cursor`;
    if (field === 'trust') return 'trust must be a trust code';
    if (field === 'standardProcedure') return 'standardProcedure must be a standard procedure code';
    return `${field} must be a number without sign or exponent`;
  }
  return `${field} ${error.message ?? 'is invalid'}`;
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`Invalid filter: ${message}`, { field, problems: [message] });
}

/** Blank form fields arrive as "": they mean "no filter", not "equal to nothing". */
function withoutBlanks(query: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!query || typeof query !== 'object') return out;
  for (const [key, value] of Object.entries(query)) {
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if (trimmed !== '') out[key] = trimmed;
    } else if (Array.isArray(value)) {
      const kept = (value as unknown[]).map((v) => (typeof v === 'string' ? v.trim() : v)).filter((v) => v !== '');
      if (kept.length > 0) out[key] = kept;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Cursors are opaque to the client: base64url of [sortValue, studyId]. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.value, cursor.studyId])).toString('base64url');
}

function decodeCursor(field: 'after' | 'before', encoded: string, key: SortKey): Cursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw invalid(field, `${field} is not a page cursor`);
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw invalid(field, `${field} is not a page cursor`);
  const [value, studyId] = decoded as [unknown, unknown];
  if (typeof studyId !== 'number' || !Number.isSafeInteger(studyId) || studyId < 1)
    throw invalid(field, `${field} is not a page cursor`);
  if (value === null && key !== 'events') return { value, studyId };
  // Times travel as whole microseconds since 1970 (timestamptz's own resolution), so no row is lost
  // or repeated between pages for want of precision; counts are integers too.
  const integral = key === 'time' || key === 'events';
  if (typeof value === 'number' && Number.isFinite(value) && (!integral || Number.isSafeInteger(value)))
    return { value, studyId };
  throw invalid(field, `${field} does not belong to this sort order`);
}

/** Upper bounds beyond which a value is a typing error rather than a filter. */
const RANGE_MAX: Partial<Record<RangeStem, number>> = { age: 150 };

function rangeOf(raw: Record<string, unknown>, stem: RangeStem): NumberRange | undefined {
  const read = (name: string): number | undefined => {
    const text = raw[name] as string | undefined;
    if (text === undefined) return undefined;
    const value = Number(text);
    const max = RANGE_MAX[stem];
    if (max !== undefined && value > max) throw invalid(name, `${name} must be at most ${max}`);
    return value;
  };
  const min = read(`${stem}Min`);
  const max = read(`${stem}Max`);
  if (min === undefined && max === undefined) return undefined;
  if (min !== undefined && max !== undefined && min > max)
    throw invalid(`${stem}Min`, `${stem}Min must not be greater than ${stem}Max`);
  return { min, max };
}

function limitOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMIT;
  const value = Number(text);
  if (value < 1 || value > MAX_LIMIT) throw invalid('limit', `limit must be between 1 and ${MAX_LIMIT}`);
  return value;
}

function deviceOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (value < 1) throw invalid('device', 'device must be a device id');
  return value;
}

/** Parses and checks a study-browser query string; a ValidationError (400) names the first bad field. */
export function parseStudyQuery(query: unknown): StudyQuery {
  const raw = withoutBlanks(query);
  if (!validate(raw)) {
    const errors = validate.errors ?? [];
    const first = errors[0];
    throw new ValidationError(`Invalid filter: ${errors.map(describe).join('; ')}`, {
      field: first ? fieldOf(first) : undefined,
      problems: errors.map(describe),
    });
  }
  if (raw.from && raw.to && raw.from > raw.to) throw invalid('from', 'from must not be after to');
  if (raw.after && raw.before) throw invalid('before', 'give after or before, not both');
  const key = raw.sort ?? 'time';
  const ranges = Object.fromEntries(
    (Object.keys(RANGES) as RangeStem[]).map((stem) => [RANGES[stem], rangeOf(raw, stem)]),
  ) as Partial<StudyFilters>;
  const filters: StudyFilters = {
    fromDate: raw.from,
    toDate: raw.to,
    trust: raw.trust,
    deviceId: deviceOf(raw.device),
    modalities: raw.modality,
    description: raw.description,
    procedure: raw.procedure,
    protocol: raw.protocol,
    sex: raw.sex,
    ...ranges,
    standardProcedure: raw.standardProcedure,
    weightUnknown: raw.weightUnknown,
    patientsOnly: raw.patientsOnly === 'true' ? true : undefined,
  };
  return {
    filters,
    sort: { key, direction: raw.dir ?? 'desc' },
    after: raw.after ? decodeCursor('after', raw.after, key) : undefined,
    before: raw.before ? decodeCursor('before', raw.before, key) : undefined,
    limit: limitOf(raw.limit),
  };
}

/** The query string of a study-browser URL: the inverse of parseStudyQuery for links and forms. */
export function studyQueryString(query: {
  filters: StudyFilters;
  sort: StudyQuery['sort'];
  after?: Cursor | undefined;
  before?: Cursor | undefined;
  limit?: number | undefined;
}): string {
  const params = new URLSearchParams();
  const f = query.filters;
  const put = (name: string, value: string | number | undefined) => {
    if (value !== undefined) params.append(name, String(value));
  };
  put('from', f.fromDate);
  put('to', f.toDate);
  put('trust', f.trust);
  put('device', f.deviceId);
  for (const m of f.modalities ?? []) put('modality', m);
  put('description', f.description);
  put('procedure', f.procedure);
  put('protocol', f.protocol);
  put('sex', f.sex);
  for (const stem of Object.keys(RANGES) as RangeStem[]) {
    const range = f[RANGES[stem]];
    put(`${stem}Min`, range?.min);
    put(`${stem}Max`, range?.max);
  }
  put('standardProcedure', f.standardProcedure);
  put('weightUnknown', f.weightUnknown);
  if (f.patientsOnly) put('patientsOnly', 'true');
  if (query.sort.key !== 'time') put('sort', query.sort.key);
  if (query.sort.direction !== 'desc') put('dir', query.sort.direction);
  if (query.after) put('after', encodeCursor(query.after));
  if (query.before) put('before', encodeCursor(query.before));
  if (query.limit !== undefined && query.limit !== DEFAULT_LIMIT) put('limit', query.limit);
  return params.toString();
}

/**
 * What the audit log keeps of a list view: which filters were used and the non-free-text values
 * (dates, codes, ranges). Free text is recorded only as present: a user may type anything into it.
 */
export function auditSummary(query: StudyQuery): Record<string, unknown> {
  const f = query.filters;
  const summary: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(f)) {
    if (value === undefined) continue;
    summary[name] = name === 'description' || name === 'procedure' || name === 'protocol' ? 'text' : value;
  }
  return {
    filters: summary,
    sort: `${query.sort.key} ${query.sort.direction}`,
    page: query.after ? 'next' : query.before ? 'previous' : 'first',
  };
}
