import { expect } from 'chai';
import { disableUser, SIGN_IN_LIMITS } from '../../access/index.ts';
import { queryRunner } from '../../app/db/pool.ts';
import { SIGN_IN_FAILED } from '../../dashboard/index.ts';
import {
  addUser,
  cookiesOf,
  openSignIn,
  pageCsrfToken,
  postSignIn,
  signInCookie,
  startWebHarness,
  TEST_PASSWORD,
  type WebHarness,
} from '../support/web.ts';

describe('sign-in, sign-out and sessions (real HTTP)', function () {
  // argon2id costs ~30 ms a hash; the rate-limit cases sign in dozens of times on a shared machine.
  this.timeout(60000);
  let web: WebHarness;
  let url: string;
  const auditActions = async (): Promise<string[]> =>
    (await web.database.pool.query<{ action: string }>('SELECT action FROM audit_log ORDER BY audit_id')).rows.map(
      (r) => r.action,
    );

  before(async () => {
    web = await startWebHarness();
    url = web.kerma.url;
    await addUser(web, 'alice', { roles: ['physicist'] });
    await addUser(web, 'dora', { roles: ['radiographer'] });
    await disableUser(queryRunner(web.database.pool), 'dora');
  });
  after(async () => {
    if (web) await web.stop(); // before() may have failed before it was started
  });
  beforeEach(async () => {
    await web.database.pool.query('DELETE FROM sign_in_attempts');
  });

  it('signs in with a session cookie that is HttpOnly and SameSite=Strict, and lands on the page asked for', async () => {
    const response = await postSignIn(url, { name: 'Alice', password: TEST_PASSWORD, next: '/account/password' });
    expect(response.status).to.equal(303);
    expect(response.headers.get('location')).to.equal('/account/password');
    const header = response.headers.getSetCookie().find((c) => c.startsWith('kerma_session='));
    expect(header)
      .to.match(/HttpOnly/i)
      .and.match(/SameSite=Strict/i);
    expect(header).to.not.match(/Secure/i);
    const cookie = header!.split(';')[0]!;
    const page = await fetch(`${url}/`, { headers: { cookie } });
    expect(page.status).to.equal(200);
    expect(await page.text())
      .to.include('alice')
      .and.include('physicist');
  });

  it('marks the cookie Secure when KERMA_PUBLIC_URL is https', async () => {
    const secure = await startWebHarness({ KERMA_PUBLIC_URL: 'https://kerma.example.nhs.uk' });
    try {
      await addUser(secure, 'alice');
      const form = await openSignIn(secure.kerma.url);
      expect(form.cookie).to.match(/^__Host-kerma_sign_in_csrf=/);
      const response = await postSignIn(secure.kerma.url, { name: 'alice', password: TEST_PASSWORD }, { form });
      const header = response.headers.getSetCookie().find((c) => c.startsWith('__Host-kerma_session='));
      expect(header).to.match(/; Secure/i);
    } finally {
      await secure.stop();
    }
  });

  it('answers every failure the same way: unknown name, wrong password, disabled account', async () => {
    const form = await openSignIn(url);
    const answers = [];
    for (const [name, password] of [
      ['nobody', TEST_PASSWORD],
      ['alice', 'wrong password entirely'],
      ['dora', TEST_PASSWORD],
    ] as const) {
      const response = await postSignIn(url, { name, password }, { form });
      // The form keeps the name typed; everything else must be identical.
      answers.push({ status: response.status, body: (await response.text()).replaceAll(name, 'NAME') });
      expect(cookiesOf(response).has('kerma_session')).to.equal(false);
    }
    expect(answers[0]!.status).to.equal(401);
    expect(answers[0]!.body).to.include(SIGN_IN_FAILED);
    expect(answers[1]).to.deep.equal(answers[0]);
    expect(answers[2]).to.deep.equal(answers[0]);
  });

  it('refuses a sign-in whose CSRF token does not match its cookie', async () => {
    const form = await openSignIn(url);
    const forged = await postSignIn(
      url,
      { name: 'alice', password: TEST_PASSWORD },
      { form: { cookie: form.cookie, csrfToken: 'x'.repeat(43) } },
    );
    expect(forged.status).to.equal(403);
    const noCookie = await postSignIn(
      url,
      { name: 'alice', password: TEST_PASSWORD },
      { form: { cookie: '', csrfToken: form.csrfToken } },
    );
    expect(noCookie.status).to.equal(403);
  });

  it(`limits failures per account (${SIGN_IN_LIMITS.perAccount}), from any address, even with the right password after`, async () => {
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i += 1) {
      const failed = await postSignIn(
        url,
        { name: 'alice', password: 'wrong password entirely' },
        { address: `198.51.100.${i}` },
      );
      expect(failed.status).to.equal(401);
    }
    const limited = await postSignIn(url, { name: 'alice', password: TEST_PASSWORD }, { address: '198.51.100.99' });
    expect(limited.status).to.equal(429);
    expect(limited.headers.get('retry-after')).to.equal(String(SIGN_IN_LIMITS.windowMinutes * 60));
    // An unknown account is limited the same way, so the limit does not reveal which names exist.
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i += 1) {
      await postSignIn(url, { name: 'nobody', password: 'wrong password entirely' }, { address: `198.51.100.${i}` });
    }
    expect((await postSignIn(url, { name: 'nobody', password: 'x' }, { address: '198.51.100.98' })).status).to.equal(
      429,
    );
  });

  it(`limits failures per address (${SIGN_IN_LIMITS.perAddress}) across accounts`, async () => {
    for (let i = 0; i < SIGN_IN_LIMITS.perAddress; i += 1) {
      await postSignIn(url, { name: `guess${i}`, password: 'wrong password entirely' }, { address: '203.0.113.7' });
    }
    const limited = await postSignIn(url, { name: 'alice', password: TEST_PASSWORD }, { address: '203.0.113.7' });
    expect(limited.status).to.equal(429);
    const elsewhere = await postSignIn(url, { name: 'alice', password: TEST_PASSWORD }, { address: '203.0.113.8' });
    expect(elsewhere.status).to.equal(303);
  });

  it('signs out only with the session CSRF token, and the session is gone after', async () => {
    const cookie = await signInCookie(url, 'alice');
    const refused = await fetch(`${url}/sign-out`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: '_csrf=forged',
    });
    expect(refused.status).to.equal(403);
    expect((await fetch(`${url}/`, { headers: { cookie }, redirect: 'manual' })).status).to.equal(200);

    const token = await pageCsrfToken(url, cookie);
    const signedOut = await fetch(`${url}/sign-out`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token }).toString(),
    });
    expect(signedOut.status).to.equal(303);
    expect(signedOut.headers.get('location')).to.equal('/sign-in');
    const after = await fetch(`${url}/`, { headers: { cookie }, redirect: 'manual' });
    expect(after.status).to.equal(303);
    expect(after.headers.get('location')).to.equal('/sign-in?next=%2F');
  });

  it('ends a session idle too long, and one signed in too long ago however active', async () => {
    const idle = await signInCookie(url, 'alice');
    const old = await signInCookie(url, 'alice');
    const sha = (cookie: string) => `encode(sha256(convert_to('${cookie.split('=')[1]}', 'UTF8')), 'hex')`;
    await web.database.pool.query(
      `UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE token_sha256 = ${sha(idle)}`,
    );
    await web.database.pool.query(
      `UPDATE sessions SET created_at = now() - interval '12 hours 1 minute' WHERE token_sha256 = ${sha(old)}`,
    );
    for (const cookie of [idle, old]) {
      const response = await fetch(`${url}/`, { headers: { cookie }, redirect: 'manual' });
      expect(response.status).to.equal(303);
    }
    const fresh = await signInCookie(url, 'alice');
    expect((await fetch(`${url}/`, { headers: { cookie: fresh }, redirect: 'manual' })).status).to.equal(200);
  });

  it('changes the password with the current one and the CSRF token; the old password stops working', async () => {
    await addUser(web, 'carol');
    const cookie = await signInCookie(url, 'carol');
    const token = await pageCsrfToken(url, cookie, '/account/password');
    const change = (fields: Record<string, string>) =>
      fetch(`${url}/account/password`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
    const newPassword = 'a quieter room for the dose audit';
    expect((await change({ current: TEST_PASSWORD, password: newPassword, confirm: newPassword })).status).to.equal(
      403,
    );
    const weak = await change({
      _csrf: token,
      current: TEST_PASSWORD,
      password: '1qaz2wsx3edc',
      confirm: '1qaz2wsx3edc',
    });
    expect(weak.status).to.equal(400);
    expect(await weak.text()).to.include('commonly used');
    const done = await change({ _csrf: token, current: TEST_PASSWORD, password: newPassword, confirm: newPassword });
    expect(done.status).to.equal(200);
    expect(cookiesOf(done).has('kerma_session')).to.equal(true);
    expect((await postSignIn(url, { name: 'carol', password: TEST_PASSWORD })).status).to.equal(401);
    expect((await postSignIn(url, { name: 'carol', password: newPassword })).status).to.equal(303);
  });

  it('writes every sign-in success and failure and every sign-out to the audit log, with address and request id', async () => {
    const before = (await auditActions()).length;
    await postSignIn(url, { name: 'nobody', password: 'x' }, { address: '192.0.2.10' });
    const cookie = await signInCookie(url, 'alice');
    const token = await pageCsrfToken(url, cookie);
    await fetch(`${url}/sign-out`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'rid-42' },
      body: new URLSearchParams({ _csrf: token }).toString(),
    });
    const { rows } = await web.database.pool.query<{
      action: string;
      actor_name: string | null;
      address: string;
      request_id: string;
    }>('SELECT action, actor_name, address, request_id FROM audit_log ORDER BY audit_id OFFSET $1', [before]);
    expect(rows.map((r) => r.action)).to.deep.equal(['sign-in.failure', 'sign-in.success', 'sign-out']);
    expect(rows[0]).to.include({ actor_name: null, address: '192.0.2.10' });
    expect(rows[1]!.actor_name).to.equal('alice');
    expect(rows[2]).to.include({ actor_name: 'alice', request_id: 'rid-42' });
    expect(rows.every((r) => r.request_id.length > 0)).to.equal(true);
  });
});
