import { createServer, Socket } from 'node:net';

/**
 * A TCP proxy in front of the test PostgreSQL that can lose the database the way a network or a
 * server crash does: at a chosen statement (e.g. the COMMIT of an ingest transaction, so that every
 * statement before it has run on the server) it drops every connection, unforwarded, and then
 * refuses new ones until `restore()`. The server sees its clients vanish and rolls back their open
 * transactions; a separate, direct connection can then read what the database really kept.
 */
export interface CuttingProxy {
  /** The database URL with host and port replaced by the proxy's. */
  readonly url: string;
  /** Drops every connection when a client sends `sql` (e.g. 'COMMIT'), then refuses new ones. */
  cutAt(sql: string): void;
  /** Drops every connection now and refuses new ones. */
  cut(): void;
  /** Forwards again. */
  restore(): void;
  /** How many times the connections were dropped (by `cutAt` or `cut`). */
  readonly cuts: number;
  close(): Promise<void>;
}

export async function startCuttingProxy(databaseUrl: string): Promise<CuttingProxy> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  let down = false;
  let trigger: Buffer | undefined;
  let cuts = 0;

  const cut = (): void => {
    down = true;
    trigger = undefined;
    cuts += 1;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };

  const server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    sockets.add(client).add(upstream);
    upstream.connect(Number(target.port || 5432), target.hostname);
    // The statement's text may straddle two chunks: keep the end of the previous one.
    let tail = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      if (trigger) {
        const seen = Buffer.concat([tail, chunk]);
        if (seen.includes(trigger)) {
          cut();
          return;
        }
        tail = seen.subarray(Math.max(0, seen.length - trigger.length));
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    for (const [one, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      one.on('error', () => other.destroy());
      one.on('close', () => {
        sockets.delete(one);
        other.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);

  return {
    url: url.toString(),
    // A simple-protocol Query message carries the statement's text followed by its NUL terminator.
    cutAt: (sql) => (trigger = Buffer.from(`${sql}\0`, 'utf8')),
    cut,
    restore: () => {
      down = false;
    },
    get cuts() {
      return cuts;
    },
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
