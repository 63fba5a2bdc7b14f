import { expect } from 'chai';
import { buildCtRdsr } from '../support/fixtures/xray-rdsr.ts';
import { addUser, pageCsrfToken, signInCookie, startWebHarness, type WebHarness } from '../support/web.ts';

interface DeviceJson {
  deviceId: number;
  trustCode: string;
  roomName: string | null;
  roomNameSetBy: string | null;
  stationName: string | null;
  manufacturer: string | null;
  studies: number;
  studiesLast7Days: number;
  studiesLast30Days: number;
  firstSeenAt: string;
  lastSeenAt: string;
}

describe('rooms and devices: list, rename and move (API and page)', function () {
  this.timeout(60000);
  let web: WebHarness;
  let url: string;
  let deviceId: number;
  const cookies: Record<string, string> = {};

  const devicesOf = async (who: string): Promise<DeviceJson[]> => {
    const response = await fetch(`${url}/api/v1/devices`, { headers: { cookie: cookies[who]! } });
    expect(response.status).to.equal(200);
    return ((await response.json()) as { items: DeviceJson[] }).items;
  };
  const patch = async (who: string, body: unknown, options: { csrf?: string | null; id?: number | string } = {}) => {
    const csrf = options.csrf === undefined ? await pageCsrfToken(url, cookies[who]!) : options.csrf;
    return fetch(`${url}/api/v1/devices/${options.id ?? deviceId}`, {
      method: 'PATCH',
      headers: { cookie: cookies[who]!, 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
      body: JSON.stringify(body),
    });
  };
  const auditRows = async () =>
    (
      await web.database.pool.query<{
        actor_name: string;
        action: string;
        subject_kind: string;
        subject_key: string;
        trust_code: string;
        detail: unknown;
      }>(
        `SELECT actor_name, action, subject_kind, subject_key, trust_code, detail FROM audit_log WHERE action = 'device.change' ORDER BY audit_id`,
      )
    ).rows;

  before(async () => {
    web = await startWebHarness();
    url = web.kerma.url;
    await web.database.pool.query(
      `INSERT INTO trusts (code, name) VALUES ('RNH', 'Riverside NHS Trust'), ('SNH', 'Seaview NHS Trust')`,
    );
    const outcome = await web.kerma.ingest.ingestObject({
      bytes: buildCtRdsr(),
      transport: 'stow',
      sender: 'rooms-test',
      trustCode: 'RNH',
    });
    expect(outcome.status).to.equal('stored');
    // Two studies: one three days ago (inside both windows), one from the fixture's 2024 date.
    await web.kerma.ingest.ingestObject({
      bytes: buildCtRdsr(),
      transport: 'stow',
      sender: 'rooms-test',
      trustCode: 'RNH',
    });
    await web.database.pool.query(
      `UPDATE studies SET study_datetime = now() - interval '3 days' WHERE study_id = (SELECT min(study_id) FROM studies)`,
    );
    await addUser(web, 'ada.admin', { roles: ['admin'], trusts: ['RNH'] });
    await addUser(web, 'phil.physicist', { roles: ['physicist'], trusts: ['RNH'] });
    await addUser(web, 'sam.seaview', { roles: ['physicist'], trusts: ['SNH'] });
    for (const name of ['ada.admin', 'phil.physicist', 'sam.seaview']) cookies[name] = await signInCookie(url, name);
  });
  after(async () => {
    if (web) await web.stop();
  });

  it("lists the devices of the user's trusts with their counts, and nothing of other trusts", async () => {
    const [device, ...others] = await devicesOf('phil.physicist');
    expect(others).to.deep.equal([]);
    deviceId = device!.deviceId;
    expect(device).to.include({
      trustCode: 'RNH',
      roomName: 'Test Hospital ROOM1',
      roomNameSetBy: null,
      stationName: 'ROOM1',
      manufacturer: 'Kerma Test Systems',
      studies: 2,
      studiesLast7Days: 1,
      studiesLast30Days: 1,
    });
    expect(device!.firstSeenAt).to.match(/^\d{4}-\d\d-\d\dT/);
    expect(await devicesOf('sam.seaview')).to.deep.equal([]);
  });

  it('refuses a change from a non-administrator (403) and one without the CSRF token', async () => {
    expect((await patch('phil.physicist', { roomName: 'CT 1' })).status).to.equal(403);
    expect((await patch('ada.admin', { roomName: 'CT 1' }, { csrf: null })).status).to.equal(403);
    expect((await patch('ada.admin', { roomName: 'CT 1' }, { csrf: 'forged' })).status).to.equal(403);
    expect(await auditRows()).to.deep.equal([]);
    expect((await devicesOf('phil.physicist'))[0]!.roomName).to.equal('Test Hospital ROOM1');
  });

  it('answers 400 naming the field for a bad change, and 404 for a device it cannot see', async () => {
    const blank = await patch('ada.admin', { roomName: '   ' });
    expect(blank.status).to.equal(400);
    expect(JSON.stringify(await blank.json())).to.include('roomName');
    const unknown = await patch('ada.admin', { colour: 'red' });
    expect(JSON.stringify(await unknown.json())).to.include('colour');
    const noTrust = await patch('ada.admin', { trustCode: 'NOPE' });
    expect(noTrust.status).to.equal(400);
    expect(JSON.stringify(await noTrust.json())).to.include('trustCode');
    expect((await patch('ada.admin', { roomName: 'x' }, { id: 'abc' })).status).to.equal(400);
    expect((await patch('ada.admin', { roomName: 'x' }, { id: 999999 })).status).to.equal(404);
    expect(await auditRows()).to.deep.equal([]);
  });

  it('renames a room as an administrator and writes the audit log with before and after', async () => {
    const response = await patch('ada.admin', { roomName: '  CT 1 (Main X-ray)  ' });
    expect(response.status).to.equal(200);
    const [device] = await devicesOf('phil.physicist');
    expect(device).to.include({ roomName: 'CT 1 (Main X-ray)', roomNameSetBy: 'ada.admin' });
    expect(await auditRows()).to.deep.equal([
      {
        actor_name: 'ada.admin',
        action: 'device.change',
        subject_kind: 'device',
        subject_key: String(deviceId),
        trust_code: 'RNH',
        detail: {
          before: { roomName: 'Test Hospital ROOM1', trustCode: 'RNH' },
          after: { roomName: 'CT 1 (Main X-ray)', trustCode: 'RNH' },
        },
      },
    ]);
  });

  it('shows the list read-only to a physicist; the change form is for administrators only', async () => {
    const html = await (await fetch(`${url}/rooms`, { headers: { cookie: cookies['phil.physicist']! } })).text();
    expect(html).to.include('CT 1 (Main X-ray)');
    expect(html).to.include('named by ada.admin');
    expect(html).to.not.include(`href="/rooms/${deviceId}"`);
    const form = await fetch(`${url}/rooms/${deviceId}`, {
      headers: { cookie: cookies['phil.physicist']! },
      redirect: 'manual',
    });
    expect(form.status).to.equal(403);
    const csrf = await pageCsrfToken(url, cookies['phil.physicist']!, '/rooms');
    const post = await fetch(`${url}/rooms/${deviceId}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookies['phil.physicist']!, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, roomName: 'Hijacked', trustCode: 'RNH' }).toString(),
    });
    expect(post.status).to.equal(403);
    expect((await devicesOf('phil.physicist'))[0]!.roomName).to.equal('CT 1 (Main X-ray)');
  });

  it('renames through the page form, and re-shows the form with the problem for a blank name', async () => {
    const admin = cookies['ada.admin']!;
    const listing = await (await fetch(`${url}/rooms`, { headers: { cookie: admin } })).text();
    expect(listing).to.include(`href="/rooms/${deviceId}"`);
    const csrf = await pageCsrfToken(url, admin, `/rooms/${deviceId}`);
    const post = (fields: Record<string, string>) =>
      fetch(`${url}/rooms/${deviceId}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      });
    const blank = await post({ roomName: '', trustCode: 'RNH' });
    expect(blank.status).to.equal(400);
    expect(await blank.text()).to.include('Not saved: display name');
    const saved = await post({ roomName: 'CT 2', trustCode: 'RNH' });
    expect(saved.status).to.equal(303);
    expect(saved.headers.get('location')).to.equal(`/rooms?saved=${deviceId}`);
    const page = await (await fetch(`${url}${saved.headers.get('location')}`, { headers: { cookie: admin } })).text();
    expect(page).to.include('Saved: CT 2 (RNH)');
    expect((await auditRows()).at(-1)!.detail).to.deep.equal({
      before: { roomName: 'CT 1 (Main X-ray)', trustCode: 'RNH' },
      after: { roomName: 'CT 2', trustCode: 'RNH' },
    });
  });

  it('moves the device to another trust: its studies stay with the trust that sent them (ADR 0009)', async () => {
    const trustOfStudies = async () =>
      (
        await web.database.pool.query<{ code: string }>(
          `SELECT t.code FROM studies s JOIN trusts t USING (trust_id) WHERE s.device_id = $1 ORDER BY s.study_id`,
          [deviceId],
        )
      ).rows.map((r) => r.code);
    expect(await trustOfStudies()).to.deep.equal(['RNH', 'RNH']);
    const response = await patch('ada.admin', { trustCode: 'SNH' });
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({
      deviceId,
      before: { roomName: 'CT 2', trustCode: 'RNH' },
      after: { roomName: 'CT 2', trustCode: 'SNH' },
    });
    expect(await trustOfStudies()).to.deep.equal(['RNH', 'RNH']);
    // The room is now listed under Seaview, with all its studies counted; Riverside no longer lists it.
    const [moved] = await devicesOf('sam.seaview');
    expect(moved).to.include({ deviceId, trustCode: 'SNH', studies: 2 });
    expect(await devicesOf('phil.physicist')).to.deep.equal([]);
    expect((await auditRows()).at(-1)).to.include({ trust_code: 'RNH' });
    // An administrator of Riverside alone can no longer see or change it.
    expect((await patch('ada.admin', { roomName: 'back' })).status).to.equal(404);
    // A new object from the same unit sent through Riverside still belongs to Riverside.
    const again = await web.kerma.ingest.ingestObject({
      bytes: buildCtRdsr(),
      transport: 'stow',
      sender: 'rooms-test',
      trustCode: 'RNH',
    });
    expect(again.status).to.equal('stored');
    expect(await trustOfStudies()).to.deep.equal(['RNH', 'RNH', 'RNH']);
  });
});
