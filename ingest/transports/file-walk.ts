import type { Dirent, Stats } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Lazy, streaming walk of the files under the import roots: one open directory handle per level and
 * no list of names, so memory stays flat whatever the number of files. Hidden entries (names starting
 * with '.') are skipped: drop-folder writers use them for partial copies. Symbolic links to files are
 * followed; links to directories are not (a link cycle would never end).
 */
export interface FoundFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export type WalkItem =
  | ({ readonly kind: 'file' } & FoundFile)
  | { readonly kind: 'problem'; readonly path: string; readonly reason: string };

export interface WalkOptions {
  /**
   * Called for each directory before its entries are read; when it returns false the directory's
   * files are not stat'ed nor yielded (its subdirectories are still walked). The watcher uses it to
   * skip directories that did not change.
   */
  readonly listFiles?: (directory: string, stats: Stats) => boolean;
  readonly signal?: AbortSignal | undefined;
}

const reasonOf = (error: unknown): string => {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message}` : String(e.message ?? error);
};

async function statOrProblem(target: string): Promise<Stats | WalkItem> {
  try {
    return await stat(target);
  } catch (error) {
    return { kind: 'problem', path: target, reason: reasonOf(error) };
  }
}

async function* walkDirectory(directory: string, stats: Stats, options: WalkOptions): AsyncGenerator<WalkItem> {
  const listFiles = options.listFiles?.(directory, stats) ?? true;
  let handle;
  try {
    handle = await opendir(directory, { bufferSize: 128 });
  } catch (error) {
    yield { kind: 'problem', path: directory, reason: reasonOf(error) };
    return;
  }
  for await (const entry of handle) {
    if (options.signal?.aborted) break;
    if (entry.name.startsWith('.')) continue;
    yield* walkEntry(path.join(directory, entry.name), entry, listFiles, options);
  }
}

async function* walkEntry(
  target: string,
  entry: Dirent,
  listFiles: boolean,
  options: WalkOptions,
): AsyncGenerator<WalkItem> {
  if (entry.isDirectory()) {
    const stats = await statOrProblem(target);
    if ('kind' in stats) yield stats;
    else yield* walkDirectory(target, stats, options);
    return;
  }
  if (!listFiles || !(entry.isFile() || entry.isSymbolicLink())) return;
  const stats = await statOrProblem(target);
  if ('kind' in stats) yield stats;
  else if (stats.isFile()) yield { kind: 'file', path: target, size: stats.size, mtimeMs: stats.mtimeMs };
}

/** Every regular file under the roots (files given directly are yielded as they are), lazily. */
export async function* walkFiles(roots: readonly string[], options: WalkOptions = {}): AsyncGenerator<WalkItem> {
  for (const root of roots) {
    if (options.signal?.aborted) return;
    const target = path.resolve(root);
    const stats = await statOrProblem(target);
    if ('kind' in stats) yield stats;
    else if (stats.isDirectory()) yield* walkDirectory(target, stats, options);
    else if (stats.isFile()) yield { kind: 'file', path: target, size: stats.size, mtimeMs: stats.mtimeMs };
    else yield { kind: 'problem', path: target, reason: 'not a regular file or directory' };
  }
}

async function countIn(directory: string, signal: AbortSignal | undefined): Promise<number> {
  let count = 0;
  try {
    for await (const entry of await opendir(directory, { bufferSize: 128 })) {
      if (signal?.aborted) break;
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) count += await countIn(path.join(directory, entry.name), signal);
      else if (entry.isFile() || entry.isSymbolicLink()) count += 1;
    }
  } catch {
    // The import walk reports unreadable directories; the count only feeds the ETA.
  }
  return count;
}

/**
 * The number of files the walk will find (plus problems such as a missing root), from directory
 * entries alone: no stat per file, so it finishes well before the import and gives the ETA its total.
 */
export async function countFiles(roots: readonly string[], signal?: AbortSignal): Promise<number> {
  let count = 0;
  for (const root of roots) {
    const stats = await stat(path.resolve(root)).catch(() => undefined);
    count += stats?.isDirectory() ? await countIn(path.resolve(root), signal) : 1;
  }
  return count;
}
