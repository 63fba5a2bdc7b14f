import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../app/db/embedded-postgres.ts';
import { removeEmbeddedData } from './embedded-data.ts';
import { silentLogger } from './logger.ts';

/**
 * A PostgreSQL server of the test's own (the embedded one, in a temp directory, on a free port), for
 * tests that stop or restart the database: never the machine's shared server, never a fixed port.
 */
export interface OwnPostgres {
  readonly url: string;
  /** Stops the server (connections are terminated; the data stays). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it if running and removes its data. */
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'kerma-own-pg-'));
  const port = await freePort();
  let running: EmbeddedDatabase | undefined;
  const start = async (): Promise<void> => {
    running = await startEmbeddedPostgres({ dataDir, port, logger: silentLogger });
  };
  const stop = async (): Promise<void> => {
    const server = running;
    running = undefined;
    await server?.stop();
  };
  try {
    await start();
  } catch (error) {
    await removeEmbeddedData(dataDir);
    throw error;
  }
  return {
    url: running!.url,
    stop,
    start,
    dispose: async () => {
      await stop().catch(() => undefined);
      await removeEmbeddedData(dataDir);
    },
  };
}
