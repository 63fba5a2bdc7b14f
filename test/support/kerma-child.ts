import { spawn, type ChildProcess } from 'node:child_process';

/** A `kerma <command>` child process whose log is kept and searched (JSON lines on stdout). */
export interface KermaChild {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the first log line matching `pattern`; rejects when the child exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or signal) once the child has exited. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running: for `finally` blocks. */
  kill(): void;
}

export function spawnKerma(args: readonly string[], env: NodeJS.ProcessEnv): KermaChild {
  const child = spawn(process.execPath, ['bin/kerma.js', ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  // Read for the child's whole life: a pipe nobody reads would block its logger.
  const append = (chunk: Buffer): void => {
    output += String(chunk);
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    exited: () => exit,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(output);
          if (match) done(() => resolve(match));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output.slice(-3000)}`))),
          timeoutMs,
        );
        const done = (then: () => void): void => {
          clearTimeout(timer);
          listeners.delete(check);
          then();
        };
        listeners.add(check);
        void exit.then(() => done(() => reject(new Error(`kerma exited before ${pattern}:\n${output.slice(-3000)}`))));
        check();
      }),
  };
}
