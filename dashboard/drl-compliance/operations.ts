import type { ApiOperation } from '../../core/index.ts';
import { COMPLIANCE_QUERY_SCHEMA, LOCAL_DRLS_QUERY_SCHEMA } from './query.ts';

export const DRL_COMPLIANCE_API_PATH = '/api/v1/analytics/drl-compliance';
export const LOCAL_DRLS_API_PATH = '/api/v1/analytics/local-drls';
export const STUDY_DOSE_METRICS_API_PATH = '/api/v1/studies/:studyId/dose-metrics';

const num = { type: 'number' } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const nullableBoolean = { type: ['boolean', 'null'] } as const;
const quantity = { type: 'string', enum: ['ctdivol_mgy', 'dlp_mgycm', 'dap_gycm2'] } as const;

const referenceLevel = {
  type: ['object', 'null'],
  description: 'A reference figure and the edition it comes from',
  properties: {
    referenceValueId: { type: 'integer' },
    value: num,
    status: { type: 'string', enum: ['C', 'S'] },
    statusNote: { type: ['string', 'null'] },
    setKey: { type: 'string' },
    setTitle: { type: 'string' },
    edition: { type: 'string' },
    publisher: { type: 'string' },
    sourceTitle: { type: 'string' },
    sourceUrl: { type: ['string', 'null'] },
    trustCode: { type: ['string', 'null'] },
  },
} as const;

const room = {
  type: 'object',
  properties: {
    deviceId: { type: 'integer' },
    room: { type: 'string' },
    trustCode: { type: 'string' },
    sampleSize: { type: 'integer', description: 'Values in the median: sequences for CTDIvol, exams otherwise' },
    studies: { type: 'integer' },
    minimum: num,
    firstQuartile: num,
    median: num,
    thirdQuartile: num,
    maximum: num,
    meetsMinimumSample: { type: 'boolean' },
    ratioToNational: nullableNumber,
    aboveNational: nullableBoolean,
    finding: { type: 'boolean', description: 'Median above the national DRL on at least the minimum sample' },
    localDrl: referenceLevel,
    ratioToLocal: nullableNumber,
    aboveLocal: nullableBoolean,
    studiesUrl: { type: 'string', description: 'The study browser listing the studies behind the median' },
    studiesApiUrl: { type: 'string', description: 'The same studies from GET /api/v1/studies' },
  },
} as const;

const complianceResponse = {
  type: 'object',
  properties: {
    period: {
      type: 'object',
      properties: {
        from: { type: 'string', format: 'date' },
        to: { type: 'string', format: 'date' },
        timeZone: { type: 'string' },
      },
    },
    weightBand: {
      type: 'object',
      properties: { minKg: nullableNumber, maxKg: nullableNumber, unknownWeightIncluded: { type: 'boolean' } },
    },
    minSample: { type: 'integer' },
    procedures: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          standardProcedureCode: { type: 'string' },
          name: { type: 'string' },
          modality: { type: 'string' },
          drlCategory: { type: 'string' },
          quantities: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                quantity,
                unit: { type: 'string' },
                basis: { type: 'string', enum: ['per sequence', 'per exam'] },
                nationalDrl: referenceLevel,
                roomMediansThirdQuartile: nullableNumber,
                roomsInThirdQuartile: { type: 'integer' },
                rooms: { type: 'array', items: room },
              },
            },
          },
        },
      },
    },
  },
} as const;

