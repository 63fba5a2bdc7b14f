import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { computeLocalDrls, DEFAULT_WEIGHT_BAND, recomputeDoseMetrics } from '../../analytics/index.ts';
import { queryRunner } from '../../app/db/pool.ts';
import type { QueryRunner } from '../../core/index.ts';
import { buildCtRdsr } from '../support/fixtures/xray-rdsr.ts';
import { addUser, signInCookie, startWebHarness, type WebHarness } from '../support/web.ts';
import { loadReferenceFixture } from '../analytics/support/reference-fixture.ts';
import { addDevice, addProcedure, addStudy, addTrust, HEAD_PHANTOM } from '../analytics/support/studies.ts';

interface Room {
  deviceId: number;
  room: string;
  trustCode: string;
  sampleSize: number;
  studies: number;
  median: number;
  finding: boolean;
  studiesUrl: string;
  studiesApiUrl: string;
}
interface Compliance {
  period: { from: string; to: string };
  procedures: Array<{
    standardProcedureCode: string;
    quantities: Array<{ quantity: string; nationalDrl: { value: number } | null; rooms: Room[] }>;
  }>;
  error?: { code: string; message: string };
}

/**
 * The DRL APIs over HTTP: trust scope, roles, the studies behind each median through the study
 * browser's own API, CSV, the local DRL runs, one study's metrics, and the recompute after ingest.
 */
