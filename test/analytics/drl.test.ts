import { expect } from 'chai';
import { queryRunner } from '../../app/db/pool.ts';
import {
  computeLocalDrls,
  drlCompliance,
  examsAboveNationalDrlThisWeek,
  localDrlReport,
  recomputeDoseMetrics,
  roomsAboveNationalDrl,
  DEFAULT_WEIGHT_BAND,
} from '../../analytics/index.ts';
import type { QueryRunner } from '../../core/index.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';
import { loadReferenceFixture, type ReferenceFixture } from './support/reference-fixture.ts';
import { addDevice, addProcedure, addStudy, addTrust, HEAD_PHANTOM } from './support/studies.ts';

/**
 * Local DRLs computed by hand. Head CT (NDRL: DLP 790 mGy·cm, CTDIvol 47 mGy), minimum sample 3,
 * typical patients 50–90 kg where the weight is known. Quartiles by linear interpolation between
 * order statistics: for n sorted values the p-quantile sits at position (n − 1)·p (0-based).
 *   Room A (RX1): DLP 400, 500, 600, 700        → median 550; Q1 at 0.75 → 475; Q3 at 2.25 → 625
 *                 (a 120 kg patient's 5000, a phantom's 9000 and a study outside the period: excluded)
 *   Room B (RX1): DLP 300, 350, 1000            → median 350
 *   Room C (RX2): DLP 700, 800, 850, 900, 950   → median 850 > 790: a finding
 *   Room D (RX2): DLP 200, 250                  → 2 < 3: below the minimum, not in the quartile
 *   Consortium local DRL = Q3 of [350, 550, 850]: position 1.5 → 550 + 0.5 × 300 = 700 mGy·cm
 *   RX1's view (rooms A, B): Q3 of [350, 550]: position 0.75 → 350 + 0.75 × 200 = 500 mGy·cm
 *   CTDIvol per sequence, room A: sequences 40 and 30 (one exam), 45, 50, 55 → median of
 *   [30, 40, 45, 50, 55] = 45 mGy over 5 sequences of 4 exams.
 */
