import { DAY_OR_INSTANT, inputParser, type QueryRunner, type SqlQuery } from '../core/index.ts';
import type { ActorKind, SignedInUser } from './types.ts';

/** Who may read the audit log (the page and the API). */
export const AUDIT_READERS = ['admin', 'governance'] as const;

/** A page of the log is bounded so one request never reads the whole table into memory. */
export const MAX_AUDIT_PAGE = 500;

/**
 * The audit log's filters, as the page's form and the API's query string give them. Dates are days
 * of the region (`to` includes its whole day); a full date-time is an instant (`to` excluded).
 */
export interface AuditFilter {
  readonly from?: string;
  readonly to?: string;
  readonly actor?: string;
  readonly actorKind?: ActorKind;
  readonly action?: string;
  readonly trust?: string;
  readonly subject?: string;
  readonly requestId?: string;
}

export interface AuditQuery extends AuditFilter {
  /** Keyset cursor: only entries older than this audit id (the `next` of the previous page). */
  readonly before?: number;
  readonly limit: number;
}

const dayOrInstant = { type: 'string', format: DAY_OR_INSTANT };

export const AUDIT_FILTER_PROPERTIES = {
  from: dayOrInstant,
  to: dayOrInstant,
  actor: { type: 'string', minLength: 1, maxLength: 128 },
  actorKind: { enum: ['user', 'api-key', 'system', 'anonymous'] },
  action: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]{0,63}$' },
  trust: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}$' },
  subject: { type: 'string', minLength: 1, maxLength: 200 },
  requestId: { type: 'string', pattern: '^[\\w.:-]{1,128}$' },
} as const;

const auditQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...AUDIT_FILTER_PROPERTIES,
    before: { type: 'integer', minimum: 1 },
    limit: { type: 'integer', minimum: 1, maximum: MAX_AUDIT_PAGE, default: 50 },
    // The API's ?format=csv, the same as /api/v1/audit.csv.
    format: { enum: ['json', 'csv'] },
  },
};

export const parseAuditQuery = inputParser<AuditQuery & { format?: 'json' | 'csv' }>(auditQuerySchema, 'query');

