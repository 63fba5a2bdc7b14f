import type { Code } from './codes.ts';

/**
 * SR content items (PS3.3 C.17.3 SR Document Content Module) as dcmjs naturalised data sets, for the
 * synthetic dose reports. Values are formatted here, not by dcmjs: DS strings must stay within 16
 * characters (PS3.5 6.2) or strict readers such as dcmtk refuse the file.
 */
export type Dataset = Record<string, unknown>;
type Relationship = 'CONTAINS' | 'HAS CONCEPT MOD' | 'HAS OBS CONTEXT' | 'HAS PROPERTIES';

export function codeItem([value, scheme, meaning]: Code): Dataset {
  return { CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning };
}

/** Decimal String of at most 16 characters, as short as the value allows (trailing zeros dropped). */
export function ds(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  for (let precision = 12; precision >= 1; precision -= 1) {
    const text = value
      .toPrecision(precision)
      .replace(/(\.\d*?)0+(?=$|e)/, '$1')
      .replace(/\.(?=$|e)/, '');
    if (text.length <= 16) return text;
  }
  throw new Error(`cannot write ${value} as a DS`);
}

function item(
  relationship: Relationship,
  valueType: string,
  concept: Code,
  rest: Dataset,
  children?: Dataset[],
): Dataset {
  return {
    RelationshipType: relationship,
    ValueType: valueType,
    ConceptNameCodeSequence: [codeItem(concept)],
    ...rest,
    ...(children && children.length > 0 ? { ContentSequence: children } : {}),
  };
}

export const container = (concept: Code, children: Dataset[], relationship: Relationship = 'CONTAINS'): Dataset =>
  item(relationship, 'CONTAINER', concept, { ContinuityOfContent: 'SEPARATE' }, children);

export const num = (
  concept: Code,
  value: number,
  unit: Code,
  relationship: Relationship = 'CONTAINS',
  children?: Dataset[],
): Dataset =>
  item(
    relationship,
    'NUM',
    concept,
    { MeasuredValueSequence: [{ NumericValue: ds(value), MeasurementUnitsCodeSequence: [codeItem(unit)] }] },
    children,
  );

/** A NUM only when the value is known: optional rows are left out rather than written empty. */
export const optionalNum = (concept: Code, value: number | undefined, unit: Code): Dataset[] =>
  value === undefined ? [] : [num(concept, value, unit)];

export const code = (
  concept: Code,
  value: Code,
  relationship: Relationship = 'CONTAINS',
  children?: Dataset[],
): Dataset => item(relationship, 'CODE', concept, { ConceptCodeSequence: [codeItem(value)] }, children);

export const text = (concept: Code, value: string, relationship: Relationship = 'CONTAINS'): Dataset =>
  item(relationship, 'TEXT', concept, { TextValue: value });

export const uidref = (concept: Code, value: string, relationship: Relationship = 'CONTAINS'): Dataset =>
  item(relationship, 'UIDREF', concept, { UID: value });

export const datetime = (concept: Code, value: string, relationship: Relationship = 'CONTAINS'): Dataset =>
  item(relationship, 'DATETIME', concept, { DateTime: value });
