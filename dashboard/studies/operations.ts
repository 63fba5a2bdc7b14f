import type { ApiOperation } from '../../core/index.ts';
import { STUDIES_API_PATH } from './api.ts';
import { STUDY_QUERY_SCHEMA } from './query.ts';

/** The study browser's API in the OpenAPI document, described by the schema that validates it. */
export const STUDY_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'get',
    path: STUDIES_API_PATH,
    operationId: 'listStudies',
    summary: 'Studies of the caller’s trusts, filtered, in keyset pages',
    tags: ['studies'],
    query: STUDY_QUERY_SCHEMA,
    responseDescription: 'A page of studies with the count and links to the neighbouring pages',
  },
  {
    method: 'get',
    path: '/api/v1/studies/{studyId}',
    operationId: 'getStudy',
    summary: 'One study with its events, source objects and merge history',
    tags: ['studies'],
    pathParameters: { studyId: { type: 'integer', minimum: 1 } },
    responseDescription: 'The study (404: no such study in the caller’s trusts)',
  },
];
