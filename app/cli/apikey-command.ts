import type { Command } from 'commander';
import { ValidationError, type QueryRunner } from '../../core/index.ts';
import { API_SCOPES, createApiKey, listApiKeys, recordAudit, revokeApiKey } from '../../access/index.ts';
import { processOutput, withDatabase, type OpenDatabase } from './command-io.ts';

/**
 * `kerma apikey create|list|revoke`: the keys of the systems that call Kerma's HTTP APIs (STOW-RS
 * senders, order feeds, duplicate checks, readers). A key is printed once, at creation; Kerma keeps
 * only its hash, so a lost key is revoked and replaced. Every change is in the audit log.
 */
const cliActor = { actorKind: 'system', actorName: 'kerma-cli' } as const;

export interface ApiKeyCreateOptions {
  readonly trust?: string;
  readonly consortium?: boolean;
  /** Each entry one scope or several comma-separated (commander collects repeated --scope). */
  readonly scope: readonly string[];
}

export async function runApiKeyCreate(
  db: QueryRunner,
  name: string,
  options: ApiKeyCreateOptions,
  output = processOutput,
): Promise<void> {
  const { trust, consortium, scope } = options;
  if ((trust === undefined) === (consortium !== true)) {
    throw new ValidationError('give either --trust CODE or --consortium');
  }
  const scopes = scope.flatMap((s) => s.split(',')).map((s) => s.trim());
  const key = await createApiKey(db, name, trust ?? null, scopes);
  const binding = trust ?? null;
  await recordAudit(db, {
    ...cliActor,
    action: 'api-key.create',
    subjectKind: 'api-key',
    subjectKey: name,
    detail: { after: { trustCode: binding, consortium: binding === null, scopes } },
  });
  // The key alone on stdout, so `KEY=$(kerma apikey create …)` works; the advice goes to stderr.
  output.out(`${key}\n`);
  output.err(
    `API key "${name}" created for ${binding === null ? 'the whole consortium' : `trust ${binding}`} ` +
      `with scopes ${scopes.join(', ')}. It is shown only now: store it in the calling system.\n`,
  );
}

export async function runApiKeyList(db: QueryRunner, output = processOutput): Promise<void> {
  for (const key of await listApiKeys(db)) {
    output.out(`${JSON.stringify(key)}\n`);
  }
}

export async function runApiKeyRevoke(db: QueryRunner, name: string, output = processOutput): Promise<void> {
  const before = await revokeApiKey(db, name);
  await recordAudit(db, {
    ...cliActor,
    action: 'api-key.revoke',
    subjectKind: 'api-key',
    subjectKey: name,
    detail: { before: { revokedAt: before.revokedAt }, after: { revoked: true } },
  });
  output.out(`API key "${name}" revoked\n`);
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerApiKeyCommands(program: Command, open: OpenDatabase, output = processOutput): void {
  const apikey = program.command('apikey').description('manage the API keys of systems that call Kerma');
  apikey
    .command('create')
    .description('create a key for a calling system and print it (once)')
    .argument('<name>', 'name of the calling system, recorded as the sender of what it stores')
    .option('--trust <code>', 'the one trust the key acts for')
    .option('--consortium', 'the key acts for every trust (a regional integration engine)')
    .requiredOption(
      '--scope <scopes>',
      `what the key may do: ${API_SCOPES.join(', ')} (comma-separate or repeat)`,
      collect,
    )
    .action((name: string, options: ApiKeyCreateOptions) =>
      withDatabase(open, (db) => runApiKeyCreate(db, name, options, output)),
    );
  apikey
    .command('list')
    .description(
      'list keys (name, trust or consortium, scopes, created, revoked; never the key), one JSON object per line',
    )
    .action(() => withDatabase(open, (db) => runApiKeyList(db, output)));
  apikey
    .command('revoke')
    .description('revoke a key: its caller is refused from now on')
    .argument('<name>', 'name of the key')
    .action((name: string) => withDatabase(open, (db) => runApiKeyRevoke(db, name, output)));
}
