import { isDeepStrictEqual } from 'node:util';
import { ConflictError, NotFoundError, ValidationError, sql } from '../core/index.ts';
import type { QueryRunner, TransactionRunner } from '../core/index.ts';
import { recordAudit } from '../access/index.ts';
import { builtinReferenceSets } from './builtin.ts';
import {
  insertSet,
  lockCurrentEdition,
  notesOfSet,
  replaceSupersession,
  selectCurrentValues,
  selectSets,
  stepAside,
  storedDocument,
  trustIdOf,
  valuesOfSet,
  type SetFilter,
} from './store.ts';
import type {
  ImportResult,
  ReferenceImporter,
  ReferenceSetDetail,
  ReferenceSetDocument,
  ReferenceSetSummary,
  ReferenceValueFilter,
  StoredReferenceValue,
} from './types.ts';

/**
 * Advisory lock class of reference-set writes ("refs" in ASCII); the second key is the set key's
 * hash, so imports of different sets run side by side and two of the same set queue.
 */
const LOCK_CLASS = 0x72656673;
/** The second key that serialises builtin seeding across instances starting together. */
const SEED_LOCK = 0;

const BUILTIN_IMPORTER: ReferenceImporter = { actorKind: 'system', actorName: 'builtin' };

export interface ImportOptions {
  /** How the set arrived, for the audit log. */
  readonly format?: 'json' | 'csv' | 'builtin' | undefined;
  readonly builtin?: boolean | undefined;
}

function auditImport(
  db: QueryRunner,
  document: ReferenceSetDocument,
  importer: ReferenceImporter,
  detail: Record<string, unknown>,
): Promise<void> {
  return recordAudit(db, {
    actorKind: importer.actorKind,
    actorId: importer.actorId,
    actorName: importer.actorName,
    trustCode: importer.trustCode,
    action: 'reference-set.import',
    subjectKind: 'reference-set',
    subjectKey: `${document.setKey}@${document.edition}`,
    address: importer.address,
    requestId: importer.requestId,
    detail,
  });
}

/**
 * Takes the set key's lock and checks the edition may be stored: its trust exists, the edition is
 * new, and it keeps the kind and trust of the current edition (which stays locked until commit).
 */
async function lockAndCheck(db: QueryRunner, document: ReferenceSetDocument) {
  await db.query(sql`SELECT pg_advisory_xact_lock(${LOCK_CLASS}, hashtext(${document.setKey}))`);
  const trustId = document.trustCode ? await trustIdOf(db, document.trustCode) : null;
  if (trustId === undefined) {
    throw new ValidationError(`invalid reference set: no trust with code ${document.trustCode}`, {
      trustCode: document.trustCode,
    });
  }
  if (await storedDocument(db, document.setKey, document.edition)) {
    throw new ConflictError(
      `reference set ${document.setKey} already has an edition "${document.edition}": a set is never edited in place, so load corrected or new figures as a new edition`,
      { setKey: document.setKey, edition: document.edition },
    );
  }
  const current = await lockCurrentEdition(db, document.setKey);
  if (current && (current.kind !== document.kind || current.trustId !== trustId)) {
    throw new ValidationError(
      `invalid reference set: ${document.setKey} is a ${current.kind} set${current.trustId === null ? '' : ' of another trust'}; a new edition must keep its kind and trust (or use a new set key)`,
      { setKey: document.setKey },
    );
  }
  return { trustId, current };
}

/**
 * Stores a validated set as a new edition inside the caller's transaction and makes it the current
 * edition of its set key, superseding the one before (never editing it: comparisons keep pointing
 * at the figures they used). The same key and edition twice is a conflict; an edition must keep the
 * kind and trust of the set it replaces. One audit row says who loaded what (builtin editions: none).
 */
