import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { loadConfig } from '../../app/config/index.ts';
import { startEmbeddedPostgres } from '../../app/db/embedded-postgres.ts';
import { scenarioDatabases } from './databases.ts';
import { runConformance, runConformanceWithScenarios, type ConformanceResult } from './run.ts';
import { silentLogger } from '../support/logger.ts';

/** The server scenarios run on: DATABASE_URL's, or the embedded one under KERMA_DATA_DIR. */
async function withScenarioServer(run: (adminUrl: string) => Promise<ConformanceResult>): Promise<ConformanceResult> {
  const config = loadConfig();
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    url.pathname = '/postgres';
    return run(url.toString());
  }
  const embedded = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPgPort,
    logger: silentLogger,
    databaseName: 'postgres',
  });
  try {
    return await run(embedded.url);
  } finally {
    await embedded.stop();
  }
}

/**
 * npm run --silent conformance -- --expected <expected.json> --dicom <dir> [--report <out.json>]
 * Prints one line per failure, then (last line) the JSON summary. Exits 0 whenever it ran.
 */
const program = new Command()
  .name('conformance')
  .requiredOption('--expected <file>', 'expected.json of the conformance corpus')
  .requiredOption('--dicom <dir>', 'directory holding the DICOM files it names')
  .option('--report <file>', 'write the full result (with every failure) as JSON')
  .option('--no-scenarios', 'check the per-file assertions only (no database needed)')
  .action(async (options: { expected: string; dicom: string; report?: string; scenarios: boolean }) => {
    const result = options.scenarios
      ? await withScenarioServer((adminUrl) =>
          runConformanceWithScenarios(options.expected, options.dicom, scenarioDatabases(adminUrl)),
        )
      : runConformance(options.expected, options.dicom);
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
