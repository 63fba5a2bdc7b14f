import { expect } from 'chai';
import type { Server } from 'node:http';
import express from 'express';
import { requireUser, sessionMiddleware, userOf } from '../../access/index.ts';
import { queryRunner } from '../../app/db/pool.ts';
import { listen } from '../../app/http/server.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

describe('requireUser on an API route', () => {
  let database: TestDatabase;
  let server: Server;
  let url: string;
  before(async () => {
    database = await freshDatabase();
    const policy = { idleTimeoutMinutes: 30, absoluteTimeoutHours: 12, secureCookies: false };
    const app = express();
    app.use(sessionMiddleware(queryRunner(database.pool), policy));
    app.get('/api/v1/example', requireUser(['governance'], 'api'), (req, res) => {
      res.json({ user: userOf(req)?.name });
    });
    app.get('/example', requireUser(), (_req, res) => void res.send('page'));
    ({ server, url } = await listen(app, '127.0.0.1', 0));
  });
  after(async () => {
    server.close();
    await database.drop();
  });

  it('answers 401 JSON without a session, and a page redirects to sign-in (htmx gets HX-Redirect)', async () => {
    const api = await fetch(`${url}/api/v1/example`, { headers: { cookie: 'kerma_session=forged' } });
    expect(api.status).to.equal(401);
    expect(await api.json()).to.deep.equal({ error: { code: 'unauthorized', message: 'Sign in first' } });
    const page = await fetch(`${url}/example?a=1`, { redirect: 'manual' });
    expect(page.status).to.equal(303);
    expect(page.headers.get('location')).to.equal('/sign-in?next=%2Fexample%3Fa%3D1');
    const htmx = await fetch(`${url}/example`, { redirect: 'manual', headers: { 'hx-request': 'true' } });
    expect(htmx.status).to.equal(401);
    expect(htmx.headers.get('hx-redirect')).to.equal('/sign-in');
  });
});
