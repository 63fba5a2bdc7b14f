import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { runConformance } from './run.ts';

/**
 * npm run --silent conformance -- --expected <expected.json> --dicom <dir> [--report <out.json>]
 * Prints one line per failure, then (last line) the JSON summary. Exits 0 whenever it ran.
 */
const program = new Command()
  .name('conformance')
  .requiredOption('--expected <file>', 'expected.json of the conformance corpus')
  .requiredOption('--dicom <dir>', 'directory holding the DICOM files it names')
  .option('--report <file>', 'write the full result (with every failure) as JSON')
  .action((options: { expected: string; dicom: string; report?: string }) => {
    const result = runConformance(options.expected, options.dicom);
    for (const f of result.failures) {
      const detail = f.detail ? ` (${f.detail})` : '';
      process.stdout.write(
        `FAIL ${f.file} ${f.path}: ${f.reason} expected ${JSON.stringify(f.expected)} got ${JSON.stringify(f.actual)}${detail}\n`,
      );
    }
    if (options.report) writeFileSync(options.report, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(
      `${JSON.stringify({ fileAssertions: result.fileAssertions, scenarioSteps: result.scenarioSteps })}\n`,
    );
  });

try {
  program.parse(process.argv);
} catch (error) {
  process.stderr.write(`conformance: ${(error as Error).message}\n`);
  process.exit(2);
}
