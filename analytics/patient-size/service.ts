import { createHash } from 'node:crypto';
import { ForbiddenError, ValidationError, type QueryRunner, type TransactionRunner } from '../../core/index.ts';
import { recordAudit, type AuditEntry } from '../../access/index.ts';
import { accessionKey } from '../../ingest/index.ts';
import { completeMapping, readCsv, type MappingInput } from './csv.ts';
import { planSizes, type SizePlan } from './plan.ts';
import { readSizeRows } from './rows.ts';
import { applySizes, matchStudies, trustIdsByCode, type StudyMatch } from './store.ts';
import type { ColumnMapping, PatientSizeResult, RowOutcome, RowProblem, RowProblemCode, SizeRow } from './types.ts';

export interface PatientSizeDependencies {
  readonly transaction: TransactionRunner;
  /** The secret of the keyed hashes (KERMA_PATIENT_ID_KEY): accession numbers are matched by hash. */
  readonly patientIdSecret: string;
  /**
   * Runs in the import's transaction with the studies whose size changed (the dose metrics that
   * depend on size are recomputed there, so an import and its consequences commit together).
   */
  readonly studiesChanged?: ((db: QueryRunner, studyIds: readonly number[]) => Promise<void>) | undefined;
}

export interface PatientSizeImport {
  readonly file: Buffer | string;
  readonly mapping: MappingInput;
  /** Trust of the rows whose trust column is empty or absent (accession numbers are per trust). */
  readonly trustCode: string;
  /** Trusts the caller may change; 'all' for the operator at the command line. */
  readonly scope: 'all' | readonly number[];
  /** Work out and report everything, change nothing (the page's preview). */
  readonly dryRun: boolean;
  /** Let this file replace sizes an earlier import wrote (never those from the dose objects). */
  readonly replaceImported?: boolean | undefined;
  readonly actor: Pick<AuditEntry, 'actorKind' | 'actorId' | 'actorName' | 'address' | 'requestId'>;
}

type Keyed = SizeRow & { readonly matchKey: string };

/** Trust checks of accession rows: an unknown or foreign trust is the row's problem, not the file's. */
function keyRows(
  rows: readonly SizeRow[],
  request: PatientSizeImport,
  trusts: ReadonlyMap<string, number>,
  secret: string,
): { keyed: Keyed[]; problems: RowProblem[] } {
  const keyed: Keyed[] = [];
  const problems: RowProblem[] = [];
  const permitted = (trustId: number) => request.scope === 'all' || request.scope.includes(trustId);
  for (const row of rows) {
    if (request.mapping.match === 'study-uid') {
      keyed.push({ ...row, matchKey: row.key });
      continue;
    }
    const trustId = trusts.get(row.trustCode);
    if (trustId === undefined) {
      // Not repeated: an unknown "trust" may be a mis-mapped column's identifier.
      problems.push({ row: row.row, code: 'unknown-trust', reason: "the trust code is not one of Kerma's trusts" });
    } else if (!permitted(trustId)) {
      problems.push({ row: row.row, code: 'trust-not-permitted', reason: `trust ${row.trustCode} is not yours` });
    } else {
      keyed.push({ ...row, matchKey: accessionKey(secret, row.trustCode, row.key)! });
    }
  }
  return { keyed, problems };
}

function checkDefaultTrust(request: PatientSizeImport, trusts: ReadonlyMap<string, number>): void {
  if (request.mapping.match !== 'accession') return;
  const trustId = trusts.get(request.trustCode);
  if (trustId === undefined) throw new ValidationError(`no trust has the code "${request.trustCode}"`);
  if (request.scope !== 'all' && !request.scope.includes(trustId)) {
    throw new ForbiddenError(`trust ${request.trustCode} is not one of yours`);
  }
}

function plan(keyed: readonly Keyed[], matches: readonly StudyMatch[], request: PatientSizeImport): SizePlan {
  const byKey = new Map<string, StudyMatch[]>();
  for (const m of matches) {
    const key = request.mapping.match === 'accession' ? m.accessionHash : m.studyInstanceUid;
    if (key !== null) byKey.set(key, [...(byKey.get(key) ?? []), m]);
  }
  return planSizes(keyed, (row) => byKey.get((row as Keyed).matchKey) ?? [], request.replaceImported ?? false);
}

