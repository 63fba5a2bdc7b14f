import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import express, { type Request, type Response } from 'express';
import type { Logger, QueryRunner } from '../core/index.ts';
import { recordAudit } from './audit.ts';
import {
  AUDIT_READERS,
  allAudit,
  auditScopeOf,
  filterOf,
  listAudit,
  parseAuditQuery,
  type AuditFilter,
  type AuditRecord,
} from './audit-query.ts';
import { addressOf, requestIdOf, requireUser, userOf } from './http.ts';

export interface AuditRouteDependencies {
  readonly db: QueryRunner;
  /** The region's time zone: a date filter means a day there. */
  readonly timeZone: string;
  readonly logger: Logger;
}

export const AUDIT_API_PATH = '/api/v1/audit';
export const AUDIT_CSV_PATH = '/api/v1/audit.csv';

/**
 * Reading the audit log is itself audited (who looked, with which filter): a reader who searches for
 * what a colleague opened leaves a trace too.
 */
export async function recordAuditRead(
  db: QueryRunner,
  req: Request,
  action: 'audit.view' | 'audit.export',
  detail: Record<string, unknown>,
): Promise<void> {
  const user = userOf(req);
  await recordAudit(db, {
    actorKind: 'user',
    actorId: user?.userId,
    actorName: user?.name,
    action,
    address: addressOf(req),
    requestId: requestIdOf(req),
    detail,
  });
}

const CSV_COLUMNS: ReadonlyArray<{ key: keyof AuditRecord; header: string }> = [
  { key: 'auditId', header: 'audit_id' },
  { key: 'loggedAt', header: 'logged_at_utc' },
  { key: 'actorKind', header: 'actor_kind' },
  { key: 'actorId', header: 'actor_id' },
  { key: 'actorName', header: 'actor_name' },
  { key: 'trustCode', header: 'trust' },
  { key: 'action', header: 'action' },
  { key: 'subjectKind', header: 'subject_kind' },
  { key: 'subjectKey', header: 'subject_key' },
  { key: 'address', header: 'address' },
  { key: 'requestId', header: 'request_id' },
  { key: 'detail', header: 'detail_json' },
];

/**
 * A cell that starts with = + - @ (or a tab or carriage return) is a formula to a spreadsheet; a
 * request id or a name could be made to start so. A leading apostrophe keeps it text (OWASP's advice
 * on CSV injection).
 */
const defuseFormula = (value: string): string => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

function csvFileName(now = new Date()): string {
  return `kerma-audit-${now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')}Z.csv`;
}

/**
 * Streams every entry matching the filter as CSV, a page of the log at a time with backpressure: a
 * year of a region's log never sits in memory. The first page is read before the headers go out, so
 * a database outage is still a clean 503 rather than a cut download.
 */
async function sendCsv(deps: AuditRouteDependencies, req: Request, res: Response, filter: AuditFilter): Promise<void> {
  const scope = auditScopeOf(userOf(req)!);
  await recordAuditRead(deps.db, req, 'audit.export', { filter, format: 'csv' });
  const first = await listAudit(deps.db, scope, { ...filter, limit: 1000 }, deps.timeZone);
  res.status(200).type('text/csv; charset=utf-8').set('Cache-Control', 'no-store').attachment(csvFileName());
  const rows = Readable.from(allAudit(deps.db, scope, filter, deps.timeZone, first));
  const csv = stringify({
    header: true,
    columns: CSV_COLUMNS.map(({ key, header }) => ({ key, header })),
    cast: { string: defuseFormula, object: (value) => JSON.stringify(value) },
  });
  try {
    await pipeline(rows, csv, res);
  } catch (error) {
    // A reader who cancels a download is no fault of Kerma's; anything else goes to the error chain.
    if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
    deps.logger.info({ requestId: requestIdOf(req) }, 'audit export cancelled by the client');
  }
}

/** GET /api/v1/audit (JSON, a page at a time) and /api/v1/audit.csv (the whole filtered range). */
export function createAuditRouter(deps: AuditRouteDependencies): express.Router {
  const router = express.Router();
  const readers = requireUser(AUDIT_READERS, 'api');
  router.get(AUDIT_API_PATH, readers, async (req, res) => {
    const { format, ...query } = parseAuditQuery(req.query);
    if (format === 'csv') return sendCsv(deps, req, res, filterOf(query));
    await recordAuditRead(deps.db, req, 'audit.view', { filter: filterOf(query), before: query.before, via: 'api' });
    const page = await listAudit(deps.db, auditScopeOf(userOf(req)!), query, deps.timeZone);
    res.set('Cache-Control', 'no-store').json({ items: page.items, next: page.next, limit: query.limit });
  });
  router.get(AUDIT_CSV_PATH, readers, async (req, res) => {
    await sendCsv(deps, req, res, filterOf(parseAuditQuery(req.query)));
  });
  return router;
}
