import type { Command } from 'commander';
import { NotFoundError, type QueryRunner } from '../../core/index.ts';
import {
  createUser,
  disableUser,
  findUser,
  generatePassword,
  listUsers,
  recordAudit,
  setPassword,
} from '../../access/index.ts';
import { processOutput, withDatabase, type OpenDatabase } from './command-io.ts';

// `kerma user add|list|disable|reset-password`. There is no default account: the first administrator
// is made here. A generated password is printed once, alone on stdout; Kerma keeps only its argon2id hash.

export type ReadPassword = () => Promise<string>;

/** The whole of standard input, less one trailing newline (as `echo` or a secrets file leaves it). */
export async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const cliActor = { actorKind: 'system', actorName: 'kerma-cli' } as const;

export interface UserAddOptions {
  readonly role: string[];
  readonly trust: string[];
  readonly passwordStdin?: boolean;
}

export async function runUserAdd(
  db: QueryRunner,
  name: string,
  options: UserAddOptions,
  readPassword: ReadPassword,
  output = processOutput,
): Promise<void> {
  const password = options.passwordStdin ? await readPassword() : generatePassword();
  const roles = options.role.flatMap((r) => r.split(','));
  const trustCodes = options.trust.flatMap((t) => t.split(','));
  const user = await createUser(db, { name, roles, trustCodes, password });
  await recordAudit(db, {
    ...cliActor,
    action: 'user.add',
    subjectKind: 'user',
    subjectKey: user.name,
    detail: { roles, trustCodes },
  });
  if (!options.passwordStdin) output.out(`${password}\n`);
  output.err(
    `User "${user.name}" (${user.roles.join(', ')}; ${user.trusts.map((t) => t.code).join(', ')}) created.` +
      (options.passwordStdin
        ? '\n'
        : ' The password is shown only now: give it to the user, who should change it at first sign-in.\n'),
  );
}

export async function runUserList(db: QueryRunner, output = processOutput): Promise<void> {
  for (const user of await listUsers(db)) {
    const { name, roles, disabled, createdAt, passwordChangedAt } = user;
    output.out(
      `${JSON.stringify({ name, roles, trusts: user.trusts.map((t) => t.code), disabled, createdAt, passwordChangedAt })}\n`,
    );
  }
}

export async function runUserDisable(db: QueryRunner, name: string, output = processOutput): Promise<void> {
  const user = await disableUser(db, name);
  await recordAudit(db, { ...cliActor, action: 'user.disable', subjectKind: 'user', subjectKey: user.name });
  output.out(`User "${user.name}" disabled; their sessions have ended\n`);
}

export async function runUserResetPassword(
  db: QueryRunner,
  name: string,
  options: { passwordStdin?: boolean },
  readPassword: ReadPassword,
  output = processOutput,
): Promise<void> {
  const user = await findUser(db, name);
  if (!user) throw new NotFoundError(`No user named "${name}"`);
  const password = options.passwordStdin ? await readPassword() : generatePassword();
  await setPassword(db, user.userId, password);
  await recordAudit(db, { ...cliActor, action: 'user.reset-password', subjectKind: 'user', subjectKey: user.name });
  if (!options.passwordStdin) output.out(`${password}\n`);
  output.err(`Password of "${user.name}" reset; their sessions have ended.\n`);
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerUserCommands(
  program: Command,
  open: OpenDatabase,
  output = processOutput,
  readPassword: ReadPassword = readStandardInput,
): void {
  const user = program.command('user').description('manage the people who sign in to the web application');
  user
    .command('add')
    .description('create a user and print a generated password (once), or take it from standard input')
    .argument('<name>', 'user name (lower case letters, digits, . _ @ -)')
    .requiredOption('--role <role>', 'physicist, radiographer, governance or admin (repeat or comma-separate)', collect)
    .requiredOption('--trust <code>', 'code of a trust whose patients the user may see (repeat for several)', collect)
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .action((name: string, options: UserAddOptions) =>
      withDatabase(open, (db) => runUserAdd(db, name, options, readPassword, output)),
    );
  user
    .command('list')
    .description('list users (name, roles, trusts, disabled, dates; never a hash), one JSON object per line')
    .action(() => withDatabase(open, (db) => runUserList(db, output)));
  user
    .command('disable')
    .description('disable a user and end their sessions')
    .argument('<name>', 'user name')
    .action((name: string) => withDatabase(open, (db) => runUserDisable(db, name, output)));
  user
    .command('reset-password')
    .description('set a new password (generated and printed once, or from standard input) and end their sessions')
    .argument('<name>', 'user name')
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .action((name: string, options: { passwordStdin?: boolean }) =>
      withDatabase(open, (db) => runUserResetPassword(db, name, options, readPassword, output)),
    );
}
