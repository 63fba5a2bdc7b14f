import SwaggerParser from '@apidevtools/swagger-parser';
import { expect } from 'chai';
import { startWebHarness, type WebHarness } from '../support/web.ts';

/** GET /api/v1/openapi.json: a valid OpenAPI 3.1 document built from the routes' own ajv schemas. */
describe('the OpenAPI document', function () {
  this.timeout(60_000);
  let web: WebHarness;
  let document: Record<string, unknown> & {
    paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
  };

  before(async () => {
    web = await startWebHarness();
    const response = await fetch(`${web.kerma.url}/api/v1/openapi.json`);
    expect(response.status).to.equal(200);
    document = (await response.json()) as typeof document;
  });
  after(async () => {
    await web?.stop();
  });

  it('validates against the OpenAPI 3.1 schema', async () => {
    // validate() dereferences in place: give it a copy so the assertions below see the document as served.
    const api = await SwaggerParser.validate(structuredClone(document) as never);
    expect((api as { openapi: string }).openapi).to.equal('3.1.0');
  });

  it('lists the DRL operations with the parameters their routes validate', () => {
    expect(Object.keys(document.paths)).to.include.members([
      '/api/v1/analytics/drl-compliance',
      '/api/v1/analytics/local-drls',
      '/api/v1/studies/{studyId}/dose-metrics',
      '/api/v1/studies',
      '/api/v1/openapi.json',
    ]);
    const compliance = document.paths['/api/v1/analytics/drl-compliance']!.get!;
    const names = compliance.parameters!.map((p) => p.name);
    expect(names).to.include.members([
      'from',
      'to',
      'trust',
      'device',
      'modality',
      'weightBand',
      'minSample',
      'format',
    ]);
    expect(names).to.not.include('weightMin');
  });

  it('rejects a document that is not OpenAPI (the validation can fail)', async () => {
    const broken = structuredClone(document) as Record<string, unknown>;
    (broken.paths as Record<string, unknown>)['/x'] = { get: { responses: 'none' } };
    let failed = false;
    try {
      await SwaggerParser.validate(broken as never);
    } catch {
      failed = true;
    }
    expect(failed).to.equal(true);
  });
});
