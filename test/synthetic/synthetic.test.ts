import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { extractDoseReport } from '../../ingest/index.ts';
import { patientKeys } from '../../ingest/pipeline/patient-identity.ts';
import { startDicomScp } from '../../ingest/transports/dicom-scp.ts';
import { buildRegionModel, type RegionModel } from '../../synthetic/model.ts';
import { createExamStream } from '../../synthetic/exams.ts';
import { doseReportFile } from '../../synthetic/dicom-writer.ts';
import { directLoad } from '../../synthetic/direct-load.ts';
import { synthDoseReport } from '../../synthetic/dose-report.ts';
import { prepareDemoRegion, startDemoSender } from '../../synthetic/demo.ts';
import { readPart10Meta } from '../../synthetic/part10-meta.ts';
import { listDicomFiles, sendFolder } from '../../synthetic/send.ts';
import type { IngestService } from '../../ingest/pipeline/types.ts';
import { identityRules, localIdOf, patientAt, patientInfoAt } from '../../synthetic/patients.ts';
import { ZonedClock } from '../../synthetic/time.ts';
import type { SynthExam } from '../../synthetic/types.ts';
import { testIngestService } from '../support/ingest-harness.ts';
import { silentLogger } from '../support/logger.ts';
import { dcmtk, requirePrerequisite } from '../support/prerequisites.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';
import { writePart10WithDcmjs, doseReportDataset } from '../../synthetic/dicom-writer.ts';

/** The synthetic region: deterministic, realistic enough, and loadable by both paths with the same result. */
const SECRET = 'test-secret-'.repeat(4);
const DSRDUMP = 'dsrdump';

function examsOf(model: RegionModel): SynthExam[] {
  return [...createExamStream(model).exams];
}

