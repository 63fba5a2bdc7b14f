import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { ValidationError } from '../core/index.ts';
import { referenceLevelSetSchema } from './schema.ts';
import type { ReferenceLevelSet } from './types.ts';

const ajv = new Ajv({ allErrors: true, strict: true });
const validateSet = ajv.compile<ReferenceLevelSet>(referenceLevelSetSchema);

/** Parses and validates a reference-level data file; the error lists every problem with its path. */
export function parseReferenceLevelSet(json: unknown, origin: string): ReferenceLevelSet {
  if (!validateSet(json)) {
    const problems = (validateSet.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`);
    throw new ValidationError(`invalid reference-level set ${origin}: ${problems.join('; ')}`, { problems });
  }
  const ids = new Set<string>();
  for (const level of json.levels) {
    if (ids.has(level.id)) throw new ValidationError(`duplicate reference level id ${level.id} in ${origin}`);
    ids.add(level.id);
  }
  return json;
}

export function loadReferenceLevelFile(path: string): ReferenceLevelSet {
  return parseReferenceLevelSet(JSON.parse(readFileSync(path, 'utf8')) as unknown, path);
}

/** The UK national DRLs shipped with Kerma (UKHSA, NDRLs from 20 November 2024; see the file's sources). */
export function ukNationalDrls(): ReferenceLevelSet {
  return loadReferenceLevelFile(new URL('./data/uk-ndrl-2024.json', import.meta.url).pathname);
}
