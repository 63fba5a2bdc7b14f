import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { queryRunner, withTransaction } from '../../app/db/pool.ts';
import { mapIngestedStudies } from '../../analytics/index.ts';
import { createIngestService, createObjectStore } from '../../ingest/index.ts';
import { compareValue } from './compare.ts';
import { DEFAULT_ID_SETTINGS, type Assertion, type Expectations, type Scenario } from './expected.ts';
import { peerStudies } from './peer-studies.ts';
import { resolveStudyDetail } from './study-detail.ts';
import { resolve, type Failure } from './run.ts';
import type { Resolution } from './resolve.ts';
import { silentLogger } from '../support/logger.ts';
import { runEquipmentDisplayNames, SCENARIO_ID as EQUIPMENT_DISPLAY_NAMES } from './equipment-display-names.ts';
import { ImportedFiles, resolveSummaryList } from './summary-lists.ts';
import { importByCommandLine, importThroughWeb, PATIENT_SIZE_ACTION, scenarioCsv } from './patient-size.ts';
import { applyStandardNames, everyStandardName, withStandardProtocols } from './standard-names.ts';

/**
 * Runs the multi-file scenarios of expected.json against a real Kerma store: each scenario on a fresh
 * database, importing its files through the ingest use case, then checking its assertions on the
 * peer-shaped studies (peer-studies.ts). Steps that need features Kerma does not have yet (exports,
 * list views, settings actions) resolve as unmapped and count as failed.
 */
export interface ScenarioDatabase {
  readonly pool: pg.Pool;
  /** Its connection URL, for a Kerma started on it (the web scenarios). */
  readonly url: string;
  drop(): Promise<void>;
}

/** The keyed-hash secret of the scenarios' ingest, which an import matching accessions must share. */
const SCENARIO_SECRET = 'conformance-scenarios-secret-0000';

/** A scenario's "apply patient size CSV" action, by the command line or the upload page; a failure when it fails. */
async function applyPatientSizes(
  scenario: Scenario,
  action: string,
  database: ScenarioDatabase,
): Promise<Failure | undefined> {
  const csv = scenarioCsv(scenario.description);
  const failure = (reason: Failure['reason'], actual: unknown): Failure => ({
    file: scenario.id,
    path: `action: ${action}`,
    reason,
    expected: 'every row applied or unchanged',
    actual,
  });
  if (!csv) return failure('unmapped', 'no CSV rows in the description');
  if (PATIENT_SIZE_ACTION.exec(action)?.[1] === 'websizeimport') {
    const answer = await importThroughWeb(database, SCENARIO_SECRET, csv);
    return answer.status === 200 && answer.text.includes('0 not applied')
      ? undefined
      : failure('mismatch', `page answered ${answer.status}`);
  }
  const summary = await importByCommandLine(database, SCENARIO_SECRET, csv);
  return summary.problems.length === 0 ? undefined : failure('mismatch', summary.problems);
}

type View = Record<string, unknown>;

function pickStudies(studies: View[], selector: string): View[] | undefined {
  if (/^\d+$/.test(selector)) return studies[Number(selector)] ? [studies[Number(selector)]!] : [];
  if (selector === 'last') return studies.slice(-1);
  if (selector === 'only') return studies.length === 1 ? studies : [];
  const m = /^(\w+)=(.+)$/.exec(selector);
  if (!m) return undefined;
  const key = m[1] === 'modality_type' ? 'modalityType' : (m[1] ?? '');
  return studies.filter((s) => {
    const value = (s.study as View)[key];
    return (typeof value === 'string' || typeof value === 'number' ? String(value) : '') === m[2];
  });
}

function allFiltersOrdered(studies: View[]): boolean {
  return studies.every((s) =>
    ((s.events as View[] | undefined) ?? []).every((e) =>
      (((e.source as View | undefined)?.filters as View[] | undefined) ?? []).every(
        (f) =>
          typeof f.xrayFilterThicknessMaximum !== 'number' ||
          typeof f.xrayFilterThicknessMinimum !== 'number' ||
          f.xrayFilterThicknessMaximum >= f.xrayFilterThicknessMinimum,
      ),
    ),
  );
}

