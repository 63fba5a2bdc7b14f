import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { navigationFor, PAGES } from '../../dashboard/index.ts';
import { addUser, signInCookie, startWebHarness, type WebHarness } from '../support/web.ts';

describe('web shell: CSP, static assets, navigation', () => {
  let web: WebHarness;
  let cookie: string;
  before(async () => {
    web = await startWebHarness();
    await addUser(web, 'alice');
    cookie = await signInCookie(web.kerma.url, 'alice');
  });
  after(async () => {
    if (web) await web.stop(); // before() may have failed before it was started
  });

  it("sends a CSP allowing only 'self', no inline script or style, never framed", async () => {
    const response = await fetch(`${web.kerma.url}/sign-in`);
    const csp = response.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"]) {
      expect(csp).to.include(directive);
    }
    expect(csp).to.not.include('unsafe-inline');
  });

  it('renders pages with no inline script, no style attribute and no third-party URL', async () => {
    for (const [path, headers] of [
      ['/sign-in', {}],
      ['/', { cookie }],
      ['/account/password', { cookie }],
    ] as const) {
      const html = await (await fetch(`${web.kerma.url}${path}`, { headers })).text();
      expect(html, path).to.match(/^<!doctype html><html lang="en-GB">/);
      expect(html, path).to.not.match(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html, path).to.not.match(/\sstyle=|<style/);
      expect(html, path).to.not.match(/(src|href)="https?:/);
    }
  });

  it('serves htmx from node_modules and the CSS from the repo, cached for a year by content hash', async () => {
    const html = await (await fetch(`${web.kerma.url}/sign-in`)).text();
    const htmxPath = /src="(\/static\/htmx\.min\.js\?v=[0-9a-f]{12})"/.exec(html)?.[1];
    expect(htmxPath).to.be.a('string');
    const response = await fetch(`${web.kerma.url}${htmxPath}`);
    expect(response.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
    const served = Buffer.from(await response.arrayBuffer());
    const shipped = readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'));
    expect(served.equals(shipped)).to.equal(true);
    expect((await fetch(`${web.kerma.url}/static/kerma.css`)).headers.get('content-type')).to.match(/text\/css/);
    expect((await fetch(`${web.kerma.url}/static/..%2Fpackage.json`)).status).to.equal(404);
  });

  it('builds the navigation from the page table, by role', () => {
    expect(navigationFor(['radiographer']).map((p) => p.path)).to.deep.equal([
      PAGES.overview.path,
      PAGES.studies.path,
      PAGES.patientDose.path,
    ]);
    expect(navigationFor([]).map((p) => p.path)).to.deep.equal([]);
  });
});
