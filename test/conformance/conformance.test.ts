import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { runConformance } from './run.ts';
import { corpus, requirePrerequisite } from '../support/prerequisites.ts';

const CORPUS = path.resolve('../shared/corpus');
const EXPECTED = path.join(CORPUS, 'expected.json');
const DICOM = path.join(CORPUS, 'dicom');

describe('conformance with the trusted peer (../shared/corpus)', function () {
  this.timeout(120_000);

  before(function () {
    requirePrerequisite(this, corpus('expected.json'));
  });

  it('passes every per-file assertion of expected.json', () => {
    const result = runConformance(EXPECTED, DICOM);
    const lines = result.failures.map(
      (f) => `${f.file} ${f.path}: ${f.reason} expected ${JSON.stringify(f.expected)} got ${JSON.stringify(f.actual)}`,
    );
    expect(lines, `${result.fileAssertions.passed}/${result.fileAssertions.total} passed`).to.deep.equal([]);
    expect(result.fileAssertions.total).to.be.greaterThan(1000);
  });

  it('runs as `npm run conformance` and ends with the JSON summary line', () => {
    const run = spawnSync('npm', ['run', '--silent', 'conformance', '--', '--expected', EXPECTED, '--dicom', DICOM], {
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).to.equal(0);
    const last = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
      fileAssertions: { passed: number; total: number };
    };
    expect(last.fileAssertions.total).to.be.greaterThan(1000);
  });

  it('counts an assertion it cannot map as failed and names it', () => {
    const result = runConformance(EXPECTED, DICOM);
    expect(result.failures.filter((f) => f.reason === 'unmapped')).to.deep.equal([]);
  });
});
