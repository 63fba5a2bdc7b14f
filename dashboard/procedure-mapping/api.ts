import express, { type Request, type Response, type Router } from 'express';
import { stringify } from 'csv-stringify';
import {
  actorOf,
  auditActor,
  recordAudit,
  requireActorCsrf,
  requireCsrf,
  requireScope,
  requireUser,
  userOf,
} from '../../access/index.ts';
import {
  createStandardProcedure,
  listRules,
  listStandardProcedures,
  remapHistory,
  unmappedDescriptions,
  type ProcedureRule,
} from '../../analytics/index.ts';
import { jsonBody } from '../../core/http-input.ts';
import { ValidationError, type QueryRunner } from '../../core/index.ts';
import { PAGES } from '../pages.ts';
import {
  MOVE_SCHEMA,
  PROBE_SCHEMA,
  RULE_PATCH_SCHEMA,
  RULE_SCHEMA,
  STANDARD_PROCEDURE_SCHEMA,
  parseListQuery,
  parseUnmappedQuery,
  type NewRuleInput,
  type ProbeInput,
  type RuleInput,
} from './schemas.ts';
import {
  RULE_EDITORS,
  addRule,
  editRule,
  editorOf,
  removeRule,
  reorderRule,
  testDescription,
  trustsOf,
  visibleRule,
  type ProcedureMappingDependencies,
} from './service.ts';

/**
 * /api/v1/procedure-mapping: the rule table (list, create, change, delete, move), "test a
 * description", the standard procedures, the unmapped list and a re-map of history. Reading: a
 * physicist, governance lead or administrator, or an API key with the `read` scope. Changing: a
 * physicist or administrator, signed in, with the session's CSRF token; every change audited.
 * Lists also as CSV (`?format=csv`), each export audited.
 */
export const API = '/api/v1/procedure-mapping';
const READERS = PAGES.procedureMapping.roles;

function ruleId(value: unknown): number {
  if (typeof value !== 'string' || !/^[1-9]\d{0,14}$/.test(value)) {
    throw new ValidationError('invalid path: parameter "ruleId" must be a positive whole number');
  }
  return Number(value);
}

/** A cell starting with = + - @ is a formula to a spreadsheet: an apostrophe keeps it text (CSV injection). */
const defuseFormula = (value: string): string => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

async function sendCsv(
  db: QueryRunner,
  req: Request,
  res: Response,
  name: string,
  rows: ReadonlyArray<Record<string, unknown>>,
): Promise<void> {
  await recordAudit(db, {
    ...auditActor(actorOf(req)),
    action: 'procedure-mapping.export',
    subjectKind: 'config',
    subjectKey: name,
    detail: { rows: rows.length, query: req.query },
  });
  const csv = stringify([...rows], { header: true, cast: { string: defuseFormula, boolean: (b) => String(b) } });
  res.status(200).type('text/csv; charset=utf-8').set('Cache-Control', 'no-store').attachment(`kerma-${name}.csv`);
  csv.pipe(res);
}

const ruleRow = (r: ProcedureRule) => ({
  rule_id: r.ruleId,
  position: r.position,
  trust: r.trustCode ?? '',
  modalities: r.modalities?.join(' ') ?? '',
  procedure_code: r.procedureCode ?? '',
  description: r.description?.pattern ?? '',
  description_match: r.description?.match ?? '',
  protocol: r.protocol?.pattern ?? '',
  protocol_match: r.protocol?.match ?? '',
  body_part: r.bodyPart ?? '',
  standard_procedure_code: r.standardProcedureCode ?? '',
  standard_procedure: r.standardProcedureName ?? '(excluded)',
  enabled: r.enabled,
  builtin: r.builtin,
  note: r.note ?? '',
});

