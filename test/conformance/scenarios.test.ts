import path from 'node:path';
import { expect } from 'chai';
import { loadExpectations } from './expected.ts';
import { runScenarios } from './scenarios.ts';
import { DELIBERATE } from './summary-lists.ts';
import { freshDatabase } from '../support/test-database.ts';
import { corpus, requirePrerequisite } from '../support/prerequisites.ts';

const CORPUS = path.resolve('../shared/corpus');

/** The store scenarios of issue 4: cumulative merge, continued studies, duplicate re-import, multi-image studies. */
const STORE_SCENARIOS = [
  'ct-siemens-multi-cumulative-rdsrs',
  'ct-siemens-continued-rdsrs',
  'dx-rdsr-duplicate-import',
  'dx-images-ge-xr220-and-kodak-dr7500',
  'mg-ge-seno-duplicates',
  // The study page's fluoroscopy/acquisition totals (issue 10, test/conformance/study-detail.ts).
  'rf-detail-summary-totals',
];

describe('conformance scenarios on the Kerma store', function () {
  this.timeout(300_000);

  it('passes every merge, continuation and duplicate step of the shared corpus', async function () {
    requirePrerequisite(this, corpus('expected.json'));
    const expectations = loadExpectations(path.join(CORPUS, 'expected.json'));
    const chosen = { ...expectations, scenarios: expectations.scenarios.filter((s) => STORE_SCENARIOS.includes(s.id)) };
    expect(chosen.scenarios).to.have.length(STORE_SCENARIOS.length);
    const result = await runScenarios(chosen, path.join(CORPUS, 'dicom'), freshDatabase);
    const failures = result.failures.map(
      (f) => `${f.file} ${f.path}: expected ${JSON.stringify(f.expected)} got ${JSON.stringify(f.actual)}`,
    );
    expect(failures).to.deep.equal([]);
    expect(result.passed).to.be.greaterThan(150);
  });
});

/** Patient size from a RIS CSV, by the command line and the upload page (issue 11, patient-size.ts). */
const PATIENT_SIZE_SCENARIOS = ['patient-size-csv-import-command-line', 'patient-size-csv-import-web'];

describe('conformance scenarios of the patient size import', function () {
  this.timeout(300_000);

  it('fills only the missing sizes, heights from cm to m, by the command line and the upload page', async function () {
    requirePrerequisite(this, corpus('expected.json'));
    const expectations = loadExpectations(path.join(CORPUS, 'expected.json'));
    const chosen = {
      ...expectations,
      scenarios: expectations.scenarios.filter((s) => PATIENT_SIZE_SCENARIOS.includes(s.id)),
    };
    expect(chosen.scenarios).to.have.length(PATIENT_SIZE_SCENARIOS.length);
    const result = await runScenarios(chosen, path.join(CORPUS, 'dicom'), freshDatabase);
    const failures = result.failures.map(
      (f) => `${f.file} ${f.path}: expected ${JSON.stringify(f.expected)} got ${JSON.stringify(f.actual)}`,
    );
    expect(failures).to.deep.equal([]);
    // Every assertion of both scenarios, before the import and after it.
    expect(result.total).to.equal(24);
    expect(result.passed).to.equal(result.total);
  });
});

/** The peer's study-list filter scenarios, answered by the study browser (summary-lists.ts). */
const SUMMARY_LIST_SCENARIOS = [
  'ct-summary-list-filters',
  'dx-summary-list-filters',
  'mg-summary-list-filters',
  'rf-summary-list-filters',
];

/** Steps where Kerma deliberately has no such filter (the reasons are in summary-lists.ts). */
const DELIBERATE_DIFFERENCES: string[] = [
  // The Philips dose-info SC: the peer files its protocol name as the study description.
  "ct-summary-list-filters ctSummaryList[study_description icontains 'abdomen']",
  // No procedure-meaning filter, and no per-acquisition-type event counts, in Kerma's study list.
  "ct-summary-list-filters ctSummaryList[procedure_code_meaning icontains 'abdomen']",
  'ct-summary-list-filters ctSummaryList[num_spiral_events=2]',
  'ct-summary-list-filters ctSummaryList[num_spiral_events=2, num_axial_events=0]',
  'ct-summary-list-filters ctSummaryList[num_spiral_events=2, num_axial_events=5, num_stationary_events=4]',
  'ct-summary-list-filters ctSummaryList[num_spiral_events=1, num_axial_events=0, num_spr_events=1, num_stationary_events=2]',
  'ct-summary-list-filters ctSummaryList[num_axial_events=5]',
  'ct-summary-list-filters ctSummaryList[num_spr_events=1]',
  'ct-summary-list-filters ctSummaryList[num_stationary_events=2]',
  'ct-summary-list-filters ctSummaryList[num_axial_events=5, num_stationary_events=4]',
  'ct-summary-list-filters ctSummaryList[num_spiral_events=1, num_spr_events=1]',
  'ct-summary-list-filters ctSummaryList[num_spiral_events=2, num_stationary_events=7]',
  'ct-summary-list-filters ctSummaryList[num_spr_events=some (>=1)].count',
  // Mammography event details are on the study page, not list filters.
  "mg-summary-list-filters mgSummaryList[procedure_code_meaning icontains 'Flat field tomo']",
  "mg-summary-list-filters mgSummaryList[event exposure_control_mode icontains 'automatic']",
  'mg-summary-list-filters mgSummaryList[0 <= compression_thickness <= 18 mm]',
  'mg-summary-list-filters mgSummaryList[42 <= compression_thickness <= 44 mm]',
  'mg-summary-list-filters mgSummaryList[53 <= compression_thickness <= 100 mm]',
  "mg-summary-list-filters mgSummaryList[event image_view code_meaning icontains 'lateral']",
];

describe('conformance scenarios on the study browser', function () {
  this.timeout(300_000);

  it('lists the studies the peer lists for each summary-list filter, except the deliberate differences', async function () {
    requirePrerequisite(this, corpus('expected.json'));
    const expectations = loadExpectations(path.join(CORPUS, 'expected.json'));
    const chosen = {
      ...expectations,
      scenarios: expectations.scenarios.filter((s) => SUMMARY_LIST_SCENARIOS.includes(s.id)),
    };
    expect(chosen.scenarios).to.have.length(SUMMARY_LIST_SCENARIOS.length);
    const result = await runScenarios(chosen, path.join(CORPUS, 'dicom'), freshDatabase);
    const deliberate = result.failures.filter((f) => f.detail?.startsWith(DELIBERATE));
    const others = result.failures
      .filter((f) => !f.detail?.startsWith(DELIBERATE))
      .map(
        (f) =>
          `${f.file} ${f.path}: expected ${JSON.stringify(f.expected)} got ${JSON.stringify(f.actual)} ${f.detail ?? ''}`,
      );
    expect(others).to.deep.equal([]);
    expect(deliberate.map((f) => `${f.file} ${f.path}`)).to.deep.equal(DELIBERATE_DIFFERENCES);
    expect(result.passed + result.failures.length).to.equal(result.total);
  });
});
