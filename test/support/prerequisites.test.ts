import { expect } from 'chai';
import { requirePrerequisite, type Prerequisite } from './prerequisites.ts';

const missing: Prerequisite = { available: false, missing: 'conformance corpus not found (/nowhere)' };

describe('prerequisites of tests (corpus, dcmtk)', () => {
  let ci: string | undefined;
  beforeEach(() => (ci = process.env.CI));
  afterEach(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
  });

  it('fail a test with CI=true when missing: a green CI run must not hide them', () => {
    process.env.CI = 'true';
    let skipped = false;
    const context = { skip: () => (skipped = true) } as unknown as Mocha.Context;
    expect(() => requirePrerequisite(context, missing)).to.throw('required with CI=true: conformance corpus not found');
    expect(skipped).to.equal(false);
  });

  it('skip it locally, and let it run when present', () => {
    delete process.env.CI;
    const skips: string[] = [];
    const context = { skip: () => skips.push('skip') } as unknown as Mocha.Context;
    requirePrerequisite(context, missing);
    requirePrerequisite(context, { available: true, missing: 'unused' });
    expect(skips).to.deep.equal(['skip']);
  });
});
