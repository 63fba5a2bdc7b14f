import { expect } from 'chai';
import { buildCtRdsr, buildProjectionRdsr } from '../support/fixtures/xray-rdsr.ts';
import { addUser, pageCsrfToken, signInCookie, startWebHarness, type WebHarness } from '../support/web.ts';

/** The NHS Data Dictionary's example number (valid check digit); nobody's real number. */
const NHS_NUMBER = '9434765919';
/** Valid by their check digits: nobody in this region, and a patient seen only at XNH. */
const NOBODY = '4010232137';
const ONLY_ELSEWHERE = '4505577104';

interface History {
  found: boolean;
  trusts: string[];
  summary: {
    lifetime: Record<string, number | null>;
    rolling12Months: Record<string, number | string | null>;
    window: Record<string, number | string | null>;
  } | null;
  timeline: Array<Record<string, unknown>>;
}

describe('patient dose history API: one patient across trusts, by NHS number or local ID', function () {
  this.timeout(60000);
  let web: WebHarness;
  let cookie: string;
  let csrf: string;

  async function ingest(bytes: Uint8Array, trustCode: string): Promise<number> {
    const outcome = await web.kerma.ingest.ingestObject({ bytes, transport: 'stow', sender: 'test', trustCode });
    expect(outcome.status).to.equal('stored');
    const { rows } = await web.database.pool.query<{ study_id: string }>(
      'SELECT study_id FROM studies ORDER BY study_id DESC LIMIT 1',
    );
    return Number(rows[0]!.study_id);
  }

  before(async () => {
    web = await startWebHarness();
    // Three trusts keep the NHS number in Patient ID; LNH sends only its own MRNs.
    await web.database.pool.query(
      `INSERT INTO trusts (code, name, nhs_number_source, local_id_issuer) VALUES
         ('RNH', 'Riverside', 'patient_id', NULL), ('SNH', 'Seaview', 'patient_id', NULL),
         ('XNH', 'Elsewhere', 'patient_id', NULL), ('LNH', 'Lakeside', 'none', 'LNH-MRN')`,
    );
    const ct = await ingest(buildCtRdsr({ patientId: NHS_NUMBER, studyDate: '20240315' }), 'RNH');
    await ingest(buildProjectionRdsr({ patientId: NHS_NUMBER, studyDate: '20240601', events: 2 }), 'SNH');
    const elsewhere = await ingest(buildCtRdsr({ patientId: NHS_NUMBER, studyDate: '20240701' }), 'XNH');
    await ingest(buildCtRdsr({ patientId: ONLY_ELSEWHERE, studyDate: '20240702' }), 'XNH');
    const local = await ingest(buildCtRdsr({ patientId: 'MRN-0042', studyDate: '20231110' }), 'LNH');
    // Per-exam effective doses fixed here, whatever the metrics recompute estimated at ingest: the
    // sums below are worked from these.
    await web.kerma.ingest.drainAnalytics(); // the recompute queued by ingest runs first, not after
    await web.database.pool.query(`UPDATE study_dose_metrics SET effective_dose_msv = NULL`);
    await web.database.pool.query(
      `INSERT INTO study_dose_metrics (study_id, effective_dose_msv, effective_dose_method)
       VALUES ($1, 2.5, 'ct-k-factor'), ($2, 4, 'ct-k-factor'), ($3, 1.25, 'ct-k-factor')
       ON CONFLICT (study_id) DO UPDATE
       SET effective_dose_msv = EXCLUDED.effective_dose_msv, effective_dose_method = EXCLUDED.effective_dose_method`,
      [ct, elsewhere, local],
    );
    await addUser(web, 'rita', { roles: ['radiographer'], trusts: ['RNH', 'SNH', 'LNH'] });
    cookie = await signInCookie(web.kerma.url, 'rita');
    csrf = await pageCsrfToken(web.kerma.url, cookie);
  });
  after(async () => {
    if (web) await web.stop();
  });

  const post = (body: unknown, headers: Record<string, string> = { cookie, 'x-csrf-token': csrf }) =>
    fetch(`${web.kerma.url}/api/v1/analytics/patient-dose`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it("links the patient's exams at two trusts by NHS number, and leaves out a trust the user may not see", async () => {
    const response = await post({ nhsNumber: '943 476 5919', window: { from: '2024-01-01', to: '2024-12-31' } });
    expect(response.status).to.equal(200);
    const history = (await response.json()) as History;
    expect(history.found).to.equal(true);
    expect(history.trusts).to.deep.equal(['RNH', 'SNH']);
    expect(history.timeline.map((e) => [e.trustCode, e.modality])).to.deep.equal([
      ['RNH', 'CT'],
      ['SNH', 'RF'],
    ]);
    expect(history.timeline.map((e) => e.cumulativeEffectiveDoseMsv)).to.deep.equal([2.5, 2.5]);
    const fluoro = history.timeline[1]!;
    expect(fluoro.effectiveDoseMsv).to.equal(null);
    expect(history.summary!.lifetime).to.include({
      exams: 2,
      ctExams: 1,
      effectiveDoseMsv: 2.5,
      examsWithoutEffectiveDose: 1,
      fluoroscopyExams: 1,
    });
    expect(history.summary!.lifetime.fluoroscopyKarGy).to.be.closeTo(fluoro.karGy as number, 1e-12);
    expect(history.summary!.lifetime.fluoroscopyDapGyCm2).to.be.closeTo(fluoro.totalDapGyCm2 as number, 1e-12);
    expect(history.summary!.rolling12Months).to.include({ from: '2024-01-01', to: '2024-12-31', exams: 2 });
    expect(history.summary!.window).to.include({ from: '2024-01-01', to: '2024-12-31', exams: 2 });
  });

  it('sums only the window asked for', async () => {
    const history = (await (
      await post({ nhsNumber: NHS_NUMBER, window: { from: '2024-05-01', to: '2024-06-30' } })
    ).json()) as History;
    expect(history.summary!.window).to.include({ exams: 1, ctExams: 0, effectiveDoseMsv: null, fluoroscopyExams: 1 });
    expect(history.summary!.rolling12Months).to.include({ from: '2023-07-01', to: '2024-06-30', exams: 2 });
  });

  it('finds a local ID at one of the user’s trusts, and refuses one at a trust they do not belong to', async () => {
    const history = (await (await post({ localId: { trust: 'LNH', value: 'MRN-0042' } })).json()) as History;
    expect(history.found).to.equal(true);
    expect(history.timeline).to.have.length(1);
    expect(history.summary!.lifetime).to.include({ effectiveDoseMsv: 1.25, exams: 1 });
    // The issuer given explicitly is the trust's own: the same key.
    const same = (await (
      await post({ localId: { trust: 'LNH', issuer: 'LNH-MRN', value: 'MRN-0042' } })
    ).json()) as History;
    expect(same.found).to.equal(true);
    const other = (await (
      await post({ localId: { trust: 'LNH', issuer: 'OTHER', value: 'MRN-0042' } })
    ).json()) as History;
    expect(other.found).to.equal(false);
    expect((await post({ localId: { trust: 'XNH', value: NHS_NUMBER } })).status).to.equal(403);
  });

  it('answers "not found" alike for an unknown patient and one seen only at trusts the user may not see', async () => {
    const unknown = (await (await post({ nhsNumber: NOBODY })).json()) as History;
    expect(unknown).to.deep.equal({ found: false, trusts: [], summary: null, timeline: [] });
    const elsewhere = (await (await post({ nhsNumber: ONLY_ELSEWHERE })).json()) as History;
    expect(elsewhere).to.deep.equal(unknown);
  });

  it('audits every look-up under the key, never the identifier', async () => {
    const { rows } = await web.database.pool.query<{ row: string; subject_key: string; detail: { found: boolean } }>(
      `SELECT a::text AS row, subject_key, detail FROM audit_log a WHERE action = 'patient-dose.lookup' ORDER BY audit_id`,
    );
    expect(rows.length).to.equal(7);
    expect(rows.map((r) => r.detail.found)).to.deep.equal([true, true, true, true, false, false, false]);
    for (const r of rows) {
      expect(r.row).to.not.include(NHS_NUMBER);
      expect(r.row).to.not.include('943 476 5919');
      expect(r.row).to.not.include('MRN-0042');
      expect(r.subject_key).to.match(/^[0-9a-f]{64}$/);
    }
    expect(rows[0]!.subject_key).to.equal(rows[1]!.subject_key);
  });

  it('refuses a wrong check digit, two identifiers, unknown fields, a missing CSRF token and no credentials', async () => {
    const bad = await post({ nhsNumber: '9434765918' });
    expect(bad.status).to.equal(400);
    expect(JSON.stringify(await bad.json())).to.include('nhsNumber');
    expect((await post({ nhsNumber: NHS_NUMBER, localId: { trust: 'LNH', value: 'x' } })).status).to.equal(400);
    expect((await post({ nhsNumber: NHS_NUMBER, name: 'x' })).status).to.equal(400);
    expect((await post({ nhsNumber: NHS_NUMBER }, { cookie })).status).to.equal(403);
    expect((await post({ nhsNumber: NHS_NUMBER }, {})).status).to.equal(401);
    const { rows } = await web.database.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'patient-dose.lookup'`,
    );
    expect(rows[0]!.n).to.equal(7); // refused requests looked nobody up
  });
});
