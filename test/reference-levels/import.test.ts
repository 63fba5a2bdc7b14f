import { expect } from 'chai';
import { queryRunner, withTransaction } from '../../app/db/pool.ts';
import { ConflictError, ValidationError, type QueryRunner, type TransactionRunner } from '../../core/index.ts';
import {
  BUILTIN_SET_KEYS,
  builtinReferenceSets,
  currentReferenceValues,
  importReferenceSet,
  listReferenceSets,
  parseReferenceSetCsv,
  referenceSetCsv,
  referenceSetDetail,
  seedBuiltinReferenceSets,
  type ReferenceSetDocument,
} from '../../reference-levels/index.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

const physicist = { actorKind: 'user', actorId: 1, actorName: 'pat.physicist' } as const;

/** A local DRL set of one trust, as a physicist would write it. */
const localDrls = (edition: string, dlpMgyCm: number): ReferenceSetDocument => ({
  setKey: 'rnh-local-ct',
  kind: 'local-drl',
  title: 'Riverside local CT DRLs',
  publisher: 'Riverside medical physics',
  edition,
  effectiveFrom: '2026-01-01',
  source: { title: 'Riverside dose audit 2025' },
  trustCode: 'RNH',
  values: [
    {
      valueKey: 'ct-head-acute-stroke',
      modality: 'CT',
      drlCategory: 'ct-head-acute-stroke',
      quantity: 'dlp_mgycm',
      value: dlpMgyCm,
      status: 'C',
    },
  ],
});

