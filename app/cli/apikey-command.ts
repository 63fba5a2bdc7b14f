import type { Command } from 'commander';
import type { QueryRunner } from '../../core/index.ts';
// eslint-disable-next-line no-restricted-imports -- until ingest/index.ts re-exports the API key functions
import { createApiKey, listApiKeys, revokeApiKey } from '../../ingest/transports/api-keys.ts';

/**
 * `kerma apikey create|list|revoke`: the keys STOW-RS senders authenticate with. A key is printed
 * once, at creation; Kerma keeps only its hash, so a lost key is revoked and replaced.
 */
export type OpenDatabase = () => Promise<{ db: QueryRunner; close(): Promise<void> }>;
export type Write = (text: string) => void;

const stdout: Write = (text) => void process.stdout.write(text);

export async function runApiKeyCreate(db: QueryRunner, name: string, trustCode: string, write: Write = stdout): Promise<void> {
  const key = await createApiKey(db, name, trustCode);
  // The key alone on stdout, so `KEY=$(kerma apikey create …)` works; the advice goes to stderr.
  write(`${key}\n`);
  process.stderr.write(`API key "${name}" created for trust ${trustCode}. It is shown only now: store it in the sender.\n`);
}

export async function runApiKeyList(db: QueryRunner, write: Write = stdout): Promise<void> {
  for (const key of await listApiKeys(db)) {
    write(`${JSON.stringify(key)}\n`);
  }
}

export async function runApiKeyRevoke(db: QueryRunner, name: string, write: Write = stdout): Promise<void> {
  await revokeApiKey(db, name);
  write(`API key "${name}" revoked\n`);
}

async function withDatabase(open: OpenDatabase, work: (db: QueryRunner) => Promise<void>): Promise<void> {
  const { db, close } = await open();
  try {
    await work(db);
  } finally {
    await close();
  }
}

export function registerApiKeyCommands(program: Command, open: OpenDatabase): void {
  const apikey = program.command('apikey').description('manage the API keys of STOW-RS senders');
  apikey
    .command('create')
    .description('create a key for a sending system and print it (once)')
    .argument('<name>', 'name of the sending system, recorded as the sender of what it stores')
    .requiredOption('--trust <code>', 'code of the trust the sender belongs to')
    .action((name: string, options: { trust: string }) => withDatabase(open, (db) => runApiKeyCreate(db, name, options.trust)));
  apikey
    .command('list')
    .description('list keys (name, trust, created, revoked; never the key), one JSON object per line')
    .action(() => withDatabase(open, (db) => runApiKeyList(db)));
  apikey
    .command('revoke')
    .description('revoke a key: its sender is refused from now on')
    .argument('<name>', 'name of the key')
    .action((name: string) => withDatabase(open, (db) => runApiKeyRevoke(db, name)));
}
