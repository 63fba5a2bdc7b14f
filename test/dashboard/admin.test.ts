import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { authenticateApiKey, findCredentials, verifyPassword } from '../../access/index.ts';
import { queryRunner } from '../../app/db/pool.ts';
import { PAGES } from '../../dashboard/index.ts';
import { dcmtk, requirePrerequisite } from '../support/prerequisites.ts';
import { addUser, pageCsrfToken, signInCookie, startWebHarness, type WebHarness } from '../support/web.ts';

interface AuditRow {
  actor_kind: string;
  actor_name: string;
  action: string;
  subject_kind: string;
  subject_key: string;
  trust_code: string | null;
  address: string | null;
  request_id: string | null;
  detail: Record<string, unknown>;
}

const ADMIN_GETS = ['/admin', '/admin/users', '/admin/api-keys', '/admin/trusts', '/admin/dicom-callers'];
const ADMIN_POSTS = [
  '/admin/users',
  '/admin/users/someone/disable',
  '/admin/users/someone/reset-password',
  '/admin/api-keys',
  '/admin/api-keys/some-key/revoke',
  '/admin/dicom-callers',
  '/admin/dicom-callers/SOME_AE/remove',
];

/** The one-time secret a page shows after a create or reset. */
const oneTimeSecret = (html: string): string | undefined =>
  /<code class="one-time-secret">([^<]+)<\/code>/.exec(html)?.[1];

