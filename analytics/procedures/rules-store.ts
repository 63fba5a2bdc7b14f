import { sql, ValidationError, type QueryRunner } from '../../core/index.ts';
import { RULE_MATCHES_KEY, RULE_ORDER } from './mapping.ts';
import type { ProbeResult, ProcedureRule, RuleFields, RuleProbe, StandardProcedure } from './types.ts';

/** SQL of procedure_rules and standard_procedures; rows become camelCase here and nowhere else. */

interface RuleRow {
  rule_id: number;
  position: number;
  trust_code: string | null;
  modalities: string[] | null;
  procedure_code: string | null;
  description_pattern: string | null;
  description_regex: boolean;
  protocol_pattern: string | null;
  protocol_regex: boolean;
  body_part: string | null;
  standard_procedure_code: string | null;
  standard_procedure_name: string | null;
  note: string | null;
  builtin: boolean;
  enabled: boolean;
  updated_by: string | null;
  updated_at: Date;
}

const RULE_COLUMNS = `
  r.rule_id, r.position, t.code AS trust_code, r.modalities, r.procedure_code, r.description_pattern,
  r.description_regex, r.protocol_pattern, r.protocol_regex, r.body_part, r.standard_procedure_code,
  sp.name AS standard_procedure_name, r.note, r.builtin, r.enabled, r.updated_by, r.updated_at`;
const RULE_JOINS = `
  LEFT JOIN trusts t ON t.trust_id = r.trust_id
  LEFT JOIN standard_procedures sp ON sp.code = r.standard_procedure_code`;

