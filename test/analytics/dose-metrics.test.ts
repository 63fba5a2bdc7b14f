import { expect } from 'chai';
import { queryRunner } from '../../app/db/pool.ts';
import {
  ageBandOf,
  effectiveDiameterCm,
  effectiveDoseFromDlpMsv,
  kRegionOf,
  recomputeDoseMetrics,
  ssdeMgy,
} from '../../analytics/index.ts';
import type { QueryRunner } from '../../core/index.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';
import {
  CORONARY_ANGIOGRAPHY_E_PER_DAP,
  loadReferenceFixture,
  SSDE_CONSTANTS,
  TEST_XA_CATEGORY,
} from './support/reference-fixture.ts';
import type { ReferenceFixture } from './support/reference-fixture.ts';
import { addDevice, addProcedure, addStudy, addTrust, BODY_PHANTOM, HEAD_PHANTOM } from './support/studies.ts';

interface MetricsRow {
  effective_dose_msv: number | null;
  effective_dose_method: string | null;
  effective_dose_reference_value_id: string | null;
  effective_dose_reference_value_ids: string[] | null;
  effective_dose_missing_reason: string | null;
  k_body_region: string | null;
  age_band: string | null;
  ct_phantom: string | null;
  ctdivol_sequences_mgy: number[] | null;
  ssde_mgy: number | null;
  ssde_method: string | null;
  ssde_size_cm: number | null;
  ssde_reference_value_ids: string[] | null;
  above_national_drl: boolean | null;
  above_local_drl: boolean | null;
}

interface ComparisonRow {
  scope: string;
  quantity: string;
  reference_value_id: string;
  observed: number;
  reference_level: number;
  ratio: number;
  above: boolean;
  sequences_compared: number | null;
  sequences_above: number | null;
}

