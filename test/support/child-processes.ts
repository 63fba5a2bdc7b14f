import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';

/**
 * Every long-lived process a test starts (kerma serve, an import child, an embedded server's owner),
 * so that none outlives its test: each test stops its own in `after`/`finally`, and the root hooks
 * kill whatever is left at the end of the run, whatever happened, even when mocha exits at once.
 */
const running = new Set<ChildProcess>();

export function track<T extends ChildProcess>(child: T): T {
  running.add(child);
  child.once('exit', () => running.delete(child));
  // A spawn that fails emits 'error' and never 'exit'.
  child.once('error', () => running.delete(child));
  return child;
}

/** spawn(), registered so it is killed at the latest when the run ends. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  return track(spawn(command, args, options));
}

export function trackedPids(): number[] {
  return [...running].map((child) => child.pid ?? 0).filter((pid) => pid > 0);
}

/** Stops one child: `signal` first, SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 10_000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Kills every tracked child still running; returns how many there were. */
export async function killTracked(): Promise<number> {
  const left = [...running];
  await Promise.all(left.map((child) => stopChild(child, 'SIGKILL')));
  return left.length;
}

// Last resort when the process exits without the teardown (mocha --exit, a crash): signals are synchronous.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
