import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { walkFiles, type FoundFile, type WalkItem } from './file-walk.ts';

/**
 * Drop-folder watching by polling. Not fs.watch: on Linux, Node 20's recursive watch opens one inotify
 * watch and keeps one stat per FILE, which exhausts the kernel's watch limit and grows memory with a
 * folder that keeps its imported files (Kerma leaves them in place and relies on the journal).
 *
 * Each tick lists every directory (cheap) but stats files only in directories whose mtime changed
 * (a file created, renamed in or deleted changes it) or changed recently (coarse timestamps of network
 * shares), and every so often in all directories, in case a file was rewritten in place. A new file
 * is yielded once it is stable: same size and mtime at two consecutive ticks, so a copy still being
 * written is not imported half-way.
 */
export interface PollOptions {
  readonly intervalMs: number;
  readonly signal: AbortSignal;
  /** Files to leave alone: journaled, in flight, or failed in this same state. */
  readonly isKnown: (file: FoundFile) => boolean;
}

/** One tick in this many stats every file: bounds how late a file rewritten in place is noticed. */
const FULL_RESCAN_TICKS = 150;
/** Directories modified this recently are listed again, whatever their recorded mtime. */
const RECENT_DIRECTORY_MS = 10_000;
/** Files waiting to be stable; beyond this, their directories are simply looked at again next tick. */
const MAX_CANDIDATES = 10_000;

interface Candidate {
  readonly size: number;
  readonly mtimeMs: number;
}

class PollState {
  readonly directories = new Map<string, number>();
  readonly candidates = new Map<string, Candidate>();
  readonly reportedProblems = new Set<string>();
}

async function* stableCandidates(state: PollState): AsyncGenerator<WalkItem> {
  for (const [file, seen] of [...state.candidates]) {
    const now = await stat(file).catch(() => undefined);
    if (!now?.isFile()) state.candidates.delete(file);
    else if (now.size === seen.size && now.mtimeMs === seen.mtimeMs) {
      state.candidates.delete(file);
      yield { kind: 'file', path: file, size: now.size, mtimeMs: now.mtimeMs };
    } else state.candidates.set(file, { size: now.size, mtimeMs: now.mtimeMs });
  }
}

async function* newCandidates(
  roots: readonly string[],
  state: PollState,
  full: boolean,
  options: PollOptions,
): AsyncGenerator<WalkItem> {
  if (full) state.directories.clear();
  const listFiles = (directory: string, stats: { mtimeMs: number }): boolean => {
    const changed =
      state.directories.get(directory) !== stats.mtimeMs || Date.now() - stats.mtimeMs < RECENT_DIRECTORY_MS;
    state.directories.set(directory, stats.mtimeMs);
    return full || changed;
  };
  for await (const item of walkFiles(roots, { listFiles, signal: options.signal })) {
    if (item.kind === 'problem') {
      // A problem that lasts (an unreadable folder) is reported once, not at every tick.
      if (!state.reportedProblems.has(item.path) && state.reportedProblems.size < MAX_CANDIDATES) {
        state.reportedProblems.add(item.path);
        yield item;
      }
    } else if (!state.candidates.has(item.path) && !options.isKnown(item) && state.candidates.size < MAX_CANDIDATES) {
      state.candidates.set(item.path, { size: item.size, mtimeMs: item.mtimeMs });
    }
  }
  // Files left out for want of room: look at every directory again next tick.
  if (state.candidates.size >= MAX_CANDIDATES) state.directories.clear();
}

/** Yields files that appear (or change) under the roots, once stable, until the signal aborts. */
export async function* pollStableFiles(roots: readonly string[], options: PollOptions): AsyncGenerator<WalkItem> {
  const state = new PollState();
  for (let tick = 0; !options.signal.aborted; tick += 1) {
    yield* stableCandidates(state);
    yield* newCandidates(roots, state, tick % FULL_RESCAN_TICKS === 0, options);
    try {
      await sleep(options.intervalMs, undefined, { signal: options.signal });
    } catch {
      return;
    }
  }
}
