import { expect } from 'chai';
import type { StudySummary } from '../../ingest/extract/summary.ts';
import { decideTotals } from '../../ingest/store/merge.ts';
import type { StudyReportRow } from '../../ingest/store/studies.ts';
import { newUid, writePart10 } from '../support/fixtures/dicom-writer.ts';
import {
  buildCtImage,
  buildDxImage,
  buildMgImage,
  buildPhilipsDoseScreen,
  mammographyRdsrDataset,
} from '../support/fixtures/dose-images.ts';
import { buildCtRdsr, buildProjectionRdsr, Codes } from '../support/fixtures/xray-rdsr.ts';
import { testIngestService } from '../support/ingest-harness.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * One exam, several sources (docs/adr/0006-source-precedence.md): an RDSR, a dose screen and image
 * headers describe the same exposures under keys that never meet. Per dose domain the best source
 * present makes the totals and the events, whatever the order of arrival; the others stay recorded.
 */
const request = { transport: 'file' as const, sender: 'test', trustCode: 'DEFAULT' };

interface StudyState {
  total_dlp_mgycm: number | null;
  total_dap_gycm2: number | null;
  total_agd_left_mgy: number | null;
  event_count: number;
  events: Array<{ source_kind: string; n: number }>;
  sources: number;
  reports: number;
}

async function studyState(db: TestDatabase, studyInstanceUid: string): Promise<StudyState> {
  const { rows } = await db.pool.query<StudyState>(
    `SELECT s.total_dlp_mgycm, s.total_dap_gycm2, s.total_agd_left_mgy, s.event_count,
            COALESCE((SELECT json_agg(json_build_object('source_kind', k, 'n', n) ORDER BY k)
                      FROM (SELECT source_kind AS k, count(*)::int AS n FROM irradiation_events e
                            WHERE e.study_id = s.study_id GROUP BY 1) x), '[]') AS events,
            (SELECT count(*)::int FROM source_objects o WHERE o.study_id = s.study_id AND o.status = 'extracted') AS sources,
            (SELECT count(*)::int FROM study_reports r WHERE r.study_id = s.study_id) AS reports
     FROM studies s WHERE s.study_instance_uid = $1`,
    [studyInstanceUid],
  );
  if (!rows[0]) throw new Error(`no study ${studyInstanceUid}`);
  return rows[0];
}

interface Case {
  readonly name: string;
  /** The RDSR first, then the lower sources. */
  readonly objects: (study: string) => Uint8Array[];
  readonly expected: Omit<StudyState, 'sources' | 'reports'>;
}

const CASES: Case[] = [
  {
    name: 'DX: a projection RDSR and the CR image headers of its two exposures',
    objects: (study) => [
      buildProjectionRdsr({ studyInstanceUid: study, events: 2, deviceType: Codes.fluoroGuided }),
      buildDxImage({ studyInstanceUid: study, time: '102010', dapDgyCm2: 12 }),
      buildDxImage({ studyInstanceUid: study, time: '102011', dapDgyCm2: 12 }),
    ],
    expected: {
      total_dlp_mgycm: null,
      total_dap_gycm2: 2.4,
      total_agd_left_mgy: null,
      event_count: 2,
      events: [{ source_kind: 'projection-rdsr', n: 2 }],
    },
  },
  {
    name: 'MG: a mammography RDSR and the MG image headers of its exposures',
    objects: (study) => [
      writePart10(mammographyRdsrDataset({ studyInstanceUid: study, events: 2, agdLeftMgy: 2.5 })),
      buildMgImage({ studyInstanceUid: study, time: '102010', organDoseDgy: 0.0125 }),
      buildMgImage({ studyInstanceUid: study, time: '102011', organDoseDgy: 0.0125 }),
    ],
    expected: {
      total_dlp_mgycm: null,
      total_dap_gycm2: 2.4,
      total_agd_left_mgy: 2.5,
      event_count: 2,
      events: [{ source_kind: 'projection-rdsr', n: 2 }],
    },
  },
  {
    name: 'CT: a CT RDSR, a Philips dose screen and CT image headers of the same acquisitions',
    objects: (study) => {
      const series = newUid();
      return [
        buildCtRdsr({ studyInstanceUid: study, events: 2 }),
        buildPhilipsDoseScreen({ studyInstanceUid: study, dlpMgyCm: [310.5, 310.5] }),
        buildCtImage({ studyInstanceUid: study, seriesInstanceUid: series }),
        buildCtImage({ studyInstanceUid: study, seriesInstanceUid: series }),
      ];
    },
    expected: {
      total_dlp_mgycm: 621,
      total_dap_gycm2: null,
      total_agd_left_mgy: null,
      event_count: 2,
      events: [{ source_kind: 'ct-rdsr', n: 2 }],
    },
  },
];