describe('dose metrics: worked examples', () => {
  describe('the arithmetic (pure functions)', () => {
    it('adult head CT: E = 0.0021 mSv/(mGy·cm) × 790 mGy·cm = 1.659 mSv', () => {
      expect(effectiveDoseFromDlpMsv(0.0021, 790)).to.be.closeTo(1.659, 1e-12);
    });
    it('adult chest CT: E = 0.014 mSv/(mGy·cm) × 290 mGy·cm = 4.06 mSv', () => {
      expect(effectiveDoseFromDlpMsv(0.014, 290)).to.be.closeTo(4.06, 1e-12);
    });
    it('SSDE, AAPM 204, 32 cm phantom: AP 25 cm × LAT 36 cm gives D = 30 cm, f = 1.2311, 10 mGy → 12.311 mGy', () => {
      const d = effectiveDiameterCm(25, 36);
      expect(d).to.equal(30);
      // f(30) = 3.704369 · exp(−0.03671937 · 30) = 3.704369 · 0.332343… = 1.231129
      expect(ssdeMgy(10, d, SSDE_CONSTANTS[32])).to.be.closeTo(12.311292453504377, 1e-9);
    });
    it('maps ages to phantom ages and body parts to k-factor regions', () => {
      expect([0.2, 1, 4.9, 5, 9.99, 10, 14.9, 15, 70].map(ageBandOf)).to.deep.equal([
        '0y',
        '1y',
        '1y',
        '5y',
        '5y',
        '10y',
        '10y',
        'adult',
        'adult',
      ]);
      expect(ageBandOf(null)).to.equal(null);
      expect(['HEAD', 'Chest', 'ABDOMEN PELVIS', 'CHESTABDPELVIS', 'CSPINE', 'KNEE'].map(kRegionOf)).to.deep.equal([
        'head',
        'chest',
        'abdomen_pelvis',
        'trunk',
        'neck',
        null,
      ]);
    });
  });

  describe('recomputeDoseMetrics on PostgreSQL', function () {
    this.timeout(60_000);
    let database: TestDatabase;
    let db: QueryRunner;
    let refs: ReferenceFixture;
    let trustId: number;
    let deviceId: number;

    const metrics = async (studyId: number): Promise<MetricsRow> => {
      const { rows } = await db.query<MetricsRow>({
        text: 'SELECT * FROM study_dose_metrics WHERE study_id = $1',
        values: [studyId],
      });
      expect(rows, `metrics of study ${studyId}`).to.have.length(1);
      return rows[0]!;
    };
    const comparisons = async (studyId: number): Promise<ComparisonRow[]> =>
      (
        await db.query<ComparisonRow>({
          text: 'SELECT * FROM study_drl_comparisons WHERE study_id = $1 ORDER BY scope, quantity',
          values: [studyId],
        })
      ).rows;

    before(async () => {
      database = await freshDatabase();
      db = queryRunner(database.pool);
      refs = await loadReferenceFixture(db);
      trustId = await addTrust(db, 'RX1');
      deviceId = await addDevice(db, trustId, 'CT 1');
      await addProcedure(db, {
        code: 'T-CTHEAD',
        name: 'CT Head',
        modality: 'CT',
        bodyRegion: 'HEAD',
        drlCategory: 'ct-head-acute-stroke',
      });
      await addProcedure(db, {
        code: 'T-CTCHEST',
        name: 'CT Chest',
        modality: 'CT',
        bodyRegion: 'CHEST',
        drlCategory: 'ct-chest-lung-cancer',
      });
      await addProcedure(db, {
        code: 'T-CTNECK',
        name: 'CT Neck',
        modality: 'CT',
        bodyRegion: 'NECK',
        drlCategory: null,
      });
      await addProcedure(db, {
        code: 'T-XACA',
        name: 'Coronary angiography radial',
        modality: 'XA',
        bodyRegion: 'HEART',
        drlCategory: TEST_XA_CATEGORY,
      });
    });
    after(async () => {
      await database?.drop();
    });

    it('adult head CT: E = k(head, adult) × DLP with the factor it used; the head phantom noted; DLP and CTDIvol compared', async () => {
      const id = await addStudy(db, {
        trustId,
        deviceId,
        modality: 'CT',
        time: '2026-03-02T10:00:00Z',
        procedure: 'T-CTHEAD',
        ageYears: 67,
        dlpMgyCm: 850,
        events: [
          { kind: 'ct', ctdivolMgy: 52, dlpMgyCm: 600, details: { ctdiwPhantomType: HEAD_PHANTOM } },
          { kind: 'ct', ctdivolMgy: 40, dlpMgyCm: 250, details: { ctdiwPhantomType: HEAD_PHANTOM } },
          // A localizer is no sequence: not compared, not in the medians.
          {
            kind: 'ct',
            ctdivolMgy: 0.4,
            dlpMgyCm: 1,
            details: { ctdiwPhantomType: HEAD_PHANTOM, ctAcquisitionType: { value: '113805', scheme: 'DCM' } },
          },
        ],
      });
      await recomputeDoseMetrics(db, { studyIds: [id] });
      const m = await metrics(id);
      expect(m.effective_dose_msv).to.be.closeTo(0.0021 * 850, 1e-12);
      expect(m.effective_dose_method).to.equal('ct-k-factor');
      expect(Number(m.effective_dose_reference_value_id)).to.equal(refs.k.get('head/adult'));
      expect(m).to.include({ k_body_region: 'head', age_band: 'adult', ct_phantom: '16cm', ssde_mgy: null });
      expect(m.ctdivol_sequences_mgy).to.deep.equal([52, 40]);
      expect(m.above_national_drl).to.equal(true);
      // DRL comparison by hand: DLP 850 / 790 = 1.0759…, above; CTDIvol 52 > 47 in 1 of 2 sequences.
      const c = await comparisons(id);
      expect(c.map((r) => [r.scope, r.quantity])).to.deep.equal([
        ['national', 'ctdivol_mgy'],
        ['national', 'dlp_mgycm'],
      ]);
      const [ctdi, dlp] = c;
      expect(Number(dlp!.reference_value_id)).to.equal(refs.ndrl.get('ct-head-acute-stroke/dlp_mgycm'));
      expect(dlp).to.include({ observed: 850, reference_level: 790, above: true });
      expect(dlp!.ratio).to.be.closeTo(850 / 790, 1e-12);
      expect(Number(ctdi!.reference_value_id)).to.equal(refs.ndrl.get('ct-head-acute-stroke/ctdivol_mgy'));
      expect(ctdi).to.include({
        observed: 52,
        reference_level: 47,
        above: true,
        sequences_compared: 2,
        sequences_above: 1,
      });
    });

    it('adult chest CT: E = 0.014 × 290 = 4.06 mSv; SSDE from the RDSR water-equivalent diameter (AAPM 220)', async () => {
      const id = await addStudy(db, {
        trustId,
        deviceId,
        modality: 'CT',
        time: '2026-03-02T11:00:00Z',
        procedure: 'T-CTCHEST',
        ageYears: 45,
        dlpMgyCm: 290,
        events: [
          {
            kind: 'ct',
            ctdivolMgy: 8,
            dlpMgyCm: 290,
            details: { ctdiwPhantomType: BODY_PHANTOM, waterEquivalentDiameterMm: 300 },
          },
        ],
      });
      await recomputeDoseMetrics(db, { studyIds: [id] });
      const m = await metrics(id);
      expect(m.effective_dose_msv).to.be.closeTo(4.06, 1e-12);
      expect(Number(m.effective_dose_reference_value_id)).to.equal(refs.k.get('chest/adult'));
      // SSDE = 8 mGy × 3.704369 · exp(−0.03671937 × 30) = 8 × 1.2311292 = 9.849 mGy
      expect(m.ssde_mgy).to.be.closeTo(8 * 1.2311292453504377, 1e-9);
      expect(m).to.include({ ssde_method: 'aapm-220-water-equivalent-diameter', ssde_size_cm: 30, ct_phantom: '32cm' });
      expect(m.ssde_reference_value_ids!.map(Number)).to.deep.equal([refs.ssde.get('32/a'), refs.ssde.get('32/b')]);
      // 290 mGy·cm is the NDRL itself: not above it (ratio 1).
      const dlp = (await comparisons(id)).find((r) => r.quantity === 'dlp_mgycm')!;
      expect(dlp).to.include({ ratio: 1, above: false });
      expect(m.above_national_drl).to.equal(false);
    });

    it('SSDE from an AAPM 204 effective diameter when the event carries one; a child gets its own k-factor', async () => {
      const id = await addStudy(db, {
        trustId,
        deviceId,
        modality: 'CT',
        time: '2026-03-02T12:00:00Z',
        procedure: 'T-CTCHEST',
        ageYears: 6,
        dlpMgyCm: 100,
        events: [
          {
            kind: 'ct',
            ctdivolMgy: 10,
            dlpMgyCm: 100,
            details: { ctdiwPhantomType: BODY_PHANTOM, effectiveDiameterMm: 300 },
          },
        ],
      });
      await recomputeDoseMetrics(db, { studyIds: [id] });
      const m = await metrics(id);
      expect(m.ssde_mgy).to.be.closeTo(12.311292453504377, 1e-9);
      expect(m.ssde_method).to.equal('aapm-204-effective-diameter');
      expect(m.age_band).to.equal('5y');
      expect(m.effective_dose_msv).to.be.closeTo(0.018 * 100, 1e-12);
    });

    it('leaves what cannot be estimated NULL, with the reason', async () => {
      const neck = await addStudy(db, {
        trustId,
        deviceId,
        modality: 'CT',
        time: '2026-03-02T13:00:00Z',
        procedure: 'T-CTNECK',
        ageYears: 50,
        dlpMgyCm: 300,
      });
      const unmapped = await addStudy(db, {
        trustId,
        deviceId,
        modality: 'CT',
        time: '2026-03-02T13:10:00Z',
        ageYears: 50,
        dlpMgyCm: 300,
      });
      const noAge = await addStudy(db, {
        trustId,
        deviceId,
        modality: 'CT',
        time: '2026-03-02T13:20:00Z',
        procedure: 'T-CTHEAD',
        dlpMgyCm: 300,
      });
      await recomputeDoseMetrics(db, { studyIds: [neck, unmapped, noAge] });
      expect((await metrics(neck)).effective_dose_missing_reason).to.equal('no-k-factor');
      expect((await metrics(unmapped)).effective_dose_missing_reason).to.equal('unmapped');
      expect((await comparisons(unmapped)).length, 'an unmapped study is never compared').to.equal(0);
      expect((await metrics(noAge)).effective_dose_missing_reason).to.equal('age-unknown');
      expect((await metrics(noAge)).effective_dose_msv).to.equal(null);
    });

    it('NM: Σ (E/A) × A over the administrations; the first-loaded FDG coefficient; an unknown agent leaves E NULL', async () => {
      const nmDevice = await addDevice(db, trustId, 'NM 1');
      const bone = await addStudy(db, {
        trustId,
        deviceId: nmDevice,
        modality: 'NM',
        time: '2026-03-03T09:00:00Z',
        events: [
          {
            kind: 'radiopharmaceutical',
            activityMbq: 600,
            protocol: 'Technetium Tc^99m^ medronate',
            details: {
              radiopharmaceuticalAgent: { value: 'C-B1039', scheme: 'SRT', meaning: 'Technetium Tc^99m^ medronate' },
            },
          },
        ],
      });
      const pet = await addStudy(db, {
        trustId,
        deviceId: nmDevice,
        modality: 'PT',
        time: '2026-03-03T10:00:00Z',
        events: [{ kind: 'radiopharmaceutical', activityMbq: 350, protocol: 'Fluorodeoxyglucose F^18^' }],
      });
      const unknown = await addStudy(db, {
        trustId,
        deviceId: nmDevice,
        modality: 'NM',
        time: '2026-03-03T11:00:00Z',
        events: [{ kind: 'radiopharmaceutical', activityMbq: 700, protocol: 'Technetium Tc^99m^ tetrofosmin' }],
      });
      await recomputeDoseMetrics(db, { studyIds: [bone, pet, unknown] });
      const b = await metrics(bone);
      expect(b.effective_dose_msv).to.be.closeTo(0.0057 * 600, 1e-12);
      expect(b.effective_dose_method).to.equal('nm-per-mbq');
      expect(Number(b.effective_dose_reference_value_id)).to.equal(refs.nm[2]);
      const p = await metrics(pet);
      expect(p.effective_dose_msv).to.be.closeTo(0.019 * 350, 1e-12);
      expect(Number(p.effective_dose_reference_value_id)).to.equal(refs.nm[0]);
      expect((await metrics(unknown)).effective_dose_missing_reason).to.equal('no-coefficient');
    });

    it('projection: DAP → E only where the reference data has a factor for the DRL category', async () => {
      const xa = await addDevice(db, trustId, 'Cath lab');
      const ca = await addStudy(db, {
        trustId,
        deviceId: xa,
        modality: 'XA',
        time: '2026-03-04T09:00:00Z',
        procedure: 'T-XACA',
        dapGyCm2: 40,
      });
      const unmapped = await addStudy(db, {
        trustId,
        deviceId: xa,
        modality: 'XA',
        time: '2026-03-04T10:00:00Z',
        dapGyCm2: 40,
      });
      await recomputeDoseMetrics(db, { studyIds: [ca, unmapped] });
      const m = await metrics(ca);
      expect(m.effective_dose_msv).to.be.closeTo(CORONARY_ANGIOGRAPHY_E_PER_DAP * 40, 1e-12);
      expect(Number(m.effective_dose_reference_value_id)).to.equal(refs.dapFactor);
      expect((await metrics(unmapped)).effective_dose_missing_reason).to.equal('unmapped');
    });

    it('a new edition supersedes the old: a recompute of everything records the new reference value', async () => {
      const id = await addStudy(db, {
        trustId,
        deviceId,
        modality: 'CT',
        time: '2026-03-05T10:00:00Z',
        procedure: 'T-CTHEAD',
        ageYears: 30,
        dlpMgyCm: 700,
        events: [{ kind: 'ct', ctdivolMgy: 40, dlpMgyCm: 700, details: { ctdiwPhantomType: HEAD_PHANTOM } }],
      });
      await recomputeDoseMetrics(db);
      const first = await comparisons(id);
      expect(first.map((c) => `${c.scope}/${c.quantity}`)).to.deep.equal([
        'national/ctdivol_mgy',
        'national/dlp_mgycm',
      ]);
      expect(first.find((c) => c.quantity === 'dlp_mgycm')!.above).to.equal(false);
      // A local DRL set of the study's trust, then a national edition replacing the fixture's.
      const { rows: local } = await db.query<{ id: string }>({
        text: `INSERT INTO reference_sets (set_key, kind, title, publisher, edition, source_title, trust_id, document)
               VALUES ('rx1-local', 'local-drl', 'RX1 local DRLs', 'RX1', '2026', 'RX1 audit', $1, '{}') RETURNING reference_set_id AS id`,
        values: [trustId],
      });
      await db.query({
        text: `INSERT INTO reference_values (reference_set_id, value_key, drl_category, quantity, value, status)
               VALUES ($1, 'head', 'ct-head-acute-stroke', 'dlp_mgycm', 650, 'C')`,
        values: [local[0]!.id],
      });
      const { rows: next } = await db.query<{ id: string }>({
        text: `INSERT INTO reference_sets (set_key, kind, title, publisher, edition, source_title, document)
               VALUES ('test-uk-ndrl-adult-ct-next', 'national-drl', 'next', 'test', '2', 'next', '{}') RETURNING reference_set_id AS id`,
      });
      const { rows: nextValue } = await db.query<{ id: string }>({
        text: `INSERT INTO reference_values (reference_set_id, value_key, drl_category, quantity, value, status)
               VALUES ($1, 'head', 'ct-head-acute-stroke', 'dlp_mgycm', 690, 'C') RETURNING reference_value_id AS id`,
        values: [next[0]!.id],
      });
      await db.query({
        text: 'UPDATE reference_sets SET superseded_by = $1, superseded_at = now() WHERE reference_set_id = $2',
        values: [next[0]!.id, refs.ndrlSetId],
      });
      await recomputeDoseMetrics(db);
      const after = await comparisons(id);
      const national = after.find((c) => c.scope === 'national' && c.quantity === 'dlp_mgycm')!;
      expect(national.reference_value_id).to.equal(nextValue[0]!.id);
      expect(national).to.include({ reference_level: 690, above: true });
      const localDlp = after.find((c) => c.scope === 'local')!;
      expect(localDlp).to.include({ quantity: 'dlp_mgycm', reference_level: 650, above: true });
      // The superseded edition's CTDIvol row is no longer current: that comparison is gone.
      expect(after.map((c) => `${c.scope}/${c.quantity}`)).to.deep.equal(['local/dlp_mgycm', 'national/dlp_mgycm']);
      expect((await metrics(id)).above_local_drl).to.equal(true);
    });
  });
});
