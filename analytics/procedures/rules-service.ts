import { recordAudit } from '../../access/index.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  sql,
  type QueryRunner,
  type TransactionRunner,
} from '../../core/index.ts';
import { RULES_LOCK_KEY } from './mapping.ts';
import {
  checkRegex,
  deleteRuleRow,
  findRule,
  findStandardProcedure,
  insertRule,
  insertStandardProcedure,
  orderedRuleIds,
  renumberRules,
  requestRemap,
  updateRule,
  type Placement,
} from './rules-store.ts';
import type { ProcedureRule, RuleEditor, RuleFields, StandardProcedure } from './types.ts';

/**
 * Changes to the rule table. Each is one transaction holding the rules lock exclusively (see
 * mapping.ts RULES_LOCK_KEY): the change, its audit row (before and after) and the request for a
 * re-map of history commit together. The caller runs the re-map after the commit (remapHistory).
 * A rule of a trust is changed only by an editor of that trust; consortium-wide rules by any editor.
 */

async function lockRules(db: QueryRunner): Promise<void> {
  await db.query(sql`SELECT pg_advisory_xact_lock(${RULES_LOCK_KEY})`);
}

async function trustIdOf(db: QueryRunner, editor: RuleEditor, trustCode: string | null): Promise<number | null> {
  if (trustCode === null) return null;
  if (!editor.trustCodes.includes(trustCode)) {
    throw new ForbiddenError(`you may change rules of your own trusts only, not of ${trustCode}`);
  }
  const { rows } = await db.query<{ trust_id: number }>(sql`SELECT trust_id FROM trusts WHERE code = ${trustCode}`);
  if (!rows[0]) throw invalid('trustCode', `names no trust (${trustCode})`);
  return rows[0].trust_id;
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`invalid body: field "${field}" ${message}`, { problems: [{ field, message }] });
}

/** What the database must confirm about a rule's fields: its standard procedure exists, its regexes compile. */
async function checkFields(db: QueryRunner, fields: RuleFields): Promise<void> {
  if (fields.standardProcedureCode !== null && !(await findStandardProcedure(db, fields.standardProcedureCode))) {
    throw invalid('standardProcedureCode', `names no standard procedure (${fields.standardProcedureCode})`);
  }
  if (fields.description?.match === 'regex') await checkRegex(db, 'description.pattern', fields.description.pattern);
  if (fields.protocol?.match === 'regex') await checkRegex(db, 'protocol.pattern', fields.protocol.pattern);
}

async function editableRule(db: QueryRunner, editor: RuleEditor, ruleId: number): Promise<ProcedureRule> {
  const rule = await findRule(db, ruleId);
  // Another trust's rule is "not found", as another trust's study is.
  if (!rule || (rule.trustCode !== null && !editor.trustCodes.includes(rule.trustCode))) {
    throw new NotFoundError('No such procedure rule');
  }
  return rule;
}

async function audit(
  db: QueryRunner,
  editor: RuleEditor,
  action: string,
  ruleId: number,
  trustCode: string | null,
  detail: Record<string, unknown>,
): Promise<void> {
  await recordAudit(db, {
    actorKind: 'user',
    actorId: editor.userId,
    actorName: editor.name,
    trustCode: trustCode ?? undefined,
    action,
    subjectKind: 'config',
    subjectKey: `procedure-rule:${ruleId}`,
    address: editor.address,
    requestId: editor.requestId,
    detail,
  });
}

/**
 * A new rule, by default after every other rule: it can then only decide studies no rule decided
 * before. 'first' puts it before every rule (an override).
 */
export async function createRule(
  transaction: TransactionRunner,
  editor: RuleEditor,
  fields: RuleFields,
  placement: Placement = 'last',
): Promise<ProcedureRule> {
  return transaction(async (db) => {
    await lockRules(db);
    const trustId = await trustIdOf(db, editor, fields.trustCode);
    await checkFields(db, fields);
    const ruleId = await insertRule(db, fields, trustId, editor.name, placement);
    const rule = (await findRule(db, ruleId))!;
    await requestRemap(db);
    await audit(db, editor, 'procedure-rule.create', ruleId, rule.trustCode, { after: rule });
    return rule;
  });
}

export async function changeRule(
  transaction: TransactionRunner,
  editor: RuleEditor,
  ruleId: number,
  fields: RuleFields,
): Promise<ProcedureRule> {
  return transaction(async (db) => {
    await lockRules(db);
    const before = await editableRule(db, editor, ruleId);
    const trustId = await trustIdOf(db, editor, fields.trustCode);
    await checkFields(db, fields);
    await updateRule(db, ruleId, fields, trustId, editor.name);
    const after = (await findRule(db, ruleId))!;
    await requestRemap(db);
    await audit(db, editor, 'procedure-rule.change', ruleId, after.trustCode ?? before.trustCode, { before, after });
    return after;
  });
}

/** Deletes a rule of one's own; a default rule is disabled instead, so the defaults stay visible. */
export async function deleteRule(transaction: TransactionRunner, editor: RuleEditor, ruleId: number): Promise<void> {
  await transaction(async (db) => {
    await lockRules(db);
    const before = await editableRule(db, editor, ruleId);
    if (before.builtin) throw new ConflictError('A default rule cannot be deleted: disable it instead');
    await deleteRuleRow(db, ruleId);
    await requestRemap(db);
    await audit(db, editor, 'procedure-rule.delete', ruleId, before.trustCode, { before });
  });
}

/**
 * Moves a rule one place up or down among the rules the editor sees (another trust's rules keep
 * their places relative to everything else), then renumbers every rule 10, 20, 30…
 */
export async function moveRule(
  transaction: TransactionRunner,
  editor: RuleEditor,
  ruleId: number,
  direction: 'up' | 'down',
  visibleRuleIds: (db: QueryRunner) => Promise<readonly number[]>,
): Promise<ProcedureRule> {
  return transaction(async (db) => {
    await lockRules(db);
    const before = await editableRule(db, editor, ruleId);
    const visible = await visibleRuleIds(db);
    const at = visible.indexOf(ruleId);
    const neighbour = visible[direction === 'up' ? at - 1 : at + 1];
    if (neighbour === undefined) return before;
    const order = (await orderedRuleIds(db)).filter((id) => id !== ruleId);
    const neighbourAt = order.indexOf(neighbour);
    order.splice(direction === 'up' ? neighbourAt : neighbourAt + 1, 0, ruleId);
    await renumberRules(db, order, editor.name, ruleId);
    const after = (await findRule(db, ruleId))!;
    await requestRemap(db);
    await audit(db, editor, 'procedure-rule.move', ruleId, before.trustCode, {
      direction,
      before: { position: before.position },
      after: { position: after.position },
    });
    return after;
  });
}

/** A physicist's own standard procedure, e.g. for a local DRL category; audited. */
export async function createStandardProcedure(
  transaction: TransactionRunner,
  editor: RuleEditor,
  procedure: Omit<StandardProcedure, 'builtin'>,
): Promise<StandardProcedure> {
  return transaction(async (db) => {
    if (!(await insertStandardProcedure(db, procedure))) {
      throw new ConflictError(`A standard procedure with code ${procedure.code} exists already`);
    }
    await recordAudit(db, {
      actorKind: 'user',
      actorId: editor.userId,
      actorName: editor.name,
      action: 'standard-procedure.create',
      subjectKind: 'config',
      subjectKey: `standard-procedure:${procedure.code}`,
      address: editor.address,
      requestId: editor.requestId,
      detail: { after: procedure },
    });
    return { ...procedure, builtin: false };
  });
}