describe('DRL APIs: compliance, local DRLs, study dose metrics', function () {
  this.timeout(120_000);
  let web: WebHarness;
  let db: QueryRunner;
  let physicist: string;
  let radiographer: string;
  const ids: Record<string, number> = {};

  const get = async (path: string, cookie: string | null = physicist) => {
    const response = await fetch(`${web.kerma.url}${path}`, { headers: cookie ? { cookie } : {} });
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      type,
      body: (type.includes('json') ? await response.json() : await response.text()) as unknown,
    };
  };

  before(async () => {
    web = await startWebHarness();
    db = queryRunner(web.database.pool);
    await loadReferenceFixture(db);
    const rx1 = await addTrust(db, 'RX1');
    const rx2 = await addTrust(db, 'RX2');
    const a = await addDevice(db, rx1, 'CT A');
    const c = await addDevice(db, rx2, 'CT C');
    await addProcedure(db, {
      code: 'T-CTHEAD',
      name: 'CT Head',
      modality: 'CT',
      bodyRegion: 'HEAD',
      drlCategory: 'ct-head-acute-stroke',
    });
    const head = (
      trustId: number,
      deviceId: number,
      dlpMgyCm: number,
      weightKg: number | null,
      time = '2026-02-10T10:00:00Z',
    ) =>
      addStudy(db, {
        trustId,
        deviceId,
        modality: 'CT',
        time,
        procedure: 'T-CTHEAD',
        ageYears: 60,
        weightKg,
        dlpMgyCm,
        events: [{ kind: 'ct', ctdivolMgy: dlpMgyCm / 17, dlpMgyCm, details: { ctdiwPhantomType: HEAD_PHANTOM } }],
      });
    for (const [dlp, weight] of [
      [700, 70],
      [800, null],
      [900, 80],
      [5000, 130], // outside the typical band: not behind the median
    ] as const)
      ids[`a${dlp}`] = await head(rx1, a, dlp, weight);
    ids.outside = await head(rx1, a, 9000, 70, '2025-06-01T10:00:00Z');
    for (const dlp of [1000, 1100, 1200]) ids[`c${dlp}`] = await head(rx2, c, dlp, 70);
    await recomputeDoseMetrics(db);
    await addUser(web, 'ada.physicist', { roles: ['physicist'], trusts: ['RX1'] });
    await addUser(web, 'rita.radiographer', { roles: ['radiographer'], trusts: ['RX1'] });
    physicist = await signInCookie(web.kerma.url, 'ada.physicist');
    radiographer = await signInCookie(web.kerma.url, 'rita.radiographer');
  });
  after(async () => {
    await web?.stop();
  });

  const compliancePath = '/api/v1/analytics/drl-compliance?from=2026-01-01&to=2026-03-31&minSample=3';

  it("answers a physicist with their trusts' rooms only; 401 without credentials, 403 for a radiographer", async () => {
    expect((await get(compliancePath, null)).status).to.equal(401);
    expect((await get(compliancePath, radiographer)).status).to.equal(403);
    const { status, body } = await get(compliancePath);
    expect(status).to.equal(200);
    const report = body as Compliance;
    expect(report.period).to.deep.equal({ from: '2026-01-01', to: '2026-03-31', timeZone: 'Europe/London' });
    const dlp = report.procedures[0]!.quantities.find((q) => q.quantity === 'dlp_mgycm')!;
    expect(dlp.nationalDrl?.value).to.equal(790);
    expect(dlp.rooms.map((r) => [r.room, r.trustCode, r.sampleSize, r.median, r.finding])).to.deep.equal([
      ['CT A', 'RX1', 3, 800, true],
    ]);
  });

  it('links each median to exactly the studies behind it, through the study browser API', async () => {
    const report = (await get(compliancePath)).body as Compliance;
    for (const quantity of report.procedures[0]!.quantities) {
      const room = quantity.rooms[0]!;
      const listed = (await get(room.studiesApiUrl)).body as { items: { studyId: number }[] };
      expect(
        listed.items.map((i) => i.studyId).sort((x, y) => x - y),
        quantity.quantity,
      ).to.deep.equal([ids.a700, ids.a800, ids.a900].sort((x, y) => x! - y!));
      expect(room.studies).to.equal(3);
      expect(room.studiesUrl.startsWith('/studies?')).to.equal(true);
      const page = await get(room.studiesUrl);
      expect(page.status).to.equal(200);
      expect(page.type).to.include('html');
    }
  });

  it('exports CSV with one row per room and quantity; refuses bad parameters naming them', async () => {
    const csv = await get(`${compliancePath}&format=csv`);
    expect(csv.status).to.equal(200);
    expect(csv.type).to.include('text/csv');
    const rows = parse<Record<string, string>>(csv.body as string, { columns: true });
    expect(rows.map((r) => [r.quantity, r.room, r.median, r.nationalDrl, r.finding])).to.deep.equal([
      ['ctdivol_mgy', 'CT A', String(800 / 17), '47', 'true'],
      ['dlp_mgycm', 'CT A', '800', '790', 'true'],
    ]);
    const bad = await get('/api/v1/analytics/drl-compliance?weightBand=heavy');
    expect(bad.status).to.equal(400);
    expect((bad.body as Compliance).error!.message).to.include('weightBand');
    expect((await get('/api/v1/analytics/drl-compliance?sortBy=x')).status).to.equal(400);
    const audited = await db.query<{ n: number }>({
      text: "SELECT count(*)::integer AS n FROM audit_log WHERE action = 'analytics.drl-compliance'",
    });
    expect(audited.rows[0]!.n).to.be.greaterThan(2);
  });

  it('serves the local DRL runs: none yet, then the latest run with the consortium figure', async () => {
    expect((await get('/api/v1/analytics/local-drls')).body).to.deep.equal({ run: null, localDrls: [] });
    expect((await get('/api/v1/analytics/local-drls?run=999')).status).to.equal(404);
    await computeLocalDrls(db, {
      from: '2026-01-01',
      to: '2026-03-31',
      timeZone: 'Europe/London',
      minSample: 3,
      weightBand: DEFAULT_WEIGHT_BAND,
      computedBy: 'test',
    });
    const { body } = await get('/api/v1/analytics/local-drls');
    const report = body as {
      localDrls: Array<{ quantity: string; localDrl: number; roomMedians: { room: string }[] }>;
    };
    const dlp = report.localDrls.find((l) => l.quantity === 'dlp_mgycm')!;
    // Room medians 800 (A) and 1100 (C): Q3 at position 0.75 → 800 + 0.75 × 300 = 1025.
    expect(dlp.localDrl).to.equal(1025);
    expect(dlp.roomMedians.map((m) => m.room)).to.deep.equal(['CT A']);
    const csv = await get('/api/v1/analytics/local-drls?format=csv');
    expect(csv.type).to.include('text/csv');
    expect(parse<Record<string, string>>(csv.body as string, { columns: true }).length).to.equal(2);
  });

  it("gives a study's metrics to its trust only", async () => {
    const own = await get(`/api/v1/studies/${ids.a900}/dose-metrics`, radiographer);
    expect(own.status).to.equal(200);
    const metrics = own.body as {
      effectiveDose: { msv: number; factors: { value: number }[] };
      comparisons: unknown[];
    };
    expect(metrics.effectiveDose.msv).to.be.closeTo(0.0021 * 900, 1e-12);
    expect(metrics.effectiveDose.factors.map((f) => f.value)).to.deep.equal([0.0021]);
    expect(metrics.comparisons).to.have.length(2);
    expect((await get(`/api/v1/studies/${ids.c1000}/dose-metrics`)).status).to.equal(404);
    expect((await get('/api/v1/studies/abc/dose-metrics')).status).to.equal(404);
  });

  it('recomputes the metrics of a study ingest has just stored', async () => {
    const bytes = buildCtRdsr({ events: 2, ctdiVolMgy: 8.2 });
    const outcome = await web.kerma.ingest.ingestObject({
      bytes,
      transport: 'file',
      sender: 'test',
      trustCode: 'DEFAULT',
    });
    if (outcome.status !== 'stored') throw new Error(`not stored: ${outcome.status}`);
    await web.kerma.ingest.drainAnalytics();
    const { rows } = await db.query<{
      ct_phantom: string;
      ctdivol_sequences_mgy: number[];
      effective_dose_missing_reason: string;
    }>({
      text: `SELECT ct_phantom, ctdivol_sequences_mgy, effective_dose_missing_reason FROM study_dose_metrics WHERE study_id = $1`,
      values: [outcome.studyId],
    });
    expect(rows).to.deep.equal([
      { ct_phantom: '32cm', ctdivol_sequences_mgy: [8.2, 8.2], effective_dose_missing_reason: 'unmapped' },
    ]);
  });
});
