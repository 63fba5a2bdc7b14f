/**
 * The body of POST /api/v1/analytics/patient-dose. Identifiers travel only in a body, never in a
 * URL (URLs end up in proxy logs, browser history and Referer headers). The NHS number's check digit
 * is verified after this schema (identifiers.ts), with a 400 naming the field.
 */
const idText = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[^\\u0000-\\u001f\\u007f]*$' } as const;
const day = { type: 'string', format: 'date' } as const;

export const PATIENT_DOSE_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    nhsNumber: { type: 'string', minLength: 10, maxLength: 16, pattern: '^[0-9][0-9 -]*[0-9]$' },
    localId: {
      type: 'object',
      additionalProperties: false,
      required: ['trust', 'value'],
      properties: {
        trust: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' },
        issuer: idText,
        value: idText,
      },
    },
    window: {
      type: 'object',
      additionalProperties: false,
      properties: { from: day, to: day },
    },
  },
  // Exactly one identifier (ajv's strict mode wants each required name declared where it is required).
  oneOf: [
    { properties: { nhsNumber: true }, required: ['nhsNumber'] },
    { properties: { localId: true }, required: ['localId'] },
  ],
} as const;

export interface PatientDoseBody {
  readonly nhsNumber?: string;
  readonly localId?: { readonly trust: string; readonly issuer?: string; readonly value: string };
  readonly window?: { readonly from?: string; readonly to?: string };
}
