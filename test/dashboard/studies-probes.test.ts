import { expect } from 'chai';
import { addUser, signInCookie, startWebHarness, type WebHarness } from '../support/web.ts';
import { loadStudyRegion, type StudyRegion } from './support/study-region.ts';

/** Every parameter the study browser reads (query.ts), so a new one cannot go unprobed. */
const PARAMETERS = [
  'from',
  'to',
  'trust',
  'device',
  'modality',
  'description',
  'procedure',
  'protocol',
  'sex',
  'ageMin',
  'ageMax',
  'weightMin',
  'weightMax',
  'dlpMin',
  'dlpMax',
  'ctdiMin',
  'ctdiMax',
  'dapMin',
  'dapMax',
  'doseRpMin',
  'doseRpMax',
  'eventsMin',
  'eventsMax',
  'sort',
  'dir',
  'after',
  'before',
  'limit',
];

const PAYLOADS = [
  "'",
  "' OR '1'='1",
  "x' OR trust_id IS NOT NULL --",
  '1; DROP TABLE studies; --',
  '1 --',
  '/* */',
  '*/ OR 1=1 /*',
  '$1',
  '%',
  '_',
  '\\',
  '") OR ("1"="1',
  'CT) OR (1=1',
  'ＣＴ',
  'ünïcödé — ✓ 🩻',
  '\u202eRTL',
  '\u0000',
  'x'.repeat(10_000),
  '1e309',
  '-0',
  'NaN',
  'Infinity',
  '0x10',
  "2024-01-01'",
  'WzEsIjEgT1IgMT0xIl0', // base64url of [1,"1 OR 1=1"]
  'W251bGwsIjEpIE9SICgxPTEiXQ', // base64url of [null,"1) OR (1=1"]
];

/** Already percent-encoded: bytes that are no UTF-8 (a lone surrogate, 0xFF) and a bare %. */
const RAW_PAYLOADS = ['%ED%A0%80', '%FF', '%', '%%27', '%E2%80'];

describe('study browser: SQL injection probes on every filter parameter', function () {
  this.timeout(300_000);
  let web: WebHarness | undefined;
  let region: StudyRegion;
  let cookie: string;
  let studiesBefore: number;

  before(async () => {
    web = await startWebHarness();
    region = await loadStudyRegion(web.database.pool, 120);
    await addUser(web, 'probe.physicist', { roles: ['physicist'], trusts: [region.trustCodes[0]!] });
    cookie = await signInCookie(web.kerma.url, 'probe.physicist');
    studiesBefore = region.studies;
  });
  after(async () => {
    await web?.stop();
  });

  it("answers 200 with only the user's trust, or 400; never 500 (API and page)", async () => {
    const problems: string[] = [];
    let answers = 0;
    for (const name of PARAMETERS) {
      for (const encoded of [...PAYLOADS.map(encodeURIComponent), ...RAW_PAYLOADS]) {
        const qs = `${encodeURIComponent(name)}=${encoded}`;
        const api = await fetch(`${web!.kerma.url}/api/v1/studies?${qs}`, { headers: { cookie } });
        const body = (await api.json()) as {
          items?: { trustCode: string }[];
          error?: { details?: { field?: string } };
        };
        answers += 1;
        if (api.status === 200) {
          const foreign = (body.items ?? []).filter((i) => i.trustCode !== region.trustCodes[0]);
          if (foreign.length > 0) problems.push(`${qs}: ${foreign.length} rows of another trust`);
        } else if (api.status === 400) {
          if (body.error?.details?.field !== name) problems.push(`${qs}: 400 names ${body.error?.details?.field}`);
        } else {
          problems.push(`${qs}: API answered ${api.status}`);
        }
        const page = await fetch(`${web!.kerma.url}/studies?${qs}`, { headers: { cookie } });
        const html = await page.text();
        if (page.status !== 200 && page.status !== 400) problems.push(`${qs}: page answered ${page.status}`);
        if (html.includes(`>${region.trustCodes[1]}<`)) problems.push(`${qs}: page shows another trust`);
      }
    }
    expect(problems).to.deep.equal([]);
    expect(answers).to.equal(PARAMETERS.length * (PAYLOADS.length + RAW_PAYLOADS.length));
  });

  it('left the data as it was', async () => {
    const { rows } = await web!.database.pool.query<{ n: number }>('SELECT count(*)::integer AS n FROM studies');
    expect(rows[0]?.n).to.equal(studiesBefore);
  });
});
