import { expect } from 'chai';
import { queryRunner, withTransaction } from '../../app/db/pool.ts';
import {
  changeRule,
  createRule,
  deleteRule,
  listRules,
  mapStudies,
  moveRule,
  probeRules,
  remapHistory,
  remapPending,
  unmappedDescriptions,
  type RuleEditor,
  type RuleFields,
} from '../../analytics/index.ts';
import { ValidationError, type QueryRunner } from '../../core/index.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * The rule semantics on a real PostgreSQL: exact against regex, a trust's rule against a
 * consortium-wide one, order, exclusions, protocol / body part / procedure code criteria, and the
 * re-map of history after each change. The default rules are removed first: each test states its own.
 */
const editor: RuleEditor = { userId: 1, name: 'pat.physicist', trustCodes: ['RAA', 'RBB'] };

const rule = (over: Partial<RuleFields>): RuleFields => ({
  trustCode: null,
  modalities: null,
  procedureCode: null,
  description: null,
  protocol: null,
  bodyPart: null,
  standardProcedureCode: 'CT-HEAD',
  note: null,
  enabled: true,
  ...over,
});

interface StudySeed {
  readonly trust: 'RAA' | 'RBB';
  readonly modality?: string;
  readonly description?: string | null;
  readonly requested?: string | null;
  readonly code?: string | null;
  readonly protocols?: readonly string[];
  readonly regions?: readonly string[];
}