const localDrlsResponse = {
  type: 'object',
  properties: {
    run: {
      type: ['object', 'null'],
      properties: {
        runId: { type: 'integer' },
        computedAt: { type: 'string', format: 'date-time' },
        periodFrom: { type: 'string', format: 'date' },
        periodTo: { type: 'string', format: 'date' },
        timeZone: { type: 'string' },
        minSample: { type: 'integer' },
        weightBand: { type: 'object', properties: { minKg: nullableNumber, maxKg: nullableNumber } },
        computedBy: { type: ['string', 'null'] },
      },
    },
    localDrls: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          standardProcedureCode: { type: 'string' },
          name: { type: 'string' },
          modality: { type: 'string' },
          drlCategory: { type: ['string', 'null'] },
          quantity,
          unit: { type: 'string' },
          basis: { type: 'string' },
          rooms: { type: 'integer' },
          roomsBelowMinimum: { type: 'integer' },
          sampleSize: { type: 'integer' },
          localDrl: { ...nullableNumber, description: 'Third quartile of the room medians (ICRP 135)' },
          nationalDrl: referenceLevel,
          roomMedians: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                deviceId: { type: 'integer' },
                room: { type: 'string' },
                trustCode: { type: ['string', 'null'] },
                sampleSize: { type: 'integer' },
                studies: { type: 'integer' },
                median: num,
                meetsMinimumSample: { type: 'boolean' },
                ratioToNational: nullableNumber,
                aboveNational: nullableBoolean,
                finding: { type: 'boolean' },
              },
            },
          },
        },
      },
    },
  },
} as const;

const studyMetricsResponse = {
  type: 'object',
  properties: {
    studyId: { type: 'integer' },
    computedAt: { type: 'string', format: 'date-time' },
    effectiveDose: {
      type: 'object',
      properties: {
        msv: nullableNumber,
        method: { type: ['string', 'null'], enum: ['ct-k-factor', 'nm-per-mbq', 'dap-conversion', null] },
        missingReason: { type: ['string', 'null'] },
        factors: { type: 'array', items: referenceLevel },
        kBodyRegion: { type: ['string', 'null'] },
        ageBand: { type: ['string', 'null'] },
        ctPhantom: { type: ['string', 'null'], enum: ['16cm', '32cm', 'mixed', null] },
      },
    },
    ssde: {
      type: 'object',
      properties: {
        mgy: nullableNumber,
        method: { type: ['string', 'null'] },
        sizeCm: nullableNumber,
        constants: { type: 'array', items: referenceLevel },
      },
    },
    ctdivolSequencesMgy: { type: ['array', 'null'], items: num },
    comparisons: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          scope: { type: 'string', enum: ['national', 'local'] },
          quantity,
          observed: num,
          referenceLevel: num,
          ratio: num,
          above: { type: 'boolean' },
          sequencesCompared: { type: ['integer', 'null'] },
          sequencesAbove: { type: ['integer', 'null'] },
          reference: referenceLevel,
        },
      },
    },
  },
} as const;

/** The operations of this feature, for the OpenAPI document (the query schemas are the validators'). */
export const DRL_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'get',
    path: DRL_COMPLIANCE_API_PATH,
    operationId: 'getDrlCompliance',
    summary: 'DRL compliance per standard procedure and room',
    description:
      'Each room’s distribution (median, quartiles, sample size) of CTDIvol per sequence, DLP per exam and DAP per exam ' +
      'for typical patients, against the current national DRL and the local DRL, with the studies behind each median. ' +
      'Takes the study browser’s filters; without from/to, the twelve months to today.',
    tags: ['analytics'],
    query: COMPLIANCE_QUERY_SCHEMA,
    response: complianceResponse,
    responseDescription: 'Rooms of the caller’s trusts per standard procedure and DRL quantity',
    csv: true,
  },
  {
    method: 'get',
    path: LOCAL_DRLS_API_PATH,
    operationId: 'getLocalDrls',
    summary: 'Local DRLs of a `kerma drl compute` run',
    description:
      'The consortium local DRL (third quartile of the room medians meeting the minimum sample) per standard ' +
      'procedure and quantity, with the medians of the caller’s rooms. The latest run unless `run` is given.',
    tags: ['analytics'],
    query: LOCAL_DRLS_QUERY_SCHEMA,
    response: localDrlsResponse,
    responseDescription: 'The run (null when none was computed) and its local DRLs',
    csv: true,
  },
  {
    method: 'get',
    path: '/api/v1/studies/{studyId}/dose-metrics',
    operationId: 'getStudyDoseMetrics',
    summary: 'One study’s effective dose estimate, SSDE and DRL comparisons',
    tags: ['studies', 'analytics'],
    pathParameters: { studyId: { type: 'integer', minimum: 1 } },
    response: studyMetricsResponse,
    responseDescription: 'The stored metrics, each with the reference edition it used (404: none, or not your trust)',
  },
];
