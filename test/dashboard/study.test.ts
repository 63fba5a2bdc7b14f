import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { extractDoseReport } from '../../ingest/index.ts';
import type { StudyDetail } from '../../dashboard/index.ts';
import { buildRrdsr } from '../support/fixtures/rrdsr.ts';
import { corpus, CORPUS_DIR, requirePrerequisite } from '../support/prerequisites.ts';
import { addUser, signInCookie, startWebHarness, type WebHarness } from '../support/web.ts';

/**
 * The study page and its API on real dose reports: a CT RDSR with CT Dose Check details, a long
 * fluoroscopy RDSR, the Allura fluoroscopy/acquisition split, an RRDSR and three DX image headers,
 * in two trusts. Values are checked against what the extractor read from the same files.
 */
const file = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(CORPUS_DIR, 'dicom', name)));

describe('study page and GET /api/v1/studies/:studyId', function () {
  this.timeout(120_000);
  let web: WebHarness | undefined;
  const cookies: Record<string, string> = {};
  const ids: Record<string, number> = {};

  const get = (user: string, urlPath: string) =>
    fetch(`${web!.kerma.url}${urlPath}`, { headers: { cookie: cookies[user]! }, redirect: 'manual' });
  const api = async (user: string, id: number): Promise<StudyDetail> => {
    const response = await get(user, `/api/v1/studies/${id}`);
    expect(response.status).to.equal(200);
    return (await response.json()) as StudyDetail;
  };
  const page = async (user: string, urlPath: string): Promise<string> => {
    const response = await get(user, urlPath);
    expect(response.status).to.equal(200);
    return response.text();
  };

  before(async function () {
    requirePrerequisite(this, corpus('dicom'));
    web = await startWebHarness();
    await web.database.pool.query(`INSERT INTO trusts (code, name) VALUES ('TRA', 'Trust A'), ('TRB', 'Trust B')`);
    await addUser(web, 'phys.a', { roles: ['physicist'], trusts: ['TRA'] });
    await addUser(web, 'rad.a', { roles: ['radiographer'], trusts: ['TRA'] });
    await addUser(web, 'rad.b', { roles: ['radiographer'], trusts: ['TRB'] });
    const objects: Array<[string, Uint8Array, string]> = [
      ['ct', file('CT-RDSR-Toshiba_DoseCheck.dcm'), 'TRA'],
      ['rf-long', file('RF-Pat-Orientation-Modifier-Missing.dcm'), 'TRA'],
      ['rf-allura', file('RF-RDSR-Philips_Allura.dcm'), 'TRA'],
      ['ct-multi', file('CT-RDSR-Siemens-Multi-1.dcm'), 'TRA'],
      ['ct-multi', file('CT-RDSR-Siemens-Multi-2.dcm'), 'TRA'],
      ['ct-multi', file('CT-RDSR-Siemens-Multi-3.dcm'), 'TRA'],
      ['nm', buildRrdsr(), 'TRA'],
      ['dx', file('DX-Im-GE_XR220-1.dcm'), 'TRB'],
      ['dx', file('DX-Im-GE_XR220-2.dcm'), 'TRB'],
      ['dx', file('DX-Im-GE_XR220-3.dcm'), 'TRB'],
    ];
    for (const [name, bytes, trustCode] of objects) {
      const outcome = await web.kerma.ingest.ingestObject({
        bytes,
        transport: 'stow',
        sender: `key-${trustCode}`,
        trustCode,
      });
      expect(outcome.status, name).to.equal('stored');
      const uid = extractDoseReport(bytes).report.study.studyInstanceUid;
      const { rows } = await web.database.pool.query<{ study_id: number }>(
        'SELECT study_id FROM studies WHERE study_instance_uid = $1',
        [uid],
      );
      ids[name] = Number(rows[0]!.study_id);
    }
    for (const user of ['phys.a', 'rad.a', 'rad.b']) cookies[user] = await signInCookie(web.kerma.url, user);
  });
  after(async () => {
    await web?.stop();
  });

  it('shows a CT RDSR: header, totals with unknowns as null, every acquisition and its CT Dose Check details', async () => {
    const bytes = file('CT-RDSR-Toshiba_DoseCheck.dcm');
    const report = extractDoseReport(bytes).report;
    const detail = await api('phys.a', ids.ct!);
    expect(detail.study.trust).to.deep.equal({ code: 'TRA', name: 'Trust A' });
    expect(detail.study.device).to.include({
      manufacturer: 'TOSHIBA',
      stationName: 'ToshibaDoseChk',
      serialNumber: 'qwer12345j',
    });
    expect(detail.study.patient.sex).to.equal('M');
    expect(detail.study.accessionRecorded).to.equal(true);
    expect(detail.study.timeBasis).to.equal('default-zone');
    expect(detail.totals).to.include({ dlpMgyCm: 502.4, dapGyCm2: null, activityMbq: null, eventCount: 2 });
    expect(detail.events.map((e) => [e.kind, e.ctdiVolMgy, e.dlpMgyCm])).to.deep.equal(
      report.ct!.events.map((e) => ['ct', e.ctdiVolMgy, e.dlpMgyCm]),
    );
    expect(detail.events[1]!.details).to.nested.include({
      'doseCheck.dlpAlertValueMgyCm': 100,
      'doseCheck.accumulatedDlpForwardEstimateMgyCm': 502.4,
      'doseCheck.alertPersonParticipant.personName': 'Luuk',
    });
    expect(detail.sources).to.have.length(1);
    expect(detail.sources[0]).to.include({
      transport: 'stow',
      sender: 'key-TRA',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      status: 'extracted',
    });
    expect(detail.sources[0]!.extractor).to.be.a('string');
    expect(detail.reports.map((r) => [r.sourceKind, r.role])).to.deep.equal([['ct-rdsr', 'counted']]);
    expect(detail.totalsFrom).to.equal('reports');
    // No identifier and no file path leaves the server.
    const json = JSON.stringify(detail);
    for (const secret of [report.study.accessionNumber, report.patient.patientId, report.patient.patientName]) {
      if (secret) expect(json).not.to.include(secret);
    }
    expect(json).not.to.match(/storage|kerma-web-/);
  });

  it('renders the CT study with units in the headers, "—" for unknown totals and the dose check table', async () => {
    const html = await page('phys.a', `/studies/${ids.ct}`);
    expect(html).to.include('<dt>DLP (mGy·cm)</dt><dd>502.4</dd>');
    expect(html).to.include('<dt>DAP (Gy·cm²)</dt><dd>—</dd>');
    expect(html).to.include('<dt>Activity (MBq)</dt><dd>—</dd>');
    for (const header of [
      'CTDIvol<span class="unit"> (mGy)',
      'DLP<span class="unit"> (mGy·cm)',
      'Scan length<span class="unit"> (mm)',
      'Pitch',
      'Phantom',
    ]) {
      expect(html).to.include(header);
    }
    expect(html).to.include('IEC Body Dosimetry Phantom');
    expect(html).to.include('Spiral Acquisition');
    expect(html).to.include('CT Dose Check');
    expect(html).to.include('Luuk (Irradiation Authorizing)');
    expect(html).to.include('recorded (hashed, not shown)');
    expect(html).to.include('ToshibaDoseChk');
    expect(html).to.include(createHash('sha256').update(file('CT-RDSR-Toshiba_DoseCheck.dcm')).digest('hex'));
  });

  it('keeps a 316-event fluoroscopy study usable: the first 100, then all of them on request', async () => {
    const detail = await api('phys.a', ids['rf-long']!);
    expect(detail.events).to.have.length(316);
    expect(detail.eventCounts.projection).to.equal(316);
    const compact = await page('phys.a', `/studies/${ids['rf-long']}`);
    expect(compact).to.include('Showing the first 100 of 316.');
    expect(compact.match(/<tr>/g)?.length).to.be.lessThan(150);
    for (const header of [
      'DAP<span class="unit"> (Gy·cm²)',
      'Ka,r<span class="unit"> (Gy)',
      'kVp<span class="unit"> (kV)',
    ]) {
      expect(compact).to.include(header);
    }
    const all = await page('phys.a', `/studies/${ids['rf-long']}?events=all`);
    expect(all).not.to.include('Showing the first');
    expect(all.match(/<tr>/g)?.length).to.be.greaterThan(316);
    expect((await get('phys.a', `/studies/${ids['rf-long']}?events=some`)).status).to.equal(400);
  });

  it('splits fluoroscopy and acquisition as the Allura reported them, with a row per acquisition type', async () => {
    const detail = await api('phys.a', ids['rf-allura']!);
    const rows = detail.projectionTotals!.map((r) => [r.label, r.dapGyCm2, r.doseRpGy, r.timeS]);
    expect(rows.map((r) => r[0])).to.deep.equal(['Fluoroscopy', 'Acquisition', '- Stationary Acquisition', 'Total']);
    expect(rows[0]![1]).to.be.closeTo(0.10558274005, 1e-12);
    expect(rows[1]![3]).to.equal(14.75);
    expect(rows[2]![1]).to.be.closeTo(0.64148712533 + 0.78861653634, 1e-12);
    expect(rows[3]![1]).to.be.closeTo(1.5356864017, 1e-12);
    expect(rows[3]![3]).to.equal(27.75);
    const html = await page('phys.a', `/studies/${ids['rf-allura']}`);
    expect(html).to.include('- Stationary Acquisition');
    expect(html).to.include('Pulse rate<span class="unit"> (/s)');
    expect(html).to.include('Filters<span class="unit"> (mm)');
    expect(html).to.include('Copper or Copper compound 0.4');
  });

  it('shows the merge history of cumulative CT reports: the last counts, the earlier are superseded', async () => {
    const detail = await api('phys.a', ids['ct-multi']!);
    expect(detail.reports.map((r) => [r.eventCount, r.role])).to.deep.equal([
      [1, 'superseded'],
      [2, 'superseded'],
      [3, 'counted'],
    ]);
    expect(detail.sources).to.have.length(3);
    const html = await page('phys.a', `/studies/${ids['ct-multi']}`);
    expect(html).to.include('Not counted: a later cumulative report lists all its events');
  });

  it('shows radiopharmaceutical administrations with activity in MBq and route', async () => {
    const detail = await api('rad.a', ids.nm!);
    expect(detail.totals.activityMbq).to.equal(990);
    expect(detail.events.map((e) => [e.kind, e.administeredActivityMbq])).to.deep.equal([
      ['radiopharmaceutical', 250],
      ['radiopharmaceutical', 740],
    ]);
    const html = await page('rad.a', `/studies/${ids.nm}`);
    expect(html).to.include('Activity<span class="unit"> (MBq)');
    expect(html).to.include('Fluorodeoxyglucose (18-F)');
    expect(html).to.include('Intravenous route');
  });

  it('shows DX image headers to their trust: one event per exposure, no fluoroscopy split', async () => {
    const detail = await api('rad.b', ids.dx!);
    expect(detail.study.trust.code).to.equal('TRB');
    expect(detail.events).to.have.length(3);
    expect(detail.projectionTotals).to.equal(null);
    expect(detail.reports.every((r) => r.sourceKind === 'dx-image' && r.role === 'counted')).to.equal(true);
    const html = await page('rad.b', `/studies/${ids.dx}`);
    expect(html).to.include('DX image header');
    expect(html).to.include('antero-posterior');
  });

  it("answers 404 to a radiographer of trust A for trust B's study, exactly as for a study that does not exist", async () => {
    const [other, missing] = [
      await get('rad.a', `/api/v1/studies/${ids.dx}`),
      await get('rad.a', '/api/v1/studies/987654'),
    ];
    expect(other.status).to.equal(404);
    expect(missing.status).to.equal(404);
    expect(await other.json()).to.deep.equal(await missing.json());
    const [otherPage, missingPage, junkPage] = [
      await get('rad.a', `/studies/${ids.dx}`),
      await get('rad.a', '/studies/987654'),
      await get('rad.a', '/studies/1%27%20OR%201=1'),
    ];
    expect([otherPage.status, missingPage.status, junkPage.status]).to.deep.equal([404, 404, 404]);
    const strip = (html: string) => html.replace(/name="_csrf" value="[^"]+"/g, '');
    expect(strip(await otherPage.text())).to.equal(strip(await missingPage.text()));
  });

  it('refuses without a session: 401 for the API, sign-in for the page', async () => {
    const apiResponse = await fetch(`${web!.kerma.url}/api/v1/studies/${ids.ct}`);
    expect(apiResponse.status).to.equal(401);
    const pageResponse = await fetch(`${web!.kerma.url}/studies/${ids.ct}`, { redirect: 'manual' });
    expect(pageResponse.status).to.equal(303);
    expect(pageResponse.headers.get('location')).to.match(/^\/sign-in/);
  });

  it('records every view in the audit log by study key, and nothing for a refused one', async () => {
    const views = async (): Promise<number> =>
      (
        await web!.database.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_log WHERE action = 'study.view'`,
        )
      ).rows[0]!.n;
    const before = await views();
    await page('rad.a', `/studies/${ids.ct}`);
    await api('rad.a', ids.ct!);
    await get('rad.a', `/studies/${ids.dx}`);
    const { rows } = await web!.database.pool.query<{
      actor_name: string;
      trust_code: string;
      subject_kind: string;
      subject_key: string;
      detail: { studyId: number; view: string };
    }>(
      `SELECT actor_name, trust_code, subject_kind, subject_key, detail FROM audit_log
        WHERE action = 'study.view' ORDER BY audit_id DESC LIMIT 2`,
    );
    expect((await views()) - before).to.equal(2);
    const uid = extractDoseReport(file('CT-RDSR-Toshiba_DoseCheck.dcm')).report.study.studyInstanceUid;
    expect(rows.map((r) => [r.actor_name, r.trust_code, r.subject_kind, r.subject_key, r.detail.view])).to.deep.equal([
      ['rad.a', 'TRA', 'study', uid, 'api'],
      ['rad.a', 'TRA', 'study', uid, 'page'],
    ]);
    expect(rows[0]!.detail.studyId).to.equal(ids.ct);
  });
});
