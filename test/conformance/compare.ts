import type { Assertion } from './expected.ts';

/** Python-style comparisons of expected.json (its `conventions.compare`). */
export function compareValue(assertion: Assertion, actual: unknown): boolean {
  const expected = assertion.value;
  switch (assertion.compare) {
    case 'equal':
      return assertion.valueType === 'multiset' || assertion.valueType === 'set'
        ? sameMultiset(actual, expected)
        : equalValues(actual, expected);
    case 'almostEqual': {
      if (typeof actual !== 'number' || typeof expected !== 'number') return false;
      const places = assertion.places ?? 7;
      // assertAlmostEqual: round(actual - expected, places) == 0.
      return Math.abs(roundTo(actual - expected, places)) === 0;
    }
    case 'isNull':
      return actual === undefined || actual === null;
    case 'truthy':
      return Boolean(actual) && !(Array.isArray(actual) && actual.length === 0);
    case 'true':
      return actual === true;
    case 'false':
      return actual === false;
    case 'falsy':
      return !actual || (Array.isArray(actual) && actual.length === 0);
    case 'contains':
      if (Array.isArray(actual)) return actual.some((a) => equalValues(a, expected));
      return typeof actual === 'string' && actual.includes(String(expected));
    case 'containsCaseInsensitive':
      return typeof actual === 'string' && actual.toLowerCase().includes(String(expected).toLowerCase());
    case 'anyContainsCaseInsensitive':
      return (
        Array.isArray(actual) &&
        actual.some((a) => typeof a === 'string' && a.toLowerCase().includes(String(expected).toLowerCase()))
      );
    case 'range':
      return inRange(actual, expected);
    case 'rangeAny':
      return Array.isArray(actual) && actual.some((a) => inRange(a, expected));
    default:
      return false;
  }
}

function roundTo(value: number, places: number): number {
  const factor = 10 ** places;
  // Half-to-even like Python's round(); the epsilon absorbs binary representation error.
  const scaled = value * factor;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  const rounded = Math.abs(diff - 0.5) < 1e-9 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(scaled);
  return rounded / factor;
}

function inRange(actual: unknown, range: unknown): boolean {
  if (typeof actual !== 'number' || !Array.isArray(range)) return false;
  const [min, max] = range as [number, number];
  return actual >= min && actual <= max;
}

function equalValues(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'number' && typeof actual === 'number') return actual === expected;
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => equalValues(actual[i], e))
    );
  }
  if (typeof expected === 'boolean') return actual === expected;
  return actual === expected;
}

function sameMultiset(actual: unknown, expected: unknown): boolean {
  if (!Array.isArray(actual) || !Array.isArray(expected)) return false;
  const a = actual.map((v) => JSON.stringify(v)).sort();
  const e = expected.map((v) => JSON.stringify(v)).sort();
  return a.length === e.length && a.every((v, i) => v === e[i]);
}
