import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { safeReason } from '../../ingest/index.ts';
import { buildCtRdsr } from '../support/fixtures/xray-rdsr.ts';
import { quarantineStoredObject } from '../support/quarantine.ts';
import { addUser, pageCsrfToken, signInCookie, startWebHarness, type WebHarness } from '../support/web.ts';

describe('quarantine page: scoped, safe reasons, retry for administrators only', function () {
  this.timeout(60000);
  let web: WebHarness;
  let url: string;
  let dataDir: string;
  let ours: number;
  let theirs: number;
  const cookies: Record<string, string> = {};

  const open = async (who: string, pagePath = '/quarantine') => {
    const response = await fetch(`${url}${pagePath}`, { headers: { cookie: cookies[who]! }, redirect: 'manual' });
    return { status: response.status, html: await response.text() };
  };
  const post = async (who: string, action: string) =>
    fetch(`${url}${action}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookies[who]!, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: await pageCsrfToken(url, cookies[who]!) }).toString(),
    });
  const isOpen = async (id: number) =>
    (await web.database.pool.query(`SELECT 1 FROM quarantine WHERE quarantine_id = $1 AND resolved_at IS NULL`, [id]))
      .rowCount === 1;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'kerma-quarantine-'));
    web = await startWebHarness({ KERMA_DATA_DIR: dataDir });
    url = web.kerma.url;
    await web.database.pool.query(
      `INSERT INTO trusts (code, name) VALUES ('RNH', 'Riverside NHS Trust'), ('SNH', 'Seaview NHS Trust')`,
    );
    ours = await quarantineStoredObject(web, dataDir, {
      bytes: buildCtRdsr(),
      trustCode: 'RNH',
      sender: 'RNH_PACS',
      reason: 'cannot read /var/lib/kerma/objects/ab/abcdef0123 for patient 943 476 5919 at (0040,A730)[2]',
    });
    theirs = await quarantineStoredObject(web, dataDir, {
      bytes: buildCtRdsr(),
      trustCode: 'SNH',
      sender: 'SEAVIEW_SECRET_AE',
      reason: 'truncated',
    });
    await addUser(web, 'ada.admin', { roles: ['admin'], trusts: ['RNH'] });
    await addUser(web, 'phil.physicist', { roles: ['physicist'], trusts: ['RNH'] });
    await addUser(web, 'rita.radiographer', { roles: ['radiographer'], trusts: ['RNH'] });
    for (const name of Object.keys({ 'ada.admin': 0, 'phil.physicist': 0, 'rita.radiographer': 0 })) {
      cookies[name] = await signInCookie(url, name);
    }
  });
  after(async () => {
    if (web) await web.stop();
  });

  it('masks paths and NHS-number shapes in a reason but keeps tags and UIDs', () => {
    expect(safeReason('cannot read /data/objects/ab/abc: ENOENT')).to.equal('cannot read [path]: ENOENT');
    expect(safeReason('C:\\import\\x.dcm bad, \\\\server\\share\\y')).to.equal('[path] bad, [path]');
    expect(safeReason('DAP in Gy/m2 at 1/2')).to.equal('DAP in Gy/m2 at 1/2');
    expect(safeReason('NHS 9434765919 and 943-476-5919')).to.equal('NHS [number] and [number]');
    expect(safeReason('UID 1.2.826.0.1.3680043.9434765919 at (0040,A730)[3]')).to.equal(
      'UID 1.2.826.0.1.3680043.9434765919 at (0040,A730)[3]',
    );
  });

  it("shows a physicist their trusts' entries read-only, with the reason made safe and the sender as stored", async () => {
    const { status, html } = await open('phil.physicist');
    expect(status).to.equal(200);
    expect(html).to.include('RNH_PACS');
    expect(html).to.include('STOW-RS');
    expect(html).to.include('cannot read [path] for patient [number] at (0040,A730)[2]');
    expect(html).to.not.include('/var/lib/kerma');
    expect(html).to.not.include('943 476 5919');
    expect(html).to.not.include('objects/');
    expect(html).to.not.include('SEAVIEW_SECRET_AE');
    expect(html).to.not.include('Retry');
    expect((await post('phil.physicist', `/quarantine/${ours}/retry`)).status).to.equal(403);
    expect((await post('phil.physicist', '/quarantine/retry')).status).to.equal(403);
    expect(await isOpen(ours)).to.equal(true);
  });

  it('is not a radiographer page', async () => {
    expect((await open('rita.radiographer')).status).to.equal(403);
  });

  it("refuses an administrator's retry without the CSRF token, and of another trust's entry (404)", async () => {
    const forged = await fetch(`${url}/quarantine/${ours}/retry`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookies['ada.admin']!, 'content-type': 'application/x-www-form-urlencoded' },
      body: '_csrf=forged',
    });
    expect(forged.status).to.equal(403);
    expect((await post('ada.admin', `/quarantine/${theirs}/retry`)).status).to.equal(404);
    expect((await post('ada.admin', '/quarantine/abc/retry')).status).to.equal(400);
    expect(await isOpen(theirs)).to.equal(true);
  });

  it("retries all of the administrator's trusts only, and audits each retry", async () => {
    const response = await post('ada.admin', '/quarantine/retry');
    expect(response.status).to.equal(303);
    expect(response.headers.get('location')).to.equal('/quarantine?retried=1&resolved=1');
    expect(await isOpen(ours)).to.equal(false);
    expect(await isOpen(theirs)).to.equal(true);
    const { rows } = await web.database.pool.query(
      `SELECT actor_name, trust_code, subject_kind, subject_key, detail FROM audit_log WHERE action = 'quarantine.retry'`,
    );
    expect(rows).to.deep.equal([
      {
        actor_name: 'ada.admin',
        trust_code: 'RNH',
        subject_kind: 'quarantine',
        subject_key: String(ours),
        detail: { before: { reasonCode: 'malformed', retryCount: 0 }, after: { outcome: 'stored', resolved: true } },
      },
    ]);
    const { html } = await open('ada.admin', response.headers.get('location')!);
    expect(html).to.include('Retried 1: 1 now stored, 0 still in quarantine.');
    expect(html).to.include('The quarantine is empty.');
  });
});
