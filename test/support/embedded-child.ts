// Starts an embedded PostgreSQL in a child process, reports "ready <url>" on stdout and waits to be
// killed: lets tests reproduce a Kerma process that dies with SIGKILL and leaves its server behind.
// Arguments: data directory, port, and the runtime root used when running as root (optional).
import { startEmbeddedPostgres } from '../../app/db/embedded-postgres.ts';
import { silentLogger } from './logger.ts';

const [dataDir, port, runtimeRoot] = process.argv.slice(2);
const database = await startEmbeddedPostgres({
  dataDir: dataDir ?? '',
  port: Number(port),
  logger: silentLogger,
  ...(runtimeRoot ? { runtimeRoot } : {}),
});
process.stdout.write(`ready ${database.url}\n`);
process.on('SIGTERM', () => {
  void database.stop().then(() => process.exit(0));
});
setInterval(() => undefined, 1 << 30);
