import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { OIDC_CALLBACK_PATH, ROLES, type ClaimMapping, type OidcSettings } from '../../access/index.ts';

type RawValues = Record<string, unknown>;

const oneOrMany = (item: Record<string, unknown>) => ({
  anyOf: [item, { type: 'array', items: item, minItems: 1 }],
});

const mappingSchema = {
  type: 'object',
  required: ['roles', 'trusts'],
  additionalProperties: false,
  properties: {
    roles: { type: 'object', minProperties: 1, additionalProperties: oneOrMany({ enum: [...ROLES] }) },
    trusts: {
      type: 'object',
      minProperties: 1,
      additionalProperties: oneOrMany({ type: 'string', pattern: '^[A-Z0-9_-]{1,32}$' }),
    },
  },
};
const validateMapping = new Ajv({ allErrors: true, strict: true }).compile(mappingSchema);

const asList = (value: string | readonly string[]): string[] => (typeof value === 'string' ? [value] : [...value]);

/** The mapping text from KERMA_OIDC_MAPPING or the file KERMA_OIDC_MAPPING_FILE names. */
function mappingText(raw: RawValues, problems: string[]): { text: string; source: string } | undefined {
  const inline = raw.KERMA_OIDC_MAPPING as string | undefined;
  const file = raw.KERMA_OIDC_MAPPING_FILE as string | undefined;
  if (inline !== undefined && file !== undefined) {
    problems.push('KERMA_OIDC_MAPPING and KERMA_OIDC_MAPPING_FILE are both set; set only one');
    return undefined;
  }
  if (file !== undefined) {
    try {
      return { text: readFileSync(file, 'utf8'), source: 'KERMA_OIDC_MAPPING_FILE' };
    } catch (error) {
      problems.push(`KERMA_OIDC_MAPPING_FILE: cannot read ${file} (${(error as Error).message})`);
      return undefined;
    }
  }
  if (inline !== undefined) return { text: inline, source: 'KERMA_OIDC_MAPPING' };
  problems.push('KERMA_OIDC_ISSUER is set but neither KERMA_OIDC_MAPPING nor KERMA_OIDC_MAPPING_FILE is');
  return undefined;
}

function parseMapping(raw: RawValues, problems: string[]): ClaimMapping | undefined {
  const found = mappingText(raw, problems);
  if (!found) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(found.text);
  } catch (error) {
    problems.push(`${found.source} is not valid JSON (${(error as Error).message})`);
    return undefined;
  }
  if (!validateMapping(parsed)) {
    for (const error of validateMapping.errors ?? []) {
      problems.push(`${found.source}${error.instancePath || ''} ${error.message ?? 'is invalid'}`);
    }
    return undefined;
  }
  const mapping = parsed as { roles: Record<string, string | string[]>; trusts: Record<string, string | string[]> };
  const entries = (record: Record<string, string | string[]>) =>
    Object.fromEntries(Object.entries(record).map(([key, value]) => [key, asList(value)]));
  return { roles: entries(mapping.roles) as ClaimMapping['roles'], trusts: entries(mapping.trusts) };
}

const isLoopback = (hostname: string): boolean =>
  hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);

/** The issuer must be https; plain http only to a provider on this machine (a test, a local sidecar). */
function checkIssuer(issuer: string, problems: string[]): boolean {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    problems.push(`KERMA_OIDC_ISSUER is not a URL (got ${JSON.stringify(issuer)})`);
    return false;
  }
  if (url.protocol === 'https:') return false;
  if (!isLoopback(url.hostname)) {
    problems.push(`KERMA_OIDC_ISSUER must be an https URL (plain http only for a provider on this machine)`);
  }
  return true;
}

const OIDC_ONLY = ['KERMA_OIDC_CLIENT_ID', 'KERMA_OIDC_CLIENT_SECRET', 'KERMA_OIDC_MAPPING', 'KERMA_OIDC_MAPPING_FILE'];

/**
 * OpenID Connect settings, or undefined when KERMA_OIDC_ISSUER is unset (the feature is off). Every
 * problem is added to `problems`, so one start reports all of them with the rest of the config's.
 */
export function loadOidcSettings(raw: RawValues, problems: string[]): OidcSettings | undefined {
  const issuer = raw.KERMA_OIDC_ISSUER as string | undefined;
  if (issuer === undefined) {
    const stray = OIDC_ONLY.filter((name) => raw[name] !== undefined);
    if (stray.length > 0) problems.push(`${stray.join(', ')} set but KERMA_OIDC_ISSUER is not`);
    if (raw.KERMA_PASSWORD_SIGN_IN === false) {
      problems.push('KERMA_PASSWORD_SIGN_IN=false needs KERMA_OIDC_ISSUER, or nobody could sign in');
    }
    return undefined;
  }
  const before = problems.length;
  const allowInsecureHttp = checkIssuer(issuer, problems);
  for (const name of ['KERMA_OIDC_CLIENT_ID', 'KERMA_OIDC_CLIENT_SECRET', 'KERMA_PUBLIC_URL']) {
    if (raw[name] === undefined) problems.push(`KERMA_OIDC_ISSUER is set but ${name} is not`);
  }
  const mapping = parseMapping(raw, problems);
  if (problems.length > before || !mapping) return undefined;
  const publicUrl = (raw.KERMA_PUBLIC_URL as string).replace(/\/+$/, '');
  return {
    issuer,
    providerName: raw.KERMA_OIDC_PROVIDER_NAME as string,
    clientId: raw.KERMA_OIDC_CLIENT_ID as string,
    clientSecret: raw.KERMA_OIDC_CLIENT_SECRET as string,
    redirectUri: `${publicUrl}${OIDC_CALLBACK_PATH}`,
    scopes: (raw.KERMA_OIDC_SCOPES as string).trim(),
    roleClaim: raw.KERMA_OIDC_ROLE_CLAIM as string,
    trustClaim: raw.KERMA_OIDC_TRUST_CLAIM as string,
    mapping,
    allowInsecureHttp,
  };
}
