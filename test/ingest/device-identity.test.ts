import path from 'node:path';
import { expect } from 'chai';
import {
  equipmentDisplayNameChecks,
  runEquipmentDisplayNames,
  SCENARIO_ID,
} from '../conformance/equipment-display-names.ts';
import { loadExpectations } from '../conformance/expected.ts';
import { runScenarios } from '../conformance/scenarios.ts';
import { corpus, requirePrerequisite } from '../support/prerequisites.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

const DICOM = path.resolve('../shared/corpus/dicom');

/**
 * Kerma's device identity on the peer's display-name scenario (corpus files modified in memory):
 * default names, a new station is a new device, a named device keeps its name, and where Kerma differs
 * from the peer (department, copied names) it does what docs/adr/0009 says.
 */
describe('device identity and display names (equipment-display-names, in memory)', function () {
  this.timeout(120000);
  let database: TestDatabase | undefined;

  beforeEach(async function () {
    requirePrerequisite(this, corpus('dicom/DX-RDSR-Canon_CXDI.dcm'));
    database = await freshDatabase();
  });
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  it('does what Kerma means to at every step', async () => {
    const checks = await equipmentDisplayNameChecks(DICOM, database!.pool);
    expect(checks).to.have.length(18);
    const wrong = checks.filter((c) => JSON.stringify(c.actual) !== JSON.stringify(c.kerma));
    expect(wrong).to.deep.equal([]);
  });

  it('differs from the peer exactly where docs/adr/0009 says, and the harness counts those as failed', async () => {
    const result = await runEquipmentDisplayNames(DICOM, database!.pool);
    expect(result.total).to.equal(18);
    expect(result.passed).to.equal(15);
    expect(result.failures.map((f) => f.path)).to.deep.equal([
      'permutations: a new department alone makes a new entry with a default name',
      'permutations: with match on Device Observer UID, a new station reuses the custom name',
      "images and RDSR: the RDSR entry adopts the image entry's custom name",
    ]);
    expect(result.failures.every((f) => f.reason === 'mismatch' && f.detail?.startsWith('Kerma'))).to.equal(true);
  });

  it('is counted by the conformance harness (its expected.json entry has only a note)', async function () {
    requirePrerequisite(this, corpus('expected.json'));
    const expectations = loadExpectations(path.resolve('../shared/corpus/expected.json'));
    const scenarios = expectations.scenarios.filter((s) => s.id === SCENARIO_ID);
    expect(scenarios).to.have.length(1);
    const result = await runScenarios({ ...expectations, scenarios }, DICOM, freshDatabase);
    expect({ passed: result.passed, total: result.total, failed: result.failures.length }).to.deep.equal({
      passed: 15,
      total: 18,
      failed: 3,
    });
  });
});
