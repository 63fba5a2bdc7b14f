import { expect } from 'chai';
import { createApiKey } from '../../access/index.ts';
import { queryRunner } from '../../app/db/pool.ts';
import { addUser, pageCsrfToken, signInCookie, startWebHarness, type WebHarness } from '../support/web.ts';

const API = '/api/v1/reference-sets';

const set = (edition: string, dlpMgyCm: number) => ({
  setKey: 'regional-ct',
  kind: 'local-drl',
  title: 'Regional CT local DRLs',
  publisher: 'Regional physics service',
  edition,
  source: { title: `Regional dose audit ${edition}`, url: 'https://example.org/audit' },
  values: [
    {
      valueKey: 'head',
      modality: 'CT',
      drlCategory: 'ct-head-acute-stroke',
      quantity: 'dlp_mgycm',
      value: dlpMgyCm,
      status: 'C',
    },
  ],
});

interface Summary {
  referenceSetId: number;
  setKey: string;
  edition: string;
  current: boolean;
  supersededBy: number | null;
  loadedBy: string;
  builtin: boolean;
}

describe('reference sets API', () => {
  let web: WebHarness;
  let physicist: { cookie: string; csrf: string };
  let governance: string;
  const keys: Record<string, string> = {};

  const call = (path: string, init: RequestInit = {}) => fetch(`${web.kerma.url}${path}`, init);
  const post = (body: string, headers: Record<string, string>) => call(API, { method: 'POST', body, headers });
  const asPhysicist = (contentType = 'application/json') => ({
    cookie: physicist.cookie,
    'x-csrf-token': physicist.csrf,
    'content-type': contentType,
  });

  before(async () => {
    web = await startWebHarness();
    await addUser(web, 'pat.physicist', { roles: ['physicist'] });
    await addUser(web, 'gil.governance', { roles: ['governance'] });
    await addUser(web, 'rae.radiographer', { roles: ['radiographer'] });
    const cookie = await signInCookie(web.kerma.url, 'pat.physicist');
    physicist = { cookie, csrf: await pageCsrfToken(web.kerma.url, cookie, '/reference-levels') };
    governance = await signInCookie(web.kerma.url, 'gil.governance');
    const db = queryRunner(web.database.pool);
    keys.loader = await createApiKey(db, 'physics-script', null, ['reference-data']);
    keys.reader = await createApiKey(db, 'bi-reader', 'DEFAULT', ['read']);
  });
  after(async () => {
    await web?.stop();
  });

  it('refuses callers without credentials, the role or the scope', async () => {
    expect((await call(API)).status).to.equal(401);
    expect((await post(JSON.stringify(set('1', 1)), { 'content-type': 'application/json' })).status).to.equal(401);
    const radiographer = await signInCookie(web.kerma.url, 'rae.radiographer');
    expect((await call(API, { headers: { cookie: radiographer } })).status).to.equal(403);
    const byGovernance = await post(JSON.stringify(set('1', 1)), {
      cookie: governance,
      'content-type': 'application/json',
    });
    expect(byGovernance.status).to.equal(403);
    const byReader = await post(JSON.stringify(set('1', 1)), {
      authorization: `Bearer ${keys.reader}`,
      'content-type': 'application/json',
    });
    expect(byReader.status).to.equal(403);
    expect(byReader.headers.get('www-authenticate')).to.include('scope="reference-data"');
    const withoutCsrf = await post(JSON.stringify(set('1', 1)), {
      cookie: physicist.cookie,
      'content-type': 'application/json',
    });
    expect(withoutCsrf.status).to.equal(403);
  });

  it('lists the builtin sets, current and superseded, as JSON and CSV', async () => {
    const listed = (await (await call(API, { headers: { cookie: governance } })).json()) as { items: Summary[] };
    const ndrl = listed.items.find((s) => s.setKey === 'uk-ndrl-adult-ct');
    expect(ndrl).to.include({ edition: '2024-11-20', current: true, builtin: true, supersededBy: null });
    const csv = await call(`${API}?format=csv&kind=national-drl`, {
      headers: { authorization: `Bearer ${keys.reader}` },
    });
    expect(csv.headers.get('content-type')).to.match(/^text\/csv/);
    const rows = (await csv.text()).trim().split('\n');
    expect(rows[0]).to.match(/^reference_set_id,set_key,kind,title/);
    expect(rows.slice(1).map((r) => r.split(',')[1])).to.have.members(['uk-ndrl-adult-ct', 'uk-ndrl-ctca']);
  });

  it('imports a JSON set from a physicist, then a CSV edition from an API key that supersedes it', async () => {
    const first = await post(JSON.stringify(set('2026', 700)), asPhysicist());
    expect(first.status).to.equal(201);
    const created = (await first.json()) as { set: Summary; superseded: unknown };
    expect(first.headers.get('location')).to.equal(`${API}/${created.set.referenceSetId}`);
    expect(created.set).to.include({ setKey: 'regional-ct', current: true, loadedBy: 'pat.physicist' });
    expect(created.superseded).to.equal(null);

    const exported = await call(`${API}/${created.set.referenceSetId}?format=csv`, { headers: { cookie: governance } });
    const csv = (await exported.text()).replace(/,2026,/g, ',2027,').replace(',700,', ',650,');
    const second = await post(csv, { authorization: `Bearer ${keys.loader}`, 'content-type': 'text/csv' });
    expect(second.status).to.equal(201);
    const replaced = (await second.json()) as { set: Summary; superseded: { referenceSetId: number; edition: string } };
    expect(replaced.set).to.include({ edition: '2027', loadedBy: 'api key physics-script' });
    expect(replaced.superseded).to.deep.equal({ referenceSetId: created.set.referenceSetId, edition: '2026' });

    const detail = (await (
      await call(`${API}/${created.set.referenceSetId}`, { headers: { cookie: governance } })
    ).json()) as { set: Summary; values: Array<{ value: number }>; editions: Summary[] };
    expect(detail.set).to.include({ current: false, supersededBy: replaced.set.referenceSetId });
    expect(detail.values.map((v) => v.value)).to.deep.equal([700]);
    expect(detail.editions.map((e) => e.edition)).to.deep.equal(['2027', '2026']);
  });

  it('answers 409 for an edition already stored, 400 naming the field, 415 for another type', async () => {
    const again = await post(JSON.stringify(set('2026', 700)), asPhysicist());
    expect(again.status).to.equal(409);
    expect(((await again.json()) as { error: { message: string } }).error.message).to.include(
      'already has an edition "2026"',
    );
    const invalid = await post(
      JSON.stringify({ ...set('2030', 700), values: [{ ...set('x', 1).values[0], status: 'U' }] }),
      asPhysicist(),
    );
    expect(invalid.status).to.equal(400);
    expect(((await invalid.json()) as { error: { message: string } }).error.message).to.include(
      'values[0].status: must be one of C, S',
    );
    expect((await post('setKey=x', asPhysicist('text/plain'))).status).to.equal(415);
    expect((await call(`${API}/abc`, { headers: { cookie: governance } })).status).to.equal(400);
    expect((await call(`${API}/999999`, { headers: { cookie: governance } })).status).to.equal(404);
  });
});
