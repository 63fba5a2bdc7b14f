import { Ajv, type ErrorObject } from 'ajv';
import { ValidationError } from '../../core/index.ts';
import {
  DEFAULT_MIN_SAMPLE,
  DEFAULT_WEIGHT_BAND,
  DRL_QUANTITIES,
  type DrlQuantity,
  type WeightBand,
} from '../../analytics/index.ts';
import { parseStudyQuery, STUDY_FILTER_PROPERTIES, type StudyFilters } from '../studies/index.ts';

/**
 * Query strings of the DRL compliance and local DRL APIs and page. The compliance list takes the
 * study browser's filters (the same schema pieces, so the same checks) except its weight range and
 * sample flags, which the typical-patient band replaces, plus the band, the minimum sample and the
 * answer's format. These schemas also describe the operations in the OpenAPI document.
 */

/** The typical-patient band replaces these: a weight range of its own and the sample's flags. */
const REPLACED = new Set(['weightMin', 'weightMax', 'weightUnknown', 'patientsOnly']);
const browserFilters = Object.fromEntries(
  Object.entries(STUDY_FILTER_PROPERTIES).filter(([name]) => !REPLACED.has(name)),
) as Record<string, object>;

const format = { type: 'string', enum: ['json', 'csv'], description: 'csv: one row per room, procedure and quantity' };
const weightBand = {
  type: 'string',
  maxLength: 40,
  pattern: '^(none|\\d{1,3}(\\.\\d{1,3})?-\\d{1,3}(\\.\\d{1,3})?)$',
  description: 'Typical patients: "MIN-MAX" kg where the weight is known (default 50-90), or "none"',
};
const minSample = {
  type: 'string',
  pattern: '^\\d{1,6}$',
  description: `Values a room needs before its median can be a finding (default ${DEFAULT_MIN_SAMPLE})`,
};

export const COMPLIANCE_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...browserFilters,
    weightBand,
    minSample,
    format,
    // The page's own choices: which procedure and quantity the box plot shows, and the table's order.
    plot: { type: 'string', maxLength: 120, pattern: '^[A-Za-z0-9_.:-]+/(ctdivol_mgy|dlp_mgycm|dap_gycm2)$' },
    sort: { type: 'string', enum: ['procedure', 'room', 'n', 'median', 'ratio'] },
    dir: { type: 'string', enum: ['asc', 'desc'] },
  },
} as const;

export const LOCAL_DRLS_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    run: { type: 'string', pattern: '^[1-9]\\d{0,15}$', description: 'A run id (default: the latest run)' },
    standardProcedure: STUDY_FILTER_PROPERTIES.standardProcedure,
    modality: STUDY_FILTER_PROPERTIES.modality,
    trust: STUDY_FILTER_PROPERTIES.trust,
    device: STUDY_FILTER_PROPERTIES.device,
    format,
  },
} as const;

const ajv = new Ajv({ allErrors: true, coerceTypes: 'array' });
ajv.addFormat('calendar-date', (value: string) => {
  const day = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(value);
});
const validateCompliance = ajv.compile<Record<string, unknown>>(COMPLIANCE_QUERY_SCHEMA);
const validateLocal = ajv.compile<Record<string, unknown>>(LOCAL_DRLS_QUERY_SCHEMA);

function fieldOf(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties')
    return (error.params as { additionalProperty: string }).additionalProperty;
  return error.instancePath.slice(1).split('/')[0] ?? '';
}

function check(validate: typeof validateCompliance, raw: Record<string, unknown>): void {
  if (validate(raw)) return;
  const errors = validate.errors ?? [];
  const problems = errors.map((e) =>
    e.keyword === 'additionalProperties'
      ? `unknown query parameter "${fieldOf(e)}"`
      : `${fieldOf(e)} ${e.message ?? 'is invalid'}`,
  );
  throw new ValidationError(`Invalid query: ${problems.join('; ')}`, { field: fieldOf(errors[0]!), problems });
}

