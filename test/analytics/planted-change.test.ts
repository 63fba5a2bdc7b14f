import { expect } from 'chai';
import { stepChanges, type StepChange } from '../../analytics/index.ts';
import { buildRegionModel, createExamStream, directLoad } from '../../synthetic/index.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

const DAY_MS = 86_400_000;

/**
 * The synthetic generator plants a protocol change (synthetic/model.ts protocolChange): mid-period,
 * one CT room's head CT dose drops to 0.72×. The detector, run over the whole region, must find it
 * in that room with the right date (within a week) and size, and nowhere else in head CT.
 */
describe('step-change detection finds the protocol change the generator planted', function () {
  this.timeout(180000);
  let db: TestDatabase;
  const model = buildRegionModel({ seed: 11, trusts: 1, years: 1, exams: 20000, start: '2024-01-01' });

  before(async () => {
    db = await freshDatabase();
    await directLoad(model, createExamStream(model), {
      pool: db.pool,
      patientIdSecret: 'planted-change-secret-0000000000',
    });
    // The head CTs under the default standard procedure CT-HEAD (migration 0017), whatever the
    // loader's own mapping did.
    await db.pool.query(`UPDATE studies SET standard_procedure_code = 'CT-HEAD' WHERE study_description = 'CT Head'`);
    await db.pool.query('ANALYZE');
  });
  after(async () => {
    if (db) await db.drop();
  });

  it('reports one step in head CT DLP: the changed room, at the change date, about 0.72×', async () => {
    const { rows: trusts } = await db.pool.query<{ trust_id: string }>('SELECT trust_id FROM trusts');
    const changes: StepChange[] = await stepChanges(
      db.pool,
      {
        trustIds: trusts.map((t) => Number(t.trust_id)),
        fromDate: '2024-01-01',
        toDate: '2024-12-31',
        timeZone: 'Europe/London',
        standardProcedure: 'CT-HEAD',
      },
      { quantity: 'dlp_mgycm', groupBy: ['room', 'standardProcedure'] },
    );
    const planted = model.protocolChange;
    const room = model.rooms[planted.roomIndex]!;
    const { rows: devices } = await db.pool.query<{ device_id: string }>(
      'SELECT device_id FROM devices WHERE station_name = $1',
      [room.stationName],
    );
    const deviceId = Number(devices[0]!.device_id);
    expect(
      changes.map((c) => c.room?.deviceId),
      JSON.stringify(changes.map((c) => c.explanation)),
    ).to.deep.equal([deviceId]);
    const change = changes[0]!;
    console.log(`      ${change.explanation}`);
    const days = Math.abs(Date.parse(`${change.changeDate}T12:00:00Z`) - planted.atUtcMs) / DAY_MS;
    expect(days, `${change.changeDate} against ${new Date(planted.atUtcMs).toISOString()}`).to.be.at.most(7);
    expect(change.ratio).to.be.within(planted.doseFactor - 0.08, planted.doseFactor + 0.08);
    expect(change.examsBefore + change.examsAfter).to.be.greaterThan(100);
  });
});
