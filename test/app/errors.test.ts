import { expect } from 'chai';
import express from 'express';
import { errorMiddleware } from '../../app/http/errors.ts';
import { listen } from '../../app/http/server.ts';
import { NotFoundError, UnavailableError, ValidationError } from '../../core/index.ts';
import { recordingLogger } from '../support/logger.ts';

describe('error middleware', () => {
  const logger = recordingLogger();
  let url: string;
  let close: () => void;

  before(async () => {
    const app = express();
    app.use(express.json());
    app.get('/validation', () => {
      throw new ValidationError('bad dose unit', { field: 'dapGyCm2' });
    });
    app.get('/missing', () => {
      throw new NotFoundError('no such study');
    });
    app.get('/down', () => {
      throw new UnavailableError('database unreachable');
    });
    app.get('/bug', () => {
      throw new TypeError('secret internals');
    });
    app.post('/json', (_req, res) => {
      res.json({ ok: true });
    });
    app.use(errorMiddleware(logger));
    const listening = await listen(app, '127.0.0.1', 0);
    url = listening.url;
    close = () => listening.server.close();
  });
  after(() => close());

  const get = async (path: string): Promise<{ status: number; body: { error: Record<string, unknown> } }> => {
    const response = await fetch(`${url}${path}`);
    return { status: response.status, body: (await response.json()) as { error: Record<string, unknown> } };
  };

  it('maps typed errors to their status and stable code', async () => {
    expect(await get('/validation')).to.deep.equal({
      status: 400,
      body: { error: { code: 'validation_failed', message: 'bad dose unit', details: { field: 'dapGyCm2' } } },
    });
    expect((await get('/missing')).status).to.equal(404);
    expect((await get('/down')).body.error.code).to.equal('unavailable');
  });

  it('hides unexpected errors from clients and logs only server faults', async () => {
    logger.records.length = 0;
    const bug = await get('/bug');
    expect(bug.status).to.equal(500);
    expect(JSON.stringify(bug.body)).not.to.include('secret internals');
    await get('/validation');
    expect(logger.records.filter((r) => r.level === 'error')).to.have.length(1);
  });

  it('answers malformed JSON bodies with 400', async () => {
    const response = await fetch(`${url}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{oops',
    });
    expect(response.status).to.equal(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).to.equal('entity_parse_failed');
  });
});
