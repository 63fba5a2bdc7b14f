import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { ConfigError } from '../../core/index.ts';
import { variables } from './variables.ts';
import { loadOidcSettings } from './oidc.ts';
import type { OidcSettings } from '../../access/index.ts';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** The typed configuration, loaded once at start and passed down; nothing reads process.env later. */
export interface KermaConfig {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly embeddedPgPort: number;
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
  };
  readonly db: { readonly poolMax: number; readonly connectTimeoutMs: number };
  readonly migrateOnStart: boolean;
  /** Deadline of `kerma serve`'s graceful stop after SIGTERM/SIGINT. */
  readonly shutdownTimeoutMs: number;
  readonly timescale: 'auto' | 'off' | 'required';
  readonly logLevel: LogLevel;
  readonly patientIdKey: string | undefined;
  readonly timeZone: string;
  readonly dicom: {
    readonly enabled: boolean;
    readonly host: string;
    readonly port: number;
    readonly aeTitle: string;
    readonly maxAssociations: number;
    readonly maxObjectBytes: number;
  };
  readonly trustsFile: string | undefined;
  readonly publicUrl: string | undefined;
  readonly sessions: { readonly idleTimeoutMinutes: number; readonly absoluteTimeoutHours: number };
  /** The overview's "rooms that sent nothing for N days". */
  readonly silentRoomDays: number;
  readonly notPatientPatterns: { readonly ids: readonly string[]; readonly names: readonly string[] };
  /** Whether the sign-in page takes a user name and password (it may offer only OpenID Connect). */
  readonly passwordSignIn: boolean;
  /** OpenID Connect sign-in, when KERMA_OIDC_ISSUER is set. */
  readonly oidc: OidcSettings | undefined;
}

type RawValues = Record<string, unknown>;

const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: true });

const schema = {
  type: 'object',
  properties: Object.fromEntries(
    variables.map((v) => [v.name, v.default === undefined ? v.schema : { ...v.schema, default: v.default }]),
  ),
  additionalProperties: false,
};
const validate = ajv.compile(schema);

/**
 * Reads `NAME` or, for secrets, `NAME_FILE` (a path whose contents are the value, as Docker and
 * Kubernetes secrets are mounted). Setting both is an error rather than a silent precedence rule.
 */
