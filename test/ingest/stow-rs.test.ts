import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Command } from 'commander';
import {
  registerApiKeyCommands,
  runApiKeyCreate,
  runApiKeyList,
  runApiKeyRevoke,
} from '../../app/cli/apikey-command.ts';
import { createPool, queryRunner, withTransaction, type Pool } from '../../app/db/pool.ts';
import { createHttpApp, listen } from '../../app/http/server.ts';
import { ConflictError, NotFoundError, ValidationError, sql, type Logger, type QueryRunner } from '../../core/index.ts';
import { createIngestService, createObjectStore, type IngestService } from '../../ingest/index.ts';
import { authenticateApiKey, createApiKey, revokeApiKey } from '../../ingest/transports/api-keys.ts';
import { createQuarantineRouter } from '../../ingest/transports/quarantine-routes.ts';
import { createStowRouter } from '../../ingest/transports/stow-rs.ts';
import { newUid, writePart10 } from '../support/fixtures/dicom-writer.ts';
import { buildCtRdsr, buildProjectionRdsr } from '../support/fixtures/xray-rdsr.ts';
import { startCuttingProxy, type CuttingProxy } from '../support/cutting-proxy.ts';
import { recordingLogger, silentLogger, type LogRecord } from '../support/logger.ts';
import { rowCounts } from '../support/row-counts.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * STOW-RS (PS3.18 §10.5) end to end: a real HTTP server, the real ingest service, a real database.
 * Responses are read as DICOM JSON (PS3.18 Annex F).
 */
const RDSR_CLASS = '1.2.840.10008.5.1.4.1.1.88.67';
const ENCAPSULATED_PDF_CLASS = '1.2.840.10008.5.1.4.1.1.104.1';
const BOUNDARY = 'kerma-test-7f3a9c';
const STOW_TYPE = `multipart/related; type="application/dicom"; boundary=${BOUNDARY}`;
/** Identifiers of the fixtures' made-up patient: none may reach the log. */
const PATIENT_DATA = ['Test^Patient', 'P0001', '19700101'];

type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

interface StowAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: DicomJson;
}

/** A STOW-RS body; `types` overrides the Content-Type of the parts at the same index. */
function multipartBody(parts: readonly Uint8Array[], types: readonly string[] = []): Buffer {
  const chunks = parts.flatMap((bytes, i) => [
    Buffer.from(`--${BOUNDARY}\r\nContent-Type: ${types[i] ?? 'application/dicom'}\r\n\r\n`),
    Buffer.from(bytes),
    Buffer.from('\r\n'),
  ]);
  return Buffer.concat([...chunks, Buffer.from(`--${BOUNDARY}--\r\n`)]);
}

function items(dataset: DicomJson, tag: string): DicomJson[] {
  return (dataset[tag]?.Value ?? []) as DicomJson[];
}

const value = (item: DicomJson, tag: string): unknown => item[tag]?.Value?.[0];

/** A CT RDSR, a projection RDSR (each its own study) and a truncated RDSR. */
function mixedObjects() {
  const ct = { study: newUid(), sop: newUid() };
  const projection = { study: newUid(), sop: newUid() };
  const broken = { sop: newUid() };
  const bytes = [
    buildCtRdsr({ studyInstanceUid: ct.study, sopInstanceUid: ct.sop }),
    buildProjectionRdsr({ studyInstanceUid: projection.study, sopInstanceUid: projection.sop }),
    // Cut inside the SR content: parseable up to the SOP Instance UID, so it is quarantined with it.
    buildCtRdsr({ sopInstanceUid: broken.sop }).subarray(0, 600),
  ];
  return { ct, projection, broken, bytes };
}

const notDoseObject = (): Uint8Array =>
  writePart10({
    SOPClassUID: ENCAPSULATED_PDF_CLASS,
    SOPInstanceUID: newUid(),
    StudyInstanceUID: newUid(),
    SeriesInstanceUID: newUid(),
    Modality: 'DOC',
    PatientName: 'Test^Patient',
    PatientID: 'P0001',
  });

