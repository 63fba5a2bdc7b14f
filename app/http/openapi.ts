import express, { type Router } from 'express';
import type { ApiOperation } from '../../core/index.ts';

/**
 * The OpenAPI 3.1 document of Kerma's HTTP API, served at GET /api/v1/openapi.json. Each feature
 * declares its operations (core's ApiOperation) with the same ajv schemas its routes validate with;
 * the composition root adds them to a registry and this module turns them into the document.
 */
export const OPENAPI_PATH = '/api/v1/openapi.json';

export interface OpenApiRegistry {
  add(...operations: readonly ApiOperation[]): void;
  document(): OpenApiDocument;
}

export type OpenApiDocument = Record<string, unknown> & { readonly paths: Record<string, Record<string, unknown>> };

/**
 * ajv-only keywords and formats, rewritten for OpenAPI readers: the study filters' custom
 * 'calendar-date' format is a date (ajv checks that it is a real day), and `$id`s are dropped (one
 * schema may be reused by several operations).
 */
function forDocument(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forDocument);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$id') continue;
    out[key] = key === 'format' && value === 'calendar-date' ? 'date' : forDocument(value);
  }
  return out;
}

function parametersOf(operation: ApiOperation): object[] {
  const path = Object.entries(operation.pathParameters ?? {}).map(([name, schema]) => ({
    name,
    in: 'path',
    required: true,
    schema: forDocument(schema),
  }));
  const required = new Set(operation.query?.required ?? []);
  const query = Object.entries(operation.query?.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.has(name),
    // Repeated parameters (?modality=CT&modality=DX) are arrays: form style, exploded.
    ...((schema as { type?: unknown }).type === 'array' ? { style: 'form', explode: true } : {}),
    schema: forDocument(schema),
  }));
  return [...path, ...query];
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
    },
  },
};

function operationObject(operation: ApiOperation): Record<string, unknown> {
  const content: Record<string, unknown> = {
    'application/json': operation.response ? { schema: forDocument(operation.response) } : {},
  };
  if (operation.csv) content['text/csv'] = { schema: { type: 'string' } };
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  });
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [...operation.tags],
    parameters: parametersOf(operation),
    ...(operation.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: forDocument(operation.body) } } } }
      : {}),
    ...(operation.public ? { security: [] } : {}),
    responses: {
      '200': { description: operation.responseDescription, content },
      '400': error('A parameter is invalid (the message names it)'),
      ...(operation.public
        ? {}
        : {
            '401': error('No session and no valid API key'),
            '403': error('The role or the API key scope does not allow this'),
          }),
    },
  };
}

export function createOpenApiRegistry(info: { version: string }): OpenApiRegistry {
  const operations: ApiOperation[] = [];
  return {
    add: (...more) => {
      for (const operation of more) {
        if (operations.some((o) => o.path === operation.path && o.method === operation.method))
          throw new Error(`OpenAPI: ${operation.method.toUpperCase()} ${operation.path} declared twice`);
        operations.push(operation);
      }
    },
    document: () => {
      const paths: Record<string, Record<string, unknown>> = {};
      for (const operation of [...operations].sort((a, b) => a.path.localeCompare(b.path))) {
        (paths[operation.path] ??= {})[operation.method] = operationObject(operation);
      }
      return {
        openapi: '3.1.0',
        info: {
          title: 'Kerma',
          version: info.version,
          description:
            'Regional radiation dose monitoring. Units are part of every field name (dlpMgyCm, dapGyCm2); ' +
            'unknown values are null, never 0. Patient-level answers are limited to the caller’s trusts.',
        },
        servers: [{ url: '/' }],
        security: [{ apiKey: [] }, { session: [] }],
        components: {
          securitySchemes: {
            apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (kerma apikey create) with its scope' },
            session: {
              type: 'apiKey',
              in: 'cookie',
              name: 'kerma_session',
              description: 'A signed-in browser session',
            },
          },
          schemas: { Error: ERROR_SCHEMA },
        },
        paths,
      };
    },
  };
}

/** The document itself, public: it describes the API and holds no data. */
export const OPENAPI_OPERATION: ApiOperation = {
  method: 'get',
  path: OPENAPI_PATH,
  operationId: 'getOpenApiDocument',
  summary: 'This OpenAPI document',
  tags: ['meta'],
  responseDescription: 'The OpenAPI 3.1 document of the HTTP API',
  public: true,
};

export function openApiRouter(registry: OpenApiRegistry): Router {
  const router = express.Router();
  router.get(OPENAPI_PATH, (_req, res) => {
    res.set('Cache-Control', 'no-cache').json(registry.document());
  });
  return router;
}
