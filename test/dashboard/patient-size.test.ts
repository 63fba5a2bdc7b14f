import { expect } from 'chai';
import { createApiKey } from '../../access/index.ts';
import { queryRunner } from '../../app/db/pool.ts';
import { newUid, writePart10 } from '../support/fixtures/dicom-writer.ts';
import { ctRdsrDataset } from '../support/fixtures/xray-rdsr.ts';
import { addUser, pageCsrfToken, signInCookie, startWebHarness, type WebHarness } from '../support/web.ts';

/**
 * POST /api/v1/patient-sizes and the page's routes over HTTP: who may call them, the two body
 * forms (text/csv with the mapping in the query; multipart), ajv-checked options, CSRF, limits.
 */
describe('patient size import over HTTP', function () {
  this.timeout(60_000);
  let web: WebHarness | undefined;
  let url: string;
  const keys: Record<string, string> = {};
  const cookies: Record<string, string> = {};
  const studyIds: Record<string, number> = {};

  const heightOf = async (name: string): Promise<number | null> =>
    (
      await web!.database.pool.query<{ h: number | null }>(
        'SELECT patient_height_m AS h FROM studies WHERE study_id = $1',
        [studyIds[name]],
      )
    ).rows[0]!.h;

  const postCsv = (csv: string, query: string, headers: Record<string, string>) =>
    fetch(`${url}/api/v1/patient-sizes?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', ...headers },
      body: csv,
    });

  before(async () => {
    web = await startWebHarness();
    url = web.kerma.url;
    const db = queryRunner(web.database.pool);
    await web.database.pool.query(`INSERT INTO trusts (code, name) VALUES ('RXA', 'Trust A'), ('RXB', 'Trust B')`);
    for (const [name, trust, accession] of [
      ['a1', 'RXA', 'A-100'],
      ['a2', 'RXA', 'A-200'],
      ['b1', 'RXB', 'B-100'],
    ] as const) {
      const uid = newUid();
      const outcome = await web.kerma.ingest.ingestObject({
        bytes: writePart10({ ...ctRdsrDataset({ studyInstanceUid: uid }), AccessionNumber: accession }),
        transport: 'stow',
        sender: 'http-test',
        trustCode: trust,
      });
      expect(outcome.status).to.equal('stored');
      const { rows } = await web.database.pool.query<{ study_id: string }>(
        'SELECT study_id FROM studies WHERE study_instance_uid = $1',
        [uid],
      );
      studyIds[name] = Number(rows[0]!.study_id);
    }
    keys.ingestA = await createApiKey(db, 'ris-a', 'RXA', ['ingest']);
    keys.readA = await createApiKey(db, 'reader-a', 'RXA', ['read']);
    keys.region = await createApiKey(db, 'region', null, ['ingest']);
    await addUser(web, 'phys.a', { roles: ['physicist'], trusts: ['RXA'] });
    await addUser(web, 'rad.a', { roles: ['radiographer'], trusts: ['RXA'] });
    cookies.phys = await signInCookie(url, 'phys.a');
    cookies.rad = await signInCookie(url, 'rad.a');
  });
  after(async () => {
    await web?.stop();
  });

  it("takes text/csv from a trust's ingest key, the mapping in the query, for that trust only", async () => {
    const response = await postCsv('acc,h\nA-100,172\nB-100,180\n', 'keyColumn=acc&heightColumn=h&heightUnit=cm', {
      authorization: `Bearer ${keys.ingestA}`,
    });
    expect(response.status).to.equal(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).to.include({ rows: 2, applied: 1, heightsFilled: 1 });
    expect(body.studyIds).to.deep.equal([studyIds.a1]);
    // B-100 is trust RXB's accession: hashed with RXA (the key's trust) it matches nothing.
    expect(body.problems).to.deep.equal([{ row: 3, code: 'no-study', reason: 'no study matches' }]);
    expect(body).to.not.have.property('outcomes');
    expect(await heightOf('a1')).to.equal(1.72);
    expect(await heightOf('b1')).to.equal(null);
  });

  it('answers each row with dryRun=true; a consortium key names the trust', async () => {
    const missingTrust = await postCsv('acc,h\nB-100,180\n', 'heightColumn=h&dryRun=true', {
      authorization: `Bearer ${keys.region}`,
    });
    expect(missingTrust.status).to.equal(400);
    expect(((await missingTrust.json()) as { error: { message: string } }).error.message).to.include(
      'parameter "trust"',
    );
    const response = await postCsv('acc,h\nB-100,180\n', 'heightColumn=h&dryRun=true&trust=RXB', {
      authorization: `Bearer ${keys.region}`,
    });
    expect(response.status).to.equal(200);
    const body = (await response.json()) as { outcomes: unknown[]; studyIds: number[] };
    expect(body.outcomes).to.deep.equal([
      {
        row: 2,
        status: 'applied',
        heightM: 1.8,
        studies: [{ studyId: studyIds.b1, height: 'filled', weight: 'none' }],
      },
    ]);
    expect(await heightOf('b1')).to.equal(null);
  });

  it('refuses callers without the right: no credentials 401, a read key or a radiographer 403', async () => {
    expect((await postCsv('acc,h\nA-200,170\n', '', {})).status).to.equal(401);
    expect((await postCsv('acc,h\nA-200,170\n', '', { authorization: `Bearer ${keys.readA}` })).status).to.equal(403);
    const token = await pageCsrfToken(url, cookies.rad!);
    const radiographer = await postCsv('acc,h\nA-200,170\n', '', { cookie: cookies.rad!, 'x-csrf-token': token });
    expect(radiographer.status).to.equal(403);
    expect(await heightOf('a2')).to.equal(null);
  });

  it('takes multipart from a signed-in physicist with the CSRF token, and refuses it without', async () => {
    const form = () => {
      const data = new FormData();
      data.set('file', new Blob(['Accession,Height\nA-200,168\n'], { type: 'text/csv' }), 'ris.csv');
      data.set('heightUnit', 'cm');
      return data;
    };
    const forged = await fetch(`${url}/api/v1/patient-sizes`, {
      method: 'POST',
      headers: { cookie: cookies.phys! },
      body: form(),
    });
    expect(forged.status).to.equal(403);
    expect(await heightOf('a2')).to.equal(null);
    const token = await pageCsrfToken(url, cookies.phys!);
    const signed = form();
    signed.set('_csrf', token);
    const response = await fetch(`${url}/api/v1/patient-sizes`, {
      method: 'POST',
      headers: { cookie: cookies.phys! },
      body: signed,
    });
    expect(response.status).to.equal(200);
    expect(await heightOf('a2')).to.equal(1.68);
    const { rows } = await web!.database.pool.query<{ actor_name: string; trust_code: string }>(
      `SELECT actor_name, trust_code FROM audit_log WHERE action = 'patient-size.import' ORDER BY audit_id DESC LIMIT 1`,
    );
    expect(rows[0]).to.deep.equal({ actor_name: 'phys.a', trust_code: 'RXA' });
  });

  it('checks its input: options by ajv, the media type, the size limit', async () => {
    const auth = { authorization: `Bearer ${keys.ingestA}` };
    const badUnit = await postCsv('acc,h\nA-100,170\n', 'heightUnit=ft&colour=red', auth);
    expect(badUnit.status).to.equal(400);
    const message = ((await badUnit.json()) as { error: { message: string } }).error.message;
    expect(message).to.include('parameter "heightUnit" must be one of cm, m').and.include('parameter "colour"');
    const plain = await fetch(`${url}/api/v1/patient-sizes`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...auth },
      body: 'acc,h\n',
    });
    expect(plain.status).to.equal(415);
    const huge = await postCsv(`acc,h\n${'A-100,170\n'.repeat(1_700_000)}`, '', auth);
    expect(huge.status).to.equal(413);
    expect(((await huge.json()) as { error: { message: string } }).error.message).to.include('16 MiB');
  });

  it("offers the file's columns on the page, with the header's guesses selected", async () => {
    const page = await fetch(`${url}/patient-size`, { headers: { cookie: cookies.phys! } });
    expect(page.status).to.equal(200);
    expect(await page.text()).to.include('Patient size import');
    expect((await fetch(`${url}/patient-size`, { headers: { cookie: cookies.rad! } })).status).to.equal(403);
    const data = new FormData();
    data.set('_csrf', await pageCsrfToken(url, cookies.phys!, '/patient-size'));
    data.set('header', 'true');
    data.set('file', new Blob(['MRN,Accession No,Weight (kg),Height (cm)\n'], { type: 'text/csv' }), 'ris.csv');
    const columns = await fetch(`${url}/patient-size/columns`, {
      method: 'POST',
      headers: { cookie: cookies.phys!, 'hx-request': 'true' },
      body: data,
    });
    expect(columns.status).to.equal(200);
    const html = await columns.text();
    expect(html).to.match(/<select id="size-keyColumn"[^>]*>.*<option value="2" selected>Accession No<\/option>/s);
    expect(html).to.match(/<select id="size-heightColumn".*<option value="4" selected>Height \(cm\)<\/option>/s);
    expect(html).to.match(/<select id="size-weightColumn".*<option value="3" selected>Weight \(kg\)<\/option>/s);
  });
});