function streamHash(model: RegionModel, count: number): string {
  const hash = createHash('sha256');
  let n = 0;
  for (const exam of createExamStream(model).exams) {
    hash.update(
      JSON.stringify({ ...exam, trust: exam.trust.code, room: exam.room.index, procedure: exam.procedure.id }),
    );
    if ((n += 1) >= count) break;
  }
  return hash.digest('hex');
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const totalDlp = (exam: SynthExam): number =>
  exam.events.reduce((sum, e) => sum + (e.kind === 'ct' ? e.dlpMgyCm : 0), 0);

/**
 * Counts the ingests running at once. The first one waits (5 s at most) for a second to start: a
 * sender with one association at a time never gets there, whatever the machine's speed.
 */
function overlapProbe() {
  let running = 0;
  let first = true;
  let overlapped: () => void = () => undefined;
  const second = new Promise<void>((resolve) => (overlapped = resolve));
  const probe = {
    most: 0,
    async during<T>(work: () => Promise<T>): Promise<T> {
      running += 1;
      probe.most = Math.max(probe.most, running);
      if (running >= 2) overlapped();
      try {
        if (first) {
          first = false;
          await Promise.race([second, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
        }
        return await work();
      } finally {
        running -= 1;
      }
    },
  };
  return probe;
}

/** One exam of each procedure: every report shape the generator writes. */
function onePerProcedure(exams: readonly SynthExam[]): SynthExam[] {
  const seen = new Map<string, SynthExam>();
  for (const exam of exams) if (!seen.has(exam.procedure.id)) seen.set(exam.procedure.id, exam);
  return [...seen.values()];
}

describe('synthetic region', () => {
  const clock = new ZonedClock('Europe/London');
  const large = buildRegionModel({ seed: 11, exams: 20_000 });
  let largeExams: SynthExam[];

  before(() => {
    largeExams = examsOf(large);
  });

  it('is not loaded by the CLI commands until generate or demo runs (kerma serve never needs it)', () => {
    // A fresh process: pg-copy-streams is CommonJS, so once anything imports the generator's direct
    // loader it is in require.cache.
    const script = `
      await import('./app/cli/demo-command.ts');
      await import('./app/cli/generate-command.ts');
      const { createRequire } = await import('node:module');
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('pg-copy-streams'));
      process.stdout.write(JSON.stringify(loaded));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      encoding: 'utf8',
    });
    expect(child.status, child.stderr).to.equal(0);
    expect(JSON.parse(child.stdout)).to.deep.equal([]);
  });

  describe('determinism', () => {
    it('gives the same exam stream and the same DICOM bytes for the same seed, and others for another seed', () => {
      const a = buildRegionModel({ seed: 5, exams: 3000 });
      const b = buildRegionModel({ seed: 5, exams: 3000 });
      const c = buildRegionModel({ seed: 6, exams: 3000 });
      expect(streamHash(a, 2000)).to.equal(streamHash(b, 2000));
      expect(streamHash(a, 2000)).to.not.equal(streamHash(c, 2000));
      const filesOf = (model: RegionModel): Buffer[] =>
        examsOf(model)
          .slice(0, 60)
          .map((e) => Buffer.from(doseReportFile(model, e, clock)));
      const [fa, fb, fc] = [filesOf(a), filesOf(b), filesOf(c)];
      expect(fa.every((file, i) => file.equals(fb[i]!))).to.equal(true);
      expect(fa.some((file, i) => !file.equals(fc[i]!))).to.equal(true);
    });

    it('writes exactly the bytes dcmjs writes', () => {
      for (const exam of onePerProcedure(largeExams)) {
        const fast = Buffer.from(doseReportFile(large, exam, clock, 'fast'));
        const reference = Buffer.from(writePart10WithDcmjs(doseReportDataset(large, exam, clock)));
        expect(fast.equals(reference), exam.procedure.id).to.equal(true);
      }
    });
  });

  describe('DICOM output', () => {
    it('extracts with Kerma’s extractors without warnings, with the generated doses', () => {
      for (const exam of onePerProcedure(largeExams)) {
        const { report } = extractDoseReport(doseReportFile(large, exam, clock));
        expect(report.warnings, exam.procedure.id).to.deep.equal([]);
        expect(report.modality).to.equal(exam.procedure.modality);
        expect(report.study.studyInstanceUid).to.equal(exam.studyUid);
        expect(report.device.deviceObserverUid).to.equal(exam.room.deviceObserverUid);
        const eventCount =
          (report.ct?.events.length ?? 0) +
          (report.projection?.events.length ?? 0) +
          (report.radiopharmaceutical?.administrations.length ?? 0);
        expect(eventCount).to.equal(exam.events.length);
        if (report.ct) expect(report.ct.accumulated.ctDoseLengthProductTotalMgyCm).to.be.closeTo(totalDlp(exam), 1e-6);
      }
    });

    it('is read by the extractors as the dose report the direct loader builds for the exam', () => {
      // Every procedure, and every exam of a small region: the direct loader stores what ingest
      // makes of synthDoseReport, so it must be the report ingest makes of the file.
      const small = buildRegionModel({ seed: 21, exams: 400, trusts: 3, years: 1, start: '2024-09-01' });
      const cases: Array<[RegionModel, SynthExam]> = [
        ...onePerProcedure(largeExams).map((e): [RegionModel, SynthExam] => [large, e]),
        ...examsOf(small).map((e): [RegionModel, SynthExam] => [small, e]),
      ];
      for (const [model, exam] of cases) {
        const { report } = extractDoseReport(doseReportFile(model, exam, clock));
        // The radiopharmaceutical extractor also leaves the object's Study Instance UID on the report
        // itself, outside the DoseReport type; report.study has it, which is what is stored.
        const extracted: Record<string, unknown> = { ...report };
        delete extracted.studyInstanceUid;
        expect(synthDoseReport(model, exam, clock), `${exam.procedure.id} ${exam.sequence}`).to.deep.equal(extracted);
      }
    });

    it('passes dcmtk’s dsrdump for every kind of report (CT, fluoroscopy, DX, MG, NM)', function () {
      requirePrerequisite(this, dcmtk());
      const dir = mkdtempSync(path.join(tmpdir(), 'kerma-synthetic-'));
      try {
        for (const exam of onePerProcedure(largeExams)) {
          const file = path.join(dir, `${exam.procedure.id}.dcm`);
          writeFileSync(file, doseReportFile(large, exam, clock));
          const run = spawnSync(DSRDUMP, [file], { encoding: 'utf8' });
          expect(run.status, `${exam.procedure.id}: ${run.stderr}`).to.equal(0);
          expect(`${run.stdout}${run.stderr}`, exam.procedure.id).to.not.match(/^E:|Error/m);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('the model', () => {
    it('has an exam mix close to a regional one', () => {
      const share = (modality: string): number =>
        largeExams.filter((e) => e.procedure.modality === modality).length / largeExams.length;
      expect(largeExams).to.have.length(20_000);
      expect(share('DX')).to.be.within(0.52, 0.64);
      expect(share('CT')).to.be.within(0.23, 0.31);
      expect(share('MG')).to.be.within(0.05, 0.09);
      expect(share('RF')).to.be.within(0.03, 0.06);
      expect(share('NM')).to.be.within(0.015, 0.035);
      expect(largeExams.every((e, i) => i === 0 || e.startUtcMs >= largeExams[i - 1]!.startUtcMs)).to.equal(true);
    });

    it('puts CT medians near the NDRL-derived targets, with some rooms above the NDRL', () => {
      const head = largeExams.filter((e) => e.procedure.id === 'ct-head' && e.scenario !== 'dose-outlier');
      const target = large.ctMedianDlpMgyCm.get('ct-head')!;
      expect(target).to.equal(790 * large.options.medianToNdrlRatio);
      expect(Math.abs(median(head.map(totalDlp)) / target - 1)).to.be.below(0.15);
      const above = head.filter((e) => e.room.aboveReference);
      expect(median(above.map(totalDlp))).to.be.above(790);
      expect(largeExams.some((e) => e.scenario === 'dose-outlier')).to.equal(true);
    });

    it('lowers the dose of one scanner’s CT head protocol half way through the period', () => {
      const change = large.protocolChange;
      const heads = largeExams.filter((e) => e.room.index === change.roomIndex && e.procedure.id === 'ct-head');
      const before = heads.filter((e) => e.startUtcMs < change.atUtcMs).map(totalDlp);
      const after = heads.filter((e) => e.startUtcMs >= change.atUtcMs).map(totalDlp);
      expect(median(after) / median(before)).to.be.within(0.55, 0.9);
    });

    it('has patients seen at several trusts, with one NHS number key and a local ID per trust', () => {
      const trustsOf = new Map<number, Set<number>>();
      for (const e of largeExams)
        trustsOf.set(e.patientIndex, (trustsOf.get(e.patientIndex) ?? new Set()).add(e.trust.index));
      const [index] = [...trustsOf.entries()].find(([i, t]) => t.size >= 2 && patientAt(large, i).nhsNumber)!;
      const [t1, t2] = [...trustsOf.get(index)!].map((t) => large.trusts[t]!);
      const patient = patientAt(large, index);
      const keys1 = patientKeys(patientInfoAt(large, patient, t1!), identityRules(t1!), SECRET);
      const keys2 = patientKeys(patientInfoAt(large, patient, t2!), identityRules(t2!), SECRET);
      expect(keys1[0]).to.deep.equal(keys2[0]);
      expect(keys1[0]?.kind).to.equal('nhs_number');
      expect(keys1[1]?.hash).to.not.equal(keys2[1]?.hash);
      expect(localIdOf(large, index, t1!)).to.not.equal(localIdOf(large, index, t2!));
    });

    it('repeats some CTs at another trust within days, and plans restaging and near misses', () => {
      const duplicates = largeExams.filter((e) => e.scenario === 'transfer-duplicate');
      expect(duplicates.length).to.be.above(10);
      for (const dup of duplicates.slice(0, 20)) {
        const prior = largeExams.find(
          (e) =>
            e.patientIndex === dup.patientIndex &&
            e.procedure.id === dup.procedure.id &&
            e.sequence < dup.sequence &&
            e.trust !== dup.trust,
        );
        expect(prior, `prior of exam ${dup.sequence}`).to.not.equal(undefined);
        expect(dup.startUtcMs - prior!.startUtcMs).to.be.below(4 * 86_400_000);
      }
      for (const scenario of ['planned-restaging', 'near-miss-region', 'near-miss-window'] as const) {
        expect(
          largeExams.some((e) => e.scenario === scenario),
          scenario,
        ).to.equal(true);
      }
    });
  });

  describe('loading', () => {
    const small = buildRegionModel({ seed: 21, exams: 400, trusts: 3, years: 1, start: '2024-09-01' });
    let direct: TestDatabase;
    let ingested: TestDatabase;

    before(async () => {
      [direct, ingested] = await Promise.all([freshDatabase(), freshDatabase()]);
    });
    after(async () => {
      await Promise.all([direct?.drop(), ingested?.drop()]);
    });

    /**
     * Every column of every study, event and event key, with the ids each database assigns for itself
     * (study, event, patient, device, trust, source object) replaced by what they stand for, and the
     * row times of the load left out.
     */
    async function studiesOf(db: TestDatabase) {
      const { rows } = await db.pool.query<Record<string, unknown>>(`
        SELECT to_jsonb(s) - 'study_id' - 'patient_id' - 'device_id' - 'trust_id' - 'created_at' - 'updated_at' AS study,
               d.fingerprint, t.code, pt.birth_year, pt.sex
        FROM studies s JOIN devices d USING (device_id) JOIN trusts t ON t.trust_id = s.trust_id
        JOIN patients pt ON pt.patient_id = s.patient_id ORDER BY s.study_instance_uid`);
      return rows;
    }

    async function eventsOf(db: TestDatabase) {
      const { rows } = await db.pool.query<Record<string, unknown>>(`
        SELECT to_jsonb(e) - 'event_id' - 'study_id' - 'device_id' - 'source_object_id' AS event,
               s.study_instance_uid, d.fingerprint, k.occurred_at AS key_occurred_at
        FROM irradiation_events e JOIN studies s USING (study_id) JOIN devices d ON d.device_id = e.device_id
        JOIN irradiation_event_keys k ON k.study_id = e.study_id AND k.irradiation_event_uid = e.irradiation_event_uid
        ORDER BY s.study_instance_uid, e.irradiation_event_uid`);
      return rows;
    }

    async function counts(db: TestDatabase) {
      const { rows } = await db.pool.query<Record<string, number>>(`
        SELECT (SELECT count(*) FROM studies)::int AS studies, (SELECT count(*) FROM irradiation_events)::int AS events,
               (SELECT count(*) FROM irradiation_event_keys)::int AS event_keys,
               (SELECT count(*) FROM patients)::int AS patients, (SELECT count(*) FROM patient_identifiers)::int AS identifiers,
               (SELECT count(DISTINCT patient_id) FROM studies)::int AS linked`);
      return rows[0];
    }

    it('loads a region directly, with keys computed as ingest computes them', async () => {
      const stream = createExamStream(small);
      const result = await directLoad(small, stream, { pool: direct.pool, patientIdSecret: SECRET, batchExams: 150 });
      expect(result.studies).to.equal(400);
      expect(await counts(direct)).to.include({
        studies: 400,
        events: result.events,
        patients: result.patients,
        identifiers: result.identifiers,
      });
      const { rows: orders } = await direct.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
      expect(orders[0]?.n).to.equal(stream.orders().length);
      const exam = examsOf(small).find((e) => patientAt(small, e.patientIndex).nhsNumber)!;
      const [nhsKey] = patientKeys(
        patientInfoAt(small, patientAt(small, exam.patientIndex), exam.trust),
        identityRules(exam.trust),
        SECRET,
      );
      const { rows } = await direct.pool.query(
        'SELECT 1 FROM patient_identifiers i JOIN studies s USING (patient_id) WHERE i.identifier_hash = $1 AND s.study_instance_uid = $2',
        [nhsKey?.hash, exam.studyUid],
      );
      expect(rows).to.have.length(1);
      if (process.env.KERMA_TEST_FLAVOUR === 'plain') {
        const stray = await direct.pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM irradiation_events_default',
        );
        expect(stray.rows[0]?.n).to.equal(0);
      }
    });

    it('gives the same studies, events and patients when the region goes through DICOM ingest', async function () {
      // About 20 s alone; twice that when the machine's two cores are shared with other work.
      this.timeout(120_000);
      for (const t of small.trusts) {
        await ingested.pool.query(
          `INSERT INTO trusts (code, name, nhs_number_source, nhs_number_issuer, local_id_issuer) VALUES ($1, $2, 'other_patient_ids', 'NHS', $3)`,
          [t.code, t.name, t.localIdIssuer],
        );
      }
      const { service, dataDir } = testIngestService(ingested);
      try {
        for (const exam of examsOf(small)) {
          const outcome = await service.ingestObject({
            bytes: doseReportFile(small, exam, clock),
            transport: 'file',
            sender: 'synthetic',
            trustCode: exam.trust.code,
          });
          expect(outcome.status).to.equal('stored');
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
      expect(await counts(ingested)).to.deep.equal(await counts(direct));
      const [studiesIngested, studiesDirect] = [await studiesOf(ingested), await studiesOf(direct)];
      expect(studiesIngested.length).to.equal(400);
      // Both paths make their rows with the store's functions from the same report: equal to the bit.
      studiesIngested.forEach((row, i) => {
        expect(
          studiesDirect[i],
          `study ${JSON.stringify((row.study as { study_instance_uid: string }).study_instance_uid)}`,
        ).to.deep.equal(row);
      });
      const [eventsIngested, eventsDirect] = [await eventsOf(ingested), await eventsOf(direct)];
      expect(eventsIngested.length).to.equal((await counts(ingested))?.events);
      eventsIngested.forEach((row, i) => {
        expect(eventsDirect[i], `event of ${String(row.study_instance_uid)}`).to.deep.equal(row);
      });
    });

    it('counts a file that is not Part 10 as not sent, with the reason, and sends the others', async () => {
      const db = await freshDatabase();
      const { service, dataDir } = testIngestService(db);
      const folder = mkdtempSync(path.join(tmpdir(), 'kerma-send-'));
      const scp = await startDicomScp({
        aeTitle: 'KERMA',
        host: '127.0.0.1',
        port: 0,
        callingAeTitles: new Map([['SYNA_PACS', 'SYNA']]),
        defaultTrustCode: 'DEFAULT',
        ingest: service,
        logger: silentLogger,
      });
      try {
        const exam = examsOf(small)[0]!;
        writeFileSync(path.join(folder, 'a.dcm'), doseReportFile(small, exam, clock));
        writeFileSync(path.join(folder, 'b.dcm'), 'not DICOM');
        const target = { host: '127.0.0.1', port: scp.port, calledAeTitle: 'KERMA', callingAeTitle: 'SYNA_PACS' };
        const result = await sendFolder(target, folder);
        expect(result).to.deep.include({
          sent: 1,
          failed: 1,
          failures: { 'unreadable: not a DICOM Part 10 file (no DICM prefix)': 1 },
        });
      } finally {
        await scp.close();
        rmSync(folder, { recursive: true, force: true });
        rmSync(dataDir, { recursive: true, force: true });
        await db.drop();
      }
    });

    it('sends the demo region’s Part 10 bytes as generated, over several associations at once (the `kerma demo` path)', async () => {
      const region = prepareDemoRegion({ exams: 40, trusts: 2 });
      const db = await freshDatabase();
      const { service, dataDir } = testIngestService(db);
      const received = new Map<string, Uint8Array>();
      const overlap = overlapProbe();
      const recording: IngestService = {
        async ingestObject(request) {
          received.set(readPart10Meta(request.bytes).sopInstanceUid, request.bytes);
          return overlap.during(() => service.ingestObject(request));
        },
      };
      const calling = new Map(region.model.trusts.map((t) => [t.aeTitle, t.code] as const));
      const scp = await startDicomScp({
        aeTitle: 'KERMA',
        host: '127.0.0.1',
        port: 0,
        callingAeTitles: calling,
        defaultTrustCode: 'DEFAULT',
        ingest: recording,
        logger: silentLogger,
      });
      const sender = startDemoSender(region);
      try {
        expect((await sender.generated).files).to.equal(40);
        const { result } = await sender.send({ host: '127.0.0.1', port: scp.port, calledAeTitle: 'KERMA' }, 4);
        expect(result).to.include({ sent: 40, failed: 0 });
        expect(overlap.most, 'objects ingested at once').to.be.at.least(2);
        const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM studies');
        expect(rows[0]?.n).to.equal(40);
        const files = listDicomFiles(region.filesDir);
        expect(files).to.have.length(40);
        for (const file of files) {
          const generated = readFileSync(file);
          const meta = readPart10Meta(generated);
          const stored = received.get(meta.sopInstanceUid);
          expect(stored, meta.sopInstanceUid).to.not.equal(undefined);
          const sentDataset = Buffer.from(stored!).subarray(readPart10Meta(stored!).datasetOffset);
          expect(
            sentDataset.equals(generated.subarray(meta.datasetOffset)),
            `data set of ${meta.sopInstanceUid}`,
          ).to.equal(true);
        }
      } finally {
        await sender.stop();
        await scp.close();
        region.dispose();
        rmSync(dataDir, { recursive: true, force: true });
        await db.drop();
      }
    });
  });
});
