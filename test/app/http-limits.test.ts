import { connect, type Socket } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'chai';
import express from 'express';
import type pg from 'pg';
import { loadConfig } from '../../app/config/index.ts';
import { createHttpApp, listen } from '../../app/http/server.ts';
import { ConfigError } from '../../core/index.ts';
import { JSON_BODY_LIMIT_BYTES, jsonBody } from '../../core/http-input.ts';
import { silentLogger } from '../support/logger.ts';
import { startWebHarness, type WebHarness } from '../support/web.ts';

const HEADERS_TIMEOUT_MS = 1500;

/** Sends `text` one byte a second and resolves with how long the server kept the connection open. */
function trickle(port: number, text: string): Promise<{ closedAfterMs: number; bytesSent: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let bytesSent = 0;
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const socket: Socket = connect(port, '127.0.0.1', () => {
      const sendNext = (): void => {
        if (socket.destroyed || bytesSent >= text.length) return;
        socket.write(text[bytesSent]!);
        bytesSent += 1;
        timer = setTimeout(sendNext, 1000);
      };
      sendNext();
    });
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined); // a reset is one way of being cut off
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closedAfterMs: Date.now() - started, bytesSent, answer });
    });
    // The test's own guard: a server that never cuts the client off fails here, not by a mocha timeout.
    setTimeout(() => {
      if (!socket.destroyed) {
        socket.destroy();
        reject(new Error('the server kept a slowloris connection open for 15 s'));
      }
    }, 15_000).unref();
  });
}

describe('HTTP limits: slow clients, body sizes, JSON validation', function () {
  this.timeout(60_000);

  describe('a slowloris client (headers one byte a second)', () => {
    let web: WebHarness;
    before(async () => {
      web = await startWebHarness({
        KERMA_HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        KERMA_HTTP_REQUEST_TIMEOUT_MS: '10000',
      });
    });
    after(async () => {
      if (web) await web.stop();
    });

    it('is cut off soon after the configured headers timeout, long before its headers are complete', async () => {
      const port = Number(new URL(web.kerma.url).port);
      const request = 'GET /healthz HTTP/1.1\r\nHost: kerma\r\nX-Slow: ' + 'a'.repeat(60) + '\r\n\r\n';
      const { closedAfterMs, bytesSent, answer } = await trickle(port, request);
      expect(bytesSent).to.be.below(request.length);
      expect(closedAfterMs).to.be.at.least(HEADERS_TIMEOUT_MS - 100);
      // The timeout plus Node's check interval (a quarter of it, at most a second) and a second's byte.
      expect(closedAfterMs).to.be.below(HEADERS_TIMEOUT_MS + 2500);
      // Node answers 408 Request Timeout before closing, when it can.
      if (answer) expect(answer).to.match(/^HTTP\/1\.1 408/);
    });

    it('leaves ordinary clients served meanwhile', async () => {
      expect((await fetch(`${web.kerma.url}/healthz`)).status).to.equal(200);
    });

    it('answers 413 with a clear message when a form is larger than the form limit (a page, not a 500)', async () => {
      const response = await fetch(`${web.kerma.url}/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `name=${'a'.repeat(20_000)}`,
        redirect: 'manual',
      });
      expect(response.status).to.equal(413);
      expect(await response.text()).to.include('larger than this endpoint');
    });
  });

  describe('JSON bodies: jsonBody(schema) in front of a route', () => {
    let server: Server;
    let url: string;
    const schema = {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'scopes'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 64 },
        scopes: { type: 'array', items: { enum: ['ingest', 'read'] }, minItems: 1 },
        trust: { type: 'object', properties: { code: { type: 'string', pattern: '^[A-Z]+$' } } },
      },
    };

    before(async () => {
      const router = express.Router();
      router.post('/api/v1/things', ...jsonBody(schema), (req, res) => {
        res.json({ received: req.body as unknown });
      });
      const app = createHttpApp({ pool: {} as pg.Pool, logger: silentLogger, routers: [{ path: '/', router }] });
      ({ server, url } = await listen(app, '127.0.0.1', 0));
    });
    after(() => {
      server?.closeAllConnections();
      server?.close();
    });

    const post = async (body: string, type = 'application/json') => {
      const response = await fetch(`${url}/api/v1/things`, { method: 'POST', headers: { 'content-type': type }, body });
      return {
        status: response.status,
        body: (await response.json()) as { error?: { code: string; message: string } },
      };
    };

    it('passes a valid body through', async () => {
      const answer = await post(JSON.stringify({ name: 'ris', scopes: ['read'] }));
      expect(answer).to.deep.equal({ status: 200, body: { received: { name: 'ris', scopes: ['read'] } } });
    });

    it('answers 400 naming each offending field, nested ones with their path', async () => {
      const answer = await post(JSON.stringify({ name: 7, scopes: ['write'], trust: { code: 'rnh' }, extra: 1 }));
      expect(answer.status).to.equal(400);
      const message = answer.body.error!.message;
      for (const field of ['"name"', '"scopes.0"', '"trust.code"', '"extra"']) expect(message).to.include(field);
      expect((await post(JSON.stringify({ name: 'ris' }))).body.error!.message).to.include('"scopes" is required');
      expect((await post('{"name": ')).body.error).to.deep.equal({
        code: 'entity_parse_failed',
        message: 'The request body is not valid JSON',
      });
    });

    it('answers 413 with a clear JSON error for a body over the limit', async () => {
      const big = JSON.stringify({ name: 'x', scopes: ['read'], pad: 'p'.repeat(JSON_BODY_LIMIT_BYTES) });
      const answer = await post(big);
      expect(answer.status).to.equal(413);
      expect(answer.body.error).to.deep.equal({
        code: 'entity_too_large',
        message: `The request body is larger than this endpoint's limit of ${JSON_BODY_LIMIT_BYTES.toLocaleString('en-GB')} bytes`,
      });
    });

    it('refuses a body that is not JSON as a 400 naming the whole input', async () => {
      const answer = await post('name=ris', 'application/x-www-form-urlencoded');
      expect(answer.status).to.equal(400);
      expect(answer.body.error!.message).to.include('(the whole input)');
    });
  });

  describe('timeouts in the configuration', () => {
    it('refuses a headers timeout longer than the request timeout, naming both variables', () => {
      try {
        loadConfig({ KERMA_HTTP_HEADERS_TIMEOUT_MS: '90000', KERMA_HTTP_REQUEST_TIMEOUT_MS: '60000' });
        expect.fail('loadConfig accepted it');
      } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        expect((error as ConfigError).problems.join('\n')).to.match(
          /KERMA_HTTP_HEADERS_TIMEOUT_MS \(90000\) must not exceed KERMA_HTTP_REQUEST_TIMEOUT_MS \(60000\)/,
        );
      }
    });

    it('refuses a timeout below a second', () => {
      expect(() => loadConfig({ KERMA_HTTP_KEEP_ALIVE_TIMEOUT_MS: '10' })).to.throw(/KERMA_HTTP_KEEP_ALIVE_TIMEOUT_MS/);
    });
  });
});
