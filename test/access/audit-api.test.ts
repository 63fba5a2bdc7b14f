import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { addUser, signInCookie, startWebHarness, type WebHarness } from '../support/web.ts';

interface Entry {
  auditId: number;
  loggedAt: string;
  actorName: string | null;
  actorKind: string;
  action: string;
  trustCode: string | null;
  subjectKey: string | null;
  requestId: string | null;
}
interface AuditAnswer {
  items: Entry[];
  next: number | null;
  limit: number;
}

const STUDY_A = '1.2.826.0.1.3680043.10.1.1';
const STUDY_B = '1.2.826.0.1.3680043.10.1.2';

describe('audit log API: GET /api/v1/audit and its CSV export', function () {
  this.timeout(60_000);
  let web: WebHarness;
  let base: string;
  const cookies: Record<string, string> = {};

  const get = (path: string, who: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { headers: { cookie: cookies[who]!, ...headers }, redirect: 'manual' });
  const json = async (path: string, who = 'admin'): Promise<AuditAnswer> => {
    const response = await get(path, who);
    expect(response.status, await response.clone().text()).to.equal(200);
    return (await response.json()) as AuditAnswer;
  };
  /** The seeded entries only: reading the log adds audit.view rows of its own. */
  const seeded = (items: Entry[]) => items.filter((e) => e.action.startsWith('study.') || e.action === 'test.mark');

  before(async () => {
    web = await startWebHarness();
    base = web.kerma.url;
    const pool = web.database.pool;
    await pool.query(
      `INSERT INTO trusts (code, name) VALUES ('RNH', 'Riverside NHS Trust'), ('ENH', 'Eastfield NHS Trust')`,
    );
    await addUser(web, 'ada.admin', { roles: ['admin'], trusts: ['DEFAULT'] });
    await addUser(web, 'gil.governance', { roles: ['governance'], trusts: ['RNH'] });
    await addUser(web, 'phil.physicist', { roles: ['physicist'], trusts: ['RNH'] });
    cookies.admin = await signInCookie(base, 'ada.admin');
    cookies.governance = await signInCookie(base, 'gil.governance');
    cookies.physicist = await signInCookie(base, 'phil.physicist');
    // Views of two trusts' studies, on known days in the region's time zone (Europe/London).
    await pool.query(`
      INSERT INTO audit_log (logged_at, actor_kind, actor_id, actor_name, trust_code, action, subject_kind, subject_key,
                             address, request_id, detail)
      VALUES ('2026-03-01T09:00:00Z', 'user', 90, 'rita.radiographer', 'RNH', 'study.view', 'study', '${STUDY_A}',
              '192.0.2.10', 'req-a', '{}'),
             ('2026-03-02T23:30:00Z', 'user', 91, 'erin.radiographer', 'ENH', 'study.view', 'study', '${STUDY_B}',
              '192.0.2.11', 'req-b', '{}'),
             ('2026-03-03T10:00:00Z', 'api-key', 5, 'ris-feed', 'RNH', 'study.export', 'study', '${STUDY_A}',
              '192.0.2.12', '=HYPERLINK("http://evil")', '{"rows": 3}'),
             ('2026-03-04T10:00:00Z', 'system', NULL, NULL, NULL, 'test.mark', NULL, NULL, NULL, NULL, '{}')`);
  });
  after(async () => {
    if (web) await web.stop();
  });

  it('refuses without a session (401) and a role other than admin or governance (403)', async () => {
    expect((await fetch(`${base}/api/v1/audit`)).status).to.equal(401);
    expect((await fetch(`${base}/api/v1/audit.csv`)).status).to.equal(401);
    expect((await get('/api/v1/audit', 'physicist')).status).to.equal(403);
    expect((await get('/api/v1/audit.csv', 'physicist')).status).to.equal(403);
    expect((await get('/audit', 'physicist')).status).to.equal(403);
  });

  it('answers newest first, and keyset pages walk every entry once', async () => {
    const all = await json('/api/v1/audit?limit=500');
    const ids = all.items.map((e) => e.auditId);
    expect(ids).to.deep.equal([...ids].sort((a, b) => b - a));
    expect(seeded(all.items).map((e) => e.action)).to.deep.equal([
      'test.mark',
      'study.export',
      'study.view',
      'study.view',
    ]);
    const walked: number[] = [];
    let next: number | null = null;
    do {
      const page: AuditAnswer = await json(`/api/v1/audit?limit=2&to=2026-03-31${next ? `&before=${next}` : ''}`);
      expect(page.items.length).to.be.at.most(2);
      walked.push(...page.items.map((e) => e.auditId));
      next = page.next;
    } while (next !== null);
    expect(walked).to.deep.equal(seeded(all.items).map((e) => e.auditId));
  });

  it('filters by actor, actor kind, action family, trust, subject and request id', async () => {
    const actions = async (query: string) => seeded((await json(`/api/v1/audit?${query}`)).items).map((e) => e.action);
    expect(await actions('actor=ris-feed')).to.deep.equal(['study.export']);
    expect(await actions('actorKind=system')).to.deep.equal(['test.mark']);
    expect(await actions('action=study')).to.deep.equal(['study.export', 'study.view', 'study.view']);
    expect(await actions('action=study.view&trust=ENH')).to.deep.equal(['study.view']);
    expect(await actions(`subject=${STUDY_A}`)).to.deep.equal(['study.export', 'study.view']);
    expect(await actions('requestId=req-b')).to.deep.equal(['study.view']);
    // "sign-in" names its family: the test's own sign-ins are there.
    const signIns = (await json('/api/v1/audit?action=sign-in')).items.map((e) => e.action);
    expect(signIns).to.include('sign-in.success');
  });

  it('bounds time by the region’s days (to includes its day) or by instants', async () => {
    const actions = async (query: string) => seeded((await json(`/api/v1/audit?${query}`)).items).map((e) => e.action);
    // 23:30 UTC on 2 March is 23:30 in London (GMT): within the day of 2 March.
    expect(await actions('from=2026-03-02&to=2026-03-02')).to.deep.equal(['study.view']);
    expect(await actions('from=2026-03-01T09:00:01Z&to=2026-03-03T10:00:00Z')).to.deep.equal(['study.view']);
    expect(await actions('from=2026-03-03')).to.deep.equal(['test.mark', 'study.export']);
  });

  it('shows a governance lead their trusts’ entries and those of no trust, never another trust’s', async () => {
    const items = seeded((await json('/api/v1/audit?limit=500', 'governance')).items);
    expect(items.map((e) => e.trustCode)).to.deep.equal([null, 'RNH', 'RNH']);
    expect(JSON.stringify(items)).to.not.include(STUDY_B);
    expect(seeded((await json('/api/v1/audit?trust=ENH', 'governance')).items)).to.deep.equal([]);
  });

  it('answers 400 naming the parameter for a bad value, never 500', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['from=2026-02-30', 'from'],
      ['to=yesterday', 'to'],
      ['actorKind=root', 'actorKind'],
      ['before=-1', 'before'],
      ["trust=RNH'%20OR%201=1--", 'trust'],
      ['action=study;DROP%20TABLE%20audit_log', 'action'],
      ['colour=blue', 'colour'],
      ['limit=1&limit=2', 'limit'],
    ] as const) {
      const response = await get(`/api/v1/audit?${query}`, 'admin');
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(response.status, query).to.equal(400);
      expect(body.error.message, query).to.include(`"${field}"`);
    }
    // Hostile text where free text is allowed is only a value: no rows, no error.
    const probe = await json(`/api/v1/audit?actor=${encodeURIComponent("x' OR '1'='1")}`);
    expect(probe.items).to.deep.equal([]);
  });

  it('records each reading of the log, with the reader, the filter and the request id', async () => {
    await get('/api/v1/audit?actor=ris-feed', 'governance', { 'x-request-id': 'audit-read-1' });
    const { rows } = await web.database.pool.query<{ actor_name: string; action: string; detail: { filter: object } }>(
      `SELECT actor_name, action, detail FROM audit_log WHERE request_id = 'audit-read-1'`,
    );
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ actor_name: 'gil.governance', action: 'audit.view' });
    expect(rows[0]!.detail.filter).to.deep.equal({ actor: 'ris-feed' });
  });

  it('exports the filtered entries as CSV, defuses spreadsheet formulas, and records the export', async () => {
    const response = await get('/api/v1/audit.csv?action=study', 'admin', { 'x-request-id': 'audit-export-1' });
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/csv/);
    expect(response.headers.get('content-disposition')).to.match(
      /^attachment; filename="?kerma-audit-[\dTZ-]+\.csv"?$/,
    );
    const records = parse<Record<string, string>>(await response.text(), { columns: true });
    expect(records.map((r) => r.action)).to.deep.equal(['study.export', 'study.view', 'study.view']);
    expect(records[0]).to.include({ actor_name: 'ris-feed', trust: 'RNH', detail_json: '{"rows":3}' });
    expect(records[0]!.request_id).to.equal(`'=HYPERLINK("http://evil")`);
    expect(records[0]!.logged_at_utc).to.equal('2026-03-03T10:00:00.000Z');
    const { rows } = await web.database.pool.query<{ action: string; detail: Record<string, unknown> }>(
      `SELECT action, detail FROM audit_log WHERE request_id = 'audit-export-1'`,
    );
    expect(rows).to.deep.equal([{ action: 'audit.export', detail: { filter: { action: 'study' }, format: 'csv' } }]);
    const viaFormat = await get('/api/v1/audit?format=csv&action=study', 'admin');
    expect(viaFormat.headers.get('content-type')).to.match(/^text\/csv/);
    expect(parse(await viaFormat.text(), { columns: true })).to.have.length(3);
  });

  it('streams a large range across many pages of the log', async () => {
    await web.database.pool.query(`
      INSERT INTO audit_log (logged_at, actor_kind, actor_name, trust_code, action, subject_kind, subject_key)
      SELECT '2025-06-01T00:00:00Z'::timestamptz + n * interval '1 minute', 'user', 'bulk.reader', 'RNH',
             'study.view', 'study', '1.2.3.' || n
        FROM generate_series(1, 4321) AS n`);
    const response = await get('/api/v1/audit.csv?actor=bulk.reader', 'admin');
    const records = parse<Record<string, string>>(await response.text(), { columns: true });
    expect(records).to.have.length(4321);
    expect(new Set(records.map((r) => r.audit_id)).size).to.equal(4321);
    expect(records[0]!.subject_key).to.equal('1.2.3.4321');
    expect(records.at(-1)!.subject_key).to.equal('1.2.3.1');
  });

  it('serves the audit page to governance, records the view, and answers a bad filter with 400 naming it', async () => {
    const march = 'from=2026-03-01&to=2026-03-31&action=study';
    const page = await get(`/audit?${march}`, 'governance', { 'x-request-id': 'audit-page-1' });
    expect(page.status).to.equal(200);
    const html = await page.text();
    expect(html).to.include('<h1>Audit log</h1>').and.include(STUDY_A).and.not.include(STUDY_B);
    expect(html).to.include(`href="/api/v1/audit.csv?${march.replace(/&/g, '&amp;')}"`);
    const { rows } = await web.database.pool.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE request_id = 'audit-page-1'`,
    );
    expect(rows.map((r) => r.action)).to.deep.equal(['audit.view']);
    const bad = await get('/audit?from=2026-13-01', 'governance');
    expect(bad.status).to.equal(400);
    expect(await bad.text()).to.include('&quot;from&quot;');
  });
});