describe('reference sets in the database', () => {
  let database: TestDatabase;
  let db: QueryRunner;
  let transaction: TransactionRunner;

  before(async () => {
    database = await freshDatabase();
    db = queryRunner(database.pool);
    transaction = (work) => withTransaction(database.pool, work);
    await database.pool.query(`INSERT INTO trusts (code, name) VALUES ('RNH', 'Riverside'), ('SNH', 'Seaview')`);
  });
  after(async () => {
    await database.drop();
  });

  it('stores the builtin sets once: a second seeding stores nothing', async () => {
    const first = await seedBuiltinReferenceSets(transaction);
    expect(first.inserted).to.have.length(builtinReferenceSets().length);
    const again = await seedBuiltinReferenceSets(transaction);
    expect(again).to.deep.equal({ inserted: [], unchanged: first.inserted, differing: [] });
    // Shipped data is no one's change: the set rows say "builtin", the audit log stays people's and keys'.
    const audited = await database.pool.query('SELECT 1 FROM audit_log');
    expect(audited.rows).to.have.length(0);
    const { rows } = await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM reference_values');
    expect(rows[0]!.n).to.equal(builtinReferenceSets().reduce((n, s) => n + s.values.length, 0));
  });

  it('finds current figures by DRL category, region and age band, with the edition they belong to', async () => {
    const [stroke] = await currentReferenceValues(db, { drlCategory: 'ct-head-acute-stroke', quantity: 'dlp_mgycm' });
    expect(stroke).to.include({ setKey: 'uk-ndrl-adult-ct', edition: '2024-11-20', value: 790, status: 'C' });
    const [k] = await currentReferenceValues(db, {
      setKey: BUILTIN_SET_KEYS.ctKFactors,
      bodyRegion: 'chest',
      ageBand: 'adult',
    });
    expect(k).to.include({ quantity: 'k_msv_per_mgycm', value: 0.014 });
    const ssde = await currentReferenceValues(db, { kind: 'ssde-conversion' });
    expect(ssde.every((v) => v.status === 'S' && /verify against primary/.test(v.statusNote ?? ''))).to.equal(true);
  });

  it('supersedes a builtin edition with a newer builtin edition at the next start', async () => {
    const sets = builtinReferenceSets();
    const newer = sets.map((s) =>
      s.setKey === BUILTIN_SET_KEYS.ctNotificationValues ? { ...s, edition: `${s.edition} (test reissue)` } : s,
    );
    const seeded = await seedBuiltinReferenceSets(transaction, newer);
    expect(seeded.inserted).to.deep.equal([
      `${BUILTIN_SET_KEYS.ctNotificationValues}@version 1.0, 27 April 2011 (test reissue)`,
    ]);
    const editions = await listReferenceSets(db, { setKey: BUILTIN_SET_KEYS.ctNotificationValues });
    expect(editions.map((e) => [e.edition, e.current])).to.deep.equal([
      ['version 1.0, 27 April 2011 (test reissue)', true],
      ['version 1.0, 27 April 2011', false],
    ]);
    expect(editions[1]!.supersededBy).to.equal(editions[0]!.referenceSetId);
  });

  it('imports a set, then a new edition that supersedes it, each with an audit row', async () => {
    const first = await importReferenceSet(transaction, localDrls('2026', 700), physicist, { format: 'json' });
    expect(first.superseded).to.equal(null);
    expect(first.set).to.include({
      setKey: 'rnh-local-ct',
      current: true,
      trustCode: 'RNH',
      loadedBy: 'pat.physicist',
    });
    const second = await importReferenceSet(transaction, localDrls('2027', 650), physicist, { format: 'csv' });
    expect(second.superseded).to.deep.equal({ referenceSetId: first.set.referenceSetId, edition: '2026' });
    const old = await referenceSetDetail(db, first.set.referenceSetId);
    expect(old.set).to.include({ current: false, supersededBy: second.set.referenceSetId });
    expect(old.values.map((v) => v.value)).to.deep.equal([700]); // never edited in place
    const audit = await database.pool.query<{ action: string; subject_key: string; detail: Record<string, unknown> }>(
      `SELECT action, subject_key, detail FROM audit_log WHERE subject_kind = 'reference-set' AND actor_kind = 'user' ORDER BY audit_id`,
    );
    expect(audit.rows.map((r) => r.subject_key)).to.deep.equal(['rnh-local-ct@2026', 'rnh-local-ct@2027']);
    expect(audit.rows[1]!.detail).to.include({ format: 'csv', supersededEdition: '2026', values: 1 });
  });

  it('shows a trust’s local set only to lookups for that trust', async () => {
    const national = await currentReferenceValues(db, { drlCategory: 'ct-head-acute-stroke', quantity: 'dlp_mgycm' });
    expect(national.map((v) => v.setKey)).to.deep.equal(['uk-ndrl-adult-ct']);
    const { rows } = await database.pool.query<{ trust_id: number }>(`SELECT trust_id FROM trusts WHERE code = 'RNH'`);
    const withLocal = await currentReferenceValues(db, {
      drlCategory: 'ct-head-acute-stroke',
      quantity: 'dlp_mgycm',
      trustIds: [rows[0]!.trust_id],
    });
    expect(withLocal.map((v) => [v.setKey, v.value])).to.deep.equal([
      ['rnh-local-ct', 650],
      ['uk-ndrl-adult-ct', 790],
    ]);
  });

  it('refuses the same edition twice, another kind or trust under the key, an unknown trust; stores nothing then', async () => {
    const count = async () =>
      (await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM reference_sets')).rows[0]!.n;
    const before = await count();
    const failure = (document: ReferenceSetDocument) =>
      importReferenceSet(transaction, document, physicist).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    const twice = await failure(localDrls('2027', 600));
    expect(twice).to.be.instanceOf(ConflictError);
    expect(twice?.message).to.match(/already has an edition "2027": a set is never edited in place/);
    const otherTrust = await failure({ ...localDrls('2028', 600), trustCode: 'SNH' });
    expect(otherTrust).to.be.instanceOf(ValidationError);
    expect(otherTrust?.message).to.match(/must keep its kind and trust/);
    const otherKind = await failure({ ...localDrls('2028', 600), kind: 'national-drl', trustCode: undefined });
    expect(otherKind?.message).to.match(/is a local-drl set/);
    const unknownTrust = await failure({ ...localDrls('1', 600), setKey: 'nowhere-local', trustCode: 'NOPE' });
    expect(unknownTrust?.message).to.match(/no trust with code NOPE/);
    expect(await count()).to.equal(before);
  });

  it('keeps a physicist’s own edition current when a builtin edition of the same set arrives later', async () => {
    const mine = { ...builtinReferenceSets().find((s) => s.setKey === BUILTIN_SET_KEYS.ssde)!, edition: 'local 2026' };
    const imported = await importReferenceSet(transaction, mine, physicist);
    const reissue = builtinReferenceSets().map((s) =>
      s.setKey === BUILTIN_SET_KEYS.ssde ? { ...s, edition: 'Report 204 (2011); Report 220 (2014) reissue' } : s,
    );
    await seedBuiltinReferenceSets(transaction, reissue);
    const [current] = await listReferenceSets(db, { setKey: BUILTIN_SET_KEYS.ssde, currentOnly: true });
    expect(current!.referenceSetId).to.equal(imported.set.referenceSetId);
    const editions = await listReferenceSets(db, { setKey: BUILTIN_SET_KEYS.ssde });
    expect(editions.find((e) => e.edition.endsWith('reissue'))).to.include({ current: false, builtin: true });
  });

  it('exports an edition as CSV that imports back to the same set', async () => {
    const [ndrl] = await listReferenceSets(db, { setKey: BUILTIN_SET_KEYS.ukAdultCtNdrl, currentOnly: true });
    const detail = await referenceSetDetail(db, ndrl!.referenceSetId);
    const document = parseReferenceSetCsv(referenceSetCsv(detail), 'export');
    const original = builtinReferenceSets().find((s) => s.setKey === BUILTIN_SET_KEYS.ukAdultCtNdrl)!;
    expect(document.values).to.deep.equal(original.values);
    // The CSV layout has no notes column: everything else comes back.
    const withoutNotes: Record<string, unknown> = { ...original, values: [] };
    delete withoutNotes.notes;
    expect({ ...document, values: [] }).to.deep.equal(withoutNotes);
  });
});
