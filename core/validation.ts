import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { ValidationError } from './errors.ts';

// ajv-formats is CommonJS: under NodeNext its default export arrives as the module object.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  addFormatsModule) as FormatsPlugin;

/** Where an input came from: said in the 400, so the caller knows which field to fix. */
export type InputSource = 'body' | 'query';

export interface InputProblem {
  readonly field: string;
  readonly message: string;
}

// Query values arrive as strings: coerceTypes turns "20" into 20 and refuses "abc" (and repeated
// parameters, which arrive as arrays); JSON bodies carry their own types and are never coerced, so
// "20" for a number is the caller's mistake to hear about.
/** Format name for "a day of the region, or an instant" filters (from/to). */
export const DAY_OR_INSTANT = 'day-or-instant';

/**
 * ajv-formats' full formats (a date is checked against its month's days, so 2026-02-30 is a 400,
 * not a database error later), and one of Kerma's: a day (YYYY-MM-DD) or an RFC 3339 date-time.
 */
function withKermaFormats(ajv: Ajv): Ajv {
  addFormats(ajv);
  // ajv-formats registers both as { validate(value), compare } in its full mode.
  const check = (name: string, value: string): boolean =>
    (ajv.formats[name] as { validate: (value: string) => boolean }).validate(value);
  ajv.addFormat(DAY_OR_INSTANT, (value: string) => check('date', value) || check('date-time', value));
  return ajv;
}

const queryAjv = withKermaFormats(new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: true }));
const bodyAjv = withKermaFormats(new Ajv({ allErrors: true, useDefaults: true, strict: true }));

function fieldOf(error: ErrorObject): string {
  const path = error.instancePath.slice(1).replace(/\//g, '.');
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const leaf = params.missingProperty ?? params.additionalProperty;
  return [path, leaf].filter(Boolean).join('.') || '(the whole input)';
}

function problemOf(error: ErrorObject): InputProblem {
  const field = fieldOf(error);
  if (error.keyword === 'additionalProperties') return { field, message: 'is not a known field' };
  if (error.keyword === 'required') return { field, message: 'is required' };
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.join(', ');
    return { field, message: `must be one of ${allowed}` };
  }
  if (error.keyword === 'format' && (error.params as { format: string }).format === DAY_OR_INSTANT) {
    return { field, message: 'must be a date (YYYY-MM-DD) or a date and time (RFC 3339)' };
  }
  return { field, message: error.message ?? 'is invalid' };
}

/**
 * Compiles a JSON schema into a parser that returns the validated (coerced, defaulted) value or
 * throws a ValidationError (400) whose message names every offending field:
 * `invalid query: parameter "limit" must be <= 500`.
 */
export function inputParser<T>(schema: object, source: InputSource): (input: unknown) => T {
  const validate = (source === 'query' ? queryAjv : bodyAjv).compile<T>(schema);
  const noun = source === 'query' ? 'parameter' : 'field';
  return (input: unknown): T => {
    // A copy: ajv coerces and fills defaults in place, and express may hand out the same object again.
    let candidate: unknown = input;
    if (source === 'query') {
      // An empty form field means "no filter", not "an empty value".
      const entries = Object.entries((input ?? {}) as Record<string, unknown>).filter(([, v]) => v !== '');
      candidate = Object.fromEntries(entries);
    } else if (input && typeof input === 'object' && !Array.isArray(input)) {
      candidate = { ...input };
    }
    if (validate(candidate)) return candidate;
    const problems: InputProblem[] = (validate.errors ?? []).map(problemOf);
    const text = problems.map((p) => `${noun} ${JSON.stringify(p.field)} ${p.message}`).join('; ');
    throw new ValidationError(`invalid ${source}: ${text}`, { problems });
  };
}
