/**
 * Quality-control and phantom exposures (IDs like "QA123", names like "PHYSICS^TEST") must not count
 * towards patient dose statistics. Patterns are shell-style wildcards (`*`, `?`), matched
 * case-insensitively against the patient ID and against the name as "Family, Given".
 */
export interface NotPatientPatterns {
  readonly ids: readonly string[];
  readonly names: readonly string[];
}

export interface NotPatientMatch {
  readonly ids: readonly string[];
  readonly names: readonly string[];
}

function wildcardToRegExp(pattern: string): RegExp {
  const body = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

/** "Family^Given^Middle" → "Family, Given": the form QA naming conventions are written against. */
function familyCommaGiven(name: string): string {
  const [family = '', given = ''] = (name.split('=')[0] ?? '').split('^');
  return given ? `${family}, ${given}` : family;
}

/** Which patterns match; undefined when none does (a real patient). */
export function matchNotPatient(
  patientName: string | undefined,
  patientId: string | undefined,
  patterns: NotPatientPatterns,
): NotPatientMatch | undefined {
  const id = (patientId ?? '').toLowerCase();
  const name = familyCommaGiven(patientName ?? '').toLowerCase();
  const ids = patterns.ids
    .filter((p) => patientId !== undefined && wildcardToRegExp(p).test(id))
    .map((p) => p.toLowerCase());
  const names = patterns.names
    .filter((p) => patientName !== undefined && wildcardToRegExp(p).test(name))
    .map((p) => p.toLowerCase());
  return ids.length === 0 && names.length === 0 ? undefined : { ids, names };
}
