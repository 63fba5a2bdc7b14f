import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { MIGRATIONS_DIR, migrate } from '../../app/db/migrations.ts';
import { queryRunner, withTransaction } from '../../app/db/pool.ts';
import { applyTrusts, loadTrustsFile } from '../../app/trusts.ts';
import { createIngestService, createObjectStore, extractDoseReport, prepareObject } from '../../ingest/index.ts';
import { dateTimeUtcOffset, formatUtcOffset } from '../../ingest/extract/values.ts';
import { instantOf, utcMonth } from '../../ingest/store/instants.ts';
import { writePart10, newUid, type Dataset } from '../support/fixtures/dicom-writer.ts';
import { datetime } from '../support/fixtures/sr-builder.ts';
import { Codes, ctRdsrDataset } from '../support/fixtures/xray-rdsr.ts';
import { recordingLogger, silentLogger } from '../support/logger.ts';
import {
  createEmptyDatabase,
  databaseUrl,
  dropDatabase,
  freshDatabase,
  type TestDatabase,
} from '../support/test-database.ts';

/**
 * Times (docs/adr/0005-times-and-event-identity.md): the object's own offset first, then the trust's
 * zone, then KERMA_TIMEZONE; an event's identity independent of all three; rows in their UTC month.
 */
interface CtReportOptions {
  readonly studyInstanceUid?: string;
  readonly studyDate: string;
  readonly studyTime: string;
  /** Timezone Offset From UTC (0008,0201), e.g. '+0200'. */
  readonly utcOffset?: string;
  /** One DT per event (DateTime Started), suffix included if any; none gives events without a time. */
  readonly eventDateTimes?: readonly string[];
  readonly events?: number;
}

function ctReport(options: CtReportOptions): Uint8Array {
  const events = options.eventDateTimes?.length ?? options.events ?? 1;
  const ds: Dataset = ctRdsrDataset({
    events,
    studyDate: options.studyDate,
    studyInstanceUid: options.studyInstanceUid ?? newUid(),
  });
  ds.StudyTime = options.studyTime;
  if (options.utcOffset) ds.TimezoneOffsetFromUTC = options.utcOffset;
  const content = ds.ContentSequence as Dataset[];
  content.slice(-events).forEach((event, i) => {
    const dt = options.eventDateTimes?.[i];
    if (dt) (event.ContentSequence as Dataset[]).push(datetime(Codes.dateTimeStarted, dt));
  });
  return writePart10(ds);
}

/** An ingest service as the composition root builds it, in a zone of our choosing. */
function serviceIn(db: TestDatabase, timeZone: string, dataDir: string) {
  return createIngestService({
    transaction: (work) => withTransaction(db.pool, work),
    db: queryRunner(db.pool),
    objects: createObjectStore(dataDir),
    logger: recordingLogger(),
    patientIdSecret: 'test-secret-'.repeat(4),
    timeZone,
    notPatientPatterns: { ids: [], names: [] },
  });
}

const request = (bytes: Uint8Array, trustCode = 'DEFAULT') => ({
  bytes,
  transport: 'file' as const,
  sender: 'test',
  trustCode,
});

