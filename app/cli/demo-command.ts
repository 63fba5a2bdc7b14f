import type { Command } from 'commander';
import { toError } from '../../core/index.ts';
import { storeStats, type StoreStats } from '../../ingest/index.ts';
import { DEMO_OPTIONS, generateAndSend, prepareDemoRegion } from '../../synthetic/index.ts';
import type { KermaConfig } from '../config/index.ts';
import { queryRunner } from '../db/pool.ts';
import { startKerma, type RunningKerma } from '../kerma.ts';
import { createLogger } from '../logger.ts';

/**
 * `kerma demo`: starts Kerma in this process (embedded database unless DATABASE_URL is set), sends a
 * small synthetic region through the real ingest path (DICOM files to its own C-STORE listener, one
 * association per trust), prints what arrived and the URL, and keeps serving until SIGINT/SIGTERM.
 */
function formatStats(stats: StoreStats): string {
  const line = (counts: Record<string, number>): string =>
    Object.entries(counts)
      .map(([modality, n]) => `${modality} ${n}`)
      .join(', ') || 'none';
  return [
    `studies: ${line(stats.studies)}`,
    `events: ${line(stats.events)}`,
    `patients: ${stats.patients}, devices: ${stats.devices}`,
    `source objects: ${stats.sourceObjects} (${stats.notDose} without dose), quarantined: ${stats.quarantined}`,
  ].join('\n');
}

function stopOnSignals(kerma: RunningKerma, cleanup: () => void): void {
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    cleanup();
    kerma.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`kerma demo: shutdown failed: ${toError(error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

async function runDemo(base: KermaConfig, exams: number): Promise<void> {
  const region = prepareDemoRegion({ exams, timeZone: base.timeZone });
  // The demo's trusts (and their calling AE titles) must be applied before the listener starts.
  const config: KermaConfig = { ...base, trustsFile: region.trustsFile, dicom: { ...base.dicom, enabled: true } };
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const kerma = await startKerma(config, logger);
  stopOnSignals(kerma, () => region.dispose());
  if (kerma.dicomPort === undefined) throw new Error('the DICOM listener did not start');
  process.stdout.write(
    `kerma demo: sending ${exams} synthetic exams of ${region.model.trusts.length} trusts to ${config.dicom.aeTitle}@${config.dicom.host}:${kerma.dicomPort}\n`,
  );
  const result = await generateAndSend(region, {
    host: config.dicom.host,
    port: kerma.dicomPort,
    calledAeTitle: config.dicom.aeTitle,
  });
  const failed = result.sent.reduce((n, s) => n + s.failed, 0);
  process.stdout.write(
    `generated ${result.generated.files} dose reports in ${result.generated.seconds.toFixed(1)} s; ` +
      `sent with ${result.sent[0]?.via ?? 'nothing'} in ${result.sendSeconds.toFixed(1)} s` +
      `${failed > 0 ? ` (${failed} refused)` : ''}\n\n`,
  );
  process.stdout.write(`${formatStats(await storeStats(queryRunner(kerma.database.pool)))}\n\n`);
  process.stdout.write(
    `Kerma is running at ${kerma.url} (DICOM ${config.dicom.aeTitle} on port ${kerma.dicomPort}); Ctrl-C stops it.\n`,
  );
}

export function registerDemoCommand(program: Command, config: () => KermaConfig): void {
  program
    .command('demo')
    .description('start Kerma, send it a small synthetic region over DICOM, print what arrived, keep running')
    .option('--exams <n>', 'exams in the demo region', String(DEMO_OPTIONS.exams))
    .action(async (options: { exams: string }) => {
      const exams = Number(options.exams);
      if (!Number.isInteger(exams) || exams < 1) throw new Error('--exams must be a positive integer');
      await runDemo(config(), exams);
    });
}