describe('administration pages', function () {
  this.timeout(60000);
  let web: WebHarness;
  let admin: string;
  let base: string;

  /** Posts a form as the signed-in admin, with the CSRF token of `from`. */
  const post = async (path: string, fields: Record<string, string | string[]>, from = path) => {
    const body = new URLSearchParams({ _csrf: await pageCsrfToken(base, admin, from) });
    for (const [name, value] of Object.entries(fields)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    }
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    return { status: response.status, html: await response.text() };
  };
  const lastAudit = async (action: string): Promise<AuditRow> => {
    const { rows } = await web.database.pool.query<AuditRow>(
      'SELECT * FROM audit_log WHERE action = $1 ORDER BY audit_id DESC LIMIT 1',
      [action],
    );
    expect(rows, `an audit entry ${action}`).to.have.length(1);
    return rows[0]!;
  };

  before(async () => {
    // The DICOM listener runs so the calling AE title edits can be checked against a real association.
    web = await startWebHarness({ KERMA_DICOM_ENABLED: 'true', KERMA_DICOM_PORT: '0', KERMA_DICOM_HOST: '127.0.0.1' });
    base = web.kerma.url;
    await web.database.pool.query(`INSERT INTO trusts (code, name) VALUES ('RXA', 'Trust A'), ('RXB', 'Trust B')`);
    await addUser(web, 'root.admin', { roles: ['admin'] });
    await addUser(web, 'phys.one', { roles: ['physicist', 'governance'], trusts: ['RXA'] });
    admin = await signInCookie(base, 'root.admin');
  });
  after(async () => {
    if (web) await web.stop();
  });

  it('lists every admin page in PAGES for the admin role only', () => {
    const adminPages = Object.values(PAGES).filter((p) => p.path.startsWith('/admin'));
    expect(adminPages.map((p) => p.path).sort()).to.deep.equal([...ADMIN_GETS].sort());
    for (const page of adminPages) expect(page.roles).to.deep.equal(['admin']);
  });

  it('refuses every admin page and form to a signed-in non-admin with a 403 page', async () => {
    const physicist = await signInCookie(base, 'phys.one');
    const token = await pageCsrfToken(base, physicist);
    for (const path of ADMIN_GETS) {
      const response = await fetch(`${base}${path}`, { headers: { cookie: physicist }, redirect: 'manual' });
      expect(response.status, path).to.equal(403);
      expect(await response.text()).to.include('Not allowed');
    }
    for (const path of ADMIN_POSTS) {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { cookie: physicist, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: token, name: 'x', binding: 'RXA', scopes: 'read' }).toString(),
      });
      expect(response.status, path).to.equal(403);
    }
    const nav = await (await fetch(`${base}/`, { headers: { cookie: physicist } })).text();
    expect(nav).to.not.include('href="/admin"');
  });

  it('shows the admin the Administration menu entry and every section', async () => {
    expect(await (await fetch(`${base}/`, { headers: { cookie: admin } })).text()).to.include('href="/admin"');
    for (const path of ADMIN_GETS.slice(1)) {
      const response = await fetch(`${base}${path}`, { headers: { cookie: admin } });
      expect(response.status, path).to.equal(200);
    }
  });

  it('refuses a form without the CSRF token (403) and changes nothing', async () => {
    const response = await fetch(`${base}/admin/api-keys`, {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=forged&binding=RXA&scopes=read',
    });
    expect(response.status).to.equal(403);
    const { rows } = await web.database.pool.query(`SELECT 1 FROM api_keys WHERE name = 'forged'`);
    expect(rows).to.deep.equal([]);
  });

  it('creates a user with roles and trusts, showing the password once, and audits it without the password', async () => {
    const { status, html } = await post('/admin/users', {
      name: 'Rita.Radiographer',
      roles: ['radiographer'],
      trusts: ['RXA', 'RXB'],
    });
    expect(status).to.equal(200);
    const password = oneTimeSecret(html)!;
    expect(password).to.have.length(20);
    const credentials = await findCredentials(queryRunner(web.database.pool), 'rita.radiographer');
    expect(await verifyPassword(credentials!.passwordHash, password)).to.equal(true);
    expect(oneTimeSecret(await (await fetch(`${base}/admin/users`, { headers: { cookie: admin } })).text())).to.equal(
      undefined,
    );
    const audit = await lastAudit('user.add');
    expect(audit).to.deep.include({ actor_kind: 'user', actor_name: 'root.admin', subject_key: 'rita.radiographer' });
    expect(audit.detail).to.deep.equal({
      after: { roles: ['radiographer'], trustCodes: ['RXA', 'RXB'], disabled: false },
    });
    expect(audit.request_id).to.be.a('string');
    expect(audit.address).to.be.a('string');
    expect(JSON.stringify(audit)).to.not.include(password);
  });

  it('refuses a taken name or an empty role list on the page, keeping what was typed', async () => {
    const taken = await post('/admin/users', { name: 'rita.radiographer', roles: ['physicist'], trusts: ['RXA'] });
    expect(taken.status).to.equal(409);
    expect(taken.html).to.include('already exists');
    const noRole = await post('/admin/users', { name: 'nobody.yet', trusts: ['RXA'] });
    expect(noRole.status).to.equal(400);
    expect(noRole.html).to.include('value="nobody.yet"');
  });

  it('resets a password (shown once) and disables a user, auditing both; not for the admin’s own account', async () => {
    const reset = await post('/admin/users/rita.radiographer/reset-password', {}, '/admin/users');
    const password = oneTimeSecret(reset.html)!;
    const credentials = await findCredentials(queryRunner(web.database.pool), 'rita.radiographer');
    expect(await verifyPassword(credentials!.passwordHash, password)).to.equal(true);
    expect((await lastAudit('user.reset-password')).subject_key).to.equal('rita.radiographer');

    expect((await post('/admin/users/rita.radiographer/disable', {}, '/admin/users')).status).to.equal(200);
    expect((await findCredentials(queryRunner(web.database.pool), 'rita.radiographer'))?.disabled).to.equal(true);
    expect((await lastAudit('user.disable')).detail).to.deep.equal({
      before: { disabled: false },
      after: { disabled: true },
    });

    const self = await post('/admin/users/root.admin/disable', {}, '/admin/users');
    expect(self.status).to.equal(400);
    expect((await findCredentials(queryRunner(web.database.pool), 'root.admin'))?.disabled).to.equal(false);
    // Resetting one's own password here would end this session: the Change password page is for that.
    expect((await post('/admin/users/root.admin/reset-password', {}, '/admin/users')).status).to.equal(400);
    expect((await fetch(`${base}/admin/users`, { headers: { cookie: admin } })).status).to.equal(200);
  });

  it('creates an API key with scopes for a trust or the consortium, showing it once, and revokes it', async () => {
    const created = await post('/admin/api-keys', { name: 'rxa-pacs', binding: 'RXA', scopes: ['ingest', 'read'] });
    const key = oneTimeSecret(created.html)!;
    const db = queryRunner(web.database.pool);
    expect(await authenticateApiKey(db, key)).to.deep.include({ trustCode: 'RXA', scopes: ['ingest', 'read'] });
    const listing = await (await fetch(`${base}/admin/api-keys`, { headers: { cookie: admin } })).text();
    expect(listing).to.include('rxa-pacs').and.not.include(key);
    const audit = await lastAudit('api-key.create');
    expect(audit).to.deep.include({ subject_key: 'rxa-pacs', trust_code: 'RXA' });
    expect(audit.detail).to.deep.equal({ after: { trustCode: 'RXA', consortium: false, scopes: ['ingest', 'read'] } });
    expect(JSON.stringify(audit)).to.not.include(key);

    const regional = await post('/admin/api-keys', { name: 'region-engine', binding: 'consortium', scopes: 'orders' });
    expect(await authenticateApiKey(db, oneTimeSecret(regional.html)!)).to.deep.include({
      trustCode: null,
      scopes: ['orders'],
    });
    expect((await post('/admin/api-keys', { name: 'no-scope', binding: 'RXA' })).status).to.equal(400);

    expect((await post('/admin/api-keys/rxa-pacs/revoke', {}, '/admin/api-keys')).status).to.equal(200);
    expect(await authenticateApiKey(db, key)).to.equal(undefined);
    expect((await lastAudit('api-key.revoke')).detail).to.deep.equal({
      before: { revokedAt: null },
      after: { revoked: true },
    });
  });

  it('lists the trusts with their time zones and calling AE titles', async () => {
    const html = await (await fetch(`${base}/admin/trusts`, { headers: { cookie: admin } })).text();
    for (const text of ['RXA', 'Trust B', 'DEFAULT']) expect(html).to.include(text);
  });

  describe('DICOM calling AE titles', () => {
    const echo = (callingAeTitle: string): Promise<boolean> =>
      new Promise((resolve, reject) => {
        const child = spawn('echoscu', [
          '-aet',
          callingAeTitle,
          '-aec',
          'KERMA',
          '127.0.0.1',
          String(web.kerma.dicomPort),
        ]);
        child.on('error', reject);
        child.on('close', (code) => resolve(code === 0));
      });

    it('maps a caller to a trust, refuses it for a second trust, and removes it, auditing each change', async () => {
      const added = await post('/admin/dicom-callers', { aeTitle: ' CT_ROOM_1 ', trustCode: 'RXA' });
      expect(added.status).to.equal(200);
      expect(added.html).to.include('CT_ROOM_1 now sends for RXA');
      expect((await lastAudit('dicom-caller.add')).detail).to.deep.equal({
        before: null,
        after: { aeTitle: 'CT_ROOM_1', trustCode: 'RXA' },
      });
      const clash = await post('/admin/dicom-callers', { aeTitle: 'CT_ROOM_1', trustCode: 'RXB' });
      expect(clash.status).to.equal(409);
      expect(clash.html).to.include('already mapped to trust RXA');
      expect((await post('/admin/dicom-callers', { aeTitle: 'BAD\\AE', trustCode: 'RXB' })).status).to.equal(400);
      const trusts = await (await fetch(`${base}/admin/trusts`, { headers: { cookie: admin } })).text();
      expect(trusts).to.include('CT_ROOM_1');

      expect((await post('/admin/dicom-callers/CT_ROOM_1/remove', {}, '/admin/dicom-callers')).status).to.equal(200);
      expect((await lastAudit('dicom-caller.remove')).detail).to.deep.equal({
        before: { aeTitle: 'CT_ROOM_1', trustCode: 'RXA' },
        after: null,
      });
    });

    it('the running DICOM listener follows the edits without a restart', async function () {
      requirePrerequisite(this, dcmtk());
      await post('/admin/dicom-callers', { aeTitle: 'MR_ONE', trustCode: 'RXB' });
      expect(await echo('MR_ONE')).to.equal(true);
      expect(await echo('STRANGER')).to.equal(false);
      await post('/admin/dicom-callers', { aeTitle: 'CT_TWO', trustCode: 'RXA' });
      expect(await echo('CT_TWO')).to.equal(true);
      await post('/admin/dicom-callers/CT_TWO/remove', {}, '/admin/dicom-callers');
      expect(await echo('CT_TWO')).to.equal(false);
    });
  });
});
