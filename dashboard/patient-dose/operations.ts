import type { ApiOperation } from '../../core/index.ts';
import { PATIENT_DOSE_BODY_SCHEMA } from '../../analytics/index.ts';
import { PATIENT_DOSE_API_PATH } from './api.ts';

/** The patient look-up of the OpenAPI document: identifiers travel in the body, never in a URL. */
export const PATIENT_DOSE_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'post',
    path: PATIENT_DOSE_API_PATH,
    operationId: 'lookUpPatientDose',
    summary: 'One patient’s exams across the caller’s trusts with cumulative effective dose',
    description:
      'By NHS number (validated: 10 digits, modulus 11) or a trust’s local ID. Rolling 12-month and lifetime ' +
      'cumulative effective dose, CT count, fluoroscopy reference air kerma and DAP over the window. Audited.',
    tags: ['analytics'],
    body: PATIENT_DOSE_BODY_SCHEMA,
    responseDescription: 'The timeline of exams with the running cumulative effective dose, and the totals',
  },
];
