import { readFileSync } from 'node:fs';

/** Shapes of ../shared/corpus/expected.json (see its README for the conventions). */
export interface Assertion {
  readonly path: string;
  readonly compare: string;
  readonly value?: unknown;
  readonly unit?: string | null;
  readonly places?: number;
  readonly valueType?: string;
  readonly test: string;
  readonly note?: string;
  readonly orderedBy?: unknown;
}

export interface PatientIdSettings {
  readonly name_stored: boolean;
  readonly name_hashed: boolean;
  readonly id_stored: boolean;
  readonly id_hashed: boolean;
  readonly accession_hashed: boolean;
  readonly dob_stored: boolean;
}

export interface TestInfo {
  readonly importedWith?: readonly string[];
  readonly settings?: { readonly patientIdSettings?: PatientIdSettings } & Record<string, unknown>;
}

export interface FileExpectations {
  readonly modality?: string;
  readonly kind?: string;
  readonly tests: Record<string, TestInfo>;
  readonly assertions: readonly Assertion[];
}

export interface ScenarioStep {
  readonly import?: string;
  readonly importer?: string;
  readonly assert?: Assertion;
  readonly action?: string;
  readonly setting?: unknown;
  readonly note?: string;
  readonly expectLog?: string;
}

export interface Scenario {
  readonly id: string;
  readonly tests: readonly string[];
  readonly description: string;
  readonly settings?: { readonly patientIdSettings?: PatientIdSettings } & Record<string, unknown>;
  readonly steps: readonly ScenarioStep[];
}

export interface Expectations {
  readonly files: Record<string, FileExpectations>;
  readonly scenarios: readonly Scenario[];
}

export function loadExpectations(path: string): Expectations {
  return JSON.parse(readFileSync(path, 'utf8')) as Expectations;
}

/** The peer's defaults: nothing identifying is stored. */
export const DEFAULT_ID_SETTINGS: PatientIdSettings = {
  name_stored: false,
  name_hashed: true,
  id_stored: false,
  id_hashed: true,
  accession_hashed: false,
  dob_stored: false,
};

/** Settings of the test that made an assertion: the file's own entry, else a scenario naming the test. */
export function settingsFor(expectations: Expectations, file: FileExpectations, test: string): PatientIdSettings {
  const own = file.tests[test]?.settings?.patientIdSettings;
  if (own) return own;
  const scenario = expectations.scenarios.find((s) => s.tests.includes(test) && s.settings?.patientIdSettings);
  return scenario?.settings?.patientIdSettings ?? DEFAULT_ID_SETTINGS;
}
