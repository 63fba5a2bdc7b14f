import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { FoundFile } from './file-walk.ts';

/**
 * Resume journal of a bulk import: one JSON line per file whose object the database committed
 * (path, size, mtime), appended and fsynced in batches after the commits. A restarted import of the
 * same roots skips those files without reading them again. A file committed but not yet journaled
 * when the process died is simply read again and comes back as a duplicate: the ingest is idempotent,
 * so the journal only saves time and never decides what is stored.
 *
 * In memory: a compact key per journaled file (about 60 bytes each), loaded on resume, plus the keys
 * of this run only when the caller remembers them (watch mode must not import a file twice).
 */
export interface JournalOptions {
  readonly directory: string;
  /** Names the database the journal belongs to: a journal must never skip files for another one. */
  readonly scope: string;
  readonly roots: readonly string[];
  /** false: ignore (but keep appending to) an existing journal, so every file is read again. */
  readonly resume: boolean;
  /** Keep this run's keys in memory too (watch mode). */
  readonly remember: boolean;
  /** Written on each line: the only link from an import run (the stored sender) to its paths. */
  readonly runId: string;
  /** A failed journal write only costs time on resume: reported, never fatal. */
  readonly onWriteError: (error: Error) => void;
}

/** Flushed at this many lines, or after FLUSH_DELAY_MS: one fsync per batch, not per file. */
const FLUSH_LINES = 500;
/** Bounds how much a kill -9 can un-journal (those files come back as duplicates). */
const FLUSH_DELAY_MS = 200;

const keyOf = (file: FoundFile): string =>
  createHash('sha1').update(`${file.path}\0${file.size}\0${file.mtimeMs}`).digest('base64').slice(0, 16);

export function journalPath(options: Pick<JournalOptions, 'directory' | 'scope' | 'roots'>): string {
  const roots = options.roots.map((r) => path.resolve(r)).sort();
  const name = createHash('sha256')
    .update([options.scope, ...roots].join('\0'))
    .digest('hex')
    .slice(0, 24);
  return path.join(options.directory, `${name}.jsonl`);
}

async function loadKeys(file: string, keys: Set<string>): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      try {
        const entry = JSON.parse(line) as FoundFile;
        if (typeof entry.path === 'string') keys.add(keyOf(entry));
      } catch {
        // A line torn by a crash mid-append: its file is read again, which is harmless.
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

export class ImportJournal {
  /** undefined for a journal kept in memory only (watch mode without a journal directory). */
  readonly path: string | undefined;
  private readonly keys = new Set<string>();
  private readonly remember: boolean;
  private readonly runId: string | undefined;
  private readonly onWriteError: (error: Error) => void;
  private handle: FileHandle | undefined;
  private buffered: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  private constructor(
    file: string | undefined,
    options: Pick<JournalOptions, 'remember' | 'onWriteError'> & { runId?: string },
  ) {
    this.path = file;
    this.runId = options.runId;
    this.remember = options.remember;
    this.onWriteError = options.onWriteError;
  }

  static async open(options: JournalOptions): Promise<ImportJournal> {
    const file = journalPath(options);
    const journal = new ImportJournal(file, options);
    await mkdir(options.directory, { recursive: true });
    if (options.resume) await loadKeys(file, journal.keys);
    journal.handle = await open(file, 'a', 0o640);
    return journal;
  }

  /** Remembers this run's files only: lets watch mode work without a journal directory. */
  static inMemory(): ImportJournal {
    return new ImportJournal(undefined, { remember: true, onWriteError: () => undefined });
  }

  /** Number of files the journal already names (loaded on resume, plus remembered ones). */
  get size(): number {
    return this.keys.size;
  }

  has(file: FoundFile): boolean {
    return this.keys.size > 0 && this.keys.has(keyOf(file));
  }

  /** Call only after the database committed the file's object. */
  record(file: FoundFile): void {
    if (this.remember) this.keys.add(keyOf(file));
    if (!this.path) return;
    this.buffered.push(JSON.stringify({ path: file.path, size: file.size, mtimeMs: file.mtimeMs, run: this.runId }));
    if (this.buffered.length >= FLUSH_LINES) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /** Writes and fsyncs what is buffered; flushes run one after another, in order. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.buffered;
    this.buffered = [];
    if (lines.length === 0) return this.flushing;
    this.flushing = this.flushing.then(async () => {
      if (!this.handle) return;
      try {
        await this.handle.write(`${lines.join('\n')}\n`);
        await this.handle.datasync();
      } catch (error) {
        this.onWriteError(error as Error);
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle?.close();
    this.handle = undefined;
  }
}