describe('local DRLs and DRL compliance: medians and third quartiles by hand', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let db: QueryRunner;
  let refs: ReferenceFixture;
  const trusts: Record<string, number> = {};
  const rooms: Record<string, number> = {};
  const settings = {
    from: '2026-01-01',
    to: '2026-03-31',
    timeZone: 'Europe/London',
    minSample: 3,
    weightBand: DEFAULT_WEIGHT_BAND,
    computedBy: 'test',
  };

  before(async () => {
    database = await freshDatabase();
    db = queryRunner(database.pool);
    refs = await loadReferenceFixture(db);
    trusts.RX1 = await addTrust(db, 'RX1');
    trusts.RX2 = await addTrust(db, 'RX2');
    for (const [room, trust] of [
      ['A', 'RX1'],
      ['B', 'RX1'],
      ['C', 'RX2'],
      ['D', 'RX2'],
    ] as const)
      rooms[room] = await addDevice(db, trusts[trust]!, `CT ${room}`);
    await addProcedure(db, {
      code: 'T-CTHEAD',
      name: 'CT Head',
      modality: 'CT',
      bodyRegion: 'HEAD',
      drlCategory: 'ct-head-acute-stroke',
    });
    const exam = (
      room: string,
      dlpMgyCm: number,
      extra: { weightKg?: number | null; sequences?: number[]; notPatient?: boolean; time?: string } = {},
    ) =>
      addStudy(db, {
        trustId: trusts[room === 'A' || room === 'B' ? 'RX1' : 'RX2']!,
        deviceId: rooms[room]!,
        modality: 'CT',
        time: extra.time ?? '2026-02-10T10:00:00Z',
        procedure: 'T-CTHEAD',
        ageYears: 60,
        weightKg: extra.weightKg === undefined ? 70 : extra.weightKg,
        dlpMgyCm,
        notPatient: extra.notPatient ?? false,
        events: (extra.sequences ?? []).map((c) => ({
          kind: 'ct' as const,
          ctdivolMgy: c,
          dlpMgyCm: dlpMgyCm / (extra.sequences?.length ?? 1),
          details: { ctdiwPhantomType: HEAD_PHANTOM },
        })),
      });
    await exam('A', 400, { sequences: [40, 30] });
    await exam('A', 500, { weightKg: null, sequences: [45] });
    await exam('A', 600, { weightKg: 60, sequences: [50] });
    await exam('A', 700, { weightKg: 85, sequences: [55] });
    await exam('A', 5000, { weightKg: 120, sequences: [300] });
    await exam('A', 9000, { notPatient: true, sequences: [400] });
    await exam('A', 8000, { time: '2025-12-31T23:30:00Z', sequences: [500] }); // 31 Dec in London: outside
    for (const dlp of [300, 350, 1000]) await exam('B', dlp);
    for (const dlp of [800, 900, 850, 700, 950]) await exam('C', dlp);
    for (const dlp of [200, 250]) await exam('D', dlp);
    await recomputeDoseMetrics(db);
  });
  after(async () => {
    await database?.drop();
  });

  it('stores a run: each room median, the national comparison, and the consortium third quartile', async () => {
    const summary = await computeLocalDrls(db, settings);
    expect(summary.localDrls).to.equal(2); // DLP and CTDIvol (room A only has sequences)
    const report = await localDrlReport(db, { trustIds: [trusts.RX1!, trusts.RX2!], runId: summary.runId });
    expect(report!.run).to.include({ periodFrom: '2026-01-01', periodTo: '2026-03-31', minSample: 3 });
    const dlp = report!.localDrls.find((l) => l.quantity === 'dlp_mgycm')!;
    expect(dlp).to.include({ rooms: 3, roomsBelowMinimum: 1, localDrl: 700, sampleSize: 14 });
    expect(dlp.nationalDrl?.referenceValueId).to.equal(refs.ndrl.get('ct-head-acute-stroke/dlp_mgycm'));
    const medians = Object.fromEntries(dlp.roomMedians.map((m) => [m.room, m]));
    expect(medians['CT A']).to.include({ median: 550, sampleSize: 4, meetsMinimumSample: true, finding: false });
    expect(medians['CT B']).to.include({ median: 350, sampleSize: 3 });
    expect(medians['CT C']).to.include({ median: 850, aboveNational: true, finding: true });
    expect(medians['CT C']!.ratioToNational).to.be.closeTo(850 / 790, 1e-12);
    expect(medians['CT D']).to.include({ median: 225, meetsMinimumSample: false, finding: false });
    const ctdi = report!.localDrls.find((l) => l.quantity === 'ctdivol_mgy')!;
    expect(ctdi.roomMedians).to.have.length(1);
    expect(ctdi.roomMedians[0]).to.include({ room: 'CT A', median: 45, sampleSize: 5, studies: 4 });
    expect(ctdi).to.include({ localDrl: 45, basis: 'per sequence' });
  });

  it("lists only the caller's rooms; the consortium figure stays whole", async () => {
    const report = await localDrlReport(db, { trustIds: [trusts.RX1!] });
    const dlp = report!.localDrls.find((l) => l.quantity === 'dlp_mgycm')!;
    expect(dlp.localDrl).to.equal(700);
    expect(dlp.roomMedians.map((m) => m.room)).to.deep.equal(['CT A', 'CT B']);
  });

  it("live compliance over the caller's rooms: quartiles of each room, Q3 of the medians shown", async () => {
    const result = await drlCompliance(db, {
      trustIds: [trusts.RX1!],
      conditions: (p) => [
        `s.study_datetime >= ${p.add('2026-01-01T00:00:00Z')}::timestamptz`,
        `s.study_datetime < ${p.add('2026-04-01T00:00:00Z')}::timestamptz`,
      ],
      weightBand: DEFAULT_WEIGHT_BAND,
      minSample: 3,
    });
    expect(result).to.have.length(1);
    const dlp = result[0]!.quantities.find((q) => q.quantity === 'dlp_mgycm')!;
    expect(dlp.roomMediansThirdQuartile).to.equal(500);
    expect(dlp.nationalDrl?.value).to.equal(790);
    const a = dlp.rooms.find((r) => r.room === 'CT A')!;
    expect(a).to.include({
      minimum: 400,
      firstQuartile: 475,
      median: 550,
      thirdQuartile: 625,
      maximum: 700,
      sampleSize: 4,
      aboveNational: false,
      finding: false,
    });
    expect(a.ratioToNational).to.be.closeTo(550 / 790, 1e-12);
    expect(dlp.rooms.map((r) => r.trustCode)).to.deep.equal(['RX1', 'RX1']);
  });

  it('the overview: rooms above the national DRL (latest run) and exams above a DRL this week', async () => {
    expect((await roomsAboveNationalDrl(db, [trusts.RX1!]))!.rooms).to.deep.equal([]);
    const rx2 = await roomsAboveNationalDrl(db, [trusts.RX2!]);
    expect(rx2!.rooms.map((r) => [r.room, r.quantity, r.median])).to.deep.equal([['CT C', 'dlp_mgycm', 850]]);
    const now = new Date().toISOString();
    const high = await addStudy(db, {
      trustId: trusts.RX1!,
      deviceId: rooms.A!,
      modality: 'CT',
      time: now,
      procedure: 'T-CTHEAD',
      ageYears: 50,
      dlpMgyCm: 900,
    });
    const usual = await addStudy(db, {
      trustId: trusts.RX1!,
      deviceId: rooms.A!,
      modality: 'CT',
      time: now,
      procedure: 'T-CTHEAD',
      ageYears: 50,
      dlpMgyCm: 500,
    });
    await recomputeDoseMetrics(db, { studyIds: [high, usual] });
    expect(await examsAboveNationalDrlThisWeek(db, [trusts.RX1!], 'Europe/London')).to.equal(1);
    expect(await examsAboveNationalDrlThisWeek(db, [trusts.RX2!], 'Europe/London')).to.equal(0);
  });
});
