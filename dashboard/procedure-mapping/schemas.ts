import { inputParser, ValidationError } from '../../core/index.ts';
import type { RuleFields, StandardProcedure } from '../../analytics/index.ts';

/**
 * The JSON Schemas (ajv) of the procedure-mapping API. The page's forms are turned into the same
 * objects and checked by the same schemas, so the page and the API accept exactly the same rules.
 * A bad value is a 400 naming the field.
 */

/** Text a person types: no control characters (PostgreSQL text refuses NUL). */
const TEXT_PATTERN = '^[^\\u0000-\\u001f\\u007f]*$';
const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength, pattern: TEXT_PATTERN }) as const;
const nullableText = (maxLength: number) => ({ ...text(maxLength), nullable: true }) as const;
const modality = { type: 'string', pattern: '^[A-Z]{2}$' } as const;
const trustCode = { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' } as const;
const criterion = {
  type: 'object',
  nullable: true,
  additionalProperties: false,
  required: ['pattern', 'match'],
  properties: { pattern: text(500), match: { type: 'string', enum: ['exact', 'regex'] } },
} as const;

const ruleProperties = {
  trustCode: { ...trustCode, nullable: true },
  modalities: { type: 'array', nullable: true, minItems: 1, maxItems: 10, uniqueItems: true, items: modality },
  procedureCode: nullableText(64),
  description: criterion,
  protocol: criterion,
  bodyPart: nullableText(200),
  standardProcedureCode: { type: 'string', nullable: true, maxLength: 32, pattern: '^[A-Za-z0-9_-]+$' },
  note: nullableText(500),
  enabled: { type: 'boolean' },
} as const;

/** POST /rules: a whole rule (unset criteria are null), and where it goes (default: after every rule). */
export const RULE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['standardProcedureCode'],
  properties: { ...ruleProperties, placement: { type: 'string', enum: ['first', 'last'] } },
} as const;

/** PATCH /rules/:ruleId: the fields to change. */
export const RULE_PATCH_SCHEMA = { type: 'object', additionalProperties: false, properties: ruleProperties } as const;

export const MOVE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['direction'],
  properties: { direction: { type: 'string', enum: ['up', 'down'] } },
} as const;

/** POST /test: what a study would carry. */
export const PROBE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    description: nullableText(500),
    modality: { ...modality, nullable: true },
    trustCode: { ...trustCode, nullable: true },
    procedureCode: nullableText(64),
    protocol: nullableText(500),
    bodyPart: nullableText(200),
  },
} as const;

export const STANDARD_PROCEDURE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'name', 'modality', 'bodyRegion'],
  properties: {
    code: { type: 'string', pattern: '^[A-Z0-9][A-Z0-9-]{1,31}$' },
    name: text(80),
    modality,
    bodyRegion: { type: 'string', pattern: '^[A-Z]{2,32}$' },
    drlCategory: { type: 'string', nullable: true, pattern: '^[a-z0-9][a-z0-9-]{1,63}$' },
    lateral: { type: 'boolean', default: false },
  },
} as const;

export const UNMAPPED_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    trust: trustCode,
    modality: { type: 'string', pattern: '^[A-Z]{2}(,[A-Z]{2}){0,9}$' },
    from: { type: 'string', format: 'date' },
    to: { type: 'string', format: 'date' },
    limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 },
    format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
  },
} as const;

export const LIST_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { format: { type: 'string', enum: ['json', 'csv'], default: 'json' } },
} as const;

export type RuleInput = { -readonly [K in keyof RuleFields]?: RuleFields[K] };
export type NewRuleInput = RuleInput & { placement?: 'first' | 'last' };

export interface ProbeInput {
  readonly description?: string | null;
  readonly modality?: string | null;
  readonly trustCode?: string | null;
  readonly procedureCode?: string | null;
  readonly protocol?: string | null;
  readonly bodyPart?: string | null;
}

export interface UnmappedQuery {
  readonly trust?: string;
  readonly modality?: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly format: 'json' | 'csv';
}

export const parseRule = inputParser<RuleInput>(RULE_SCHEMA, 'body');
export const parseRulePatch = inputParser<RuleInput>(RULE_PATCH_SCHEMA, 'body');
export const parseMove = inputParser<{ direction: 'up' | 'down' }>(MOVE_SCHEMA, 'body');
export const parseProbe = inputParser<ProbeInput>(PROBE_SCHEMA, 'body');
export const parseStandardProcedure = inputParser<Omit<StandardProcedure, 'builtin'>>(
  STANDARD_PROCEDURE_SCHEMA,
  'body',
);
export const parseUnmappedQuery = inputParser<UnmappedQuery>(UNMAPPED_QUERY_SCHEMA, 'query');
export const parseListQuery = inputParser<{ format: 'json' | 'csv' }>(LIST_QUERY_SCHEMA, 'query');

/** A rule's complete fields: what is given over what it had (nothing, for a new rule). */
export function ruleFields(input: RuleInput, base?: RuleFields): RuleFields {
  const pick = <K extends keyof RuleFields>(key: K, fallback: RuleFields[K]): RuleFields[K] =>
    input[key] === undefined ? (base?.[key] ?? fallback) : input[key];
  const fields: RuleFields = {
    trustCode: pick('trustCode', null),
    modalities: pick('modalities', null),
    procedureCode: pick('procedureCode', null),
    description: pick('description', null),
    protocol: pick('protocol', null),
    bodyPart: pick('bodyPart', null),
    standardProcedureCode: pick('standardProcedureCode', null),
    note: pick('note', null),
    enabled: input.enabled ?? base?.enabled ?? true,
  };
  if (!fields.procedureCode && !fields.description && !fields.protocol && !fields.bodyPart) {
    const message = 'must be set, or one of procedureCode, protocol, bodyPart: a rule needs something to match';
    throw new ValidationError(`invalid body: field "description" ${message}`, {
      problems: [{ field: 'description', message }],
    });
  }
  return fields;
}
