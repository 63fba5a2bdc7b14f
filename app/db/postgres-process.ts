import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { UnavailableError } from '../../core/index.ts';
import type { OsUser } from './embedded-layout.ts';

/**
 * The embedded server's processes (initdb, postgres), spawned by Kerma itself so that every failure,
 * a spawn refused included, becomes an UnavailableError instead of an unhandled 'error' event.
 */
export interface ProcessOptions {
  readonly runAs: OsUser | undefined;
  /** A directory the process's user can enter (a root-only checkout is not one for postgres). */
  readonly cwd: string;
  readonly onOutput: (text: string) => void;
}

export interface ServerProcess {
  readonly pid: number;
  /** Fast shutdown (SIGINT), immediate (SIGQUIT) if it does not finish in time. */
  stop(): Promise<void>;
}

const READY = 'database system is ready to accept connections';
const STOP_TIMEOUT_MS = 30_000;

/** What a refused spawn means, with the fix when it is the usual one. */
export function spawnFailure(
  command: string,
  error: NodeJS.ErrnoException,
  runAs: OsUser | undefined,
): UnavailableError {
  const program = path.basename(command);
  const who = runAs ? `the postgres OS user (uid ${runAs.uid})` : 'this user';
  const hint =
    error.code === 'EACCES' || error.code === 'ENOENT'
      ? `: ${who} cannot run ${command} or enter its working directory; when Kerma runs as root, the ` +
        `embedded server and its binaries live under /var/lib/kerma, which that user must be able to reach ` +
        `(or set DATABASE_URL)`
      : '';
  return new UnavailableError(
    `Embedded PostgreSQL could not start ${program} (${error.code ?? error.message})${hint}`,
    {
      command,
    },
  );
}

function launch(command: string, args: readonly string[], options: ProcessOptions): ChildProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    // C messages: readiness is read from the server's log.
    env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
  });
  child.stdout?.on('data', (chunk: Buffer) => options.onOutput(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => options.onOutput(chunk.toString('utf8')));
  return child;
}

/** Runs a program to its end (initdb); rejects with its exit code or the spawn error. */
export function runToCompletion(command: string, args: readonly string[], options: ProcessOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = launch(command, args, options);
    child.once('error', (error) => reject(spawnFailure(command, error, options.runAs)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(command)} exited with ${code ?? signal}`));
    });
  });
}

/** Starts postgres and resolves once it accepts connections; rejects if it exits or cannot spawn first. */
export function startServer(command: string, args: readonly string[], options: ProcessOptions): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    let ready = false;
    const child = launch(command, args, {
      ...options,
      onOutput: (text) => {
        options.onOutput(text);
        if (!ready && text.includes(READY)) {
          ready = true;
          resolve(serverHandle(child));
        }
      },
    });
    // Kept for the child's whole life: a late 'error' (a failed kill) must not become unhandled.
    child.on('error', (error) => {
      if (!ready) reject(spawnFailure(command, error, options.runAs));
    });
    child.once('exit', (code, signal) => {
      if (!ready) reject(new Error(`postgres exited with ${code ?? signal} before accepting connections`));
    });
  });
}

function serverHandle(child: ChildProcess): ServerProcess {
  // If Kerma exits without stopping it, the server is asked to stop too (sending a signal is synchronous).
  const onExit = (): void => void child.kill('SIGINT');
  process.once('exit', onExit);
  const exited = once(child, 'exit').catch(() => undefined);
  return {
    pid: child.pid ?? 0,
    stop: async () => {
      process.off('exit', onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = new AbortController();
      const stopped = await Promise.race([
        exited.then(() => true),
        delay(STOP_TIMEOUT_MS, false, { signal: timer.signal }).catch(() => true),
      ]);
      timer.abort();
      if (!stopped) {
        child.kill('SIGQUIT');
        await exited;
      }
    },
  };
}
