import type { Server } from 'node:http';
import { expect } from 'chai';
import { queryRunner } from '../../app/db/pool.ts';
import { createHttpApp, listen } from '../../app/http/server.ts';
import { authenticateApiKey, createApiKey } from '../../ingest/transports/api-keys.ts';
import { createQuarantineRouter } from '../../ingest/transports/quarantine-routes.ts';
import { newUid } from '../support/fixtures/dicom-writer.ts';
import { buildCtRdsr } from '../support/fixtures/xray-rdsr.ts';
import { testIngestService } from '../support/ingest-harness.ts';
import { silentLogger } from '../support/logger.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

/** Cut inside the SR content: parseable up to the SOP Instance UID, so it is quarantined with it. */
const brokenObject = (sopInstanceUid: string): Uint8Array => buildCtRdsr({ sopInstanceUid }).subarray(0, 600);

describe('quarantine list scope', () => {
  let db: TestDatabase;
  let server: Server;
  let url: string;
  const keys: Record<string, string> = {};
  const sops: Record<string, string> = { QA: newUid(), QB: newUid() };

  before(async () => {
    db = await freshDatabase();
    await db.pool.query(`INSERT INTO trusts (code, name) VALUES ('QA', 'Trust QA'), ('QB', 'Trust QB')`);
    const runner = queryRunner(db.pool);
    const { service } = testIngestService(db);
    for (const trustCode of ['QA', 'QB']) {
      keys[trustCode] = await createApiKey(runner, `pacs-${trustCode.toLowerCase()}`, trustCode);
      const outcome = await service.ingestObject({
        bytes: brokenObject(sops[trustCode]!),
        transport: 'stow',
        sender: `pacs-${trustCode.toLowerCase()}`,
        trustCode,
      });
      expect(outcome.status).to.equal('quarantined');
    }
    const app = createHttpApp({
      pool: db.pool,
      logger: silentLogger,
      routers: [
        {
          path: '/',
          router: createQuarantineRouter({
            db: runner,
            authenticate: (key) => authenticateApiKey(runner, key),
            logger: silentLogger,
          }),
        },
      ],
    });
    ({ server, url } = await listen(app, '127.0.0.1', 0));
  });
  after(async () => {
    await new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await db?.drop();
  });

  for (const [own, other] of [
    ['QA', 'QB'],
    ['QB', 'QA'],
  ] as const) {
    it(`shows a key of trust ${own} its own entries and none of ${other}'s`, async () => {
      const response = await fetch(`${url}/api/v1/quarantine`, { headers: { authorization: `Bearer ${keys[own]}` } });
      expect(response.status).to.equal(200);
      const { items } = (await response.json()) as { items: Array<{ trustCode: string; sopInstanceUid: string }> };
      expect(items.map((i) => [i.trustCode, i.sopInstanceUid])).to.deep.equal([[own, sops[own]]]);
    });
  }
});