/** Blank form fields mean "not set". */
function withoutBlanks(query: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!query || typeof query !== 'object') return out;
  for (const [key, value] of Object.entries(query)) {
    if (typeof value === 'string' && value.trim() === '') continue;
    if (Array.isArray(value) && value.every((v) => v === '')) continue;
    out[key] = typeof value === 'string' ? value.trim() : value;
  }
  return out;
}

export type SortKey = 'procedure' | 'room' | 'n' | 'median' | 'ratio';

export interface ComplianceParams {
  /** The study browser's filters, with the period always set. */
  readonly filters: StudyFilters & { readonly fromDate: string; readonly toDate: string };
  readonly weightBand: WeightBand;
  readonly minSample: number;
  readonly format: 'json' | 'csv';
  readonly plot: { readonly procedure: string; readonly quantity: DrlQuantity } | undefined;
  readonly sort: { readonly key: SortKey; readonly direction: 'asc' | 'desc' };
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`Invalid query: ${message}`, { field, problems: [message] });
}

function weightBandOf(text: string | undefined): WeightBand {
  if (text === undefined) return DEFAULT_WEIGHT_BAND;
  if (text === 'none') return { minKg: null, maxKg: null };
  const [min, max] = text.split('-').map(Number) as [number, number];
  if (min > max) throw invalid('weightBand', 'weightBand must be MIN-MAX with MIN not above MAX');
  return { minKg: min, maxKg: max };
}

function minSampleOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MIN_SAMPLE;
  const value = Number(text);
  if (value < 1) throw invalid('minSample', 'minSample must be at least 1');
  return value;
}

/** Today in the region's zone, YYYY-MM-DD. */
export function todayIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** The day `days` before `date` (YYYY-MM-DD). */
function daysBefore(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/** Without a period: the twelve months to today (the review period of an annual DRL audit). */
const DEFAULT_PERIOD_DAYS = 365;

export function parseComplianceQuery(query: unknown, timeZone: string): ComplianceParams {
  const raw = withoutBlanks(query);
  check(validateCompliance, raw);
  const {
    weightBand: band,
    minSample: min,
    format: fmt,
    plot,
    sort,
    dir,
    ...filterRaw
  } = raw as Record<string, string | undefined>;
  const filters = parseStudyQuery(filterRaw).filters;
  const toDate = filters.toDate ?? todayIn(timeZone);
  const fromDate = filters.fromDate ?? daysBefore(toDate, DEFAULT_PERIOD_DAYS - 1);
  if (fromDate > toDate) throw invalid('from', 'from must not be after to');
  const [procedure, quantity] = plot ? (plot.split('/') as [string, DrlQuantity]) : [];
  return {
    filters: { ...filters, fromDate, toDate },
    weightBand: weightBandOf(band),
    minSample: minSampleOf(min),
    format: fmt === 'csv' ? 'csv' : 'json',
    plot: procedure && quantity && DRL_QUANTITIES.includes(quantity) ? { procedure, quantity } : undefined,
    sort: { key: (sort as SortKey | undefined) ?? 'procedure', direction: dir === 'desc' ? 'desc' : 'asc' },
  };
}

export interface LocalDrlParams {
  readonly runId: number | undefined;
  readonly standardProcedure: string | undefined;
  readonly modalities: readonly string[] | undefined;
  readonly trust: string | undefined;
  readonly deviceId: number | undefined;
  readonly format: 'json' | 'csv';
}

export function parseLocalDrlQuery(query: unknown): LocalDrlParams {
  const raw = withoutBlanks(query);
  check(validateLocal, raw);
  const r = raw as {
    run?: string;
    standardProcedure?: string;
    modality?: string[];
    trust?: string;
    device?: string;
    format?: string;
  };
  return {
    runId: r.run === undefined ? undefined : Number(r.run),
    standardProcedure: r.standardProcedure,
    modalities: r.modality,
    trust: r.trust,
    deviceId: r.device === undefined ? undefined : Number(r.device),
    format: r.format === 'csv' ? 'csv' : 'json',
  };
}
