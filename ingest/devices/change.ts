import { Ajv, type ErrorObject } from 'ajv';
import { ValidationError } from '../../core/index.ts';
import type { DeviceChange } from './types.ts';

/**
 * The one schema of a device change, for the JSON API (PATCH /api/v1/devices/:id) and the page's form.
 * A display name is what people read in tables and reports: printable, trimmed, short enough for a
 * column header of a 1366-wide screen.
 */
const schema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    roomName: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      pattern: '^[^\\u0000-\\u001f\\u007f]*\\S[^\\u0000-\\u001f\\u007f]*$',
    },
    trustCode: { type: 'string', minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_-]+$' },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile<DeviceChange>(schema);

function describe(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') {
    return `unknown field ${JSON.stringify((error.params as { additionalProperty: string }).additionalProperty)}`;
  }
  if (error.keyword === 'minProperties') return 'give roomName, trustCode or both';
  const field = error.instancePath.slice(1) || 'body';
  return `${field} ${error.message ?? 'is invalid'}`;
}

/** A validated change, its display name trimmed; a 400 naming the offending field otherwise. */
export function parseDeviceChange(body: unknown): DeviceChange {
  const candidate: unknown = body && typeof body === 'object' && !Array.isArray(body) ? { ...body } : body;
  if (!validate(candidate)) {
    const problems = (validate.errors ?? []).map(describe);
    throw new ValidationError(`invalid device change: ${problems.join('; ')}`, { problems });
  }
  return candidate.roomName === undefined ? candidate : { ...candidate, roomName: candidate.roomName.trim() };
}
