import type { Command } from 'commander';
import type { QueryRunner } from '../../core/index.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../ingest/index.ts';
import { processOutput, withDatabase, type OpenDatabase } from './command-io.ts';

/**
 * `kerma apikey create|list|revoke`: the keys STOW-RS senders authenticate with. A key is printed
 * once, at creation; Kerma keeps only its hash, so a lost key is revoked and replaced.
 */
export async function runApiKeyCreate(
  db: QueryRunner,
  name: string,
  trustCode: string,
  output = processOutput,
): Promise<void> {
  const key = await createApiKey(db, name, trustCode);
  // The key alone on stdout, so `KEY=$(kerma apikey create …)` works; the advice goes to stderr.
  output.out(`${key}\n`);
  output.err(`API key "${name}" created for trust ${trustCode}. It is shown only now: store it in the sender.\n`);
}

export async function runApiKeyList(db: QueryRunner, output = processOutput): Promise<void> {
  for (const key of await listApiKeys(db)) {
    output.out(`${JSON.stringify(key)}\n`);
  }
}

export async function runApiKeyRevoke(db: QueryRunner, name: string, output = processOutput): Promise<void> {
  await revokeApiKey(db, name);
  output.out(`API key "${name}" revoked\n`);
}

export function registerApiKeyCommands(program: Command, open: OpenDatabase, output = processOutput): void {
  const apikey = program.command('apikey').description('manage the API keys of STOW-RS senders');
  apikey
    .command('create')
    .description('create a key for a sending system and print it (once)')
    .argument('<name>', 'name of the sending system, recorded as the sender of what it stores')
    .requiredOption('--trust <code>', 'code of the trust the sender belongs to')
    .action((name: string, options: { trust: string }) =>
      withDatabase(open, (db) => runApiKeyCreate(db, name, options.trust, output)),
    );
  apikey
    .command('list')
    .description('list keys (name, trust, created, revoked; never the key), one JSON object per line')
    .action(() => withDatabase(open, (db) => runApiKeyList(db, output)));
  apikey
    .command('revoke')
    .description('revoke a key: its sender is refused from now on')
    .argument('<name>', 'name of the key')
    .action((name: string) => withDatabase(open, (db) => runApiKeyRevoke(db, name, output)));
}
