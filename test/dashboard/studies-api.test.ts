import { expect } from 'chai';
import { addUser, signInCookie, startWebHarness, type WebHarness } from '../support/web.ts';
import { loadStudyRegion, TIE_MICROSECONDS, type StudyRegion } from './support/study-region.ts';
import { expectedOrder, oracleStudies, type OracleStudy, type SortKey } from './support/study-oracle.ts';

interface ApiPage {
  items: { studyId: number; trustCode: string; studyDescription: string | null }[];
  count: { count: number; exact: boolean };
  links: { next: string | null; previous: string | null };
  error?: { code: string; message: string; details: { field: string } };
}

describe('study browser API: filters, trust scope and keyset pages', function () {
  this.timeout(120_000);
  let web: WebHarness | undefined;
  let region: StudyRegion;
  let all: OracleStudy[];
  let mine: OracleStudy[];
  let cookie: string;

  const get = async (path: string, session: string | null = cookie) => {
    const response = await fetch(`${web!.kerma.url}${path}`, { headers: session ? { cookie: session } : {} });
    return { status: response.status, body: (await response.json()) as ApiPage };
  };
  /** Every row of a filtered list, following next links. */
  const walk = async (qs: string): Promise<number[]> => {
    const ids: number[] = [];
    let path: string | null = `/api/v1/studies?limit=200&${qs}`;
    while (path) {
      const { status, body } = await get(path);
      expect(status, `${path}: ${JSON.stringify(body.error)}`).to.equal(200);
      ids.push(...body.items.map((i) => i.studyId));
      path = body.links.next;
    }
    return ids;
  };
  const idsOf = (studies: OracleStudy[]) => studies.map((s) => s.studyId).sort((a, b) => a - b);
  const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

  before(async () => {
    web = await startWebHarness();
    region = await loadStudyRegion(web.database.pool);
    all = await oracleStudies(web.database.pool);
    mine = all.filter((s) => s.trustCode === region.trustCodes[0]);
    await addUser(web, 'ada.physicist', { roles: ['physicist'], trusts: [region.trustCodes[0]!] });
    cookie = await signInCookie(web.kerma.url, 'ada.physicist');
  });
  after(async () => {
    await web?.stop();
  });

  it('has a region with both trusts, ties and unknown values to test against', () => {
    expect(region.trustCodes).to.have.length(2);
    expect(mine.length).to.be.greaterThan(100);
    expect(all.length).to.be.greaterThan(mine.length);
    expect(mine.filter((s) => s.timeUs === TIE_MICROSECONDS).length).to.be.greaterThan(5);
    expect(mine.some((s) => s.time === null)).to.equal(true);
    expect(new Set(mine.map((s) => s.modality)).size).to.be.greaterThan(2);
  });

  it("refuses without a session (401) and lists only the user's trust", async () => {
    expect((await get('/api/v1/studies', null)).status).to.equal(401);
    const ids = await walk('');
    expect(sorted(ids)).to.deep.equal(idsOf(mine));
    const other = await get(`/api/v1/studies?trust=${region.trustCodes[1]}`);
    expect(other.status).to.equal(200);
    expect(other.body.items).to.deep.equal([]);
    expect(other.body.count).to.deep.equal({ count: 0, exact: true });
  });

  it('counts exactly what it lists', async () => {
    const { body } = await get('/api/v1/studies?modality=CT');
    expect(body.count).to.deep.equal({ count: mine.filter((s) => s.modality === 'CT').length, exact: true });
  });

  /** Each filter against the same filter applied in TypeScript to a plain dump of the studies. */
  const someProtocol = () => mine.flatMap((s) => s.protocols).find((p) => p.length > 4)!;
  const device = () => mine.find((s) => s.deviceId !== null)!.deviceId!;
  const cases: Array<[string, () => string, (s: OracleStudy) => boolean]> = [
    ['modality', () => 'modality=DX', (s) => s.modality === 'DX'],
    ['two modalities', () => 'modality=DX&modality=MG', (s) => s.modality === 'DX' || s.modality === 'MG'],
    [
      'date range (local days)',
      () => 'from=2024-03-01&to=2024-05-31',
      (s) => s.localDay !== null && s.localDay >= '2024-03-01' && s.localDay <= '2024-05-31',
    ],
    ['trust', () => `trust=${region.trustCodes[0]}`, () => true],
    ['room', () => `device=${device()}`, (s) => s.deviceId === device()],
    ['description, any case', () => 'description=tIe', (s) => (s.description ?? '').toLowerCase().includes('tie')],
    [
      'description with LIKE wildcards taken literally',
      () => 'description=%25',
      (s) => (s.description ?? '').includes('%'),
    ],
    [
      'protocol of any event',
      () => `protocol=${encodeURIComponent(someProtocol().slice(1, -1).toUpperCase())}`,
      (s) => s.protocols.some((p) => p.toLowerCase().includes(someProtocol().slice(1, -1).toLowerCase())),
    ],
    ['age band', () => 'ageMin=18&ageMax=40', (s) => s.age !== null && s.age >= 18 && s.age <= 40],
    ['sex', () => 'sex=F', (s) => s.sex === 'F'],
    ['weight range', () => 'weightMin=60&weightMax=80', (s) => s.weight !== null && s.weight >= 60 && s.weight <= 80],
    ['DLP range', () => 'dlpMin=100&dlpMax=700', (s) => s.dlp !== null && s.dlp >= 100 && s.dlp <= 700],
    ['max CTDIvol', () => 'ctdiMin=10', (s) => s.ctdiMax !== null && s.ctdiMax >= 10],
    ['DAP range', () => 'dapMin=0.5&dapMax=20', (s) => s.dap !== null && s.dap >= 0.5 && s.dap <= 20],
    ['Ka,r', () => 'doseRpMax=0.05', (s) => s.doseRp !== null && s.doseRp <= 0.05],
    ['event count', () => 'eventsMin=3&eventsMax=5', (s) => s.events >= 3 && s.events <= 5],
    [
      'several at once',
      () => 'modality=CT&dlpMin=200&from=2024-02-01',
      (s) => s.modality === 'CT' && s.dlp !== null && s.dlp >= 200 && s.localDay !== null && s.localDay >= '2024-02-01',
    ],
  ];
  for (const [name, qs, keep] of cases) {
    it(`filters by ${name}`, async () => {
      const expected = idsOf(mine.filter(keep));
      // A filter test that selects nothing (or everything) could not tell a broken filter apart.
      if (!name.includes('literally')) expect(expected.length, 'matching studies').to.be.greaterThan(0);
      expect(sorted(await walk(qs()))).to.deep.equal(expected);
    });
  }

  const SORTS: SortKey[] = ['time', 'dlp', 'dap', 'doseRp', 'events'];
  for (const key of SORTS) {
    for (const dir of ['desc', 'asc'] as const) {
      it(`walks every page sorted by ${key} ${dir}, forwards then back, without a gap or a repeat`, async () => {
        const expected = expectedOrder(mine, key, dir);
        const pages: number[][] = [];
        let path: string | null = `/api/v1/studies?sort=${key}&dir=${dir}&limit=11`;
        let last = '';
        while (path) {
          const { status, body } = await get(path);
          expect(status, `${path}: ${JSON.stringify(body.error)}`).to.equal(200);
          pages.push(body.items.map((i) => i.studyId));
          last = path;
          path = body.links.next;
        }
        expect(pages.flat()).to.deep.equal(expected);
        // And back from the last page: the same pages, in reverse.
        const back: number[][] = [];
        let previous: string | null = last;
        while (previous) {
          const { body } = await get(previous);
          back.unshift(body.items.map((i) => i.studyId));
          previous = body.links.previous;
        }
        expect(back).to.deep.equal(pages);
      });
    }
  }

  it('answers 400 naming the field for each bad parameter', async () => {
    const bad: Array<[string, string]> = [
      ['from=2024-02-30', 'from'],
      ['from=yesterday', 'from'],
      ['dlpMin=-1', 'dlpMin'],
      ['dlpMin=abc', 'dlpMin'],
      ['dlpMin=5&dlpMax=1', 'dlpMin'],
      ['ageMax=400', 'ageMax'],
      ['eventsMin=1.5', 'eventsMin'],
      ['sex=X', 'sex'],
      ['sort=patient_id', 'sort'],
      ['dir=sideways', 'dir'],
      ['limit=100000', 'limit'],
      ['modality=ct%3B', 'modality'],
      ['device=0', 'device'],
      ['after=not-a-cursor', 'after'],
      [`description=${'x'.repeat(201)}`, 'description'],
      ['description=a%00b', 'description'],
      ['colour=red', 'colour'],
      ['description=a&description=b', 'description'],
    ];
    for (const [qs, field] of bad) {
      const { status, body } = await get(`/api/v1/studies?${qs}`);
      expect(status, qs).to.equal(400);
      expect(body.error?.details.field, qs).to.equal(field);
    }
  });

  it('records each view in the audit log with the filters used and no free text', async () => {
    await get('/api/v1/studies?modality=CT&description=TIE%201');
    const { rows } = await web!.database.pool.query<{ actor_name: string; detail: Record<string, unknown> }>(
      `SELECT actor_name, detail FROM audit_log WHERE action = 'studies.list' ORDER BY audit_id DESC LIMIT 1`,
    );
    expect(rows[0]?.actor_name).to.equal('ada.physicist');
    expect(rows[0]?.detail.filters).to.deep.equal({ modalities: ['CT'], description: 'text' });
    expect(JSON.stringify(rows[0]?.detail)).not.to.include('TIE');
  });
});
