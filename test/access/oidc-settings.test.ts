import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { candidateNames, claimValues, mapClaims } from '../../access/index.ts';
import { loadConfig } from '../../app/config/index.ts';
import { ConfigError } from '../../core/index.ts';

const MAPPING = { roles: { R8000: 'physicist', 'kerma-admins': ['admin', 'physicist'] }, trusts: { RNH: 'RNH' } };
const COMPLETE = {
  KERMA_PUBLIC_URL: 'https://kerma.example.nhs.uk/',
  KERMA_OIDC_ISSUER: 'https://login.example.nhs.uk/realms/kerma',
  KERMA_OIDC_CLIENT_ID: 'kerma',
  KERMA_OIDC_CLIENT_SECRET: 'a-client-secret',
  KERMA_OIDC_MAPPING: JSON.stringify(MAPPING),
};

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env, '/srv/kerma');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('OpenID Connect settings (KERMA_OIDC_*)', () => {
  it('is off when KERMA_OIDC_ISSUER is unset, and password sign-in is on', () => {
    const config = loadConfig({}, '/srv/kerma');
    expect(config.oidc).to.equal(undefined);
    expect(config.passwordSignIn).to.equal(true);
  });

  it('derives the redirect URI from KERMA_PUBLIC_URL and reads the mapping', () => {
    const oidc = loadConfig(COMPLETE, '/srv/kerma').oidc!;
    expect(oidc.redirectUri).to.equal('https://kerma.example.nhs.uk/sign-in/oidc/callback');
    expect(oidc.scopes).to.equal('openid profile email');
    expect(oidc.mapping.roles).to.deep.equal({ R8000: ['physicist'], 'kerma-admins': ['admin', 'physicist'] });
    expect(oidc.mapping.trusts).to.deep.equal({ RNH: ['RNH'] });
    expect(oidc.allowInsecureHttp).to.equal(false);
  });

  it('reads the mapping from KERMA_OIDC_MAPPING_FILE', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kerma-oidc-')), 'mapping.json');
    writeFileSync(file, JSON.stringify(MAPPING));
    const env = { ...COMPLETE, KERMA_OIDC_MAPPING: undefined, KERMA_OIDC_MAPPING_FILE: file };
    expect(loadConfig(env, '/srv/kerma').oidc!.mapping.trusts).to.deep.equal({ RNH: ['RNH'] });
  });

  it('lists every missing piece at once', () => {
    const problems = problemsOf({ KERMA_OIDC_ISSUER: 'https://login.example.nhs.uk' });
    expect(problems).to.have.members([
      'KERMA_OIDC_ISSUER is set but KERMA_OIDC_CLIENT_ID is not',
      'KERMA_OIDC_ISSUER is set but KERMA_OIDC_CLIENT_SECRET is not',
      'KERMA_OIDC_ISSUER is set but KERMA_PUBLIC_URL is not',
      'KERMA_OIDC_ISSUER is set but neither KERMA_OIDC_MAPPING nor KERMA_OIDC_MAPPING_FILE is',
    ]);
  });

  it('refuses plain http to a provider on another machine, but allows it on loopback', () => {
    expect(problemsOf({ ...COMPLETE, KERMA_OIDC_ISSUER: 'http://login.example.nhs.uk' })).to.deep.equal([
      'KERMA_OIDC_ISSUER must be an https URL (plain http only for a provider on this machine)',
    ]);
    expect(loadConfig({ ...COMPLETE, KERMA_OIDC_ISSUER: 'http://127.0.0.1:9000' }).oidc!.allowInsecureHttp).to.equal(
      true,
    );
  });

  it('names the mapping entry that is wrong', () => {
    const mapping = JSON.stringify({ roles: { R8000: 'physician' }, trusts: { RNH: 'rnh' } });
    const problems = problemsOf({ ...COMPLETE, KERMA_OIDC_MAPPING: mapping });
    expect(problems.some((p) => p.startsWith('KERMA_OIDC_MAPPING/roles/R8000'))).to.equal(true, problems.join('\n'));
    expect(problems.some((p) => p.startsWith('KERMA_OIDC_MAPPING/trusts/RNH'))).to.equal(true, problems.join('\n'));
    expect(problemsOf({ ...COMPLETE, KERMA_OIDC_MAPPING: '{roles' })[0]).to.match(
      /^KERMA_OIDC_MAPPING is not valid JSON/,
    );
  });

  it('refuses to turn password sign-in off with no provider, and stray OIDC variables without an issuer', () => {
    expect(problemsOf({ KERMA_PASSWORD_SIGN_IN: 'false' })).to.deep.equal([
      'KERMA_PASSWORD_SIGN_IN=false needs KERMA_OIDC_ISSUER, or nobody could sign in',
    ]);
    expect(problemsOf({ KERMA_OIDC_CLIENT_ID: 'kerma' })).to.deep.equal([
      'KERMA_OIDC_CLIENT_ID set but KERMA_OIDC_ISSUER is not',
    ]);
  });

  it('keeps a scope list without openid out', () => {
    expect(problemsOf({ ...COMPLETE, KERMA_OIDC_SCOPES: 'profile email' })[0]).to.match(/^KERMA_OIDC_SCOPES/);
  });
});

describe('OpenID Connect claim mapping', () => {
  const settings = {
    roleClaim: 'nhsid_nrbac_roles.role_code',
    trustClaim: 'nhsid_nrbac_roles.org_code',
    mapping: { roles: { R8000: ['physicist' as const], R0001: ['admin' as const] }, trusts: { RNH: ['RNH'] } },
  };

  it('reads strings at a dotted path through arrays of objects, ignoring other types', () => {
    const claims = { a: [{ b: 'x' }, { b: ['y', 3] }, { c: 'z' }], s: 'one', n: 5 };
    expect(claimValues(claims, 'a.b')).to.deep.equal(['x', 'y']);
    expect(claimValues(claims, 's')).to.deep.equal(['one']);
    expect(claimValues(claims, 'n')).to.deep.equal([]);
    expect(claimValues(claims, 'missing.path')).to.deep.equal([]);
  });

  it('maps CIS2-like role objects to roles and trusts, unknown values to nothing', () => {
    const claims = {
      nhsid_nrbac_roles: [
        { role_code: 'R8000', org_code: 'RNH' },
        { role_code: 'R5555', org_code: 'XYZ' },
      ],
    };
    expect(mapClaims(claims, settings)).to.deep.equal({ roles: ['physicist'], trustCodes: ['RNH'] });
  });

  it('never maps a claim value through Object.prototype', () => {
    const claims = { nhsid_nrbac_roles: [{ role_code: 'constructor', org_code: '__proto__' }] };
    expect(mapClaims(claims, settings)).to.deep.equal({ roles: [], trustCodes: [] });
  });

  it('names a new user from the provider, never taking over a local name, with a fallback', () => {
    const identity = { issuer: 'https://idp', subject: 's1', suggestedName: 'Priya Shah@Example.nhs.uk' };
    const [first, second, third] = candidateNames(identity);
    expect(first).to.equal('priya-shah@example.nhs.uk');
    expect(second).to.match(/^priya-shah@example\.nhs\.uk-[0-9a-f]{10}$/);
    expect(third).to.match(/^sso-[0-9a-f]{10}$/);
    expect(candidateNames({ ...identity, suggestedName: '!!' })).to.have.length(1);
  });
});
