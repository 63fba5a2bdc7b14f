import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createUser, type UserSummary } from '../../access/index.ts';
import { loadConfig } from '../../app/config/index.ts';
import { startKerma, type RunningKerma } from '../../app/kerma.ts';
import { queryRunner } from '../../app/db/pool.ts';
import { freshDatabase, type TestDatabase } from './test-database.ts';
import { silentLogger } from './logger.ts';

/** A Kerma serving HTTP on a fresh database (no DICOM listener), for the web and access tests. */
export interface WebHarness {
  readonly kerma: RunningKerma;
  readonly database: TestDatabase;
  stop(): Promise<void>;
}

export async function startWebHarness(env: Record<string, string> = {}): Promise<WebHarness> {
  const database = await freshDatabase();
  try {
    const config = loadConfig({
      DATABASE_URL: database.url,
      KERMA_HTTP_PORT: '0',
      KERMA_DICOM_ENABLED: 'false',
      KERMA_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'kerma-web-')),
      KERMA_PATIENT_ID_KEY: 'web-test-patient-id-key-0123456789abcdef',
      ...env,
    });
    const kerma = await startKerma(config, silentLogger);
    return {
      kerma,
      database,
      stop: async () => {
        await kerma.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

export const TEST_PASSWORD = 'correct horse battery staple 7';

export async function addUser(
  harness: WebHarness,
  name: string,
  options: { roles?: string[]; trusts?: string[]; password?: string } = {},
): Promise<UserSummary> {
  return createUser(queryRunner(harness.database.pool), {
    name,
    roles: options.roles ?? ['physicist'],
    trustCodes: options.trusts ?? ['DEFAULT'],
    password: options.password ?? TEST_PASSWORD,
  });
}

/** The `name=value` pairs of a response's Set-Cookie headers. */
export function cookiesOf(response: Response): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const index = pair!.indexOf('=');
    cookies.set(pair!.slice(0, index), pair!.slice(index + 1));
  }
  return cookies;
}

export interface SignInForm {
  readonly cookie: string;
  readonly csrfToken: string;
}

/** Opens the sign-in page as a browser would: its CSRF cookie and the same token from the form. */
export async function openSignIn(baseUrl: string): Promise<SignInForm> {
  const response = await fetch(`${baseUrl}/sign-in`);
  const html = await response.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const [name, value] = [...cookiesOf(response)][0] ?? [];
  if (!token || !name) throw new Error('sign-in page without a CSRF token');
  return { cookie: `${name}=${value}`, csrfToken: token };
}

export async function postSignIn(
  baseUrl: string,
  fields: { name: string; password: string; next?: string },
  options: { form?: SignInForm; address?: string } = {},
): Promise<Response> {
  const form = options.form ?? (await openSignIn(baseUrl));
  return fetch(`${baseUrl}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: form.cookie,
      ...(options.address ? { 'x-forwarded-for': options.address } : {}),
    },
    body: new URLSearchParams({ _csrf: form.csrfToken, ...fields }).toString(),
  });
}

/** Signs in and returns the session cookie (`name=value`) to send with later requests. */
export async function signInCookie(baseUrl: string, name: string, password = TEST_PASSWORD): Promise<string> {
  const response = await postSignIn(baseUrl, { name, password });
  if (response.status !== 303) throw new Error(`sign-in failed with ${response.status}`);
  const [cookieName, value] = [...cookiesOf(response)].find(([n]) => n.endsWith('kerma_session')) ?? [];
  return `${cookieName}=${value}`;
}

/** The CSRF token a signed-in page carries in its forms. */
export async function pageCsrfToken(baseUrl: string, cookie: string, pagePath = '/'): Promise<string> {
  const html = await (await fetch(`${baseUrl}${pagePath}`, { headers: { cookie } })).text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`no CSRF token on ${pagePath}`);
  return token;
}
