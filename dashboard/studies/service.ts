import { recordAudit, type AuditEntry } from '../../access/index.ts';
import type { QueryRunner } from '../../core/index.ts';
import { auditSummary } from './query.ts';
import { countStudies, deviceOptions, fetchStudyRows, type FetchedRow } from './store.ts';
import type { DeviceOption, StudyBrowserActor, StudyPage, StudyQuery } from './types.ts';

/** Above this many matches the count says "more than" (see countStudies for why). */
export const COUNT_CAP = 10_000;

/** Who asked, for the audit log: a signed-in user now, an API key with a read scope later. */
export type StudyAuditActor = Pick<AuditEntry, 'actorKind' | 'actorId' | 'actorName' | 'address' | 'requestId'>;

export interface StudyBrowser {
  /** One page of the caller's studies; every call is recorded in the audit log. */
  browse(actor: StudyBrowserActor, query: StudyQuery, audit: StudyAuditActor): Promise<StudyPage>;
  devices(actor: StudyBrowserActor): Promise<DeviceOption[]>;
}

export function createStudyBrowser(deps: { db: QueryRunner; timeZone: string }): StudyBrowser {
  const { db, timeZone } = deps;

  type Rows = Omit<StudyPage, 'count'>;

  async function rowsOf(actor: StudyBrowserActor, query: StudyQuery): Promise<Rows> {
    // One row more than shown tells whether a further page exists.
    const take = query.limit + 1;
    if (query.before) {
      const rows = await fetchStudyRows(db, actor, query, { at: query.before, side: 'before' }, take, timeZone);
      // Back at the start: show a full first page rather than a short one.
      if (rows.length < take) return rowsOf(actor, { ...query, before: undefined, after: undefined });
      return assemble(rows.slice(1), true, true);
    }
    const at = query.after ? ({ at: query.after, side: 'after' } as const) : undefined;
    const rows = await fetchStudyRows(db, actor, query, at, take, timeZone);
    return assemble(rows.slice(0, query.limit), query.after !== undefined, rows.length > query.limit);
  }

  function assemble(shown: FetchedRow[], hasPrevious: boolean, hasNext: boolean): Rows {
    return {
      rows: shown.map((r) => r.row),
      previous: hasPrevious && shown.length > 0 ? shown[0]!.cursor : undefined,
      next: hasNext && shown.length > 0 ? shown.at(-1)!.cursor : undefined,
    };
  }

  return {
    async browse(actor, query, audit) {
      const [rows, count] = await Promise.all([
        rowsOf(actor, query),
        countStudies(db, actor, query.filters, COUNT_CAP, timeZone),
      ]);
      const result: StudyPage = { ...rows, count };
      await recordAudit(db, {
        ...audit,
        action: 'studies.list',
        detail: { ...auditSummary(query), rows: result.rows.length },
      });
      return result;
    },
    devices: (actor) => deviceOptions(db, actor),
  };
}
