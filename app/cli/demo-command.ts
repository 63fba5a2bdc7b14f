import type { Command } from 'commander';
import { toError } from '../../core/index.ts';
import { storeStats } from '../../ingest/index.ts';
import type { DemoRegion, DemoSender, SendProgress } from '../../synthetic/index.ts';
import type { KermaConfig } from '../config/index.ts';
import { queryRunner } from '../db/pool.ts';
import { startKerma, type RunningKerma } from '../kerma.ts';
import { createLogger } from '../logger.ts';
import { statsJsonLine } from './store-commands.ts';

/**
 * `kerma demo`: starts Kerma in this process (embedded database unless DATABASE_URL is set) while a
 * worker thread writes a small synthetic region as Part 10 files, sends them through the real
 * ingest path (to its own C-STORE listener, several associations at once), prints what arrived as
 * `kerma stats --json` does, then the URL, and keeps serving until SIGINT/SIGTERM.
 */

// Loaded on use, as in `kerma generate`: the generator's DICOM writer (dcmjs) and COPY client are
// tool dependencies that `kerma serve` never loads.
const loadSynthetic = () => import('../../synthetic/index.ts');

/** About half a minute of ingest on an otherwise idle 2-core machine: a first look, not a benchmark. */
const DEMO_EXAMS = 3000;
/** The SCP answers each association's objects one after another: four keep both cores busy. */
const DEMO_ASSOCIATIONS = 4;

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

function stopOnSignals(kerma: RunningKerma, cleanup: () => Promise<void>): void {
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    cleanup()
      .then(() => kerma.stop())
      .then(
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

/** A counter rewritten in place on a terminal; nothing when the output goes to a file or pipe. */
function counter(label: string, total: number): (done: number) => void {
  return (done) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${label} ${done}/${total}${done >= total ? '\n' : ''}`);
  };
}

/** Generated files, then the send to Kerma's SCP: the two lines of progress before the stats. */
async function sendRegion(sender: DemoSender, kerma: RunningKerma, config: KermaConfig, associations: number) {
  const port = kerma.dicomPort;
  if (port === undefined) throw new Error('the DICOM listener did not start');
  const generated = await sender.generated;
  process.stdout.write(
    `generated ${generated.files} dose reports (${(generated.bytes / 1e6).toFixed(1)} MB) in ${generated.seconds.toFixed(1)} s\n`,
  );
  const { aeTitle, host } = config.dicom;
  const { result, seconds } = await sender.send({ host, port, calledAeTitle: aeTitle }, associations);
  const refused = Object.entries(result.failures).map(([reason, n]) => `${n} ${reason}`);
  process.stdout.write(
    `sent ${result.sent} to ${aeTitle}@${host}:${port} in ${seconds.toFixed(1)} s ` +
      `(${Math.round(result.sent / Math.max(seconds, 1e-3))} exams/s; ${result.associations} associations, ${associations} at once` +
      `${result.resent > 0 ? `; ${result.resent} sent again` : ''})` +
      `${refused.length > 0 ? `; not stored: ${refused.join(', ')}` : ''}\n`,
  );
}

async function startWithSender(base: KermaConfig, region: DemoRegion, sender: DemoSender) {
  // The demo's trusts (and their calling AE titles) must be applied before the listener starts.
  const config: KermaConfig = { ...base, trustsFile: region.trustsFile, dicom: { ...base.dicom, enabled: true } };
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  try {
    return { config, kerma: await startKerma(config, logger) };
  } catch (error) {
    await sender.stop();
    region.dispose();
    throw error;
  }
}

async function runDemo(base: KermaConfig, exams: number, associations: number): Promise<void> {
  const synthetic = await loadSynthetic();
  const region = synthetic.prepareDemoRegion({ exams, timeZone: base.timeZone });
  process.stdout.write(`kerma demo: ${exams} synthetic exams of ${region.model.trusts.length} trusts\n`);
  const sending = counter('sent', exams);
  const sender = synthetic.startDemoSender(region, {
    onGenerating: counter('generated', exams),
    onSending: (p: SendProgress) => sending(p.sent + p.failed),
  });
  const { config, kerma } = await startWithSender(base, region, sender);
  const cleanup = async (): Promise<void> => {
    await sender.stop();
    region.dispose();
  };
  stopOnSignals(kerma, cleanup);
  try {
    await sendRegion(sender, kerma, config, associations);
  } catch (error) {
    await cleanup();
    await kerma.stop();
    throw error;
  }
  process.stdout.write(`${statsJsonLine(await storeStats(queryRunner(kerma.database.pool)))}\n`);
  process.stdout.write(
    `Kerma is running at ${kerma.url} (DICOM ${config.dicom.aeTitle} on port ${kerma.dicomPort}); Ctrl-C stops it.\n`,
  );
}

export function registerDemoCommand(program: Command, config: () => KermaConfig): void {
  program
    .command('demo')
    .description('start Kerma, send it a small synthetic region over DICOM, print what arrived, keep running')
    .option('--exams <n>', 'exams in the demo region', String(DEMO_EXAMS))
    .option('--associations <n>', 'DICOM associations sending at once', String(DEMO_ASSOCIATIONS))
    .action(async (options: { exams: string; associations: string }) => {
      await runDemo(config(), positive('exams', options.exams), positive('associations', options.associations));
    });
}
