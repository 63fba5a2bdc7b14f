import type pg from 'pg';
import { createRule, createStandardProcedure, type RuleEditor } from '../../analytics/index.ts';
import { withTransaction } from '../../app/db/pool.ts';
import type { QueryRunner } from '../../core/index.ts';
import type { Resolution } from './resolve.ts';

/**
 * The peer's "standard names" (settings.standardNames: a modality's acquisition protocol → a
 * standard name) as Kerma procedure rules: each name a standard procedure, each mapping a
 * protocol-name rule put before Kerma's defaults, as the peer's own table decides alone. Kerma maps
 * a study, not each event: an event's standard name is its study's standard procedure, which the
 * rule chose from the events' protocols.
 */
type View = Record<string, unknown>;

interface StandardNameMapping {
  readonly modality: string;
  readonly acquisitionProtocol: string;
  readonly standardName: string;
}

const HARNESS: RuleEditor = { userId: 0, name: 'conformance harness', trustCodes: [] };

export async function applyStandardNames(pool: pg.Pool, settings: Record<string, unknown> | undefined): Promise<void> {
  const standardNames = settings?.standardNames as { enabled?: boolean; mappings?: StandardNameMapping[] } | undefined;
  if (!standardNames?.enabled) return;
  const transaction = <T>(work: (db: QueryRunner) => Promise<T>) => withTransaction(pool, work);
  const codes = new Map<string, string>();
  // Reversed, each put first: the peer's mappings end up in their own order, before every default rule.
  for (const mapping of [...(standardNames.mappings ?? [])].reverse()) {
    let code = codes.get(mapping.standardName);
    if (!code) {
      code = `PEER-${codes.size + 1}`;
      codes.set(mapping.standardName, code);
      await createStandardProcedure(transaction, HARNESS, {
        code,
        name: mapping.standardName,
        modality: mapping.modality,
        // The peer's standard names carry no region; Kerma requires one and never compares these.
        bodyRegion: 'WHOLEBODY',
        drlCategory: null,
        lateral: false,
      });
    }
    await createRule(
      transaction,
      HARNESS,
      {
        trustCode: null,
        modalities: [mapping.modality],
        procedureCode: null,
        description: null,
        protocol: { pattern: mapping.acquisitionProtocol, match: 'exact' },
        bodyPart: null,
        standardProcedureCode: code,
        note: 'conformance scenario standard name',
        enabled: true,
      },
      'first',
    );
  }
}

/** Each peer study's events get `standardProtocols`: the standard procedure of the Kerma study they belong to. */
export async function withStandardProtocols(pool: pg.Pool, studies: View[]): Promise<View[]> {
  const { rows } = await pool.query<{ study_id: number; name: string | null }>(`
    SELECT s.study_id, p.name FROM studies s LEFT JOIN standard_procedures p ON p.code = s.standard_procedure_code`);
  const names = new Map(rows.map((r) => [r.study_id, r.name]));
  return studies.map((study) => {
    const name = names.get(Number(String(study.id).split(':')[0]));
    const events = ((study.events as View[] | undefined) ?? []).map((event) => ({
      ...event,
      standardProtocols: name ? [{ standardName: name }] : [],
    }));
    return { ...study, events };
  });
}

/**
 * `…events[*].standardProtocols[*].standardName` compared with one name means "every entry of every
 * event is this name" (the peer's test loops over them): the name when all entries agree and there is
 * at least one, else the entries themselves (a mismatch).
 */
export function everyStandardName(resolution: Resolution, path: string): Resolution {
  if (!path.endsWith('.events[*].standardProtocols[*].standardName') || !Array.isArray(resolution.value)) {
    return resolution;
  }
  const names = (resolution.value as unknown[]).flat();
  const agreed = names.length > 0 && names.every((n) => n === names[0]);
  return { ...resolution, value: agreed ? names[0] : names };
}