async function countRows(db: QueryRunner): Promise<Record<string, number>> {
  const { rows } = await db.query<Record<string, number>>({
    text: `SELECT (SELECT count(*) FROM studies)::int AS studies, (SELECT count(*) FROM source_objects)::int AS sources,
                  (SELECT count(*) FROM quarantine)::int AS quarantine, (SELECT count(*) FROM irradiation_events)::int AS events`,
  });
  return rows[0]!;
}

async function studyExists(db: QueryRunner, studyInstanceUid: string): Promise<boolean> {
  const { rows } = await db.query(sql`SELECT 1 FROM studies WHERE study_instance_uid = ${studyInstanceUid}`);
  return rows.length > 0;
}

async function sourceObjectExists(db: QueryRunner, sopInstanceUid: string): Promise<boolean> {
  const { rows } = await db.query(sql`SELECT 1 FROM source_objects WHERE sop_instance_uid = ${sopInstanceUid}`);
  return rows.length > 0;
}

/** The real ingest use case on `pool` (a live database, or one that cannot be reached). */
function ingestService(pool: Pool, dataDir: string, logger: Logger = silentLogger): IngestService {
  return createIngestService({
    transaction: (work) => withTransaction(pool, work),
    db: queryRunner(pool),
    objects: createObjectStore(dataDir),
    logger,
    patientIdSecret: 'x'.repeat(32),
    timeZone: 'Europe/London',
    notPatientPatterns: { ids: [], names: [] },
  });
}

async function startServer(
  ingest: IngestService,
  db: QueryRunner,
  pool: Pool,
  logger: Logger = silentLogger,
): Promise<{ server: Server; url: string }> {
  const authenticate = (key: string) => authenticateApiKey(db, key);
  const app = createHttpApp({
    pool,
    logger,
    routers: [
      { path: '/', router: createStowRouter({ ingest, authenticate, logger, maxBodyBytes: 1024 * 1024 }) },
      { path: '/', router: createQuarantineRouter({ db, authenticate, logger }) },
    ],
  });
  return listen(app, '127.0.0.1', 0);
}

async function stopServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