function collectRawValues(env: NodeJS.ProcessEnv, problems: string[]): RawValues {
  const raw: RawValues = {};
  for (const variable of variables) {
    const direct = env[variable.name];
    const filePath = variable.secret ? env[`${variable.name}_FILE`] : undefined;
    if (direct !== undefined && direct !== '' && filePath) {
      problems.push(`${variable.name} and ${variable.name}_FILE are both set; set only one`);
      continue;
    }
    if (filePath) {
      try {
        raw[variable.name] = readFileSync(filePath, 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        problems.push(`${variable.name}_FILE: cannot read ${filePath} (${(error as Error).message})`);
      }
    } else if (direct !== undefined && direct !== '') {
      raw[variable.name] = direct;
    }
  }
  return raw;
}

function describeAjvError(error: ErrorObject, raw: RawValues): string {
  const name = error.instancePath.replace(/^\//, '');
  const spec = variables.find((v) => v.name === name);
  const shown = spec?.secret ? '(hidden)' : JSON.stringify(raw[name]);
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.join(', ');
    return `${name} must be one of ${allowed} (got ${shown})`;
  }
  return `${name} ${error.message ?? 'is invalid'} (got ${shown})`;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** Time zone names are validated by the runtime's own tz database, as PostgreSQL will read them. */
function checkTimeZone(raw: RawValues, problems: string[]): void {
  const zone = raw.KERMA_TIMEZONE;
  if (typeof zone !== 'string') return;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
  } catch {
    problems.push(`KERMA_TIMEZONE must be an IANA time zone such as Europe/London (got ${JSON.stringify(zone)})`);
  }
}

/** Node refuses a headers timeout longer than the request timeout; say so with the variables' names. */
function checkHttpTimeouts(raw: RawValues, problems: string[]): void {
  const headers = raw.KERMA_HTTP_HEADERS_TIMEOUT_MS;
  const request = raw.KERMA_HTTP_REQUEST_TIMEOUT_MS;
  if (typeof headers === 'number' && typeof request === 'number' && headers > request) {
    problems.push(
      `KERMA_HTTP_HEADERS_TIMEOUT_MS (${headers}) must not exceed KERMA_HTTP_REQUEST_TIMEOUT_MS (${request})`,
    );
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): KermaConfig {
  const problems: string[] = [];
  const raw = collectRawValues(env, problems);
  const valid = validate(raw);
  if (!valid) {
    for (const error of validate.errors ?? []) problems.push(describeAjvError(error, raw));
  }
  checkTimeZone(raw, problems);
  // Cross-variable rules read typed, defaulted values: only once each variable is valid on its own.
  const oidc = valid ? loadOidcSettings(raw, problems) : undefined;
  if (valid) checkHttpTimeouts(raw, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const value = (name: string): unknown => raw[name];
  return {
    databaseUrl: value('DATABASE_URL') as string | undefined,
    dataDir: path.resolve(cwd, value('KERMA_DATA_DIR') as string),
    embeddedPgPort: value('KERMA_EMBEDDED_PG_PORT') as number,
    http: {
      host: value('KERMA_HTTP_HOST') as string,
      port: value('KERMA_HTTP_PORT') as number,
      headersTimeoutMs: value('KERMA_HTTP_HEADERS_TIMEOUT_MS') as number,
      requestTimeoutMs: value('KERMA_HTTP_REQUEST_TIMEOUT_MS') as number,
      keepAliveTimeoutMs: value('KERMA_HTTP_KEEP_ALIVE_TIMEOUT_MS') as number,
    },
    db: {
      poolMax: value('KERMA_DB_POOL_MAX') as number,
      connectTimeoutMs: value('KERMA_DB_CONNECT_TIMEOUT_MS') as number,
    },
    migrateOnStart: value('KERMA_MIGRATE_ON_START') as boolean,
    shutdownTimeoutMs: value('KERMA_SHUTDOWN_TIMEOUT_MS') as number,
    timescale: value('KERMA_TIMESCALEDB') as KermaConfig['timescale'],
    logLevel: value('KERMA_LOG_LEVEL') as LogLevel,
    patientIdKey: value('KERMA_PATIENT_ID_KEY') as string | undefined,
    timeZone: value('KERMA_TIMEZONE') as string,
    dicom: {
      enabled: value('KERMA_DICOM_ENABLED') as boolean,
      host: value('KERMA_DICOM_HOST') as string,
      port: value('KERMA_DICOM_PORT') as number,
      aeTitle: (value('KERMA_DICOM_AE_TITLE') as string).trim(),
      maxAssociations: value('KERMA_DICOM_MAX_ASSOCIATIONS') as number,
      maxObjectBytes: value('KERMA_DICOM_MAX_OBJECT_BYTES') as number,
    },
    trustsFile: value('KERMA_TRUSTS_FILE') as string | undefined,
    publicUrl: value('KERMA_PUBLIC_URL') as string | undefined,
    sessions: {
      idleTimeoutMinutes: value('KERMA_SESSION_IDLE_MINUTES') as number,
      absoluteTimeoutHours: value('KERMA_SESSION_ABSOLUTE_HOURS') as number,
    },
    silentRoomDays: value('KERMA_SILENT_ROOM_DAYS') as number,
    notPatientPatterns: {
      ids: splitList(value('KERMA_NOT_PATIENT_ID_PATTERNS') as string),
      names: splitList(value('KERMA_NOT_PATIENT_NAME_PATTERNS') as string),
    },
    passwordSignIn: value('KERMA_PASSWORD_SIGN_IN') as boolean,
    oidc,
  };
}
