import { QUANTITY_NAMES, REFERENCE_SET_KINDS, REFERENCE_STATUSES } from './vocabulary.ts';

/**
 * The one JSON Schema of a reference set (docs/adr/0012): builtin files, `kerma reference import`,
 * the API and the page all validate against it (a CSV is turned into this shape first). Patterns
 * keep keys to what fits a URL, a CSV cell and a log line; every figure must be positive, sourced
 * and of status C or S, since U ("unconfirmed") figures are never stored.
 */
const key = (max: number) => ({ type: 'string', pattern: `^[a-z0-9][a-z0-9._-]{0,${max - 1}}$` }) as const;
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '\\S' }) as const;
/** Region and age-band names of the sources ('abdomen_pelvis', '10y', 'adult'): no spaces. */
const token = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.<>+-]{0,39}$' } as const;

export const referenceValueSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['valueKey', 'quantity', 'value', 'status'],
  properties: {
    valueKey: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' },
    // DICOM Modality (0008,0060) defined terms: CT, DX, CR, MG, RF, XA, NM, PT, IO, PX…
    modality: { type: 'string', pattern: '^[A-Z]{2,4}$' },
    drlCategory: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,79}$' },
    bodyRegion: token,
    ageBand: token,
    quantity: { enum: QUANTITY_NAMES },
    value: { type: 'number', exclusiveMinimum: 0 },
    status: { enum: REFERENCE_STATUSES },
    statusNote: text(1000),
    attributes: { type: 'object', maxProperties: 40 },
  },
} as const;

export const referenceSetSchema = {
  title: 'Kerma reference set (one edition)',
  type: 'object',
  additionalProperties: false,
  required: ['setKey', 'kind', 'title', 'publisher', 'edition', 'source', 'values'],
  properties: {
    setKey: key(80),
    kind: { enum: REFERENCE_SET_KINDS },
    title: text(300),
    publisher: text(200),
    edition: text(100),
    effectiveFrom: { type: 'string', format: 'date' },
    source: {
      type: 'object',
      additionalProperties: false,
      required: ['title'],
      properties: {
        title: text(1000),
        url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2000 },
      },
    },
    trustCode: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$' },
    notes: { type: 'array', maxItems: 50, items: text(2000) },
    // A national table has tens of rows, a k-factor matrix a few hundred; far more is a wrong file.
    values: { type: 'array', minItems: 1, maxItems: 5000, items: referenceValueSchema },
  },
} as const;
