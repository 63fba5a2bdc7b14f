/** JSON Schema of a reference-level data file; every file is validated when it is loaded. */
export const referenceLevelSetSchema = {
  $id: 'https://kerma.example/schemas/reference-level-set.json',
  type: 'object',
  required: ['set', 'edition', 'compiledFrom', 'notes', 'levels'],
  additionalProperties: false,
  properties: {
    set: { type: 'string', minLength: 1 },
    edition: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    compiledFrom: { type: 'string' },
    notes: { type: 'array', items: { type: 'string' } },
    levels: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'id',
          'modality',
          'population',
          'examination',
          'clinicalIndication',
          'technique',
          'ctdiVolPerSequenceMgy',
          'dlpPerExamMgyCm',
          'yearAdopted',
          'status',
          'source',
        ],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9-]+$' },
          modality: { enum: ['CT'] },
          population: { enum: ['adult'] },
          examination: { type: 'string', minLength: 1 },
          clinicalIndication: { type: ['string', 'null'] },
          technique: { type: 'string' },
          ctdiVolPerSequenceMgy: { type: ['number', 'null'], exclusiveMinimum: 0 },
          dlpPerExamMgyCm: { type: ['number', 'null'], exclusiveMinimum: 0 },
          yearAdopted: { type: 'integer', minimum: 1990, maximum: 2100 },
          // Secondary (S) figures may only be configured locally, never shipped as defaults.
          status: { enum: ['C'] },
          statusNote: { type: 'string' },
          source: {
            type: 'object',
            additionalProperties: false,
            required: ['title', 'url', 'edition'],
            properties: {
              title: { type: 'string', minLength: 1 },
              url: { type: 'string' },
              edition: { type: 'string' },
            },
          },
        },
      },
    },
  },
} as const;
