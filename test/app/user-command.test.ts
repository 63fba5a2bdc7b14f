import { expect } from 'chai';
import { Command } from 'commander';
import { findCredentials, verifyPassword } from '../../access/index.ts';
import { registerUserCommands } from '../../app/cli/user-command.ts';
import { queryRunner } from '../../app/db/pool.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

describe('kerma user', () => {
  let database: TestDatabase;
  let out: string[];
  let err: string[];
  let stdin: string;

  const run = async (...args: string[]): Promise<void> => {
    out = [];
    err = [];
    const program = new Command().exitOverride();
    const db = queryRunner(database.pool);
    registerUserCommands(
      program,
      () => Promise.resolve({ db, close: () => Promise.resolve() }),
      { out: (t) => void out.push(t), err: (t) => void err.push(t) },
      () => Promise.resolve(stdin),
    );
    await program.parseAsync(['node', 'kerma', 'user', ...args]);
  };
  const passwordWorks = async (name: string, password: string): Promise<boolean> => {
    const credentials = await findCredentials(queryRunner(database.pool), name);
    return credentials !== undefined && (await verifyPassword(credentials.passwordHash, password));
  };

  before(async () => {
    database = await freshDatabase();
  });
  after(async () => {
    await database.drop();
  });

  it('has no account until one is added (no default account, no default password)', async () => {
    const { rows } = await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    expect(rows[0]!.n).to.equal(0);
  });

  it('adds a user and prints a generated password once, alone on stdout', async () => {
    await run('add', 'Alice', '--role', 'physicist', '--trust', 'DEFAULT');
    expect(out).to.have.length(1);
    const password = out[0]!.trim();
    expect(password).to.have.length(20);
    expect(await passwordWorks('alice', password)).to.equal(true);
    const audit = await database.pool.query<{ action: string; subject_key: string }>(
      'SELECT action, subject_key FROM audit_log',
    );
    expect(audit.rows).to.deep.equal([{ action: 'user.add', subject_key: 'alice' }]);
  });

  it('takes the password from standard input with --password-stdin, and refuses a common one', async () => {
    stdin = 'a long and unusual sentence';
    await run('add', 'bob', '--role', 'admin,governance', '--trust', 'DEFAULT', '--password-stdin');
    expect(out).to.deep.equal([]);
    expect(await passwordWorks('bob', stdin)).to.equal(true);
    stdin = '1qaz2wsx3edc';
    const refused = await run('add', 'carol', '--role', 'admin', '--trust', 'DEFAULT', '--password-stdin').then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(refused?.message).to.match(/commonly used/);
  });

  it('refuses an unknown role or trust and a taken name', async () => {
    const failure = (...args: string[]) =>
      run(...args).then(
        () => '',
        (e: unknown) => (e as Error).message,
      );
    expect(await failure('add', 'dan', '--role', 'surgeon', '--trust', 'DEFAULT')).to.match(/Roles must be/);
    expect(await failure('add', 'dan', '--role', 'physicist', '--trust', 'NOPE')).to.match(/No trust with code NOPE/);
    expect(await failure('add', 'alice', '--role', 'physicist', '--trust', 'DEFAULT')).to.match(/already exists/);
  });

  it('lists users without hashes, disables one, and resets a password', async () => {
    await run('list');
    const listed = out.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(listed.map((u) => u.name)).to.deep.equal(['alice', 'bob']);
    expect(JSON.stringify(listed)).to.not.include('argon2');
    expect(listed[1]).to.include({ disabled: false });

    await run('disable', 'bob');
    await run('list');
    expect((JSON.parse(out[1]!) as { disabled: boolean }).disabled).to.equal(true);

    await run('reset-password', 'alice');
    const password = out[0]!.trim();
    expect(await passwordWorks('alice', password)).to.equal(true);
  });
});