export async function importReferenceSetIn(
  db: QueryRunner,
  document: ReferenceSetDocument,
  importer: ReferenceImporter,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const { trustId, current } = await lockAndCheck(db, document);
  // A builtin edition that arrives after a user's own edition of the set is kept as history: what
  // the physicist loaded stays current.
  const keepsCurrent = current !== undefined && options.builtin === true && !current.builtin;
  if (current && !keepsCurrent) await stepAside(db, current.referenceSetId);
  const referenceSetId = await insertSet(db, {
    document,
    trustId,
    builtin: options.builtin ?? false,
    // A key's name and a person's may coincide; the prefix keeps them apart where the set says who loaded it.
    loadedBy: importer.actorKind === 'api-key' ? `api key ${importer.actorName}` : importer.actorName,
    supersededBy: keepsCurrent ? current.referenceSetId : null,
  });
  const superseded = current && !keepsCurrent ? current : undefined;
  if (superseded) await replaceSupersession(db, superseded.referenceSetId, referenceSetId);
  // Builtin editions are Kerma's own data arriving with a release, not anyone's change: the set
  // row says so (builtin, loaded_by 'builtin'), and the audit log stays the record of people and keys.
  if (!options.builtin) {
    await auditImport(db, document, importer, {
      referenceSetId,
      kind: document.kind,
      values: document.values.length,
      format: options.format ?? 'json',
      supersededId: superseded?.referenceSetId ?? null,
      supersededEdition: superseded?.edition ?? null,
    });
  }
  const [set] = await selectSets(db, { referenceSetId });
  return {
    set: set!,
    superseded: superseded ? { referenceSetId: superseded.referenceSetId, edition: superseded.edition } : null,
  };
}

/** importReferenceSetIn in a transaction of its own: all of the edition is stored, or none of it. */
export function importReferenceSet(
  transaction: TransactionRunner,
  document: ReferenceSetDocument,
  importer: ReferenceImporter,
  options: ImportOptions = {},
): Promise<ImportResult> {
  return transaction((db) => importReferenceSetIn(db, document, importer, options));
}

export interface SeedResult {
  /** `setKey@edition` of the editions stored by this call. */
  readonly inserted: readonly string[];
  readonly unchanged: readonly string[];
  /**
   * Builtin files whose content differs from the stored edition of the same name: a figure was
   * changed without a new edition. The stored edition stays (it may have been used); the caller logs.
   */
  readonly differing: readonly string[];
}

/**
 * Loads the builtin sets (data/*.json) that are not stored yet, in one transaction, so a start
 * after an upgrade stores a new builtin edition and supersedes the old one; an unchanged start
 * stores nothing. Instances starting together queue on an advisory lock.
 */
export function seedBuiltinReferenceSets(
  transaction: TransactionRunner,
  sets: readonly ReferenceSetDocument[] = builtinReferenceSets(),
): Promise<SeedResult> {
  return transaction(async (db) => {
    await db.query(sql`SELECT pg_advisory_xact_lock(${LOCK_CLASS}, ${SEED_LOCK})`);
    const inserted: string[] = [];
    const unchanged: string[] = [];
    const differing: string[] = [];
    for (const set of sets) {
      const name = `${set.setKey}@${set.edition}`;
      const stored = await storedDocument(db, set.setKey, set.edition);
      if (!stored) {
        await importReferenceSetIn(db, set, BUILTIN_IMPORTER, { builtin: true, format: 'builtin' });
        inserted.push(name);
      } else if (isDeepStrictEqual(stored.document, JSON.parse(JSON.stringify(set)))) {
        unchanged.push(name);
      } else {
        differing.push(name);
      }
    }
    return { inserted, unchanged, differing };
  });
}

/** Editions of every set (or those matching the filter), each set's current edition first. */
export function listReferenceSets(db: QueryRunner, filter: SetFilter = {}): Promise<ReferenceSetSummary[]> {
  return selectSets(db, filter);
}

/** One edition with its figures, notes and the other editions of its set key. */
export async function referenceSetDetail(db: QueryRunner, referenceSetId: number): Promise<ReferenceSetDetail> {
  const [set] = await selectSets(db, { referenceSetId });
  if (!set) throw new NotFoundError(`no reference set ${referenceSetId}`);
  const [values, notes, editions] = await Promise.all([
    valuesOfSet(db, referenceSetId),
    notesOfSet(db, referenceSetId),
    selectSets(db, { setKey: set.setKey }),
  ]);
  return { set, values, notes, editions };
}

/**
 * The figures of the current editions that match the filter, each with the id and edition a
 * comparison records (study_dose_metrics.effective_dose_reference_value_id and the like). Sets of a
 * trust are included only for the trusts named in `filter.trustIds`.
 */
export function currentReferenceValues(
  db: QueryRunner,
  filter: ReferenceValueFilter = {},
): Promise<StoredReferenceValue[]> {
  return selectCurrentValues(db, filter);
}