function ruleOf(row: RuleRow): ProcedureRule {
  const text = (pattern: string | null, regex: boolean) =>
    pattern === null ? null : { pattern, match: regex ? ('regex' as const) : ('exact' as const) };
  return {
    ruleId: row.rule_id,
    position: row.position,
    trustCode: row.trust_code,
    modalities: row.modalities,
    procedureCode: row.procedure_code,
    description: text(row.description_pattern, row.description_regex),
    protocol: text(row.protocol_pattern, row.protocol_regex),
    bodyPart: row.body_part,
    standardProcedureCode: row.standard_procedure_code,
    standardProcedureName: row.standard_procedure_name,
    note: row.note,
    builtin: row.builtin,
    enabled: row.enabled,
    updatedBy: row.updated_by,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Every rule the caller may see, in evaluation order: consortium-wide ones and those of `trustIds`. */
export async function listRules(db: QueryRunner, trustIds: readonly number[]): Promise<ProcedureRule[]> {
  const { rows } = await db.query<RuleRow>({
    text: `SELECT ${RULE_COLUMNS} FROM procedure_rules r ${RULE_JOINS}
           WHERE r.trust_id IS NULL OR r.trust_id = ANY ($1::bigint[])
           ORDER BY ${RULE_ORDER}`,
    values: [trustIds],
  });
  return rows.map(ruleOf);
}

/** Every rule id in evaluation order (all trusts): what a move renumbers. */
export async function orderedRuleIds(db: QueryRunner): Promise<number[]> {
  const { rows } = await db.query<{ rule_id: number }>({
    text: `SELECT r.rule_id FROM procedure_rules r ORDER BY ${RULE_ORDER}`,
  });
  return rows.map((r) => r.rule_id);
}

export async function findRule(db: QueryRunner, ruleId: number): Promise<ProcedureRule | undefined> {
  const { rows } = await db.query<RuleRow>({
    text: `SELECT ${RULE_COLUMNS} FROM procedure_rules r ${RULE_JOINS} WHERE r.rule_id = $1`,
    values: [ruleId],
  });
  return rows[0] ? ruleOf(rows[0]) : undefined;
}

/** The columns of a rule's fields, with its trust as an id. */
function columnValues(fields: RuleFields, trustId: number | null): unknown[] {
  return [
    trustId,
    fields.modalities,
    fields.procedureCode,
    fields.description?.pattern ?? null,
    fields.description?.match === 'regex',
    fields.protocol?.pattern ?? null,
    fields.protocol?.match === 'regex',
    fields.bodyPart,
    fields.standardProcedureCode,
    fields.note,
    fields.enabled,
  ];
}

/** Where a new rule goes: after every rule (it decides only what none decided), or before every rule. */
export type Placement = 'first' | 'last';

export async function insertRule(
  db: QueryRunner,
  fields: RuleFields,
  trustId: number | null,
  editorName: string,
  placement: Placement = 'last',
): Promise<number> {
  const position =
    placement === 'last'
      ? '(SELECT coalesce(max(position), 0) + 10 FROM procedure_rules)'
      : '(SELECT coalesce(min(position), 0) - 10 FROM procedure_rules)';
  const { rows } = await db.query<{ rule_id: number }>({
    text: `
    INSERT INTO procedure_rules (trust_id, modalities, procedure_code, description_pattern, description_regex,
                                 protocol_pattern, protocol_regex, body_part, standard_procedure_code, note, enabled,
                                 position, created_by, updated_by)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
            ${position}, $12, $12)
    RETURNING rule_id`,
    values: [...columnValues(fields, trustId), editorName],
  });
  return rows[0]!.rule_id;
}

export async function updateRule(
  db: QueryRunner,
  ruleId: number,
  fields: RuleFields,
  trustId: number | null,
  editorName: string,
): Promise<void> {
  await db.query({
    text: `
    UPDATE procedure_rules
    SET trust_id = $1, modalities = $2, procedure_code = $3, description_pattern = $4, description_regex = $5,
        protocol_pattern = $6, protocol_regex = $7, body_part = $8, standard_procedure_code = $9, note = $10,
        enabled = $11, updated_by = $12, updated_at = now()
    WHERE rule_id = $13`,
    values: [...columnValues(fields, trustId), editorName, ruleId],
  });
}

export async function deleteRuleRow(db: QueryRunner, ruleId: number): Promise<void> {
  await db.query(sql`DELETE FROM procedure_rules WHERE rule_id = ${ruleId}`);
}

/** Positions 10, 20, 30… in the given order (a move renumbers every rule: a few hundred rows). */
export async function renumberRules(
  db: QueryRunner,
  orderedIds: readonly number[],
  editorName: string,
  movedId: number,
) {
  await db.query(sql`
    UPDATE procedure_rules r
    SET position = o.n * 10,
        updated_by = CASE WHEN r.rule_id = ${movedId} THEN ${editorName} ELSE r.updated_by END,
        updated_at = CASE WHEN r.rule_id = ${movedId} THEN now() ELSE r.updated_at END
    FROM unnest(${orderedIds}::bigint[]) WITH ORDINALITY AS o (rule_id, n)
    WHERE r.rule_id = o.rule_id AND r.position IS DISTINCT FROM o.n * 10`);
}

/** Asks for a re-map of history: the rules changed (see mapping.ts remapHistory). */
export async function requestRemap(db: QueryRunner): Promise<void> {
  await db.query(sql`UPDATE procedure_mapping_state SET requested_generation = requested_generation + 1`);
}

/** PostgreSQL compiles the pattern: a regex it refuses is a 400 naming the field, never a failed ingest later. */
export async function checkRegex(db: QueryRunner, field: string, pattern: string): Promise<void> {
  try {
    await db.query(sql`SELECT '' ~* ${pattern}`);
  } catch (error) {
    if ((error as { code?: string }).code !== '2201B') throw error;
    const reason = (error as Error).message.replace(/^invalid regular expression:\s*/i, '');
    throw new ValidationError(`invalid body: field "${field}" is not a valid regular expression (${reason})`, {
      problems: [{ field, message: `is not a valid regular expression (${reason})` }],
    });
  }
}

interface ProcedureRow {
  code: string;
  name: string;
  modality: string;
  body_region: string;
  drl_category: string | null;
  has_laterality: boolean;
  builtin: boolean;
}

const procedureOf = (r: ProcedureRow): StandardProcedure => ({
  code: r.code,
  name: r.name,
  modality: r.modality,
  bodyRegion: r.body_region,
  drlCategory: r.drl_category,
  lateral: r.has_laterality,
  builtin: r.builtin,
});

export async function listStandardProcedures(db: QueryRunner): Promise<StandardProcedure[]> {
  const { rows } = await db.query<ProcedureRow>(sql`
    SELECT code, name, modality, body_region, drl_category, has_laterality, builtin
    FROM standard_procedures ORDER BY modality, name`);
  return rows.map(procedureOf);
}

export async function findStandardProcedure(db: QueryRunner, code: string): Promise<StandardProcedure | undefined> {
  const { rows } = await db.query<ProcedureRow>(sql`
    SELECT code, name, modality, body_region, drl_category, has_laterality, builtin FROM standard_procedures WHERE code = ${code}`);
  return rows[0] ? procedureOf(rows[0]) : undefined;
}

/** A physicist's own standard procedure (never builtin); false when the code is taken. */
export async function insertStandardProcedure(
  db: QueryRunner,
  procedure: Omit<StandardProcedure, 'builtin'>,
): Promise<boolean> {
  const { rowCount } = await db.query(sql`
    INSERT INTO standard_procedures (code, name, modality, body_region, drl_category, has_laterality, builtin)
    VALUES (${procedure.code}, ${procedure.name}, ${procedure.modality}, ${procedure.bodyRegion},
            ${procedure.drlCategory}, ${procedure.lateral}, false)
    ON CONFLICT (code) DO NOTHING`);
  return (rowCount ?? 0) > 0;
}

/**
 * "Test a description": the rules that would match a study carrying these values, in order (the
 * same predicate as the mapping). Only consortium-wide rules and the probe's trust's rules apply.
 */
export async function probeRules(db: QueryRunner, probe: RuleProbe): Promise<ProbeResult> {
  const lower = (values: readonly string[]) => values.map((v) => v.trim().toLowerCase());
  const { rows } = await db.query<RuleRow>({
    text: `
    WITH k AS (
      SELECT $1::bigint AS trust_id, $2::text AS modality, lower(btrim(NULLIF(btrim($3::text), ''))) AS description,
             lower(btrim($4::text)) AS code, $5::text[] AS protocols, $6::text[] AS regions
    )
    SELECT ${RULE_COLUMNS}
    FROM k JOIN procedure_rules r ON ${RULE_MATCHES_KEY} ${RULE_JOINS}
    ORDER BY ${RULE_ORDER}
    LIMIT 20`,
    values: [
      probe.trustId,
      probe.modality,
      probe.description,
      probe.procedureCode,
      lower(probe.protocols),
      lower(probe.bodyParts),
    ],
  });
  const [first, ...rest] = rows.map(ruleOf);
  const code = first?.standardProcedureCode;
  return {
    rule: first ?? null,
    standardProcedure: code ? ((await findStandardProcedure(db, code)) ?? null) : null,
    alsoMatching: rest,
  };
}
