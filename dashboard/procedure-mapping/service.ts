import type { Request } from 'express';
import { addressOf, requestIdOf, type SignedInUser } from '../../access/index.ts';
import {
  changeRule,
  createRule,
  deleteRule,
  findRule,
  listRules,
  moveRule,
  probeRules,
  remapHistory,
  type ProbeResult,
  type ProcedureRule,
  type RemapResult,
  type RuleEditor,
} from '../../analytics/index.ts';
import {
  ForbiddenError,
  NotFoundError,
  loggableError,
  sql,
  type Logger,
  type QueryRunner,
  type TransactionRunner,
} from '../../core/index.ts';
import { ruleFields, type NewRuleInput, type ProbeInput, type RuleInput } from './schemas.ts';

/**
 * What the page and the API do with rules, in one place: each change commits (with its audit row),
 * then history is re-mapped at once, set-based, so the page shows the effect of the change. A failed
 * re-map leaves the change committed and the re-map pending (run again at the next change or start).
 */
export interface ProcedureMappingDependencies {
  readonly db: QueryRunner;
  readonly transaction: TransactionRunner;
  readonly logger: Logger;
  /** The region's zone: the unmapped list's from/to are its days. */
  readonly timeZone: string;
}

/** Who may change rules: physicists and administrators. Governance reads. */
export const RULE_EDITORS = ['physicist', 'admin'] as const;

export const canEditRules = (user: SignedInUser): boolean => user.roles.some((r) => RULE_EDITORS.includes(r as never));

export function editorOf(req: Request, user: SignedInUser): RuleEditor {
  return {
    userId: user.userId,
    name: user.name,
    trustCodes: user.trusts.map((t) => t.code),
    address: addressOf(req),
    requestId: requestIdOf(req),
  };
}

export type Outcome<T> = T & { readonly remap: RemapResult | null };

async function remapAfter<T>(deps: ProcedureMappingDependencies, result: T): Promise<Outcome<T>> {
  try {
    return { ...result, remap: await remapHistory(deps.db, deps.transaction) };
  } catch (error) {
    deps.logger.warn({ err: loggableError(error) }, 'procedure re-map failed; it stays pending');
    return { ...result, remap: null };
  }
}

const visibleIds = (editor: RuleEditor) => async (db: QueryRunner) => {
  const { rows } = await db.query<{ trust_id: number }>(
    sql`SELECT trust_id FROM trusts WHERE code = ANY (${editor.trustCodes}::text[])`,
  );
  return (
    await listRules(
      db,
      rows.map((r) => r.trust_id),
    )
  ).map((r) => r.ruleId);
};

export async function addRule(deps: ProcedureMappingDependencies, editor: RuleEditor, input: NewRuleInput) {
  const { placement, ...fields } = input;
  return remapAfter(deps, { rule: await createRule(deps.transaction, editor, ruleFields(fields), placement) });
}

export async function editRule(
  deps: ProcedureMappingDependencies,
  editor: RuleEditor,
  ruleId: number,
  input: RuleInput,
) {
  const current = await visibleRule(deps.db, editor.trustCodes, ruleId);
  return remapAfter(deps, { rule: await changeRule(deps.transaction, editor, ruleId, ruleFields(input, current)) });
}

export async function removeRule(deps: ProcedureMappingDependencies, editor: RuleEditor, ruleId: number) {
  await deleteRule(deps.transaction, editor, ruleId);
  return remapAfter(deps, { ruleId });
}

export async function reorderRule(
  deps: ProcedureMappingDependencies,
  editor: RuleEditor,
  ruleId: number,
  direction: 'up' | 'down',
) {
  return remapAfter(deps, { rule: await moveRule(deps.transaction, editor, ruleId, direction, visibleIds(editor)) });
}

/** A rule the caller may see (a consortium-wide one or one of their trusts'), else 404. */
export async function visibleRule(
  db: QueryRunner,
  trustCodes: readonly string[],
  ruleId: number,
): Promise<ProcedureRule> {
  const rule = await findRule(db, ruleId);
  if (!rule || (rule.trustCode !== null && !trustCodes.includes(rule.trustCode))) {
    throw new NotFoundError('No such procedure rule');
  }
  return rule;
}

/** The caller's trusts as ids and codes (an API key's trusts arrive as ids). */
export async function trustsOf(db: QueryRunner, trustIds: readonly number[]) {
  const { rows } = await db.query<{ trust_id: number; code: string; name: string }>(
    sql`SELECT trust_id, code, name FROM trusts WHERE trust_id = ANY (${trustIds}::bigint[]) ORDER BY code`,
  );
  return rows.map((r) => ({ trustId: r.trust_id, code: r.code, name: r.name }));
}

/** "Test a description": only consortium-wide rules and, when a trust is named, that trust's (one of the caller's). */
export async function testDescription(
  db: QueryRunner,
  trustIds: readonly number[],
  input: ProbeInput,
): Promise<ProbeResult> {
  let trustId: number | null = null;
  if (input.trustCode) {
    const trust = (await trustsOf(db, trustIds)).find((t) => t.code === input.trustCode);
    if (!trust) throw new ForbiddenError(`you may test the rules of your own trusts only, not of ${input.trustCode}`);
    trustId = trust.trustId;
  }
  return probeRules(db, {
    trustId,
    modality: input.modality ?? null,
    description: input.description ?? null,
    procedureCode: input.procedureCode ?? null,
    protocols: input.protocol ? [input.protocol] : [],
    bodyParts: input.bodyPart ? [input.bodyPart] : [],
  });
}
