import { expect } from 'chai';
import { loadConfig } from '../../app/config/index.ts';
import { addUser, signInCookie, startWebHarness, type WebHarness } from '../support/web.ts';

describe('overview: rooms that sent nothing for N days (KERMA_SILENT_ROOM_DAYS)', function () {
  this.timeout(60000);
  let web: WebHarness;
  let cookie: string;

  before(async () => {
    web = await startWebHarness({ KERMA_SILENT_ROOM_DAYS: '5' });
    await web.database.pool.query(
      `INSERT INTO trusts (code, name) VALUES ('RNH', 'Riverside NHS Trust'), ('SNH', 'Seaview NHS Trust')`,
    );
    // Rooms as ingest leaves them: last_seen_at is when the room last sent an object.
    await web.database.pool.query(`
      INSERT INTO devices (fingerprint, trust_id, station_name, room_name, last_seen_at)
      SELECT f, (SELECT trust_id FROM trusts WHERE code = c), s, r, now() - d * interval '1 day'
        FROM (VALUES ('a', 'RNH', 'CT01', 'Riverside CT 1', 10),
                     ('b', 'RNH', 'DX02', 'Riverside DX 2', 2),
                     ('c', 'RNH', 'FL03', 'Riverside Fluoro 3', 5.5),
                     ('d', 'SNH', 'CT09', 'Seaview CT 9', 30)) AS v(f, c, s, r, d)`);
    await addUser(web, 'phil.physicist', { roles: ['physicist'], trusts: ['RNH'] });
    cookie = await signInCookie(web.kerma.url, 'phil.physicist');
  });
  after(async () => {
    if (web) await web.stop();
  });

  it("lists the user's trusts' rooms silent for N days or more, longest silent first", async () => {
    const html = await (await fetch(`${web.kerma.url}/`, { headers: { cookie } })).text();
    const section = /<section class="panel" aria-labelledby="silent">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    expect(section).to.include('Rooms that sent nothing for 5 days or more');
    expect(section).to.match(/Riverside CT 1[\s\S]*Riverside Fluoro 3/);
    expect(section).to.not.include('Riverside DX 2');
    expect(section).to.not.include('Seaview CT 9');
    expect(section).to.match(/<td class="num">10<\/td>/);
    expect(html).to.match(/<span class="figure-value">2<\/span><span class="figure-label">rooms silent 5\+ days/);
  });

  it('says so when every room has sent something', async () => {
    await web.database.pool.query(`UPDATE devices SET last_seen_at = now()`);
    const html = await (await fetch(`${web.kerma.url}/`, { headers: { cookie } })).text();
    expect(html).to.include('Every room of RNH has sent something in the last 5 days.');
  });

  it('validates KERMA_SILENT_ROOM_DAYS like every variable, defaulting to 7', () => {
    expect(loadConfig({}).silentRoomDays).to.equal(7);
    expect(loadConfig({ KERMA_SILENT_ROOM_DAYS: '14' }).silentRoomDays).to.equal(14);
    for (const bad of ['0', '-1', 'seven', '1000']) {
      expect(() => loadConfig({ KERMA_SILENT_ROOM_DAYS: bad }), bad).to.throw(/KERMA_SILENT_ROOM_DAYS/);
    }
  });
});
