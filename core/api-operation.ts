/**
 * One HTTP operation as a feature declares it for the OpenAPI document (app/http/openapi.ts builds
 * the document from every feature's declarations). `query` is the very JSON Schema object the route
 * validates its query string with, so the document and the validation cannot drift apart.
 */
export interface ApiOperation {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path template: /api/v1/studies/{studyId}. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  /** The ajv schema of the query string: an object schema whose properties are the parameters. */
  readonly query?: { readonly properties: Readonly<Record<string, object>>; readonly required?: readonly string[] };
  /** Path parameters: name → JSON Schema. */
  readonly pathParameters?: Readonly<Record<string, object>>;
  /** The ajv schema of a JSON request body. */
  readonly body?: object;
  /** JSON Schema of the 200 answer (omitted: described only in words). */
  readonly response?: object;
  readonly responseDescription: string;
  /** The operation also answers text/csv (with ?format=csv). */
  readonly csv?: boolean;
  /** No credentials needed (health, the document itself). */
  readonly public?: boolean;
}
