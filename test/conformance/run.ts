import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { DicomExtractionError, extractDoseReport, matchNotPatient, type DoseReport } from '../../ingest/index.ts';
import { compareValue } from './compare.ts';
import {
  loadExpectations,
  settingsFor,
  type Assertion,
  type Expectations,
  type FileExpectations,
  type PatientIdSettings,
} from './expected.ts';
import { eventsView } from './openrem-events-view.ts';
import { nmView } from './openrem-nm-view.ts';
import { baseView, codeView } from './openrem-view.ts';
import { splitPath, walk, type Resolution } from './resolve.ts';
import { resolveSpecial } from './special-paths.ts';
import { runScenarios, type ScenarioDatabase } from './scenarios.ts';

export interface Failure {
  readonly file: string;
  readonly path: string;
  readonly reason: 'unmapped' | 'mismatch' | 'extraction_failed';
  readonly expected: unknown;
  readonly actual: unknown;
  readonly detail?: string;
}

export interface ConformanceResult {
  readonly fileAssertions: { passed: number; total: number };
  readonly scenarioSteps: { passed: number; total: number };
  readonly failures: readonly Failure[];
}

/** Not-patient patterns the peer's tests configure (expected.json rules, "not-patient-indicators"). */
const NOT_PATIENT_PATTERNS = { ids: ['*qa*', '*phy*', '*test*'], names: ['*phys*', '*test*', '*qa*'] };

function notPatientText(report: DoseReport): string | undefined {
  const match = matchNotPatient(report.patient.patientName, report.patient.patientId, NOT_PATIENT_PATTERNS);
  return match ? `IDs: ${match.ids.join(' ')} | Names: ${match.names.join(' ')}` : undefined;
}

type View = Record<string, unknown>;

/** The whole peer-shaped view of one report under one test's identifier settings. */
export function peerView(report: DoseReport, settings: PatientIdSettings): View {
  const events = eventsView(report);
  const base = baseView(report, { settings, notPatientIndicator: notPatientText(report) });
  const nm = nmView(report);
  return {
    ...base,
    ...nm,
    ...events,
    studyId: report.study.studyId,
    doseReport: {
      ...(base.doseReport as View | undefined),
      associatedProcedure: codeView(report.doseReport?.associatedProcedure),
    },
  };
}

export function resolve(view: View, events: View[], assertionPath: string): Resolution {
  const special = resolveSpecial(assertionPath, events);
  if (special) return special;
  const normalised = assertionPath.replace(/^observer\[/, 'observers[');
  return walk(view, splitPath(normalised));
}

function checkFile(expectations: Expectations, name: string, file: FileExpectations, dicomDir: string): Failure[] {
  const failures: Failure[] = [];
  let report: DoseReport | undefined;
  let error: DicomExtractionError | undefined;
  try {
    report = extractDoseReport(readFileSync(path.join(dicomDir, name))).report;
  } catch (thrown) {
    if (!(thrown instanceof DicomExtractionError)) throw thrown;
    error = thrown;
  }
  const events = report ? eventsView(report) : { accumulated: undefined, events: [] };
  for (const assertion of file.assertions) {
    if (assertion.path === 'studies.count') {
      const count = report ? 1 : error?.code === 'not_dose_report' ? 0 : undefined;
      if (!compareValue(assertion, count)) failures.push(failure(name, assertion, 'mismatch', count, error?.message));
      continue;
    }
    if (!report) {
      failures.push(failure(name, assertion, 'extraction_failed', undefined, error?.message));
      continue;
    }
    const settings = settingsFor(expectations, file, assertion.test);
    const view = peerView(report, settings);
    const resolution = resolve(view, events.events, assertion.path);
    if (!resolution.mapped) failures.push(failure(name, assertion, 'unmapped', undefined, resolution.missing));
    else if (!compareValue(assertion, resolution.value))
      failures.push(failure(name, assertion, 'mismatch', resolution.value));
  }
  return failures;
}

function failure(
  file: string,
  assertion: Assertion,
  reason: Failure['reason'],
  actual: unknown,
  detail?: string,
): Failure {
  return { file, path: assertion.path, reason, expected: assertion.value, actual, ...(detail ? { detail } : {}) };
}

/**
 * Extracts every file named in the expectations and checks each per-file assertion; with a database
 * factory, also imports each scenario's files into a fresh store and checks its assertions.
 */
export async function runConformanceWithScenarios(
  expectedPath: string,
  dicomDir: string,
  newDatabase: () => Promise<ScenarioDatabase>,
): Promise<ConformanceResult> {
  const files = runConformance(expectedPath, dicomDir);
  const scenarios = await runScenarios(loadExpectations(expectedPath), dicomDir, newDatabase);
  return {
    fileAssertions: files.fileAssertions,
    scenarioSteps: { passed: scenarios.passed, total: scenarios.total },
    failures: [...files.failures, ...scenarios.failures],
  };
}

/** Extracts every file named in the expectations and checks each per-file assertion. */
export function runConformance(expectedPath: string, dicomDir: string): ConformanceResult {
  const expectations = loadExpectations(expectedPath);
  const failures: Failure[] = [];
  let total = 0;
  for (const [name, file] of Object.entries(expectations.files)) {
    total += file.assertions.length;
    if (!existsSync(path.join(dicomDir, name))) {
      for (const a of file.assertions)
        failures.push(failure(name, a, 'extraction_failed', undefined, 'file not found'));
      continue;
    }
    failures.push(...checkFile(expectations, name, file, dicomDir));
  }
  // Scenario steps need the ingest store (merging, duplicates, continued studies): counted, not yet run.
  const scenarioTotal = expectations.scenarios.reduce((n, s) => n + s.steps.filter((step) => step.assert).length, 0);
  return {
    fileAssertions: { passed: total - failures.length, total },
    scenarioSteps: { passed: 0, total: scenarioTotal },
    failures,
  };
}