/** The filter part of a query: what an export or a "next page" link carries on. */
export function filterOf(query: AuditFilter): AuditFilter {
  const { from, to, actor, actorKind, action, trust, subject, requestId } = query;
  const all: Record<string, unknown> = { from, to, actor, actorKind, action, trust, subject, requestId };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

/** One row of the log, as the API returns it. */
export interface AuditRecord {
  readonly auditId: number;
  readonly loggedAt: string;
  readonly actorKind: ActorKind;
  readonly actorId: number | null;
  readonly actorName: string | null;
  readonly trustCode: string | null;
  readonly action: string;
  readonly subjectKind: string | null;
  readonly subjectKey: string | null;
  readonly address: string | null;
  readonly requestId: string | null;
  readonly detail: Record<string, unknown>;
}

/**
 * Whose entries a reader sees. An admin runs the consortium's users and keys and sees the whole log;
 * a governance lead sees the entries of their trusts and those tied to no trust (sign-ins, account
 * changes), but not another trust's views, whose study keys would reveal that trust's studies.
 */
export interface AuditScope {
  readonly allTrusts: boolean;
  readonly trustCodes: readonly string[];
}

export function auditScopeOf(user: SignedInUser): AuditScope {
  return { allTrusts: user.roles.includes('admin'), trustCodes: user.trusts.map((t) => t.code) };
}

const isDay = (value: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(value);

/** Builds the WHERE clause: each condition's values become $n parameters, never text. */
class Conditions {
  readonly clauses: string[] = [];
  readonly values: unknown[] = [];
  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
  add(clause: (p: (value: unknown) => string) => string): void {
    this.clauses.push(clause((value) => this.param(value)));
  }
}

function timeBounds(where: Conditions, filter: AuditFilter, timeZone: string): void {
  const { from, to } = filter;
  // A day is the region's day: midnight in its time zone, as the page's date inputs mean it.
  if (from !== undefined) {
    where.add((p) =>
      isDay(from)
        ? `logged_at >= (${p(from)}::date::timestamp AT TIME ZONE ${p(timeZone)})`
        : `logged_at >= ${p(from)}::timestamptz`,
    );
  }
  if (to !== undefined) {
    where.add((p) =>
      isDay(to)
        ? `logged_at < ((${p(to)}::date + 1)::timestamp AT TIME ZONE ${p(timeZone)})`
        : `logged_at < ${p(to)}::timestamptz`,
    );
  }
}

/** The newest entries matching the filter, older than `before`, in the reader's scope. */
export function auditPageQuery(scope: AuditScope, query: AuditQuery, timeZone: string): SqlQuery {
  const where = new Conditions();
  if (!scope.allTrusts) where.add((p) => `(trust_code IS NULL OR trust_code = ANY(${p(scope.trustCodes)}::text[]))`);
  timeBounds(where, query, timeZone);
  if (query.actor !== undefined) where.add((p) => `actor_name = ${p(query.actor)}`);
  if (query.actorKind !== undefined) where.add((p) => `actor_kind = ${p(query.actorKind)}`);
  // An action kind names its family too: "sign-in" finds sign-in.success, .failure, .rate-limited.
  if (query.action !== undefined) {
    where.add((p) => `(action = ${p(query.action)} OR starts_with(action, ${p(`${query.action}.`)}))`);
  }
  if (query.trust !== undefined) where.add((p) => `trust_code = ${p(query.trust)}`);
  if (query.subject !== undefined) where.add((p) => `subject_key = ${p(query.subject)}`);
  if (query.requestId !== undefined) where.add((p) => `request_id = ${p(query.requestId)}`);
  if (query.before !== undefined) where.add((p) => `audit_id < ${p(query.before)}`);
  const limit = where.param(query.limit);
  return {
    text: `
      SELECT audit_id, logged_at, actor_kind, actor_id, actor_name, trust_code, action, subject_kind, subject_key,
             address, request_id, detail
        FROM audit_log
       ${where.clauses.length > 0 ? `WHERE ${where.clauses.join(' AND ')}` : ''}
       ORDER BY audit_id DESC
       LIMIT ${limit}`,
    values: where.values,
  };
}

interface AuditRow {
  audit_id: number;
  logged_at: Date;
  actor_kind: ActorKind;
  actor_id: number | null;
  actor_name: string | null;
  trust_code: string | null;
  action: string;
  subject_kind: string | null;
  subject_key: string | null;
  address: string | null;
  request_id: string | null;
  detail: Record<string, unknown>;
}

const toRecord = (row: AuditRow): AuditRecord => ({
  auditId: row.audit_id,
  loggedAt: row.logged_at.toISOString(),
  actorKind: row.actor_kind,
  actorId: row.actor_id,
  actorName: row.actor_name,
  trustCode: row.trust_code,
  action: row.action,
  subjectKind: row.subject_kind,
  subjectKey: row.subject_key,
  address: row.address,
  requestId: row.request_id,
  detail: row.detail,
});

export interface AuditPage {
  readonly items: readonly AuditRecord[];
  /** The `before` of the next (older) page, or null when this page is the last. */
  readonly next: number | null;
}

/**
 * Keyset pagination on audit_id, newest first: appends only ever add larger ids, so a page is the
 * same however many rows come in while someone reads, and page 1,000 costs what page 1 costs.
 */
export async function listAudit(
  db: QueryRunner,
  scope: AuditScope,
  query: AuditQuery,
  timeZone: string,
): Promise<AuditPage> {
  const { rows } = await db.query<AuditRow>(auditPageQuery(scope, { ...query, limit: query.limit + 1 }, timeZone));
  const items = rows.slice(0, query.limit).map(toRecord);
  return { items, next: rows.length > query.limit ? (items.at(-1)?.auditId ?? null) : null };
}

/**
 * Every matching entry, newest first, a page at a time: an export of any size in bounded memory.
 * `first` is a page the caller has already read (with the same filter and page size).
 */
export async function* allAudit(
  db: QueryRunner,
  scope: AuditScope,
  filter: AuditFilter,
  timeZone: string,
  first?: AuditPage,
  pageSize = 1000,
): AsyncGenerator<AuditRecord> {
  let page = first ?? (await listAudit(db, scope, { ...filter, limit: pageSize }, timeZone));
  for (;;) {
    yield* page.items;
    if (page.next === null) return;
    page = await listAudit(db, scope, { ...filter, before: page.next, limit: pageSize }, timeZone);
  }
}
