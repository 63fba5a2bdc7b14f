import type { Server } from 'node:http';
import { expect } from 'chai';
import express from 'express';
import {
  actorOf,
  createApiKey,
  createSession,
  requireActorCsrf,
  requireScope,
  sessionMiddleware,
  type Actor,
} from '../../access/index.ts';
import { queryRunner } from '../../app/db/pool.ts';
import { createHttpApp, listen } from '../../app/http/server.ts';
import type { QueryRunner } from '../../core/index.ts';
import { newUid } from '../support/fixtures/dicom-writer.ts';
import { buildCtRdsr } from '../support/fixtures/xray-rdsr.ts';
import { silentLogger } from '../support/logger.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';
import { startWebHarness, type WebHarness } from '../support/web.ts';

const BOUNDARY = 'scope-test-boundary';

function stowBody(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(
    Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n`),
      Buffer.from(bytes),
      Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
    ]),
  );
}

describe('API key scopes and trust binding', () => {
  let web: WebHarness;
  let db: QueryRunner;
  const keys: Record<string, string> = {};

  const stow = async (key: string, query = ''): Promise<Response> =>
    fetch(`${web.kerma.url}/dicomweb/studies${query}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': `multipart/related; type="application/dicom"; boundary=${BOUNDARY}`,
        accept: 'application/dicom+json',
      },
      body: stowBody(buildCtRdsr({ sopInstanceUid: newUid(), studyInstanceUid: newUid() })),
    });
  const storedTrusts = async (): Promise<string[]> =>
    (
      await web.database.pool.query<{ code: string }>(
        `SELECT t.code FROM source_objects s JOIN trusts t USING (trust_id) ORDER BY s.source_object_id`,
      )
    ).rows.map((r) => r.code);

  before(async () => {
    web = await startWebHarness();
    db = queryRunner(web.database.pool);
    await web.database.pool.query(`INSERT INTO trusts (code, name) VALUES ('RXA', 'Trust A'), ('RXB', 'Trust B')`);
    keys.ingestA = await createApiKey(db, 'pacs-a', 'RXA', ['ingest']);
    keys.readA = await createApiKey(db, 'reader-a', 'RXA', ['read']);
    keys.region = await createApiKey(db, 'regional-engine', null, ['ingest', 'read']);
  });
  after(async () => {
    if (web) await web.stop();
  });

  it('refuses STOW-RS from a key without the ingest scope (403, insufficient_scope)', async () => {
    const response = await stow(keys.readA!);
    expect(response.status).to.equal(403);
    expect(response.headers.get('www-authenticate')).to.include('insufficient_scope');
    expect(await storedTrusts()).to.deep.equal([]);
  });

  it("refuses a trust's key storing for another trust (403), and stores for its own", async () => {
    expect((await stow(keys.ingestA!, '?trust=RXB')).status).to.equal(403);
    expect(await storedTrusts()).to.deep.equal([]);
    expect((await stow(keys.ingestA!)).status).to.equal(200);
    expect((await stow(keys.ingestA!, '?trust=RXA')).status).to.equal(200);
    expect(await storedTrusts()).to.deep.equal(['RXA', 'RXA']);
  });

  it('lets a consortium key store for the trust it names, and only for a trust that exists', async () => {
    expect((await stow(keys.region!, '?trust=RXB')).status).to.equal(200);
    expect(await storedTrusts()).to.deep.equal(['RXA', 'RXA', 'RXB']);
    expect((await stow(keys.region!)).status).to.equal(400);
    expect((await stow(keys.region!, '?trust=NOPE')).status).to.equal(404);
    expect(await storedTrusts()).to.have.length(3);
  });

  it("scopes the quarantine API by the key's trust; a consortium key sees every trust", async () => {
    const broken = (trustCode: string) =>
      web.kerma.ingest.ingestObject({
        bytes: buildCtRdsr({ sopInstanceUid: newUid() }).subarray(0, 600),
        transport: 'stow',
        sender: 'test',
        trustCode,
      });
    await broken('RXA');
    await broken('RXB');
    const trustsSeen = async (key: string) => {
      const response = await fetch(`${web.kerma.url}/api/v1/quarantine`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(response.status).to.equal(200);
      return ((await response.json()) as { items: Array<{ trustCode: string }> }).items.map((i) => i.trustCode).sort();
    };
    expect(await trustsSeen(keys.readA!)).to.deep.equal(['RXA']);
    expect(await trustsSeen(keys.ingestA!)).to.deep.equal(['RXA']);
    expect(await trustsSeen(keys.region!)).to.deep.equal(['RXA', 'RXB']);
  });

  it("answers the study APIs for a key with the read scope, with its trust's studies only", async () => {
    const studies = async (key: string) => {
      const response = await fetch(`${web.kerma.url}/api/v1/studies`, { headers: { authorization: `Bearer ${key}` } });
      return {
        status: response.status,
        items: response.ok
          ? ((await response.json()) as { items: Array<{ studyId: number; trustCode: string }> }).items
          : [],
      };
    };
    const trustA = await studies(keys.readA!);
    expect(trustA.status).to.equal(200);
    expect(trustA.items.map((i) => i.trustCode)).to.deep.equal(['RXA', 'RXA']);
    const region = await studies(keys.region!);
    expect(region.items.map((i) => i.trustCode).sort()).to.deep.equal(['RXA', 'RXA', 'RXB']);
    expect((await studies(keys.ingestA!)).status).to.equal(403);

    const studyOfB = region.items.find((i) => i.trustCode === 'RXB')!;
    const detail = async (key: string) =>
      (
        await fetch(`${web.kerma.url}/api/v1/studies/${studyOfB.studyId}`, {
          headers: { authorization: `Bearer ${key}` },
        })
      ).status;
    expect(await detail(keys.region!)).to.equal(200);
    expect(await detail(keys.readA!)).to.equal(404);
    expect(await detail(keys.ingestA!)).to.equal(403);
    const { rows } = await web.database.pool.query<{ actor_kind: string; actor_name: string }>(
      `SELECT actor_kind, actor_name FROM audit_log WHERE action = 'study.view' ORDER BY audit_id`,
    );
    expect(rows).to.deep.equal([{ actor_kind: 'api-key', actor_name: 'regional-engine' }]);
  });

  describe('a key never opens a browser session', () => {
    for (const path of ['/', '/account/password', '/admin/users', '/admin/api-keys']) {
      it(`GET ${path} with a consortium key (Bearer or X-API-Key) redirects to sign-in and sets no session`, async () => {
        const presented: Array<Record<string, string>> = [
          { authorization: `Bearer ${keys.region}` },
          { 'x-api-key': keys.region! },
        ];
        for (const headers of presented) {
          const response = await fetch(`${web.kerma.url}${path}`, { headers, redirect: 'manual' });
          expect(response.status).to.equal(303);
          expect(response.headers.get('location')).to.match(/^\/sign-in/);
          expect(response.headers.getSetCookie().some((c) => c.includes('kerma_session'))).to.equal(false);
        }
      });
    }

    it('cannot create a key through the admin form with a key', async () => {
      const response = await fetch(`${web.kerma.url}/admin/api-keys`, {
        method: 'POST',
        redirect: 'manual',
        headers: { authorization: `Bearer ${keys.region}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=sneaky&binding=consortium&scopes=read',
      });
      expect(response.status).to.equal(303);
      const { rows } = await web.database.pool.query(`SELECT 1 FROM api_keys WHERE name = 'sneaky'`);
      expect(rows).to.deep.equal([]);
    });
  });
});

describe('requireScope: the actor of a JSON API', () => {
  let database: TestDatabase;
  let db: QueryRunner;
  let server: Server;
  let url: string;
  let trustIds: Record<string, number>;
  const keys: Record<string, string> = {};

  before(async () => {
    database = await freshDatabase();
    db = queryRunner(database.pool);
    const { rows } = await database.pool.query<{ code: string; trust_id: string }>(
      `INSERT INTO trusts (code, name) VALUES ('SA', 'A'), ('SB', 'B') RETURNING code, trust_id`,
    );
    trustIds = Object.fromEntries(rows.map((r) => [r.code, Number(r.trust_id)]));
    keys.readA = await createApiKey(db, 'read-a', 'SA', ['read']);
    keys.ordersA = await createApiKey(db, 'orders-a', 'SA', ['orders']);
    keys.readAll = await createApiKey(db, 'read-all', null, ['read']);
    const router = express.Router();
    router.get('/api/v1/probe', requireScope(db, 'read'), (req, res) => {
      const actor: Actor = actorOf(req);
      res.json({ kind: actor.kind, trustIds: actor.trustIds });
    });
    router.post('/api/v1/probe', express.json(), requireScope(db, 'read'), requireActorCsrf, (_req, res) => {
      res.json({ changed: true });
    });
    router.get('/api/v1/governance-probe', requireScope(db, 'read', { roles: ['governance'] }), (_req, res) => {
      res.json({});
    });
    const policy = { idleTimeoutMinutes: 30, absoluteTimeoutHours: 12, secureCookies: false };
    const app = createHttpApp({
      pool: database.pool,
      logger: silentLogger,
      middleware: [sessionMiddleware(db, policy)],
      routers: [{ path: '/', router }],
    });
    ({ server, url } = await listen(app, '127.0.0.1', 0));
  });
  after(async () => {
    await new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await database?.drop();
  });

  const probe = (headers: Record<string, string>, path = '/api/v1/probe') => fetch(`${url}${path}`, { headers });

  it('answers 401 with a Bearer challenge without credentials, and for an unknown key', async () => {
    const presented: Array<Record<string, string>> = [{}, { authorization: 'Bearer not-a-key' }];
    for (const headers of presented) {
      const response = await probe(headers);
      expect(response.status).to.equal(401);
      expect(response.headers.get('www-authenticate')).to.match(/^Bearer realm="kerma"/);
    }
  });

  it('refuses a key without the scope (403) and admits one with it, seeing its trust only', async () => {
    expect((await probe({ authorization: `Bearer ${keys.ordersA}` })).status).to.equal(403);
    const response = await probe({ authorization: `Bearer ${keys.readA}` });
    expect(await response.json()).to.deep.equal({ kind: 'api-key', trustIds: [trustIds.SA] });
  });

  it('gives a consortium key every trust, the DEFAULT one included', async () => {
    const { trustIds: seen } = (await (await probe({ authorization: `Bearer ${keys.readAll}` })).json()) as {
      trustIds: number[];
    };
    const all = await database.pool.query<{ trust_id: string }>('SELECT trust_id FROM trusts ORDER BY trust_id');
    expect(seen).to.deep.equal(all.rows.map((r) => Number(r.trust_id)));
    expect(seen).to.include.members([trustIds.SA, trustIds.SB]);
  });

  it("admits a signed-in user with their trusts, and applies the route's roles to them", async () => {
    const { rows } = await database.pool.query<{ user_id: string }>(
      `INSERT INTO users (name, password_hash, roles) VALUES ('phys', 'x', '{physicist}') RETURNING user_id`,
    );
    const userId = Number(rows[0]!.user_id);
    await database.pool.query(`INSERT INTO user_trusts (user_id, trust_id) VALUES ($1, $2)`, [userId, trustIds.SB]);
    const { token } = await createSession(db, userId);
    const cookie = { cookie: `kerma_session=${token}` };
    expect(await (await probe(cookie)).json()).to.deep.equal({ kind: 'user', trustIds: [trustIds.SB] });
    expect((await probe(cookie, '/api/v1/governance-probe')).status).to.equal(403);
  });

  it('asks a session for its CSRF token on a state-changing request, and a key for none', async () => {
    const { rows } = await database.pool.query<{ user_id: string }>(
      `INSERT INTO users (name, password_hash, roles) VALUES ('phys2', 'x', '{physicist}') RETURNING user_id`,
    );
    const session = await createSession(db, Number(rows[0]!.user_id));
    const post = (headers: Record<string, string>) =>
      fetch(`${url}/api/v1/probe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{}',
      }).then((r) => r.status);
    const cookie = `kerma_session=${session.token}`;
    expect(await post({ cookie })).to.equal(403);
    expect(await post({ cookie, 'x-csrf-token': session.csrfToken })).to.equal(200);
    expect(await post({ authorization: `Bearer ${keys.readA}` })).to.equal(200);
  });
});
