/**
 * Every environment variable Kerma reads, in one table: its JSON-schema type, default and the
 * README text. The README's configuration table is checked against this list by a test.
 */
export interface VariableSpec {
  readonly name: string;
  readonly schema: Record<string, unknown>;
  readonly default?: string | number | boolean;
  readonly secret?: boolean;
  readonly description: string;
}

const port = { type: 'integer', minimum: 1, maximum: 65535 };

export const variables: readonly VariableSpec[] = [
  {
    name: 'DATABASE_URL',
    schema: { type: 'string', pattern: '^postgres(ql)?://' },
    secret: true,
    description: 'PostgreSQL connection URL. When unset, Kerma starts its embedded PostgreSQL under KERMA_DATA_DIR.',
  },
  {
    name: 'KERMA_DATA_DIR',
    schema: { type: 'string', minLength: 1 },
    default: '.kerma',
    description: 'Directory for the embedded database, received objects and other local state.',
  },
  {
    name: 'KERMA_EMBEDDED_PG_PORT',
    schema: port,
    default: 54329,
    description:
      'TCP port (on 127.0.0.1) of the embedded PostgreSQL. Not 5432, so it never collides with a system server.',
  },
  {
    name: 'KERMA_HTTP_HOST',
    schema: { type: 'string', minLength: 1 },
    default: '127.0.0.1',
    description: 'Address the HTTP server binds to.',
  },
  {
    name: 'KERMA_HTTP_PORT',
    schema: { type: 'integer', minimum: 0, maximum: 65535 },
    default: 8080,
    description: 'HTTP port (0 picks a free port, used by tests).',
  },
  {
    name: 'KERMA_HTTP_HEADERS_TIMEOUT_MS',
    schema: { type: 'integer', minimum: 1000, maximum: 600000 },
    default: 20000,
    description:
      'A client must send its complete request headers within this time, or the connection is closed (cuts off slowloris clients that trickle headers to hold connections).',
  },
  {
    name: 'KERMA_HTTP_REQUEST_TIMEOUT_MS',
    schema: { type: 'integer', minimum: 1000, maximum: 3600000 },
    default: 600000,
    description:
      'A whole request, body included, must arrive within this time (408 otherwise). Allow the largest STOW-RS upload at the slowest sender; at least KERMA_HTTP_HEADERS_TIMEOUT_MS.',
  },
  {
    name: 'KERMA_HTTP_KEEP_ALIVE_TIMEOUT_MS',
    schema: { type: 'integer', minimum: 1000, maximum: 600000 },
    default: 5000,
    description:
      'An idle kept-alive connection closes after this time. Behind a proxy, set it above the proxy’s own idle timeout so Kerma never closes a connection the proxy is reusing.',
  },
  {
    name: 'KERMA_DB_POOL_MAX',
    schema: { type: 'integer', minimum: 1, maximum: 200 },
    default: 10,
    description: 'Maximum connections in the database pool of one Kerma process.',
  },
  {
    name: 'KERMA_DB_CONNECT_TIMEOUT_MS',
    schema: { type: 'integer', minimum: 100, maximum: 600000 },
    default: 5000,
    description: 'How long a database connection attempt may take before it fails.',
  },
  {
    name: 'KERMA_SHUTDOWN_TIMEOUT_MS',
    schema: { type: 'integer', minimum: 100, maximum: 600000 },
    default: 10000,
    description: 'After SIGTERM, how long in-flight work may take to finish; past it the process exits with code 1.',
  },
  {
    name: 'KERMA_MIGRATE_ON_START',
    schema: { type: 'boolean' },
    default: true,
    description:
      'Apply pending migrations when `kerma serve` starts (under an advisory lock, so several instances are safe).',
  },
  {
    name: 'KERMA_TIMESCALEDB',
    schema: { enum: ['auto', 'off', 'required'] },
    default: 'auto',
    description:
      'Use TimescaleDB hypertables when the server has the extension preloaded (`auto`), never (`off`: monthly partitions), or refuse to start without it (`required`). Decided once, at the first migration of a database.',
  },
  {
    name: 'KERMA_LOG_LEVEL',
    schema: { enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] },
    default: 'info',
    description: 'Minimum level of the JSON log written to standard output.',
  },
  {
    name: 'KERMA_PATIENT_ID_KEY',
    schema: { type: 'string', minLength: 32 },
    secret: true,
    description:
      'Secret for the keyed hashes (HMAC-SHA-256) of patient identifiers, at least 32 characters, shared by all the instances. Required with DATABASE_URL; with the embedded database, a random key is generated once and kept in KERMA_DATA_DIR.',
  },
  {
    name: 'KERMA_DICOM_ENABLED',
    schema: { type: 'boolean' },
    default: true,
    description: 'Start the DICOM C-STORE / C-ECHO listener with `kerma serve`.',
  },
  {
    name: 'KERMA_DICOM_HOST',
    schema: { type: 'string', minLength: 1 },
    default: '127.0.0.1',
    description: 'Address the DICOM listener binds to.',
  },
  {
    name: 'KERMA_DICOM_PORT',
    schema: { type: 'integer', minimum: 0, maximum: 65535 },
    default: 11112,
    description: 'DICOM listener port (0 picks a free port, used by tests).',
  },
  {
    name: 'KERMA_DICOM_AE_TITLE',
    schema: { type: 'string', pattern: '^(?=.*[^ ])[\\x20-\\x5b\\x5d-\\x7e]{1,16}$' },
    default: 'KERMA',
    description: 'Called AE title of the listener; associations addressed to another title are rejected.',
  },
  {
    name: 'KERMA_DICOM_MAX_ASSOCIATIONS',
    schema: { type: 'integer', minimum: 1, maximum: 256 },
    default: 16,
    description: 'Concurrent DICOM associations; further ones are rejected as transient so senders retry.',
  },
  {
    name: 'KERMA_DICOM_MAX_OBJECT_BYTES',
    schema: { type: 'integer', minimum: 1048576, maximum: 2147483647 },
    default: 1073741824,
    description: 'Largest DICOM object accepted; larger ones are answered Out of Resources (0xA700).',
  },
  {
    name: 'KERMA_TIMEZONE',
    schema: { type: 'string', minLength: 1 },
    default: 'Europe/London',
    description:
      'IANA time zone of the modalities, for objects that state no UTC offset (0008,0201) from a trust whose entry names no `timeZone`.',
  },
  {
    name: 'KERMA_PUBLIC_URL',
    schema: { type: 'string', pattern: '^https?://[^/]+' },
    description:
      'The address users open Kerma at (e.g. https://kerma.example.nhs.uk). When it is https, session cookies are marked Secure; set it whenever a TLS proxy fronts Kerma.',
  },
  {
    name: 'KERMA_SESSION_IDLE_MINUTES',
    schema: { type: 'integer', minimum: 1, maximum: 1440 },
    default: 30,
    description: 'A browser session ends after this many minutes without a request.',
  },
  {
    name: 'KERMA_SESSION_ABSOLUTE_HOURS',
    schema: { type: 'integer', minimum: 1, maximum: 168 },
    default: 12,
    description: 'A browser session ends this many hours after sign-in, however active (one clinical shift).',
  },
  {
    name: 'KERMA_SILENT_ROOM_DAYS',
    schema: { type: 'integer', minimum: 1, maximum: 365 },
    default: 7,
    description:
      'The overview lists rooms that have sent nothing for this many days (a modality or PACS forward that stopped).',
  },
  {
    name: 'KERMA_TRUSTS_FILE',
    schema: { type: 'string', minLength: 1 },
    description:
      'JSON file describing the trusts (sites): code, name, calling AE titles, where their NHS numbers are. Applied at start; see README "Trusts".',
  },
  {
    name: 'KERMA_NOT_PATIENT_ID_PATTERNS',
    schema: { type: 'string' },
    default: 'qa*,phantom*,phys*',
    description:
      'Comma-separated wildcard patterns of patient IDs that mark quality-control or phantom exposures (kept out of patient statistics).',
  },
  {
    name: 'KERMA_NOT_PATIENT_NAME_PATTERNS',
    schema: { type: 'string' },
    default: 'phantom*,qa*,physics*',
    description:
      'Comma-separated wildcard patterns of patient names ("Family, Given") that mark quality-control or phantom exposures.',
  },
  {
    name: 'KERMA_PASSWORD_SIGN_IN',
    schema: { type: 'boolean' },
    default: true,
    description:
      'Allow sign-in with a Kerma user name and password. Set to false when everyone signs in through OpenID Connect (KERMA_OIDC_ISSUER must then be set).',
  },
  {
    name: 'KERMA_OIDC_ISSUER',
    schema: { type: 'string', pattern: '^https?://[^/]+' },
    description:
      'Issuer URL of an OpenID Connect provider (NHS CIS2, Entra ID…). When set, the sign-in page offers "Sign in with KERMA_OIDC_PROVIDER_NAME"; see README "Sign-in with OpenID Connect".',
  },
  {
    name: 'KERMA_OIDC_PROVIDER_NAME',
    schema: { type: 'string', minLength: 1, maxLength: 60 },
    default: 'single sign-on',
    description: 'Name of the identity provider on the sign-in button, e.g. NHS CIS2.',
  },
  {
    name: 'KERMA_OIDC_CLIENT_ID',
    schema: { type: 'string', minLength: 1 },
    description: 'Client ID of Kerma at the OpenID Connect provider.',
  },
  {
    name: 'KERMA_OIDC_CLIENT_SECRET',
    schema: { type: 'string', minLength: 1 },
    secret: true,
    description: 'Client secret of Kerma at the OpenID Connect provider.',
  },
  {
    name: 'KERMA_OIDC_SCOPES',
    schema: { type: 'string', pattern: '(^| )openid( |$)' },
    default: 'openid profile email',
    description: 'Space-separated scopes requested from the provider; must include openid.',
  },
  {
    name: 'KERMA_OIDC_ROLE_CLAIM',
    schema: { type: 'string', pattern: '^[^.\\s]+(\\.[^.\\s]+)*$' },
    default: 'roles',
    description:
      'Claim (ID token or UserInfo) whose values map to Kerma roles; a dotted path reaches into objects and arrays of objects (e.g. nhsid_nrbac_roles.role_code).',
  },
  {
    name: 'KERMA_OIDC_TRUST_CLAIM',
    schema: { type: 'string', pattern: '^[^.\\s]+(\\.[^.\\s]+)*$' },
    default: 'roles',
    description: 'Claim whose values map to Kerma trust codes (a dotted path, as for the role claim).',
  },
  {
    name: 'KERMA_OIDC_MAPPING',
    schema: { type: 'string', minLength: 2 },
    description:
      'JSON mapping of claim values to roles and trusts: {"roles": {"CLAIM VALUE": "physicist" | [roles]}, "trusts": {"CLAIM VALUE": "CODE" | [codes]}}. Or KERMA_OIDC_MAPPING_FILE.',
  },
  {
    name: 'KERMA_OIDC_MAPPING_FILE',
    schema: { type: 'string', minLength: 1 },
    description: 'Path of a JSON file holding the mapping of KERMA_OIDC_MAPPING (set one of the two).',
  },
];
