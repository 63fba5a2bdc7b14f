import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { buildCtRdsr } from '../support/fixtures/xray-rdsr.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';
import { spawnTracked, stopChild } from '../support/child-processes.ts';
import { dcmtk, requirePrerequisite } from '../support/prerequisites.ts';

/**
 * A modality sends over one association while the service is killed with SIGKILL. Whatever the
 * modality was told "stored" must be stored exactly once; after a restart the modality resends
 * everything and the store ends with each object once. Real peers: `kerma serve` and dcmtk storescu.
 */
const FILES = 60;
const DCMTK_ENV = { ...process.env, TCP_NODELAY: '1' };

interface Service {
  readonly child: ChildProcess;
  readonly dicomPort: number;
}

/** Every process the test started, stopped after it whatever happened. */
const started: ChildProcess[] = [];

async function startService(db: TestDatabase, dataDir: string): Promise<Service> {
  const child = spawnTracked(process.execPath, ['bin/kerma.js', 'serve'], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: db.url,
      KERMA_PATIENT_ID_KEY: 'durability-test-key-'.padEnd(40, 'x'),
      KERMA_DATA_DIR: dataDir,
      KERMA_HTTP_PORT: '0',
      KERMA_DICOM_PORT: '0',
      KERMA_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(child);
  // Keep reading the log for the child's whole life: a closed pipe would break its logger.
  return new Promise((resolve, reject) => {
    let output = '';
    child.on('error', reject);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += String(chunk);
      const ready = /"port":(\d+)[^\n]*"msg":"DICOM listener ready"/.exec(output);
      if (ready) resolve({ child, dicomPort: Number(ready[1]) });
    });
    child.on('exit', () =>
      reject(new Error(`kerma serve exited before its DICOM listener was ready:\n${output.slice(-2000)}`)),
    );
  });
}

/** Runs storescu over one association; resolves with how many stores it saw acknowledged as successful. */
function storescu(port: number, files: readonly string[], onAcknowledged?: (n: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawnTracked('storescu', ['-v', '-aec', 'KERMA', '127.0.0.1', String(port), ...files], {
      env: DCMTK_ENV,
    });
    started.push(child);
    let acknowledged = 0;
    let buffer = '';
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (/Received Store Response \(Success\)/.test(line)) {
          acknowledged += 1;
          onAcknowledged?.(acknowledged);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', reject);
    child.on('close', () => resolve(acknowledged));
  });
}

describe('durability: SIGKILL during a C-STORE stream', function () {
  this.timeout(180_000);
  let db: TestDatabase;
  let files: string[];
  const uids: string[] = [];

  before(function () {
    requirePrerequisite(this, dcmtk());
  });

  before(async () => {
    db = await freshDatabase();
    const dir = mkdtempSync(path.join(tmpdir(), 'kerma-kill-'));
    files = Array.from({ length: FILES }, (_, i) => {
      const sopInstanceUid = `2.25.777${String(i).padStart(4, '0')}${Date.now()}`;
      uids.push(sopInstanceUid);
      const file = path.join(dir, `ct-${i}.dcm`);
      writeFileSync(file, buildCtRdsr({ events: 2, sopInstanceUid }));
      return file;
    });
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((child) => stopChild(child)));
  });
  after(async () => db?.drop());

  it('keeps every acknowledged object exactly once, and takes the resend without duplicates', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'kerma-kill-data-'));
    const first = await startService(db, dataDir);
    const exited = once(first.child, 'exit');
    const acknowledged = await storescu(first.dicomPort, files, (n) => {
      if (n === 20) first.child.kill('SIGKILL');
    });
    await exited;
    expect(acknowledged, 'the kill must land mid-stream').to.be.within(20, FILES - 1);

    const stored = await db.pool.query<{ sop_instance_uid: string }>('SELECT sop_instance_uid FROM source_objects');
    const storedUids = new Set(stored.rows.map((r) => r.sop_instance_uid));
    // storescu sends in order: the first `acknowledged` objects were answered "stored".
    for (const uid of uids.slice(0, acknowledged)) expect(storedUids.has(uid), uid).to.equal(true);

    const second = await startService(db, dataDir);
    expect(await storescu(second.dicomPort, files)).to.equal(FILES);
    await stopChild(second.child);
    const { rows } = await db.pool.query<{
      objects: number;
      distinct_objects: number;
      studies: number;
      events: number;
    }>(`
      SELECT count(*)::int AS objects, count(DISTINCT sop_instance_uid)::int AS distinct_objects,
             (SELECT count(*)::int FROM studies) AS studies, (SELECT count(*)::int FROM irradiation_events) AS events
      FROM source_objects`);
    expect(rows[0]).to.deep.equal({ objects: FILES, distinct_objects: FILES, studies: FILES, events: FILES * 2 });
  });
});
