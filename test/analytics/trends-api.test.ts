import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { addUser, signInCookie, startWebHarness, type WebHarness } from '../support/web.ts';
import { FIXTURE, loadTrendFixture, type TrendFixture } from './support/trend-fixture.ts';

interface Point {
  periodStart: string;
  n: number;
  p25: number;
  median: number;
  p75: number;
}
interface Series {
  room?: { deviceId: number; name: string; trustCode: string };
  standardProcedure?: { code: string | null; name: string | null };
  trustCode?: string;
  drl: { value: number; quantity: string; edition: string } | null;
  points: Point[];
}

describe('dose trends, step changes and workload APIs', function () {
  this.timeout(60000);
  let web: WebHarness;
  let fixture: TrendFixture;
  let both: string;
  let onlyB: string;
  let radiographer: string;

  before(async () => {
    web = await startWebHarness();
    fixture = await loadTrendFixture(web.database.pool);
    await addUser(web, 'phil', { roles: ['physicist'], trusts: ['TA', 'TB'] });
    await addUser(web, 'bea', { roles: ['physicist'], trusts: ['TB'] });
    await addUser(web, 'rad', { roles: ['radiographer'], trusts: ['TA', 'TB'] });
    both = await signInCookie(web.kerma.url, 'phil');
    onlyB = await signInCookie(web.kerma.url, 'bea');
    radiographer = await signInCookie(web.kerma.url, 'rad');
  });
  after(async () => {
    if (web) await web.stop();
  });

  const get = (path: string, cookie: string) => fetch(`${web.kerma.url}${path}`, { headers: { cookie } });
  async function json<T>(path: string, cookie = both): Promise<T> {
    const response = await get(path, cookie);
    expect(response.status, await response.clone().text()).to.equal(200);
    return (await response.json()) as T;
  }

  it('gives each room and procedure its weekly median and quartiles, computed as by hand', async () => {
    const body = await json<{ series: Series[]; unit: string; from: string; to: string }>(
      '/api/v1/analytics/trends?from=2024-01-01&to=2024-06-30&modality=CT',
    );
    expect(body.unit).to.equal('mGy·cm');
    const a = body.series.find((s) => s.room?.deviceId === fixture.roomA)!;
    expect(a.room).to.deep.equal({ deviceId: fixture.roomA, name: 'CT A', trustCode: 'TA' });
    expect(a.standardProcedure).to.deep.equal({ code: 'CT-HEAD', name: 'CT Head' });
    // 8-14 January: seven days of 480, 600 and 720. Type 7 quartiles of 21 values: 6th, 11th, 16th.
    expect(a.points.find((p) => p.periodStart === '2024-01-08')).to.deep.equal({
      periodStart: '2024-01-08',
      n: 21,
      p25: 480,
      median: 600,
      p75: 720,
    });
    // The phantom exposure of 2 January counts nowhere: seven days of three exams, not 22 values.
    expect(a.points[0]).to.include({ periodStart: '2024-01-01', n: 21, median: 600 });
    expect(a.points.find((p) => p.periodStart === '2024-04-08')).to.include({ median: 432, p25: 345.6 });
    expect(a.drl).to.include({ value: FIXTURE.drlDlpMgyCm, quantity: 'dlp_mgycm', edition: '2024-11-20' });
  });

  it('gives monthly medians, per trust when asked', async () => {
    const body = await json<{ series: Series[] }>(
      '/api/v1/analytics/trends?from=2024-01-01&to=2024-06-30&period=month&groupBy=trust',
    );
    expect(body.series.map((s) => s.trustCode)).to.deep.equal(['TA', 'TB']);
    const a = body.series[0]!;
    expect(a.points.map((p) => p.periodStart)).to.deep.equal([
      '2024-01-01',
      '2024-02-01',
      '2024-03-01',
      '2024-04-01',
      '2024-05-01',
      '2024-06-01',
    ]);
    expect(a.points[1]).to.deep.include({ n: 87, median: 600 });
    expect(a.drl).to.equal(null); // not grouped by procedure: no single DRL applies
  });

  it('measures CTDIvol per sequence (irradiation event), as its NDRL is set', async () => {
    const body = await json<{ series: Series[] }>(
      `/api/v1/analytics/trends?from=2024-01-01&to=2024-01-31&quantity=ctdivol_mgy&device=${fixture.roomB}`,
    );
    expect(body.series).to.have.length(1);
    expect(body.series[0]!.points[1]).to.deep.equal({ periodStart: '2024-01-08', n: 21, p25: 10, median: 20, p75: 30 });
    expect(body.series[0]!.drl).to.include({ value: 47 });
  });

  it("shows only the caller's trusts", async () => {
    const body = await json<{ series: Series[] }>('/api/v1/analytics/trends?from=2024-01-01&to=2024-06-30', onlyB);
    expect(body.series.map((s) => s.room?.name)).to.deep.equal(['CT B']);
    const steps = await json<{ changes: unknown[] }>(
      '/api/v1/analytics/step-changes?from=2024-01-01&to=2024-06-30',
      onlyB,
    );
    expect(steps.changes).to.deep.equal([]);
    const work = await json<{ rows: Array<{ trustCode: string }> }>(
      '/api/v1/analytics/workload?from=2024-01-01&to=2024-01-31',
      onlyB,
    );
    expect(new Set(work.rows.map((r) => r.trustCode))).to.deep.equal(new Set(['TB']));
  });

  it("finds the step in room A's dose with its date and size, and none in room B", async () => {
    const body = await json<{
      changes: Array<Record<string, unknown> & { room: { name: string } }>;
      method: { alpha: number };
    }>('/api/v1/analytics/step-changes?from=2024-01-01&to=2024-06-30');
    expect(body.changes).to.have.length(1);
    const change = body.changes[0]!;
    expect(change.room.name).to.equal('CT A');
    expect(change).to.include({
      changeDate: FIXTURE.changeDate,
      medianBefore: FIXTURE.before,
      medianAfter: FIXTURE.after,
      daysBefore: 91,
      daysAfter: 91,
      examsBefore: 273,
      examsAfter: 273,
    });
    expect(change.ratio).to.be.closeTo(0.72, 1e-9);
    expect(change.pValue).to.be.below(body.method.alpha);
    expect(change.explanation).to.match(/fell from 600 to 432 mGy·cm \(×0\.72\) from 2024-04-01/);
  });

  it('counts exams per room per day', async () => {
    const body = await json<{ rows: Array<{ day: string; room: string; exams: number; deviceId: number }> }>(
      '/api/v1/analytics/workload?from=2024-01-02&to=2024-01-03',
    );
    expect(body.rows).to.deep.equal([
      { day: '2024-01-02', trustCode: 'TA', deviceId: fixture.roomA, room: 'CT A', exams: 3 },
      { day: '2024-01-02', trustCode: 'TB', deviceId: fixture.roomB, room: 'CT B', exams: 1 },
      { day: '2024-01-03', trustCode: 'TA', deviceId: fixture.roomA, room: 'CT A', exams: 3 },
      { day: '2024-01-03', trustCode: 'TB', deviceId: fixture.roomB, room: 'CT B', exams: 1 },
    ]);
  });

  it('exports CSV, and records the export in the audit log', async () => {
    const response = await get('/api/v1/analytics/trends?from=2024-01-01&to=2024-01-31&format=csv', both);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/csv/);
    const rows = parse<Record<string, string>>(await response.text(), { columns: true });
    const row = rows.find((r) => r.room === 'CT A' && r.period_start === '2024-01-08')!;
    expect(row).to.include({
      trust: 'TA',
      standard_procedure_code: 'CT-HEAD',
      n: '21',
      median: '600',
      national_drl: '790',
    });
    for (const path of ['step-changes', 'workload']) {
      const other = await get(`/api/v1/analytics/${path}?from=2024-01-01&to=2024-06-30&format=csv`, both);
      expect(other.status).to.equal(200);
      expect(await other.text()).to.match(path === 'workload' ? /^day,trust,device_id,room,exams/ : /change_date/);
    }
    const { rows: audit } = await web.database.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'analytics.export' AND actor_name = 'phil'`,
    );
    expect(audit[0]!.n).to.equal(3);
  });

  it('refuses bad parameters with a 400 naming them, and roles without access with a 403', async () => {
    for (const [query, field] of [
      ['quantity=dose', 'quantity'],
      ['period=day', 'period'],
      ['groupBy=patient', 'groupBy'],
      ['sort=dlp', 'sort'],
      ['from=2024-02-30', 'from'],
      ['colour=red', 'colour'],
    ] as const) {
      const response = await get(`/api/v1/analytics/trends?${query}`, both);
      const text = await response.text();
      expect(response.status, `${query}: ${text}`).to.equal(400);
      expect(response.headers.get('content-type'), query).to.match(/^application\/json/);
      expect(text, query).to.include(field);
    }
    expect((await get('/api/v1/analytics/trends', radiographer)).status).to.equal(403);
    expect((await fetch(`${web.kerma.url}/api/v1/analytics/workload`)).status).to.equal(401);
  });
});