describe('STOW-RS store transaction', () => {
  let database: TestDatabase;
  let db: QueryRunner;
  let dataDir: string;
  let server: Server;
  let url: string;
  let key: string;
  const logs: LogRecord[] = [];

  async function stow(
    body: Uint8Array,
    options: { path?: string; headers?: Record<string, string> } = {},
  ): Promise<StowAnswer> {
    const response = await fetch(`${url}${options.path ?? '/dicomweb/studies'}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': STOW_TYPE,
        accept: 'application/dicom+json',
        ...options.headers,
      },
      // A copy on a plain ArrayBuffer: the DOM typing of fetch (pulled in by preact's JSX types) wants one.
      body: new Uint8Array(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as DicomJson };
  }

  before(async () => {
    database = await freshDatabase();
    db = queryRunner(database.pool);
    dataDir = await mkdtemp(path.join(tmpdir(), 'kerma-stow-'));
    await db.query(sql`INSERT INTO trusts (code, name) VALUES ('RXH', 'Test Hospitals Trust')`);
    key = await createApiKey(db, 'pacs-rxh', 'RXH');
    const logger = recordingLogger(logs);
    const ingest = ingestService(database.pool, dataDir, logger);
    ({ server, url } = await startServer(ingest, db, database.pool, logger));
  });

  after(async () => {
    await stopServer(server);
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stores what it can from a mixed request: 202, two referenced, one failed, the broken one quarantined', async () => {
    const { ct, projection, broken, bytes } = mixedObjects();
    const answer = await stow(multipartBody(bytes));

    expect(answer.status).to.equal(202);
    expect(answer.headers.get('content-type')).to.match(/^application\/dicom\+json/);
    expect(answer.body['00081190']).to.deep.equal({ vr: 'UR' });
    const referenced = items(answer.body, '00081199');
    expect(referenced.map((i) => value(i, '00081155'))).to.deep.equal([ct.sop, projection.sop]);
    expect(referenced.map((i) => value(i, '00081150'))).to.deep.equal([RDSR_CLASS, RDSR_CLASS]);
    expect(referenced.every((i) => i['00081196'] === undefined)).to.equal(true);
    const failures = items(answer.body, '00081198');
    expect(failures).to.have.length(1);
    expect(value(failures[0]!, '00081155')).to.equal(broken.sop);
    expect(failures[0]!['00081197']).to.deep.equal({ vr: 'US', Value: [0xc000] });

    expect(await studyExists(db, ct.study)).to.equal(true);
    expect(await studyExists(db, projection.study)).to.equal(true);
    const { rows } = await db.query<{ transport: string; sender: string; code: string }>(sql`
      SELECT s.transport, s.sender, t.code FROM source_objects s JOIN trusts t USING (trust_id)
      WHERE s.sop_instance_uid IN (${ct.sop}, ${projection.sop})`);
    expect(rows).to.deep.equal([
      { transport: 'stow', sender: 'pacs-rxh', code: 'RXH' },
      { transport: 'stow', sender: 'pacs-rxh', code: 'RXH' },
    ]);

    const quarantine = await fetch(`${url}/api/v1/quarantine`, { headers: { 'x-api-key': key } });
    expect(quarantine.status).to.equal(200);
    const listed = (await quarantine.json()) as {
      items: Array<Record<string, unknown>>;
      limit: number;
      offset: number;
    };
    expect(listed.limit).to.equal(50);
    const entry = listed.items.find((i) => i.sopInstanceUid === broken.sop);
    expect(entry).to.include({ transport: 'stow', sender: 'pacs-rxh', reasonCode: 'truncated' });
    expect(entry).to.not.have.property('storagePath');
  });

  it('answers a repeated request with the same references and records nothing new', async () => {
    const { ct, projection, bytes } = mixedObjects();
    const body = multipartBody(bytes);
    const first = await stow(body);
    const before = await countRows(db);

    const again = await stow(body);

    expect(again.status).to.equal(202);
    expect(items(again.body, '00081199').map((i) => value(i, '00081155'))).to.deep.equal([ct.sop, projection.sop]);
    expect(items(again.body, '00081198')).to.deep.equal(items(first.body, '00081198'));
    expect(await countRows(db)).to.deep.equal(before);
  });

  it('answers 200 when every instance is stored, a valid object without dose included, with no warning', async () => {
    const answer = await stow(multipartBody([buildCtRdsr(), notDoseObject()]));

    expect(answer.status).to.equal(200);
    const referenced = items(answer.body, '00081199');
    expect(referenced.map((i) => value(i, '00081150'))).to.deep.equal([RDSR_CLASS, ENCAPSULATED_PDF_CLASS]);
    expect(referenced.every((i) => i['00081196'] === undefined)).to.equal(true);
    expect(answer.body['00081198']).to.equal(undefined);
  });

  it('answers 409 when no instance could be stored, with empty UIDs for what could not be read', async () => {
    const answer = await stow(multipartBody([randomBytes(2000), Buffer.from('not DICOM at all, just text')]));

    expect(answer.status).to.equal(409);
    const failures = items(answer.body, '00081198');
    expect(failures).to.have.length(2);
    expect(failures[0]).to.deep.equal({
      '00081150': { vr: 'UI' },
      '00081155': { vr: 'UI' },
      '00081197': { vr: 'US', Value: [0xc000] },
    });
    expect(answer.body['00081199']).to.equal(undefined);
  });

  it('stores only the named study on /studies/{study}: others fail with A900 and are not stored', async () => {
    const ct = { study: newUid(), sop: newUid() };
    const other = { study: newUid(), sop: newUid() };
    const body = multipartBody([
      buildCtRdsr({ studyInstanceUid: ct.study, sopInstanceUid: ct.sop }),
      buildProjectionRdsr({ studyInstanceUid: other.study, sopInstanceUid: other.sop }),
    ]);
    const quarantined = (await countRows(db)).quarantine;

    const answer = await stow(body, { path: `/dicomweb/studies/${ct.study}` });

    expect(answer.status).to.equal(202);
    expect(items(answer.body, '00081199').map((i) => value(i, '00081155'))).to.deep.equal([ct.sop]);
    const [failure] = items(answer.body, '00081198');
    expect(value(failure!, '00081155')).to.equal(other.sop);
    expect(value(failure!, '00081197')).to.equal(0xa900);
    expect(await studyExists(db, other.study)).to.equal(false);
    expect(await sourceObjectExists(db, other.sop)).to.equal(false);
    expect((await countRows(db)).quarantine).to.equal(quarantined);
  });

  it('refuses a study path that is not a UID with 400', async () => {
    const answer = await stow(multipartBody([buildCtRdsr()]), { path: '/dicomweb/studies/1.2.abc' });
    expect(answer.status).to.equal(400);
  });

  describe('authentication', () => {
    it('accepts the key in X-API-Key too', async () => {
      const answer = await stow(multipartBody([buildCtRdsr()]), { headers: { authorization: '', 'x-api-key': key } });
      expect(answer.status).to.equal(200);
    });

    it('answers 401 with a Bearer challenge without a key, and stores nothing', async () => {
      const sop = newUid();
      const answer = await stow(multipartBody([buildCtRdsr({ sopInstanceUid: sop })]), {
        headers: { authorization: '' },
      });
      expect(answer.status).to.equal(401);
      expect(answer.headers.get('www-authenticate')).to.equal('Bearer realm="kerma"');
      expect(await sourceObjectExists(db, sop)).to.equal(false);
    });

    it('answers 401 to an unknown key', async () => {
      const answer = await stow(multipartBody([buildCtRdsr()]), { headers: { authorization: `Bearer ${key}x` } });
      expect(answer.status).to.equal(401);
      expect(answer.headers.get('www-authenticate')).to.include('error="invalid_token"');
    });

    it('answers 401 to a revoked key', async () => {
      const revoked = await createApiKey(db, 'old-pacs', 'RXH');
      await revokeApiKey(db, 'old-pacs');
      const sop = newUid();
      const answer = await stow(multipartBody([buildCtRdsr({ sopInstanceUid: sop })]), {
        headers: { authorization: `Bearer ${revoked}` },
      });
      expect(answer.status).to.equal(401);
      expect(await sourceObjectExists(db, sop)).to.equal(false);
    });
  });

  describe('request checks', () => {
    for (const contentType of [
      'application/dicom',
      'multipart/related; boundary=x',
      `multipart/related; type="application/dicom+xml"; boundary=${BOUNDARY}`,
      'multipart/form-data; boundary=x',
    ]) {
      it(`answers 415 to Content-Type ${contentType}`, async () => {
        const answer = await stow(multipartBody([buildCtRdsr()]), { headers: { 'content-type': contentType } });
        expect(answer.status).to.equal(415);
      });
    }

    it('answers 415 when a part is not application/dicom, and stores none of the parts', async () => {
      const sop = newUid();
      const answer = await stow(
        multipartBody(
          [buildCtRdsr({ sopInstanceUid: sop }), Buffer.from('%PDF-1.4')],
          ['application/dicom', 'application/pdf'],
        ),
      );
      expect(answer.status).to.equal(415);
      expect(await sourceObjectExists(db, sop)).to.equal(false);
    });

    it('answers 406 when the sender accepts no JSON response', async () => {
      const answer = await stow(multipartBody([buildCtRdsr()]), { headers: { accept: 'application/dicom+xml' } });
      expect(answer.status).to.equal(406);
    });

    it('answers 400 to an empty body, a body cut off before its closing boundary and a missing boundary', async () => {
      const sop = newUid();
      const whole = multipartBody([buildCtRdsr({ sopInstanceUid: sop })]);
      expect((await stow(Buffer.alloc(0))).status).to.equal(400);
      expect((await stow(whole.subarray(0, whole.length - 40))).status).to.equal(400);
      expect(
        (await stow(whole, { headers: { 'content-type': 'multipart/related; type="application/dicom"' } })).status,
      ).to.equal(400);
      expect(await sourceObjectExists(db, sop)).to.equal(false);
    });

    it('answers 413 to a body over the limit', async () => {
      const answer = await stow(multipartBody([randomBytes(1024 * 1024 + 1)]));
      expect(answer.status).to.equal(413);
    });
  });

  describe('quarantine list', () => {
    it('requires an API key', async () => {
      const response = await fetch(`${url}/api/v1/quarantine`);
      expect(response.status).to.equal(401);
    });

    it('pages with limit and offset', async () => {
      const get = async (query: string) => {
        const response = await fetch(`${url}/api/v1/quarantine?${query}`, {
          headers: { authorization: `Bearer ${key}` },
        });
        return (await response.json()) as { items: Array<{ quarantineId: number }> };
      };
      const all = await get('limit=500');
      expect(all.items.length).to.be.greaterThan(1);
      const second = await get('limit=1&offset=1');
      expect(second.items.map((i) => i.quarantineId)).to.deep.equal([all.items[1]!.quarantineId]);
    });

    for (const [query, message] of [
      ['limit=0', /limit must be >= 1/],
      ['limit=501', /limit must be <= 500/],
      ['limit=abc', /limit must be integer/],
      ['offset=-1', /offset must be >= 0/],
      ['limit=1&limit=2', /limit must be integer/],
      ['lmit=5', /unknown query parameter "lmit"/],
    ] as const) {
      it(`answers 400 to ?${query}`, async () => {
        const response = await fetch(`${url}/api/v1/quarantine?${query}`, {
          headers: { authorization: `Bearer ${key}` },
        });
        expect(response.status).to.equal(400);
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error.code).to.equal('validation_failed');
        expect(body.error.message).to.match(message);
      });
    }
  });

  describe('when the database is lost', () => {
    // The ingest reaches the test database through a proxy that can drop it; `database.pool` reads
    // the same database directly, so the counts below are what the database really kept.
    let proxy: CuttingProxy;
    let proxiedPool: Pool;
    let downServer: Server;
    let downUrl: string;
    let downDataDir: string;

    before(async () => {
      proxy = await startCuttingProxy(database.url);
      proxiedPool = createPool({ url: proxy.url, max: 1, connectTimeoutMs: 2000, logger: silentLogger });
      downDataDir = await mkdtemp(path.join(tmpdir(), 'kerma-stow-down-'));
      const ingest = ingestService(proxiedPool, downDataDir);
      ({ server: downServer, url: downUrl } = await startServer(ingest, db, database.pool));
    });

    after(async () => {
      await stopServer(downServer);
      await proxiedPool.end();
      await proxy.close();
      await rm(downDataDir, { recursive: true, force: true });
    });

    it('answers 503 with Retry-After, stops at the first instance and records nothing', async () => {
      const { ct, projection, bytes } = mixedObjects();
      const before = await rowCounts(database.pool);
      // Lost at the first instance's COMMIT: every statement of its transaction has run.
      proxy.cutAt('COMMIT');

      const response = await fetch(`${downUrl}/dicomweb/studies`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': STOW_TYPE },
        body: new Uint8Array(multipartBody(bytes)),
      });

      expect(proxy.cuts, 'the connection was dropped at the COMMIT').to.equal(1);
      expect(response.status).to.equal(503);
      expect(response.headers.get('retry-after')).to.equal('30');
      const body = (await response.json()) as DicomJson;
      expect(body['00081199']).to.equal(undefined);
      const failures = items(body, '00081198');
      expect(failures.map((i) => value(i, '00081155')).slice(0, 2)).to.deep.equal([ct.sop, projection.sop]);
      expect(failures.map((i) => value(i, '00081197'))).to.deep.equal([0xa700, 0xa700, 0xa700]);
      expect(await rowCounts(database.pool)).to.deep.equal(before);
      // Only the first part reached the object store: the others were never attempted.
      const objectDirs = await readdir(path.join(downDataDir, 'objects'));
      expect(objectDirs).to.have.length(1);
    });

    it('answers 503 with Retry-After when even the API key cannot be checked', async () => {
      proxy.cut();
      const ingest = ingestService(proxiedPool, downDataDir);
      const unreachable = await startServer(ingest, queryRunner(proxiedPool), proxiedPool);
      try {
        const response = await fetch(`${unreachable.url}/dicomweb/studies`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': STOW_TYPE },
          body: new Uint8Array(multipartBody([buildCtRdsr()])),
        });
        expect(response.status).to.equal(503);
        expect(response.headers.get('retry-after')).to.equal('30');
      } finally {
        await stopServer(unreachable.server);
      }
    });
  });

  describe('logging', () => {
    it('logs the sender and UIDs, never patient data', async () => {
      const { broken, bytes } = mixedObjects();
      const from = logs.length;
      await stow(multipartBody(bytes));
      const summaries = logs.slice(from).filter((r) => r.message === 'STOW-RS request stored');
      expect(summaries).to.have.length(1);
      expect(summaries[0]!.data).to.deep.include({ sender: 'pacs-rxh', failedSopInstanceUids: [broken.sop] });
      // Every record of this file's requests, the quarantined and refused ones included.
      const text = JSON.stringify(logs);
      for (const identifier of PATIENT_DATA) expect(text).to.not.include(identifier);
    });
  });
});

describe('kerma apikey commands', () => {
  let database: TestDatabase;
  let db: QueryRunner;
  const printed: string[] = [];
  const output = { out: (text: string) => void printed.push(text), err: () => undefined };

  before(async () => {
    database = await freshDatabase();
    db = queryRunner(database.pool);
    await db.query(sql`INSERT INTO trusts (code, name) VALUES ('NTH', 'North Trust')`);
  });
  beforeEach(() => {
    printed.length = 0;
  });
  after(async () => {
    await database.drop();
  });

  it('creates a key, prints it once and keeps only its SHA-256', async () => {
    await runApiKeyCreate(db, 'modality-gw', { trust: 'NTH', scope: ['ingest'] }, output);

    expect(printed).to.have.length(1);
    const key = printed[0]!.trim();
    expect(key).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(await authenticateApiKey(db, key)).to.deep.include({
      name: 'modality-gw',
      trustCode: 'NTH',
      scopes: ['ingest'],
    });
    const { rows } = await db.query<{ key_sha256: string }>(
      sql`SELECT key_sha256 FROM api_keys WHERE name = 'modality-gw'`,
    );
    expect(rows[0]!.key_sha256).to.equal(createHash('sha256').update(key).digest('hex'));
  });

  it('refuses a taken name, an unknown trust and a bad name', async () => {
    await runApiKeyCreate(db, 'taken', { trust: 'NTH', scope: ['ingest'] }, output);
    const failures = await Promise.allSettled([
      runApiKeyCreate(db, 'taken', { trust: 'NTH', scope: ['ingest'] }, output),
      runApiKeyCreate(db, 'new-one', { trust: 'NOPE', scope: ['ingest'] }, output),
      runApiKeyCreate(db, 'has space', { trust: 'NTH', scope: ['ingest'] }, output),
    ]);
    expect(failures.map((f) => (f.status === 'rejected' ? (f.reason as Error).constructor : undefined))).to.deep.equal([
      ConflictError,
      NotFoundError,
      ValidationError,
    ]);
  });

  it('lists keys with trust and dates, never the key', async () => {
    await runApiKeyCreate(db, 'lister', { trust: 'NTH', scope: ['ingest'] }, output);
    const key = printed[0]!.trim();
    printed.length = 0;

    await runApiKeyList(db, output);

    const listed = printed.map((line) => JSON.parse(line) as Record<string, unknown>);
    const entry = listed.find((k) => k.name === 'lister');
    expect(entry).to.include({ trustCode: 'NTH', revokedAt: null });
    expect(entry?.createdAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(printed.join('')).to.not.include(key);
  });

  it('revokes through the registered commander command, idempotently; an unknown name is an error', async () => {
    await runApiKeyCreate(db, 'to-revoke', { trust: 'NTH', scope: ['ingest'] }, output);
    const key = printed[0]!.trim();
    let closed = 0;
    const program = new Command().exitOverride();
    registerApiKeyCommands(
      program,
      () => Promise.resolve({ db, close: () => Promise.resolve(void (closed += 1)) }),
      output,
    );

    await program.parseAsync(['apikey', 'revoke', 'to-revoke'], { from: 'user' });
    await runApiKeyRevoke(db, 'to-revoke', output);

    expect(closed).to.equal(1);
    expect(await authenticateApiKey(db, key)).to.equal(undefined);
    printed.length = 0;
    await runApiKeyList(db, output);
    const entry = printed.map((l) => JSON.parse(l) as Record<string, unknown>).find((k) => k.name === 'to-revoke');
    expect(entry?.revokedAt).to.be.a('string');
    const unknown = await runApiKeyRevoke(db, 'never-existed', output).catch((error: unknown) => error);
    expect(unknown).to.be.instanceOf(NotFoundError);
  });
});
