import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * What `postmaster.pid` says about a cluster directory. PostgreSQL writes it at start and removes it
 * at a clean stop; its first line is the postmaster PID and its fourth the port (PostgreSQL source,
 * src/include/miscadmin.h, LOCK_FILE_LINE_*).
 */
export type PostmasterLock =
  | { readonly state: 'absent' }
  | { readonly state: 'stale'; readonly pid: number }
  | { readonly state: 'running'; readonly pid: number; readonly port: number | undefined };

/** True for a running process; false for none and for a zombie (exited, not yet reaped). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user (the postgres OS user).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // Field 3 of /proc/PID/stat is the state; the command name before it may contain spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

async function isPostgresServing(pid: number, clusterDir: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (cmdline === undefined) return isProcessAlive(pid);
  const args = cmdline.split('\0');
  return args.some((a) => a.endsWith('postgres')) && args.some((a) => path.resolve(a) === path.resolve(clusterDir));
}

export async function inspectPostmasterLock(clusterDir: string): Promise<PostmasterLock> {
  const text = await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (text === undefined) return { state: 'absent' };
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return { state: 'stale', pid: 0 };
  // A PID reused by an unrelated process would make PostgreSQL refuse to start, so check what it is.
  if (isProcessAlive(pid) && (await isPostgresServing(pid, clusterDir))) {
    return { state: 'running', pid, port: Number.isInteger(port) ? port : undefined };
  }
  return { state: 'stale', pid };
}

/** Asks an orphaned postmaster for a fast shutdown (SIGINT) and waits for it to go. */
export async function stopOrphanPostmaster(pid: number, timeoutMs = 30_000): Promise<void> {
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) {
      // Fast shutdown did not finish (stuck client?): immediate shutdown is still crash-safe.
      process.kill(pid, 'SIGQUIT');
      await delay(1000);
      if (isProcessAlive(pid)) throw new Error(`orphaned PostgreSQL (pid ${pid}) did not stop`);
      return;
    }
    await delay(50);
  }
}
