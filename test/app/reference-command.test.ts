import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Command } from 'commander';
import { registerReferenceCommands } from '../../app/cli/reference-command.ts';
import { queryRunner, withTransaction } from '../../app/db/pool.ts';
import { builtinReferenceSets } from '../../reference-levels/index.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

describe('kerma reference', () => {
  let database: TestDatabase;
  let dir: string;
  let out: string[];
  let err: string[];
  let opened = 0;
  let closed = 0;

  const run = async (...args: string[]): Promise<void> => {
    out = [];
    err = [];
    const program = new Command().exitOverride();
    registerReferenceCommands(
      program,
      () => {
        opened += 1;
        return Promise.resolve({
          db: queryRunner(database.pool),
          transaction: (work) => withTransaction(database.pool, work),
          close: () => {
            closed += 1;
            return Promise.resolve();
          },
        });
      },
      { out: (t) => void out.push(t), err: (t) => void err.push(t) },
    );
    await program.parseAsync(['node', 'kerma', 'reference', ...args]);
  };
  const failure = (...args: string[]) =>
    run(...args).then(
      () => '',
      (e: unknown) => (e as Error).message,
    );
  const file = (name: string, text: string): string => {
    const where = path.join(dir, name);
    writeFileSync(where, text);
    return where;
  };
  const lines = () =>
    out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  before(async () => {
    database = await freshDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'kerma-reference-'));
  });
  after(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the builtin sets in their current edition, one JSON object per line', async () => {
    await run('list');
    const listed = lines();
    expect(listed.map((s) => s.setKey)).to.have.members(builtinReferenceSets().map((s) => s.setKey));
    expect(listed.find((s) => s.setKey === 'uk-ndrl-adult-ct')).to.include({
      kind: 'national-drl',
      edition: '2024-11-20',
      builtin: true,
      current: true,
      values: 21,
      secondary: 0,
    });
  });

  it('imports a CSV set, then a JSON edition that supersedes it, and lists both with --all', async () => {
    const csv = file(
      'local.csv',
      'set_key,kind,title,publisher,edition,source_title,value_key,modality,drl_category,quantity,value,status\n' +
        'rnh-local-ct,local-drl,Riverside local CT DRLs,Riverside physics,2026,Dose audit 2025,head,CT,ct-head-acute-stroke,dlp_mgycm,700,C\n' +
        ',,,,,,head,CT,ct-head-acute-stroke,ctdivol_mgy,40,C\n',
    );
    await run('import', csv);
    const [first] = lines();
    expect(first).to.include({ setKey: 'rnh-local-ct', edition: '2026', values: 2, superseded: null });
    expect(err.join('')).to.include('it is the first edition of this set');

    const json = file(
      'local-2027.json',
      JSON.stringify({
        setKey: 'rnh-local-ct',
        kind: 'local-drl',
        title: 'Riverside local CT DRLs',
        publisher: 'Riverside physics',
        edition: '2027',
        source: { title: 'Dose audit 2026' },
        values: [
          {
            valueKey: 'head',
            modality: 'CT',
            drlCategory: 'ct-head-acute-stroke',
            quantity: 'dlp_mgycm',
            value: 650,
            status: 'C',
          },
        ],
      }),
    );
    await run('import', json);
    expect(lines()[0]).to.deep.include({
      edition: '2027',
      superseded: { referenceSetId: first!.referenceSetId, edition: '2026' },
    });
    expect(err.join('')).to.include('it supersedes edition 2026');

    await run('list', '--all');
    const editions = lines().filter((s) => s.setKey === 'rnh-local-ct');
    expect(editions.map((s) => [s.edition, s.current])).to.deep.equal([
      ['2027', true],
      ['2026', false],
    ]);
    const audit = await database.pool.query<{ actor_name: string; subject_key: string }>(
      `SELECT actor_name, subject_key FROM audit_log WHERE action = 'reference-set.import' AND actor_name = 'kerma-cli' ORDER BY audit_id`,
    );
    expect(audit.rows.map((r) => r.subject_key)).to.deep.equal(['rnh-local-ct@2026', 'rnh-local-ct@2027']);
  });

  it('refuses the same edition again, and a bad CSV naming its row and column, without opening the database for the latter', async () => {
    expect(await failure('import', path.join(dir, 'local-2027.json'))).to.match(
      /already has an edition "2027": a set is never edited in place/,
    );
    const before = opened;
    const bad = file(
      'bad.csv',
      'set_key,kind,title,publisher,edition,source_title,value_key,quantity,value,status\n' +
        'x-local,local-drl,X,Y,1,Z,head,dlp_mgycm,12 mGy,C\n',
    );
    expect(await failure('import', bad)).to.equal(
      'invalid reference set bad.csv: row 2, column value: "12 mGy" is not a number (use a point for decimals, no unit)',
    );
    expect(opened).to.equal(before);
    expect(await failure('import', file('set.txt', '{}'))).to.match(/name it \.json or \.csv, or give --format/);
    expect(closed).to.equal(opened);
  });
});