describe('source precedence: RDSR over dose screen over image headers', () => {
  let db: TestDatabase;
  before(async () => {
    db = await freshDatabase();
  });
  after(() => db.drop());

  for (const c of CASES) {
    for (const order of ['RDSR first', 'headers first'] as const) {
      it(`${c.name} (${order}): totals and events are the RDSR's, every object is recorded`, async () => {
        const { service } = testIngestService(db);
        const study = newUid();
        const objects = c.objects(study);
        const sent = order === 'RDSR first' ? objects : [...objects].reverse();
        for (const bytes of sent) expect((await service.ingestObject({ ...request, bytes })).status).to.equal('stored');
        const state = await studyState(db, study);
        const { total_dlp_mgycm, total_dap_gycm2, total_agd_left_mgy } = state;
        const close = (v: number | null) => (v === null ? null : Math.round(v * 1e6) / 1e6);
        expect({
          ...state,
          total_dlp_mgycm: close(total_dlp_mgycm),
          total_dap_gycm2: close(total_dap_gycm2),
          total_agd_left_mgy: close(total_agd_left_mgy),
        }).to.deep.equal({ ...c.expected, sources: objects.length, reports: objects.length });
      });
    }
  }

  it('a dose screen outranks CT image headers when no RDSR came', async () => {
    const { service } = testIngestService(db);
    const study = newUid();
    const series = newUid();
    for (const bytes of [
      buildCtImage({ studyInstanceUid: study, seriesInstanceUid: series }),
      buildPhilipsDoseScreen({ studyInstanceUid: study, dlpMgyCm: [100, 200] }),
      buildCtImage({ studyInstanceUid: study, seriesInstanceUid: newUid(), ctdiVolMgy: 3 }),
    ])
      await service.ingestObject({ ...request, bytes });
    const state = await studyState(db, study);
    expect(state).to.deep.include({
      total_dlp_mgycm: 300,
      event_count: 2,
      events: [{ source_kind: 'philips-ct-dose-sc', n: 2 }],
      sources: 3,
    });
  });
});

describe('totals: unknown is not zero', () => {
  let db: TestDatabase;
  before(async () => {
    db = await freshDatabase();
  });
  after(() => db.drop());

  it('stores no total DAP (NULL, not 0) for a projection report that states none', async () => {
    const { service } = testIngestService(db);
    const study = newUid();
    await service.ingestObject({ ...request, bytes: buildMgImage({ studyInstanceUid: study }) });
    const { rows } = await db.pool.query(
      `SELECT total_dap_gycm2, total_dap_plane_a_gycm2, total_dap_plane_b_gycm2, total_dose_rp_gy, total_dlp_mgycm,
              total_activity_mbq, total_agd_left_mgy, total_agd_right_mgy, total_agd_mgy
       FROM studies WHERE study_instance_uid = $1`,
      [study],
    );
    expect(rows[0]).to.deep.equal({
      total_dap_gycm2: null,
      total_dap_plane_a_gycm2: null,
      total_dap_plane_b_gycm2: null,
      total_dose_rp_gy: null,
      total_dlp_mgycm: null,
      total_activity_mbq: null,
      total_agd_left_mgy: 1.25,
      total_agd_right_mgy: null,
      total_agd_mgy: 1.25,
    });
  });

  it('quarantines a projection RDSR whose DAP unit is unknown instead of guessing Gy·m²', async () => {
    const { service } = testIngestService(db);
    const study = newUid();
    const bytes = buildProjectionRdsr({ studyInstanceUid: study, events: 2, dapUnit: ['Gy.dm2', 'UCUM', 'Gy.dm2'] });
    const outcome = await service.ingestObject({ ...request, bytes });
    expect(outcome).to.include({ status: 'quarantined', reasonCode: 'invalid_value' });
    expect(outcome.status === 'quarantined' && outcome.reason).to.match(
      /unknown unit "Gy\.dm2" for a dose-area product/,
    );
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM studies WHERE study_instance_uid = $1', [
      study,
    ]);
    expect(rows[0]).to.deep.equal({ n: 0 });
  });
});

describe('report totals without event UIDs are decided by content', () => {
  const summary = (totals: Partial<StudySummary>): StudySummary =>
    ({ eventCount: 0, ...totals }) as unknown as StudySummary;
  const report = (sourceKind: string, eventUids: string[], totals: Partial<StudySummary>): StudyReportRow => ({
    sourceKind,
    eventUids,
    summary: summary(totals),
  });

  it('keeps the totals of a totals-only CT report beside a radiopharmaceutical report with events', () => {
    const decision = decideTotals([
      report('ct-rdsr', [], { totalDlpMgyCm: 500 }),
      report('radiopharmaceutical-rdsr', ['2.25.1'], { totalActivityMbq: 350 }),
    ]);
    expect(decision).to.deep.include({ kind: 'reports' });
    expect(decision.kind === 'reports' && decision.totals).to.include({ totalDlpMgyCm: 500, totalActivityMbq: 350 });
  });

  it('adds a later totals-only report that states less than an earlier one (a continuation)', () => {
    const decision = decideTotals([
      report('projection-rdsr', ['2.25.1', '2.25.2'], { totalDapGyCm2: 2.4 }),
      report('projection-rdsr', [], { totalDapGyCm2: 1 }),
    ]);
    expect(decision.kind === 'reports' && decision.totals.totalDapGyCm2).to.be.closeTo(3.4, 1e-9);
  });

  it('lets a later report of the same kind that restates at least as much supersede it (cumulative)', () => {
    const decision = decideTotals([
      report('projection-rdsr', [], { totalDapGyCm2: 1 }),
      report('projection-rdsr', [], { totalDapGyCm2: 1 }),
      report('projection-rdsr', ['2.25.1'], { totalDapGyCm2: 2.4 }),
    ]);
    expect(decision.kind === 'reports' && decision.totals.totalDapGyCm2).to.equal(2.4);
  });
});