function countCodes(problems: readonly RowProblem[]): Partial<Record<RowProblemCode, number>> {
  const counts: Partial<Record<RowProblemCode, number>> = {};
  for (const p of problems) counts[p.code] = (counts[p.code] ?? 0) + 1;
  return counts;
}

/** The counts and outcomes of a run: every data row once, in file order. */
function summarise(
  request: PatientSizeImport & { readonly mapping: ColumnMapping },
  fileSha256: string,
  planned: SizePlan,
  refused: readonly RowProblem[],
  studyIds: readonly number[],
): PatientSizeResult {
  const outcomes: RowOutcome[] = [
    ...planned.outcomes,
    ...refused.map((p) => ({ status: 'problem' as const, ...p })),
  ].sort((a, b) => a.row - b.row);
  const problems = outcomes.filter((o): o is RowOutcome & RowProblem => o.status === 'problem');
  return {
    dryRun: request.dryRun,
    fileSha256,
    rows: outcomes.length,
    applied: outcomes.filter((o) => o.status === 'applied').length,
    unchanged: outcomes.filter((o) => o.status === 'unchanged').length,
    problems: problems.map(({ row, code, reason }) => ({ row, code, reason })),
    heightsFilled: planned.updates.filter((u) => u.heightM !== undefined).length,
    weightsFilled: planned.updates.filter((u) => u.weightKg !== undefined).length,
    studyIds,
    outcomes,
    mapping: request.mapping,
  };
}

/** Who imported what: a hash of the file, the counts and the studies changed; never a row's content. */
function auditEntry(request: PatientSizeImport, result: PatientSizeResult): AuditEntry {
  return {
    ...request.actor,
    trustCode: result.mapping.match === 'accession' ? request.trustCode : undefined,
    action: request.dryRun ? 'patient-size.preview' : 'patient-size.import',
    detail: {
      fileSha256: result.fileSha256,
      bytes: Buffer.byteLength(request.file),
      match: result.mapping.match,
      heightUnit: result.mapping.heightUnit,
      replaceImported: request.replaceImported ?? false,
      rows: result.rows,
      applied: result.applied,
      unchanged: result.unchanged,
      problems: countCodes(result.problems),
      heightsFilled: result.heightsFilled,
      weightsFilled: result.weightsFilled,
      studyIds: result.studyIds,
    },
  };
}

/**
 * Imports a CSV file of patient heights and weights: every data row is applied, found to change
 * nothing, or reported with its row number and reason; nothing is dropped silently. Values read
 * from the dose objects are never overwritten and only missing ones are filled, marked 'imported'.
 * One transaction: the matched studies are locked, updated, and the import audited (who, a hash of
 * the file, the counts, the studies changed; never an accession number).
 */
export async function importPatientSizes(
  deps: PatientSizeDependencies,
  request: PatientSizeImport,
): Promise<PatientSizeResult> {
  const table = readCsv(request.file, { header: request.mapping.header, delimiter: request.mapping.delimiter });
  const mapping = completeMapping(table, request.mapping);
  const complete = { ...request, mapping };
  const read = readSizeRows(table, mapping, request.trustCode);
  const fileSha256 = createHash('sha256').update(request.file).digest('hex');
  return deps.transaction(async (db) => {
    const trusts = await trustIdsByCode(db);
    checkDefaultTrust(complete, trusts);
    const { keyed, problems: trustProblems } = keyRows(read.rows, complete, trusts, deps.patientIdSecret);
    const keys = keyed.map((r) => r.matchKey);
    const matches = await matchStudies(
      db,
      mapping.match === 'accession'
        ? { accessionHashes: keys, studyUids: [] }
        : { accessionHashes: [], studyUids: keys },
      request.scope === 'all' ? null : request.scope,
      !request.dryRun,
    );
    const planned = plan(keyed, matches, complete);
    const studyIds = request.dryRun
      ? planned.updates.map((u) => u.studyId).sort((a, b) => a - b)
      : await applySizes(db, planned.updates);
    if (!request.dryRun && studyIds.length > 0) await deps.studiesChanged?.(db, studyIds);
    const result = summarise(complete, fileSha256, planned, [...read.problems, ...trustProblems], studyIds);
    await recordAudit(db, auditEntry(request, result));
    return result;
  });
}
