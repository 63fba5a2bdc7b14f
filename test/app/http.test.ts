import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../app/config/index.ts';
import { queryRunner } from '../../app/db/pool.ts';
import { createApiKey } from '../../ingest/index.ts';
import { buildCtRdsr } from '../support/fixtures/xray-rdsr.ts';
import { startKerma, type RunningKerma } from '../../app/kerma.ts';
import { createEmptyDatabase, databaseUrl, dropDatabase } from '../support/test-database.ts';
import { silentLogger } from '../support/logger.ts';

describe('HTTP service', () => {
  let kerma: RunningKerma;
  let name: string;

  before(async () => {
    // An empty database: start-up itself must migrate it.
    name = await createEmptyDatabase();
    const config = loadConfig({
      DATABASE_URL: databaseUrl(name),
      KERMA_PATIENT_ID_KEY: 'http-test-key-'.padEnd(40, 'x'),
      KERMA_HTTP_PORT: '0',
      KERMA_DICOM_PORT: '0',
      KERMA_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'kerma-http-')),
    });
    kerma = await startKerma(config, silentLogger);
  });
  after(async () => {
    await kerma.stop();
    await dropDatabase(name);
  });

  it('answers /healthz', async () => {
    const response = await fetch(`${kerma.url}/healthz`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ status: 'ok' });
  });

  it('is ready once migrations are applied, and not ready when the ledger is behind', async () => {
    const ready = await fetch(`${kerma.url}/readyz`);
    expect(ready.status).to.equal(200);
    const body = (await ready.json()) as { status: string; migrations: { applied: number; expected: number } };
    expect(body.status).to.equal('ready');
    expect(body.migrations.applied).to.equal(body.migrations.expected);

    const latest = body.migrations.expected;
    const saved = await kerma.database.pool.query(
      'DELETE FROM kerma_schema_migrations WHERE version = $1 RETURNING *',
      [latest],
    );
    try {
      const notReady = await fetch(`${kerma.url}/readyz`);
      expect(notReady.status).to.equal(503);
      expect(((await notReady.json()) as { status: string }).status).to.equal('migrations_pending');
    } finally {
      const row = saved.rows[0] as Record<string, unknown>;
      await kerma.database.pool.query(
        'INSERT INTO kerma_schema_migrations (version, name, flavour, checksum, applied_at) VALUES ($1, $2, $3, $4, $5)',
        [row.version, row.name, row.flavour, row.checksum, row.applied_at],
      );
    }
  });

  it('exposes Prometheus metrics including request durations', async () => {
    await fetch(`${kerma.url}/healthz`);
    const response = await fetch(`${kerma.url}/metrics`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.include('text/plain');
    const text = await response.text();
    expect(text).to.include('process_cpu_user_seconds_total');
    expect(text).to.match(/kerma_http_request_duration_seconds_count\{[^}]*route="\/healthz"[^}]*\} [1-9]/);
  });

  it('accepts DICOM over STOW-RS from a sender with an API key and lists nothing in the quarantine', async () => {
    const key = await createApiKey(queryRunner(kerma.database.pool), 'pacs-test', 'DEFAULT');
    const boundary = 'kerma-boundary';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
      Buffer.from(buildCtRdsr()),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const response = await fetch(`${kerma.url}/dicomweb/studies`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
        accept: 'application/dicom+json',
      },
      body,
    });
    expect(response.status).to.equal(200);
    const stats = await kerma.database.pool.query('SELECT count(*)::int AS n FROM studies');
    expect(stats.rows[0]).to.deep.equal({ n: 1 });
    const quarantine = await fetch(`${kerma.url}/api/v1/quarantine`, { headers: { authorization: `Bearer ${key}` } });
    expect(quarantine.status).to.equal(200);
    expect(((await quarantine.json()) as { items: unknown[] }).items).to.deep.equal([]);
    expect(await fetch(`${kerma.url}/api/v1/quarantine`).then((r) => r.status)).to.equal(401);
  });

  it('sets security headers and answers unknown paths with a JSON 404', async () => {
    const response = await fetch(`${kerma.url}/no/such/thing`);
    expect(response.status).to.equal(404);
    expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(response.headers.get('content-security-policy')).to.be.a('string');
    expect(response.headers.get('x-powered-by')).to.equal(null);
    expect(await response.json()).to.deep.equal({ error: { code: 'not_found', message: 'No such endpoint' } });
  });
});
