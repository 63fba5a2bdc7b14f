import type { Server } from 'node:http';
import { expect } from 'chai';
import { createPool, type Pool } from '../../app/db/pool.ts';
import { createHttpApp, listen } from '../../app/http/server.ts';
import { createStowRouter } from '../../ingest/transports/stow-rs.ts';
import { buildCtRdsr } from '../support/fixtures/xray-rdsr.ts';
import { recordingLogger, silentLogger } from '../support/logger.ts';
import { databaseUrl, freshDatabase, type TestDatabase } from '../support/test-database.ts';

const BOUNDARY = 'kerma-exposure-test';
/** A value that stands for patient data inside a database error's message and detail. */
const SECRET_VALUE = 'SMITHERINGTON-9434765919';

async function close(server: Server | undefined): Promise<void> {
  if (!server) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A real PostgreSQL error whose message and detail carry SECRET_VALUE (a unique violation). */
async function databaseErrorWithValue(db: TestDatabase): Promise<Error> {
  const client = await db.pool.connect();
  try {
    await client.query('CREATE TEMP TABLE exposure_probe (v text PRIMARY KEY)');
    await client.query('INSERT INTO exposure_probe VALUES ($1)', [SECRET_VALUE]);
    return await client.query('INSERT INTO exposure_probe VALUES ($1)', [SECRET_VALUE]).then(
      () => new Error('expected a unique violation'),
      (error: Error) => error,
    );
  } finally {
    client.release();
  }
}

describe('errors exposed by the service', () => {
  let db: TestDatabase;
  before(async () => {
    db = await freshDatabase();
  });
  after(async () => db?.drop());

  it('answers /readyz with "database unavailable", not the database error, when the database is down', async () => {
    // The server answers with a FATAL naming the database: the kind of text that must not leak.
    const pool: Pool = createPool({
      url: databaseUrl(`kerma_missing_${SECRET_VALUE.toLowerCase().replace(/-/g, '_')}`),
      max: 1,
      connectTimeoutMs: 2000,
      logger: silentLogger,
    });
    const logger = recordingLogger();
    let server: Server | undefined;
    try {
      const listening = await listen(createHttpApp({ pool, logger }), '127.0.0.1', 0);
      server = listening.server;
      const response = await fetch(`${listening.url}/readyz`);
      expect(response.status).to.equal(503);
      expect(await response.json()).to.deep.equal({ status: 'unavailable', database: 'database unavailable' });
      const logged = JSON.stringify(logger.records);
      expect(logged).to.include('3D000');
      expect(logged.toLowerCase()).not.to.include(SECRET_VALUE.toLowerCase().replace(/-/g, '_'));
    } finally {
      await close(server);
      await pool.end();
    }
  });

  it('logs a STOW-RS failure by SQLSTATE and constraint, without the error detail or message', async () => {
    const dbError = await databaseErrorWithValue(db);
    expect((dbError as { detail?: string }).detail).to.include(SECRET_VALUE);
    const logger = recordingLogger();
    const router = createStowRouter({
      ingest: { ingestObject: () => Promise.reject(dbError) },
      authenticate: () =>
        Promise.resolve({ keyId: 1, name: 'pacs', trustCode: 'DEFAULT', trustId: 1, scopes: ['ingest'] as const }),
      logger,
    });
    let server: Server | undefined;
    try {
      const listening = await listen(
        createHttpApp({ pool: db.pool, logger: silentLogger, routers: [{ path: '/', router }] }),
        '127.0.0.1',
        0,
      );
      server = listening.server;
      const body = Buffer.concat([
        Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n`),
        Buffer.from(buildCtRdsr()),
        Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
      ]);
      const response = await fetch(`${listening.url}/dicomweb/studies`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer any',
          'content-type': `multipart/related; type="application/dicom"; boundary=${BOUNDARY}`,
          accept: 'application/dicom+json',
        },
        body,
      });
      expect(response.status).to.equal(409);
      const failure = logger.records.find((r) => r.message === 'STOW-RS instance failed');
      expect(failure, JSON.stringify(logger.records)).to.not.equal(undefined);
      const err = (failure!.data as { err: Record<string, unknown> }).err;
      expect(err).to.include({ code: '23505', constraint: 'exposure_probe_pkey' });
      expect(err).not.to.have.any.keys('detail', 'message');
      expect(JSON.stringify(logger.records)).not.to.include(SECRET_VALUE);
    } finally {
      await close(server);
    }
  });
});