describe('procedure mapping rules (PostgreSQL)', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let db: QueryRunner;
  const transaction = <T>(work: (runner: QueryRunner) => Promise<T>) => withTransaction(database.pool, work);
  let seq = 0;

  async function addStudy(seed: StudySeed): Promise<number> {
    seq += 1;
    const { rows } = await db.query<{ study_id: number }>({
      text: `INSERT INTO studies (study_instance_uid, trust_id, modality, study_description, requested_procedure,
                                  procedure_code, study_datetime)
             VALUES ($1, (SELECT trust_id FROM trusts WHERE code = $2), $3, $4, $5, $6, '2025-03-01T10:00:00Z')
             RETURNING study_id`,
      values: [
        `2.25.${Date.now()}${seq}`,
        seed.trust,
        seed.modality ?? 'CT',
        seed.description ?? null,
        seed.requested ?? null,
        seed.code ?? null,
      ],
    });
    const studyId = rows[0]!.study_id;
    const protocols = seed.protocols ?? [];
    const regions = seed.regions ?? [];
    for (let i = 0; i < Math.max(protocols.length, regions.length); i += 1) {
      await db.query({
        text: `INSERT INTO irradiation_events (occurred_at, study_id, irradiation_event_uid, modality, event_kind,
                                               acquisition_protocol, target_region)
               VALUES ('2025-03-01T10:00:00Z', $1, $2, $3, 'ct', $4, $5)`,
        values: [studyId, `2.25.${studyId}.${i}`, seed.modality ?? 'CT', protocols[i] ?? null, regions[i] ?? null],
      });
    }
    return studyId;
  }

  async function mapped(studyId: number): Promise<string | null> {
    const { rows } = await db.query<{ code: string | null }>({
      text: 'SELECT standard_procedure_code AS code FROM studies WHERE study_id = $1',
      values: [studyId],
    });
    return rows[0]!.code;
  }

  async function addRule(fields: Partial<RuleFields>): Promise<number> {
    return (await createRule(transaction, editor, rule(fields))).ruleId;
  }

  before(async () => {
    database = await freshDatabase();
    db = queryRunner(database.pool);
    await db.query({ text: `INSERT INTO trusts (code, name) VALUES ('RAA', 'Trust A'), ('RBB', 'Trust B')` });
  });
  after(async () => {
    await database?.drop();
  });
  beforeEach(async () => {
    await db.query({ text: 'DELETE FROM procedure_rules' });
    await db.query({ text: 'UPDATE studies SET standard_procedure_code = NULL, procedure_rule_id = NULL' });
  });

  it('matches an exact description ignoring case and surrounding spaces, and nothing longer', async () => {
    const a = await addStudy({ trust: 'RAA', description: 'CT Head' });
    const b = await addStudy({ trust: 'RAA', description: '  ct HEAD ' });
    const c = await addStudy({ trust: 'RAA', description: 'CT Head and neck' });
    await addRule({ description: { pattern: 'CT HEAD', match: 'exact' } });
    await mapStudies(db);
    expect([await mapped(a), await mapped(b), await mapped(c)]).to.deep.equal(['CT-HEAD', 'CT-HEAD', null]);
  });

  it('matches a regex anywhere in the description, case-insensitively (PostgreSQL ~*)', async () => {
    const a = await addStudy({ trust: 'RAA', description: 'CT HEAD and neck' });
    const b = await addStudy({ trust: 'RAA', description: 'XR Chest' });
    await addRule({ description: { pattern: 'head\\y', match: 'regex' } });
    await mapStudies(db);
    expect([await mapped(a), await mapped(b)]).to.deep.equal(['CT-HEAD', null]);
  });

  it('reads the requested procedure when the study has no description', async () => {
    const a = await addStudy({ trust: 'RAA', description: '', requested: 'CT Head' });
    await addRule({ description: { pattern: 'ct head', match: 'exact' } });
    await mapStudies(db, { studyIds: [a] });
    expect(await mapped(a)).to.equal('CT-HEAD');
  });

  it('puts a trust’s own rule before a consortium-wide one at the same position, for that trust only', async () => {
    const ofA = await addStudy({ trust: 'RAA', description: 'CT Brain' });
    const ofB = await addStudy({ trust: 'RBB', description: 'CT Brain' });
    await addRule({ description: { pattern: 'ct brain', match: 'exact' }, standardProcedureCode: 'CT-HEAD' });
    await addRule({
      trustCode: 'RAA',
      description: { pattern: 'ct brain', match: 'exact' },
      standardProcedureCode: 'CT-PERF',
    });
    await db.query({ text: 'UPDATE procedure_rules SET position = 10' });
    await mapStudies(db);
    expect([await mapped(ofA), await mapped(ofB)]).to.deep.equal(['CT-PERF', 'CT-HEAD']);
  });

  it('lets the first rule by position decide, and a move re-maps history', async () => {
    const s = await addStudy({ trust: 'RAA', description: 'CT Chest abdomen pelvis' });
    await addRule({ description: { pattern: 'chest', match: 'regex' }, standardProcedureCode: 'CT-CHEST' });
    const cap = await addRule({
      description: { pattern: 'chest.*pelvis', match: 'regex' },
      standardProcedureCode: 'CT-CAP',
    });
    await remapHistory(db, transaction);
    expect(await mapped(s)).to.equal('CT-CHEST');
    await moveRule(transaction, editor, cap, 'up', async (runner) =>
      (await listRules(runner, [])).map((r) => r.ruleId),
    );
    expect(await remapPending(db)).to.equal(true);
    const result = await remapHistory(db, transaction);
    expect(result.changed).to.equal(1);
    expect(await remapPending(db)).to.equal(false);
    expect(await mapped(s)).to.equal('CT-CAP');
  });

  it('re-maps history when a rule is changed, disabled or deleted; unmatched studies go back to NULL', async () => {
    const s = await addStudy({ trust: 'RAA', description: 'CT KUB' });
    const id = await addRule({ description: { pattern: 'ct kub', match: 'exact' }, standardProcedureCode: 'CT-KUB' });
    await remapHistory(db, transaction);
    expect(await mapped(s)).to.equal('CT-KUB');
    await changeRule(
      transaction,
      editor,
      id,
      rule({ description: { pattern: 'ct kub', match: 'exact' }, standardProcedureCode: 'CT-UROGRAM' }),
    );
    await remapHistory(db, transaction);
    expect(await mapped(s)).to.equal('CT-UROGRAM');
    await changeRule(
      transaction,
      editor,
      id,
      rule({ description: { pattern: 'ct kub', match: 'exact' }, standardProcedureCode: 'CT-UROGRAM', enabled: false }),
    );
    await remapHistory(db, transaction);
    expect(await mapped(s)).to.equal(null);
    await deleteRule(transaction, editor, id);
    expect((await remapHistory(db, transaction)).changed).to.equal(0);
  });

  it('matches protocol names and body parts of any event, procedure codes, and modalities', async () => {
    const byProtocol = await addStudy({
      trust: 'RAA',
      description: 'AEC',
      modality: 'DX',
      protocols: ['Pelvis', 'ABD_1_VIEW'],
    });
    const byRegion = await addStudy({ trust: 'RAA', modality: 'CT', regions: ['Chest, Abdomen and Pelvis'] });
    const byCode = await addStudy({ trust: 'RAA', modality: 'CT', code: 'NICIP:CCHAPC' });
    const otherModality = await addStudy({
      trust: 'RAA',
      description: 'AEC',
      modality: 'CR',
      protocols: ['ABD_1_VIEW'],
    });
    await addRule({
      modalities: ['DX'],
      protocol: { pattern: 'abd_1_view', match: 'exact' },
      standardProcedureCode: 'XR-ABDO',
    });
    await addRule({ bodyPart: 'chest, abdomen and pelvis', standardProcedureCode: 'CT-CAP' });
    await addRule({ procedureCode: 'cchapc', standardProcedureCode: 'CT-CAP' });
    await mapStudies(db);
    expect(await mapped(byProtocol)).to.equal('XR-ABDO');
    expect(await mapped(byRegion)).to.equal('CT-CAP');
    expect(await mapped(byCode)).to.equal('CT-CAP');
    expect(await mapped(otherModality)).to.equal(null);
  });

  it('keeps an excluded study unmapped but off the unmapped list; lists the rest biggest first, per trust', async () => {
    await db.query({ text: 'DELETE FROM irradiation_events' });
    // A re-map recomputes the dose metrics of the studies it re-mapped: those rows go first.
    await db.query({ text: 'DELETE FROM study_drl_comparisons' });
    await db.query({ text: 'DELETE FROM study_dose_metrics' });
    await db.query({ text: 'DELETE FROM studies' });
    for (let i = 0; i < 3; i += 1) await addStudy({ trust: 'RAA', description: 'CT Mystery' });
    await addStudy({ trust: 'RAA', description: 'CT Other' });
    await addStudy({ trust: 'RBB', description: 'CT Mystery' });
    const qa = await addStudy({ trust: 'RAA', description: 'Physics QA' });
    await addRule({ description: { pattern: 'physics', match: 'regex' }, standardProcedureCode: null });
    await remapHistory(db, transaction);
    expect(await mapped(qa)).to.equal(null);
    const trustA = (await db.query<{ trust_id: number }>({ text: `SELECT trust_id FROM trusts WHERE code = 'RAA'` }))
      .rows[0]!.trust_id;
    const list = await unmappedDescriptions(db, { trustIds: [trustA], limit: 10 }, 'Europe/London');
    expect(list.items.map((i) => [i.trustCode, i.description, i.studies])).to.deep.equal([
      ['RAA', 'CT Mystery', 3],
      ['RAA', 'CT Other', 1],
    ]);
    expect([list.totalStudies, list.totalDescriptions]).to.deep.equal([4, 2]);
    const first = await unmappedDescriptions(db, { trustIds: [trustA], limit: 1 }, 'Europe/London');
    expect([first.items.length, first.totalStudies]).to.deep.equal([1, 4]);
  });

  it('refuses a regex PostgreSQL cannot compile, naming the field, and a trust the editor is not in', async () => {
    const bad = createRule(transaction, editor, rule({ description: { pattern: 'ct (head', match: 'regex' } }));
    await expectRejection(bad, ValidationError, /description\.pattern/);
    const foreign = createRule(
      transaction,
      { ...editor, trustCodes: ['RBB'] },
      rule({ trustCode: 'RAA', description: { pattern: 'x', match: 'exact' } }),
    );
    await expectRejection(foreign, Error, /own trusts/);
  });

  it('tests a description against the rules: the deciding rule, its procedure and the shadowed ones', async () => {
    await addRule({
      modalities: ['CT'],
      description: { pattern: 'head', match: 'regex' },
      standardProcedureCode: 'CT-HEAD',
    });
    await addRule({ description: { pattern: 'ct head', match: 'exact' }, standardProcedureCode: 'CT-PERF' });
    const probe = { trustId: null, procedureCode: null, protocols: [], bodyParts: [] };
    const hit = await probeRules(db, { ...probe, modality: 'CT', description: 'CT Head' });
    expect(hit.standardProcedure?.name).to.equal('CT Head');
    expect(hit.alsoMatching.map((r) => r.standardProcedureCode)).to.deep.equal(['CT-PERF']);
    const miss = await probeRules(db, { ...probe, modality: 'MG', description: 'Mammo' });
    expect([miss.rule, miss.standardProcedure]).to.deep.equal([null, null]);
  });
});

async function expectRejection(promise: Promise<unknown>, type: new (...args: never[]) => Error, message: RegExp) {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(type);
    expect((error as Error).message).to.match(message);
    return;
  }
  expect.fail('expected a rejection');
}
