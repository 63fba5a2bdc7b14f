// Mocha's spec output plus a machine-readable summary (.kerma/test-results.json) that .ci/run turns
// into the plain "N passed, N failed" line CI reads.
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

const { Spec } = Mocha.reporters;
const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    const counts = { passed: 0, failed: 0, skipped: 0, failures: [] };
    runner.on(EVENT_TEST_PASS, () => (counts.passed += 1));
    runner.on(EVENT_TEST_PENDING, () => (counts.skipped += 1));
    runner.on(EVENT_TEST_FAIL, (test) => {
      counts.failed += 1;
      counts.failures.push(test.fullTitle());
    });
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.KERMA_TEST_RESULTS ?? path.join(process.cwd(), '.kerma', 'test-results.json');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `${JSON.stringify(counts, null, 2)}\n`);
    });
  }
}

module.exports = SummaryReporter;