describe('times', () => {
  describe('reading offsets and zones', () => {
    it('reads UTC offsets of 0008,0201 and of DT suffixes, refusing impossible ones', () => {
      expect(formatUtcOffset('+0100')).to.equal('+01:00');
      expect(formatUtcOffset('-0530')).to.equal('-05:30');
      expect(formatUtcOffset('+1500')).to.equal(undefined);
      expect(formatUtcOffset('0100')).to.equal(undefined);
      expect(dateTimeUtcOffset('20240701003000.5+0100')).to.equal('+01:00');
      expect(dateTimeUtcOffset('20240701003000')).to.equal(undefined);
    });

    it('keeps the offsets an RDSR states next to its local times', () => {
      const report = extractDoseReport(
        ctReport({
          studyDate: '20240701',
          studyTime: '003000',
          utcOffset: '+0200',
          eventDateTimes: ['20240701003100-0400', '20240701003200'],
        }),
      ).report;
      expect(report.study.utcOffset).to.equal('+02:00');
      expect(report.ct?.events.map((e) => [e.dateTimeStarted, e.dateTimeStartedUtcOffset])).to.deep.equal([
        ['2024-07-01T00:31:00', '-04:00'],
        ['2024-07-01T00:32:00', undefined],
      ]);
    });

    it("keeps an image header's Acquisition DateTime offset, and only when that DT is the time read", () => {
      const ct = (extra: Dataset) =>
        extractDoseReport(
          writePart10({
            SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
            SOPInstanceUID: newUid(),
            StudyInstanceUID: newUid(),
            SeriesInstanceUID: newUid(),
            StudyDate: '20240701',
            StudyTime: '003000',
            Modality: 'CT',
            KVP: '120',
            CTDIvol: 12.5,
            ProtocolName: 'Head',
            AcquisitionDateTime: '20240701003000-0400',
            ...extra,
          }),
        ).report.ct?.events.map((e) => [e.dateTimeStarted, e.dateTimeStartedUtcOffset]);
      expect(ct({})).to.deep.equal([['2024-07-01T00:30:00', '-04:00']]);
      // Acquisition Date and Time win over the DT (imageDateTime): they are local, without its offset.
      expect(ct({ AcquisitionDate: '20240701', AcquisitionTime: '004000' })).to.deep.equal([
        ['2024-07-01T00:40:00', undefined],
      ]);
    });

    it('reads local times in a zone as PostgreSQL does, clock changes included', async () => {
      const db = await freshDatabase();
      try {
        const locals = [
          '2024-07-01T00:30:00',
          '2024-12-01T00:30:00.123456',
          '2024-03-31T00:59:59',
          '2024-03-31T01:30:00', // skipped hour
          '2024-03-31T02:00:00',
          '2024-10-27T00:59:59',
          '2024-10-27T01:30:00', // repeated hour
          '2024-10-27T02:00:00',
        ];
        for (const zone of ['Europe/London', 'America/New_York', 'Australia/Sydney']) {
          const ours = locals.map((local) => instantOf(local, { basis: 'default-zone', zone }));
          const { rows } = await db.pool.query<{ same: boolean }>(
            `SELECT (l::timestamp AT TIME ZONE $2) = o::timestamptz AS same
             FROM unnest($1::text[], $3::text[]) AS x(l, o)`,
            [locals, zone, ours],
          );
          expect(
            rows.map((r) => r.same),
            zone,
          ).to.deep.equal(locals.map(() => true));
        }
        expect(instantOf('2024-07-01T00:30:00', { basis: 'default-zone', zone: 'Europe/London' })).to.equal(
          '2024-07-01T00:30:00+01:00',
        );
        expect(utcMonth('2024-07-01T00:30:00+01:00')).to.equal('2024-06');
      } finally {
        await db.drop();
      }
    });

    it('reads local times as PostgreSQL does minute by minute around clock changes, off the UTC hour too', async () => {
      // instants.ts keeps one offset per UTC hour; Adelaide (+09:30) and Lord Howe (a 30-minute
      // change) change clocks at hh:30 UTC, so the hour holding the change must not take one offset.
      const db = await freshDatabase();
      try {
        const minutesFrom = (start: string, count: number): string[] =>
          Array.from({ length: count }, (_, i) =>
            new Date(Date.parse(`${start}Z`) + i * 60_000).toISOString().slice(0, 19),
          );
        const cases: Array<[zone: string, days: string[]]> = [
          ['Australia/Adelaide', ['2024-04-07', '2024-10-06']],
          ['Australia/Lord_Howe', ['2024-04-07', '2024-10-06']],
          ['Europe/London', ['2024-03-31', '2024-10-27']],
        ];
        for (const [zone, days] of cases) {
          // Midnight to 05:00 local, every minute: the change and the hours either side of it.
          const locals = days.flatMap((day) => minutesFrom(`${day}T00:00:00`, 5 * 60));
          const ours = locals.map((local) => instantOf(local, { basis: 'default-zone', zone }));
          const { rows } = await db.pool.query<{ local: string }>(
            `SELECT l AS local FROM unnest($1::text[], $3::text[]) AS x(l, o)
             WHERE (l::timestamp AT TIME ZONE $2) <> o::timestamptz`,
            [locals, zone, ours],
          );
          expect(
            rows.map((r) => r.local),
            zone,
          ).to.deep.equal([]);
        }
      } finally {
        await db.drop();
      }
    });

    it('refuses a trusts file whose timeZone is not an IANA zone', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'kerma-trusts-'));
      try {
        const file = path.join(dir, 'trusts.json');
        writeFileSync(file, JSON.stringify([{ code: 'RXH', name: 'X', timeZone: 'Europe/Londres' }]));
        expect(() => loadTrustsFile(file)).to.throw(/timeZone of RXH must be an IANA time zone/);
        writeFileSync(file, JSON.stringify([{ code: 'RXH', name: 'X', timeZone: 'Europe/Dublin' }]));
        expect(loadTrustsFile(file)[0]?.timeZone).to.equal('Europe/Dublin');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('stored', () => {
    let db: TestDatabase;
    let dataDir: string;
    before(async () => {
      db = await freshDatabase();
      dataDir = mkdtempSync(path.join(tmpdir(), 'kerma-objects-'));
      await applyTrusts(queryRunner(db.pool), [
        { code: 'NYC', name: 'New York trust', timeZone: 'America/New_York' },
        { code: 'PLAIN', name: 'Trust without a zone' },
      ]);
    });
    after(async () => {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    async function study(studyInstanceUid: string) {
      const { rows } = await db.pool.query<{ utc: string; time_basis: string; time_zone: string }>(
        `SELECT to_char(study_datetime AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS utc, time_basis, time_zone
         FROM studies WHERE study_instance_uid = $1`,
        [studyInstanceUid],
      );
      return rows[0];
    }

    async function eventTimes(studyInstanceUid: string): Promise<string[]> {
      const { rows } = await db.pool.query<{ utc: string }>(
        `SELECT to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS utc
         FROM irradiation_events e JOIN studies s USING (study_id) WHERE s.study_instance_uid = $1
         ORDER BY e.irradiation_event_uid`,
        [studyInstanceUid],
      );
      return rows.map((r) => r.utc);
    }

    it("uses the object's offset, else the trust's zone, else KERMA_TIMEZONE, and records which", async () => {
      const service = serviceIn(db, 'Europe/London', dataDir);
      const uids = [newUid(), newUid(), newUid()];
      const base = { studyDate: '20240115', studyTime: '120000' };
      await service.ingestObject(request(ctReport({ ...base, studyInstanceUid: uids[0], utcOffset: '+0200' }), 'NYC'));
      await service.ingestObject(request(ctReport({ ...base, studyInstanceUid: uids[1] }), 'NYC'));
      await service.ingestObject(request(ctReport({ ...base, studyInstanceUid: uids[2] }), 'PLAIN'));
      expect(await study(uids[0]!)).to.deep.equal({
        utc: '2024-01-15T10:00:00',
        time_basis: 'object-offset',
        time_zone: '+02:00',
      });
      expect(await study(uids[1]!)).to.deep.equal({
        utc: '2024-01-15T17:00:00',
        time_basis: 'trust-zone',
        time_zone: 'America/New_York',
      });
      expect(await study(uids[2]!)).to.deep.equal({
        utc: '2024-01-15T12:00:00',
        time_basis: 'default-zone',
        time_zone: 'Europe/London',
      });
      // An event's DT suffix wins over 0008,0201; an event without a suffix takes 0008,0201.
      const uid = newUid();
      await service.ingestObject(
        request(
          ctReport({
            studyInstanceUid: uid,
            ...base,
            utcOffset: '+0200',
            eventDateTimes: ['20240115120100-0500', '20240115120200'],
          }),
          'NYC',
        ),
      );
      expect(await eventTimes(uid)).to.deep.equal(['2024-01-15T17:01:00', '2024-01-15T10:02:00']);
    });

    it('keeps one row per event when services configured in different zones receive its reports', async () => {
      const uid = newUid();
      const london = serviceIn(db, 'Europe/London', dataDir);
      const newYork = serviceIn(db, 'America/New_York', dataDir);
      const report = (events: number) =>
        ctReport({ studyInstanceUid: uid, studyDate: '20240315', studyTime: '101500', events });
      // A cumulative report restates the earlier events (same UIDs) in a new object.
      const first = await london.ingestObject(request(report(1)));
      const second = await newYork.ingestObject(request(report(2)));
      const third = (
        await newYork.commitPreparedBatch([{ request: request(report(3)), ...(await stored(report(3))) }])
      )[0];
      expect([first, second, third].map((o) => (o as { eventsAdded?: number }).eventsAdded)).to.deep.equal([1, 1, 1]);
      const times = await eventTimes(uid);
      expect(times).to.have.length(3);
      // The first event stays at the time it was first read (London), not New York's reading.
      expect(times[0]).to.equal('2024-03-15T10:15:00');
      const { rows } = await db.pool.query<{ event_count: number; study_id: number }>(
        'SELECT event_count, study_id FROM studies WHERE study_instance_uid = $1',
        [uid],
      );
      expect(rows[0]?.event_count).to.equal(3);
      expect(await london.reprocessStudy(rows[0]!.study_id)).to.deep.equal({ reports: 3, events: 3 });
      expect(await eventTimes(uid)).to.have.length(3);
    });

    async function stored(bytes: Uint8Array) {
      const prepared = prepareObject(bytes);
      return { prepared, storagePath: await createObjectStore(dataDir).put(prepared.sha256, bytes) };
    }

    // 2033: no other test stores events in that year, so the partitions are made by these arrivals.
    for (const [season, local, utc, month] of [
      ['BST', '20330701003000', '2033-06-30T23:30:00', 'y2033m06'],
      ['GMT', '20331201003000', '2033-12-01T00:30:00', 'y2033m12'],
    ] as const) {
      it(`stores an event of 00:30 on the 1st in its UTC month's partition (${season})`, async () => {
        const uid = newUid();
        const service = serviceIn(db, 'Europe/London', dataDir);
        const outcome = await service.ingestObject(
          request(
            ctReport({
              studyInstanceUid: uid,
              studyDate: local.slice(0, 8),
              studyTime: '003000',
              eventDateTimes: [local],
            }),
          ),
        );
        expect(outcome.status).to.equal('stored');
        expect(await eventTimes(uid)).to.deep.equal([utc]);
        const { rows } = await db.pool.query<{ partition: string }>(
          `SELECT e.tableoid::regclass::text AS partition
           FROM irradiation_events e JOIN studies s USING (study_id) WHERE s.study_instance_uid = $1`,
          [uid],
        );
        if (process.env.KERMA_TEST_FLAVOUR === 'plain') {
          expect(rows.map((r) => r.partition)).to.deep.equal([`irradiation_events_${month}`]);
          const stray = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM irradiation_events_default');
          expect(stray.rows[0]?.n).to.equal(0);
        } else {
          // TimescaleDB makes its chunks by itself: the row is in a chunk, and that chunk covers its time.
          const chunk = await db.pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM timescaledb_information.chunks
             WHERE hypertable_name = 'irradiation_events' AND range_start <= $1::timestamptz AND range_end > $1::timestamptz`,
            [`${utc}Z`],
          );
          expect(rows).to.have.length(1);
          expect(chunk.rows[0]?.n).to.equal(1);
        }
      });
    }
  });

  it('migration 0006 keeps the first of an event stored twice before it, and gives every event its key', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kerma-mig-'));
    const name = await createEmptyDatabase();
    const client = new pg.Client({ connectionString: databaseUrl(name) });
    try {
      await client.connect();
      for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => !/^0006_/.test(f)))
        copyFileSync(path.join(MIGRATIONS_DIR, file), path.join(dir, file));
      await migrate(client, { logger: silentLogger, timescale: 'auto', dir });
      const { rows } = await client.query<{ study_id: number }>(
        `INSERT INTO studies (study_instance_uid, modality, event_count) VALUES ('2.25.6', 'CT', 3) RETURNING study_id`,
      );
      const studyId = rows[0]!.study_id;
      // One event read in London, then again in New York (the bug), and another event.
      for (const [uid, at, dlp] of [
        ['2.25.61', '2024-03-15T10:15:00Z', 100],
        ['2.25.61', '2024-03-15T14:15:00Z', 110],
        ['2.25.62', '2024-03-15T10:20:00Z', 200],
      ] as const)
        await client.query(
          `INSERT INTO irradiation_events (occurred_at, study_id, irradiation_event_uid, modality, event_kind, dlp_mgycm)
           VALUES ($1, $2, $3, 'CT', 'ct', $4)`,
          [at, studyId, uid, dlp],
        );
      for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => /^0006_/.test(f)))
        copyFileSync(path.join(MIGRATIONS_DIR, file), path.join(dir, file));
      expect((await migrate(client, { logger: silentLogger, timescale: 'auto', dir })).applied).to.deep.equal([6]);
      const events = await client.query(
        `SELECT irradiation_event_uid AS uid, dlp_mgycm AS dlp FROM irradiation_events ORDER BY 1`,
      );
      expect(events.rows).to.deep.equal([
        { uid: '2.25.61', dlp: 100 },
        { uid: '2.25.62', dlp: 200 },
      ]);
      const keys = await client.query(
        `SELECT irradiation_event_uid AS uid, to_char(occurred_at AT TIME ZONE 'UTC', 'HH24:MI') AS at
         FROM irradiation_event_keys ORDER BY 1`,
      );
      expect(keys.rows).to.deep.equal([
        { uid: '2.25.61', at: '10:15' },
        { uid: '2.25.62', at: '10:20' },
      ]);
      const study = await client.query<{ event_count: number }>('SELECT event_count FROM studies');
      expect(study.rows[0]?.event_count).to.equal(2);
    } finally {
      await client.end();
      await dropDatabase(name);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
