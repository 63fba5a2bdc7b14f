import { inputParser } from '../../core/index.ts';
import { HEIGHT_UNITS, MATCH_KEYS, type HeightUnit, type MappingInput, type MatchKey } from '../../analytics/index.ts';

/**
 * The column mapping and options of an upload, from the API's query string or the page's form
 * fields (both strings, coerced by ajv). Columns are header names or 1-based numbers; "none" says
 * the file has no such column; a column left out is guessed from the header.
 */
const column = { type: 'string', minLength: 1, maxLength: 200 } as const;

export const PATIENT_SIZE_OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    match: { type: 'string', enum: MATCH_KEYS },
    keyColumn: column,
    heightColumn: column,
    weightColumn: column,
    trustColumn: column,
    heightUnit: { type: 'string', enum: HEIGHT_UNITS, default: 'cm' },
    header: { type: 'boolean', default: true },
    delimiter: { type: 'string', minLength: 1, maxLength: 1 },
    trust: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
    dryRun: { type: 'boolean', default: false },
    replaceImported: { type: 'boolean', default: false },
  },
} as const;

interface ParsedOptions {
  match?: MatchKey;
  keyColumn?: string;
  heightColumn?: string;
  weightColumn?: string;
  trustColumn?: string;
  heightUnit: HeightUnit;
  header: boolean;
  delimiter?: string;
  trust?: string;
  dryRun: boolean;
  replaceImported: boolean;
}

export interface UploadOptions {
  readonly mapping: MappingInput;
  readonly trust: string | undefined;
  readonly dryRun: boolean;
  readonly replaceImported: boolean;
}

const parseOptions = inputParser<ParsedOptions>(PATIENT_SIZE_OPTIONS_SCHEMA, 'query');

export function parseUploadOptions(input: Record<string, unknown>): UploadOptions {
  const o = parseOptions(input);
  return {
    mapping: {
      match: o.match,
      keyColumn: o.keyColumn,
      heightColumn: o.heightColumn,
      weightColumn: o.weightColumn,
      trustColumn: o.trustColumn,
      heightUnit: o.heightUnit,
      header: o.header,
      delimiter: o.delimiter,
    },
    trust: o.trust,
    dryRun: o.dryRun,
    replaceImported: o.replaceImported,
  };
}