function resolveScenarioPath(studies: View[], assertionPath: string): Resolution {
  if (assertionPath === 'studies.count') return { mapped: true, value: studies.length };
  if (assertionPath.startsWith('all filters of all events: xrayFilterThicknessMaximum >= xrayFilterThicknessMinimum')) {
    return { mapped: true, value: allFiltersOrdered(studies) };
  }
  const m = /^studies\[([^\]]+)\](?:\[(\d+)\])?\.(.+)$/.exec(assertionPath);
  if (!m) return { mapped: false, value: undefined, missing: assertionPath.split('.')[0] };
  let selected = pickStudies(studies, m[1] ?? '');
  if (!selected) return { mapped: false, value: undefined, missing: `studies[${m[1]}]` };
  if (m[2] !== undefined) selected = selected[Number(m[2])] ? [selected[Number(m[2])]!] : [];
  const study = selected[0];
  if (!study) return { mapped: true, value: undefined };
  return resolve(study, (study.events as View[] | undefined) ?? [], m[3] ?? '');
}

async function runScenario(
  scenario: Scenario,
  dicomDir: string,
  database: ScenarioDatabase,
): Promise<{ passed: number; failures: Failure[] }> {
  const objects = createObjectStore(mkdtempSync(path.join(tmpdir(), 'kerma-scenario-')));
  const ingest = createIngestService({
    transaction: (work) => withTransaction(database.pool, work),
    db: queryRunner(database.pool),
    objects,
    logger: silentLogger,
    patientIdSecret: SCENARIO_SECRET,
    timeZone: 'Europe/London',
    notPatientPatterns: { ids: ['*qa*', '*phy*', '*test*'], names: ['*phys*', '*test*', '*qa*'] },
    // As the service wires it: each commit maps its studies to standard procedures (standard names).
    onStudiesRecorded: mapIngestedStudies,
  });
  await applyStandardNames(database.pool, scenario.settings);
  const settings = scenario.settings?.patientIdSettings ?? DEFAULT_ID_SETTINGS;
  const failures: Failure[] = [];
  let passed = 0;
  // "studies[last].id unchanged after re-import": the last study's identity before and after the last import.
  const lastId = async (): Promise<unknown> => (await peerStudies(database.pool, objects, settings)).at(-1)?.id;
  let idBeforeImport: unknown;
  const imported = new ImportedFiles();
  for (const step of scenario.steps) {
    if (step.import) {
      idBeforeImport = await lastId();
      const bytes = readFileSync(path.join(dicomDir, step.import));
      imported.add(step.import, bytes);
      await ingest.ingestObject({
        bytes,
        transport: 'file',
        sender: 'conformance',
        trustCode: 'DEFAULT',
      });
    } else if (step.action && PATIENT_SIZE_ACTION.test(step.action)) {
      const failure = await applyPatientSizes(scenario, step.action, database);
      if (failure) failures.push(failure);
    } else if (step.assert) {
      const assertion: Assertion = step.assert;
      if (assertion.path === 'studies[last].id' && String(assertion.value).startsWith('unchanged')) {
        const now = await lastId();
        if (now !== undefined && now === idBeforeImport) passed += 1;
        else
          failures.push({
            file: scenario.id,
            path: assertion.path,
            reason: 'mismatch',
            expected: assertion.value,
            actual: now,
          });
        continue;
      }
      const resolution =
        (await resolveStudyDetail(database.pool, assertion.path)) ??
        (await resolveSummaryList(queryRunner(database.pool), assertion.path, imported)) ??
        everyStandardName(
          resolveScenarioPath(
            await withStandardProtocols(database.pool, await peerStudies(database.pool, objects, settings)),
            assertion.path,
          ),
          assertion.path,
        );
      const ok = resolution.mapped && compareValue(assertion, resolution.value);
      if (ok) passed += 1;
      else
        failures.push({
          file: scenario.id,
          path: assertion.path,
          reason: resolution.mapped ? 'mismatch' : 'unmapped',
          expected: assertion.value,
          actual: resolution.value,
          ...(resolution.missing ? { detail: resolution.missing } : {}),
        });
    }
  }
  return { passed, failures };
}

export async function runScenarios(
  expectations: Expectations,
  dicomDir: string,
  newDatabase: () => Promise<ScenarioDatabase>,
): Promise<{ passed: number; total: number; failures: Failure[] }> {
  let passed = 0;
  let total = 0;
  const failures: Failure[] = [];
  for (const scenario of expectations.scenarios) {
    total += scenario.steps.filter((s) => s.assert).length;
    const database = await newDatabase();
    try {
      // A scenario whose steps the peer made in memory is run by its own module (counts its own checks).
      const own =
        scenario.id === EQUIPMENT_DISPLAY_NAMES ? await runEquipmentDisplayNames(dicomDir, database.pool) : undefined;
      const result = own ?? (await runScenario(scenario, dicomDir, database));
      total += own?.total ?? 0;
      passed += result.passed;
      failures.push(...result.failures);
    } finally {
      await database.drop();
    }
  }
  return { passed, total, failures };
}