export function procedureMappingApi(deps: ProcedureMappingDependencies): Router {
  const router = express.Router();
  const read = requireScope(deps.db, 'read', { roles: READERS });
  const edit = requireUser(RULE_EDITORS, 'api');

  router.get(`${API}/rules`, read, async (req, res) => {
    const { format } = parseListQuery(req.query);
    const rules = await listRules(deps.db, actorOf(req).trustIds);
    if (format === 'csv') return sendCsv(deps.db, req, res, 'procedure-rules', rules.map(ruleRow));
    res.set('Cache-Control', 'no-store').json({ items: rules });
  });

  router.get(`${API}/rules/:ruleId`, read, async (req, res) => {
    const trusts = await trustsOf(deps.db, actorOf(req).trustIds);
    const rule = await visibleRule(
      deps.db,
      trusts.map((t) => t.code),
      ruleId(req.params.ruleId),
    );
    res.set('Cache-Control', 'no-store').json(rule);
  });

  router.post(`${API}/rules`, edit, ...jsonBody(RULE_SCHEMA, 16 * 1024), requireCsrf, async (req, res) => {
    const user = userOf(req)!;
    res.status(201).json(await addRule(deps, editorOf(req, user), req.body as NewRuleInput));
  });

  router.patch(
    `${API}/rules/:ruleId`,
    edit,
    ...jsonBody(RULE_PATCH_SCHEMA, 16 * 1024),
    requireCsrf,
    async (req, res) => {
      const user = userOf(req)!;
      res.json(await editRule(deps, editorOf(req, user), ruleId(req.params.ruleId), req.body as RuleInput));
    },
  );

  router.delete(`${API}/rules/:ruleId`, edit, requireCsrf, async (req, res) => {
    const user = userOf(req)!;
    res.json(await removeRule(deps, editorOf(req, user), ruleId(req.params.ruleId)));
  });

  router.post(`${API}/rules/:ruleId/move`, edit, ...jsonBody(MOVE_SCHEMA), requireCsrf, async (req, res) => {
    const user = userOf(req)!;
    const { direction } = req.body as { direction: 'up' | 'down' };
    res.json(await reorderRule(deps, editorOf(req, user), ruleId(req.params.ruleId), direction));
  });

  router.post(`${API}/test`, read, ...jsonBody(PROBE_SCHEMA), requireActorCsrf, async (req, res) => {
    res.json(await testDescription(deps.db, actorOf(req).trustIds, req.body as ProbeInput));
  });

  router.get(`${API}/standard-procedures`, read, async (req, res) => {
    const { format } = parseListQuery(req.query);
    const procedures = await listStandardProcedures(deps.db);
    if (format === 'csv') {
      const rows = procedures.map((p) => ({
        code: p.code,
        name: p.name,
        modality: p.modality,
        body_region: p.bodyRegion,
        drl_category: p.drlCategory ?? '',
        lateral: p.lateral,
        builtin: p.builtin,
      }));
      return sendCsv(deps.db, req, res, 'standard-procedures', rows);
    }
    res.set('Cache-Control', 'no-store').json({ items: procedures });
  });

  router.post(
    `${API}/standard-procedures`,
    edit,
    ...jsonBody(STANDARD_PROCEDURE_SCHEMA),
    requireCsrf,
    async (req, res) => {
      const user = userOf(req)!;
      const body = req.body as Parameters<typeof createStandardProcedure>[2];
      res.status(201).json(await createStandardProcedure(deps.transaction, editorOf(req, user), body));
    },
  );

  router.get(`${API}/unmapped`, read, async (req, res) => {
    const query = parseUnmappedQuery(req.query);
    const list = await unmappedDescriptions(
      deps.db,
      {
        trustIds: actorOf(req).trustIds,
        trustCode: query.trust,
        modalities: query.modality?.split(','),
        fromDate: query.from,
        toDate: query.to,
        limit: query.limit,
      },
      deps.timeZone,
    );
    if (query.format === 'csv') {
      const rows = list.items.map((i) => ({
        trust: i.trustCode,
        modality: i.modality,
        description: i.description ?? '',
        studies: i.studies,
        first_study_at: i.firstStudyAt ?? '',
        last_study_at: i.lastStudyAt ?? '',
      }));
      return sendCsv(deps.db, req, res, 'unmapped-descriptions', rows);
    }
    res.set('Cache-Control', 'no-store').json(list);
  });

  router.post(`${API}/remap`, edit, requireCsrf, async (_req, res) => {
    res.json({ remap: await remapHistory(deps.db, deps.transaction) });
  });

  return router;
}
