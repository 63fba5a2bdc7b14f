import express, { type Request, type Router } from 'express';
import { recordAudit, requireScope } from '../../access/index.ts';
import { studyDoseMetrics } from '../../analytics/index.ts';
import { NotFoundError, type QueryRunner } from '../../core/index.ts';
import { PAGES } from '../pages.ts';
import { studyApiActorOf } from '../studies/index.ts';
import { sendComplianceCsv, sendLocalDrlCsv } from './csv.ts';
import { DRL_COMPLIANCE_API_PATH, LOCAL_DRLS_API_PATH, STUDY_DOSE_METRICS_API_PATH } from './operations.ts';
import { parseComplianceQuery, parseLocalDrlQuery } from './query.ts';
import { complianceReport, localDrls } from './service.ts';

const NOT_FOUND = 'No dose metrics for such a study in your trusts.';

function studyIdOf(req: Request): number {
  const raw = req.params.studyId;
  const id = typeof raw === 'string' && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id)) throw new NotFoundError(NOT_FOUND);
  return id;
}

/**
 * The DRL APIs, for a signed-in physicist, governance or admin user, or an API key with the `read`
 * scope; every answer limited to the caller's trusts and written to the audit log. Errors answer as
 * JSON through the application's error middleware.
 */
export function drlApiRouter(deps: { db: QueryRunner; timeZone: string }): Router {
  const router = express.Router();
  const guard = requireScope(deps.db, 'read', { roles: PAGES.drlCompliance.roles });

  router.get(DRL_COMPLIANCE_API_PATH, guard, async (req, res) => {
    const actor = studyApiActorOf(req);
    const params = parseComplianceQuery(req.query, deps.timeZone);
    const report = await complianceReport(
      deps.db,
      { trustIds: actor.scope.trustIds, audit: actor.audit },
      params,
      deps.timeZone,
      'api',
    );
    if (params.format === 'csv') return sendComplianceCsv(res, report);
    res.set('Cache-Control', 'no-store').json(report);
  });

  router.get(LOCAL_DRLS_API_PATH, guard, async (req, res) => {
    const actor = studyApiActorOf(req);
    const params = parseLocalDrlQuery(req.query);
    const report = await localDrls(deps.db, { trustIds: actor.scope.trustIds, audit: actor.audit }, params);
    if (params.runId !== undefined && !report) throw new NotFoundError(`No local DRL run ${params.runId}.`);
    if (params.format === 'csv') return sendLocalDrlCsv(res, report);
    res.set('Cache-Control', 'no-store').json(report ?? { run: null, localDrls: [] });
  });

  // A study's metrics are patient-level: any role that may open the study may read them.
  router.get(
    STUDY_DOSE_METRICS_API_PATH,
    requireScope(deps.db, 'read', { roles: PAGES.study.roles }),
    async (req, res) => {
      const actor = studyApiActorOf(req);
      const studyId = studyIdOf(req);
      const metrics = await studyDoseMetrics(deps.db, studyId, actor.scope.trustIds);
      if (!metrics) throw new NotFoundError(NOT_FOUND);
      await recordAudit(deps.db, {
        ...actor.audit,
        action: 'study.dose-metrics.view',
        subjectKind: 'study',
        subjectKey: String(studyId),
        detail: { studyId },
      });
      res.set('Cache-Control', 'no-store').json(metrics);
    },
  );
  return router;
}
