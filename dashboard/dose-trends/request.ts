import {
  GROUP_DIMENSIONS,
  OWN_PARAMETERS,
  yearBefore,
  type GroupDimension,
  type StudySelection,
} from '../../analytics/index.ts';
import { inputParser, ValidationError } from '../../core/index.ts';
import { filterConditions, parseStudyQuery, type StudyFilters } from '../studies/index.ts';

/**
 * A trend, step-change or workload request: this API's own parameters (its ajv schema) and the
 * study browser's filters (the browser's own parser), split by name so each parser sees only its
 * part and each refuses what it does not know.
 */

/** The browser's paging parameters mean nothing for an aggregate: refused rather than ignored. */
export const PAGING = ['sort', 'dir', 'after', 'before', 'limit'] as const;
/** About ten years of days: bounds the work of one request; a longer history is a CSV per period. */
const MAX_WINDOW_DAYS = 3660;

export interface AnalyticsRequest<P> {
  readonly own: P;
  readonly filters: StudyFilters;
  readonly selection: StudySelection;
}

function split(query: unknown): { own: Record<string, unknown>; rest: Record<string, unknown> } {
  const own: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if ((OWN_PARAMETERS as readonly string[]).includes(name)) own[name] = value;
    else rest[name] = value;
  }
  return { own, rest };
}

function today(timeZone: string, now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

const daysBetween = (from: string, to: string) =>
  (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 864e5;

/** Parses a request's query string; the window defaults to the 12 months ending today. */
export function parseAnalyticsRequest<P extends { standardProcedure?: string | undefined }>(
  query: unknown,
  parseOwn: (input: unknown) => P,
  scope: { trustIds: readonly number[]; timeZone: string; now?: Date },
): AnalyticsRequest<P> {
  const { own, rest } = split(query);
  for (const name of PAGING) {
    if (rest[name] !== undefined && rest[name] !== '')
      throw new ValidationError(`invalid query: parameter "${name}" is not used by this API`, {
        problems: [{ field: name, message: 'is not used by this API' }],
      });
  }
  const parsed = parseOwn(own);
  const { filters } = parseStudyQuery(rest);
  const toDate = filters.toDate ?? today(scope.timeZone, scope.now ?? new Date());
  const fromDate = filters.fromDate ?? yearBefore(toDate);
  if (fromDate > toDate) throw new ValidationError('invalid query: parameter "from" must not be after to');
  if (daysBetween(fromDate, toDate) > MAX_WINDOW_DAYS)
    throw new ValidationError(`invalid query: from and to may be at most ${MAX_WINDOW_DAYS} days apart`);
  const actor = { trustIds: scope.trustIds };
  // The window is the selection's own condition; the browser's filters add everything else.
  const others: StudyFilters = { ...filters, fromDate: undefined, toDate: undefined };
  return {
    own: parsed,
    filters: { ...filters, fromDate, toDate },
    selection: {
      trustIds: scope.trustIds,
      fromDate,
      toDate,
      timeZone: scope.timeZone,
      standardProcedure: parsed.standardProcedure,
      conditions: (p) => filterConditions(actor, others, scope.timeZone, p),
    },
  };
}

/** "room,standardProcedure" as dimensions, each once, in the canonical order. */
export function groupByOf(text: string): GroupDimension[] {
  const named = new Set(text.split(','));
  return GROUP_DIMENSIONS.filter((d) => named.has(d));
}

export const ownParser = <P>(schema: object) => inputParser<P>(schema, 'query');
