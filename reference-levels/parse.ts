import { ValidationError, inputParser, type InputProblem } from '../core/index.ts';
import { referenceSetSchema } from './schema.ts';
import type { ReferenceSetDocument, ReferenceValueInput } from './types.ts';
import { VERIFY_AGAINST_PRIMARY } from './vocabulary.ts';

const validateDocument = inputParser<ReferenceSetDocument>(referenceSetSchema, 'body');

/** Where a problem sits, as the reader of the input knows it: a JSON path, or a CSV row and column. */
export type ProblemLocator = (field: string) => string;

/** "values.3.value" reads as "values[3].value" in a JSON document. */
export const jsonLocator: ProblemLocator = (field) => field.replace(/\.(\d+)(?=\.|$)/g, '[$1]');

function problemsOf(error: unknown): readonly InputProblem[] {
  if (error instanceof ValidationError) {
    const problems = (error.details as { problems?: InputProblem[] } | undefined)?.problems;
    if (problems) return problems;
  }
  throw error;
}

function invalid(origin: string, problems: readonly string[]): ValidationError {
  // The first few are enough to act on; a wrong file would otherwise produce thousands of lines.
  const shown = problems.slice(0, 20);
  const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
  return new ValidationError(`invalid reference set ${origin}: ${shown.join('; ')}${more}`, { problems });
}

/** A figure's identity within its set is its key and quantity (reference_values' unique key). */
function duplicateProblems(values: readonly ReferenceValueInput[], locate: ProblemLocator): string[] {
  const seen = new Map<string, number>();
  const problems: string[] = [];
  values.forEach((value, index) => {
    const id = `${value.valueKey}\u0000${value.quantity}`;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, index);
    else
      problems.push(
        `${locate(`values.${index}.valueKey`)}: ${value.valueKey} ${value.quantity} is already given at ${locate(`values.${first}`)}`,
      );
  });
  return problems;
}

/**
 * Validates a set document against the schema and the rules a schema cannot say (one figure per
 * key and quantity). Every S figure leaves here saying "verify against primary", so no page, export
 * or comparison can show it without the flag.
 */
export function parseReferenceSet(
  input: unknown,
  origin: string,
  locate: ProblemLocator = jsonLocator,
): ReferenceSetDocument {
  let document: ReferenceSetDocument;
  try {
    document = validateDocument(input);
  } catch (error) {
    throw invalid(
      origin,
      problemsOf(error).map((p) => `${locate(p.field)}: ${p.message}`),
    );
  }
  const duplicates = duplicateProblems(document.values, locate);
  if (duplicates.length > 0) throw invalid(origin, duplicates);
  return {
    ...document,
    values: document.values.map((value) =>
      value.status === 'S' && !value.statusNote?.toLowerCase().includes(VERIFY_AGAINST_PRIMARY)
        ? {
            ...value,
            statusNote: value.statusNote
              ? `${value.statusNote} (${VERIFY_AGAINST_PRIMARY})`
              : `Secondary source: ${VERIFY_AGAINST_PRIMARY}`,
          }
        : value,
    ),
  };
}

/** Parses JSON text; a syntax error is a 400 that says where, never a 500. */
export function parseReferenceSetJson(textInput: string, origin: string): ReferenceSetDocument {
  let json: unknown;
  try {
    json = JSON.parse(textInput);
  } catch (error) {
    throw new ValidationError(`invalid reference set ${origin}: not JSON (${(error as Error).message})`);
  }
  return parseReferenceSet(json, origin);
}
