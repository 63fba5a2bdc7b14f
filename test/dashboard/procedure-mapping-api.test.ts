import { expect } from 'chai';
import { writePart10 } from '../support/fixtures/dicom-writer.ts';
import { ctRdsrDataset } from '../support/fixtures/xray-rdsr.ts';
import { addUser, pageCsrfToken, signInCookie, startWebHarness, type WebHarness } from '../support/web.ts';

/**
 * /api/v1/procedure-mapping over HTTP on a running Kerma: roles, CSRF, validation naming the field,
 * audited changes and exports, the re-map of history after a change, and the ingest mapping as wired.
 */
const API = '/api/v1/procedure-mapping';

describe('procedure mapping API', function () {
  this.timeout(60_000);
  let web: WebHarness;
  const session = {
    physicist: { cookie: '', csrf: '' },
    governance: { cookie: '', csrf: '' },
    radiographer: { cookie: '', csrf: '' },
  };

  async function call(who: keyof typeof session | 'nobody', method: string, path: string, body?: unknown) {
    const s = who === 'nobody' ? undefined : session[who];
    return fetch(`${web.kerma.url}${path}`, {
      method,
      headers: {
        ...(s ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async function ingest(uid: string, description: string): Promise<void> {
    const bytes = writePart10({ ...ctRdsrDataset({ studyInstanceUid: uid }), StudyDescription: description });
    const outcome = await web.kerma.ingest.ingestObject({
      bytes,
      transport: 'stow',
      sender: 'api-test',
      trustCode: 'RAA',
    });
    expect(outcome.status).to.equal('stored');
  }

  async function mappingOf(uid: string): Promise<string | null> {
    const { rows } = await web.database.pool.query<{ code: string | null }>(
      'SELECT standard_procedure_code AS code FROM studies WHERE study_instance_uid = $1',
      [uid],
    );
    return rows[0]!.code;
  }

  before(async () => {
    web = await startWebHarness();
    await web.database.pool.query(`INSERT INTO trusts (code, name) VALUES ('RAA', 'Trust A'), ('RBB', 'Trust B')`);
    for (const role of ['physicist', 'governance', 'radiographer'] as const) {
      await addUser(web, `${role}.one`, { roles: [role], trusts: ['RAA'] });
      const cookie = await signInCookie(web.kerma.url, `${role}.one`);
      session[role] = { cookie, csrf: await pageCsrfToken(web.kerma.url, cookie) };
    }
    await ingest('2.25.8001', 'CT Head');
    await ingest('2.25.8002', 'CT Mystery scan');
    await ingest('2.25.8003', 'CT Mystery scan');
  });
  after(async () => {
    await web?.stop();
  });

  it('lets physicists and governance read the rules, refuses radiographers and strangers', async () => {
    const rules = await call('governance', 'GET', `${API}/rules`);
    expect(rules.status).to.equal(200);
    const body = (await rules.json()) as { items: Array<{ builtin: boolean; standardProcedureCode: string | null }> };
    expect(body.items.length).to.be.greaterThan(50);
    expect(body.items.every((r) => r.builtin)).to.equal(true);
    expect((await call('radiographer', 'GET', `${API}/rules`)).status).to.equal(403);
    expect((await call('nobody', 'GET', `${API}/rules`)).status).to.equal(401);
  });

  it('maps what ingest stores with the default rules', async () => {
    expect(await mappingOf('2.25.8001')).to.equal('CT-HEAD');
    expect(await mappingOf('2.25.8002')).to.equal(null);
  });

  it('lists unmapped descriptions biggest first, as JSON and as an audited CSV', async () => {
    const json = (await (await call('physicist', 'GET', `${API}/unmapped`)).json()) as {
      items: Array<{ description: string; studies: number; trustCode: string; modality: string }>;
      totalStudies: number;
    };
    expect(json.items[0]).to.include({ description: 'CT Mystery scan', studies: 2, trustCode: 'RAA', modality: 'CT' });
    const csv = await call('physicist', 'GET', `${API}/unmapped?format=csv`);
    expect(csv.headers.get('content-type')).to.match(/^text\/csv/);
    expect(await csv.text()).to.include('RAA,CT,CT Mystery scan,2,');
    const { rows } = await web.database.pool.query(
      `SELECT 1 FROM audit_log WHERE action = 'procedure-mapping.export' AND subject_key = 'unmapped-descriptions'`,
    );
    expect(rows).to.have.length(1);
    const bad = await call('physicist', 'GET', `${API}/unmapped?limit=0`);
    expect(bad.status).to.equal(400);
    expect(await bad.text()).to.include('limit');
  });

  it('refuses a change from governance, without the CSRF token, or with an invalid field (naming it)', async () => {
    const rule = { description: { pattern: 'CT Mystery scan', match: 'exact' }, standardProcedureCode: 'CT-ABDO' };
    expect((await call('governance', 'POST', `${API}/rules`, rule)).status).to.equal(403);
    const noCsrf = await fetch(`${web.kerma.url}${API}/rules`, {
      method: 'POST',
      headers: { cookie: session.physicist.cookie, 'content-type': 'application/json' },
      body: JSON.stringify(rule),
    });
    expect(noCsrf.status).to.equal(403);
    const regex = await call('physicist', 'POST', `${API}/rules`, {
      ...rule,
      description: { pattern: 'ct (', match: 'regex' },
    });
    expect(regex.status).to.equal(400);
    expect(await regex.text()).to.include('description.pattern');
    const missing = await call('physicist', 'POST', `${API}/rules`, { description: rule.description });
    expect(missing.status).to.equal(400);
    expect(await missing.text()).to.include('standardProcedureCode');
    const unknown = await call('physicist', 'POST', `${API}/rules`, { ...rule, standardProcedureCode: 'NOPE' });
    expect(unknown.status).to.equal(400);
    const otherTrust = await call('physicist', 'POST', `${API}/rules`, { ...rule, trustCode: 'RBB' });
    expect(otherTrust.status).to.equal(403);
  });

  it('adds a rule, re-maps history at once, audits it, and moves and deletes it', async () => {
    const created = await call('physicist', 'POST', `${API}/rules`, {
      description: { pattern: 'ct mystery scan', match: 'exact' },
      modalities: ['CT'],
      standardProcedureCode: 'CT-ABDO',
    });
    expect(created.status).to.equal(201);
    const { rule, remap } = (await created.json()) as {
      rule: { ruleId: number; position: number };
      remap: { changed: number };
    };
    expect(remap.changed).to.equal(2);
    expect(await mappingOf('2.25.8002')).to.equal('CT-ABDO');
    const audit = await web.database.pool.query<{ actor_name: string }>(
      `SELECT actor_name FROM audit_log WHERE action = 'procedure-rule.create' AND subject_key = $1`,
      [`procedure-rule:${rule.ruleId}`],
    );
    expect(audit.rows.map((r) => r.actor_name)).to.deep.equal(['physicist.one']);

    const moved = await call('physicist', 'POST', `${API}/rules/${rule.ruleId}/move`, { direction: 'up' });
    const after = (await moved.json()) as { rule: { position: number } };
    expect(after.rule.position).to.be.lessThan(rule.position);

    const test = await call('physicist', 'POST', `${API}/test`, { description: 'CT MYSTERY SCAN', modality: 'CT' });
    const probe = (await test.json()) as { rule: { ruleId: number }; standardProcedure: { code: string } };
    expect([probe.rule.ruleId, probe.standardProcedure.code]).to.deep.equal([rule.ruleId, 'CT-ABDO']);

    const disabled = await call('physicist', 'PATCH', `${API}/rules/${rule.ruleId}`, { enabled: false });
    expect(((await disabled.json()) as { rule: { enabled: boolean } }).rule.enabled).to.equal(false);
    expect(await mappingOf('2.25.8002')).to.equal(null);

    expect((await call('physicist', 'DELETE', `${API}/rules/${rule.ruleId}`)).status).to.equal(200);
    expect((await call('physicist', 'GET', `${API}/rules/${rule.ruleId}`)).status).to.equal(404);
  });

  it('keeps default rules: they are disabled, not deleted', async () => {
    const rules = (await (await call('physicist', 'GET', `${API}/rules`)).json()) as {
      items: Array<{ ruleId: number }>;
    };
    expect((await call('physicist', 'DELETE', `${API}/rules/${rules.items[0]!.ruleId}`)).status).to.equal(409);
  });

  it('lists standard procedures and adds a physicist’s own', async () => {
    const created = await call('physicist', 'POST', `${API}/standard-procedures`, {
      code: 'CT-HEAD-PAED',
      name: 'CT Head paediatric',
      modality: 'CT',
      bodyRegion: 'HEAD',
      drlCategory: 'ct-head-paediatric',
    });
    expect(created.status).to.equal(201);
    const list = (await (await call('governance', 'GET', `${API}/standard-procedures`)).json()) as {
      items: Array<{ code: string; builtin: boolean; lateral: boolean }>;
    };
    expect(list.items.find((p) => p.code === 'CT-HEAD-PAED')).to.include({ builtin: false, lateral: false });
    const again = await call('physicist', 'POST', `${API}/standard-procedures`, {
      code: 'CT-HEAD-PAED',
      name: 'x',
      modality: 'CT',
      bodyRegion: 'HEAD',
    });
    expect(again.status).to.equal(409);
  });
});
