import express, { type ErrorRequestHandler, type Router } from 'express';
import { requireScope } from '../../access/index.ts';
import { KermaError, type Logger, type QueryRunner } from '../../core/index.ts';
import { PAGES } from '../pages.ts';
import { studyApiActorOf } from './actor.ts';
import { parseStudyQuery, studyQueryString } from './query.ts';
import type { StudyBrowser } from './service.ts';

export const STUDIES_API_PATH = '/api/v1/studies';

/** JSON errors for this API: 4xx say what was wrong (naming the field), 5xx stay in the log. */
function jsonErrors(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (error instanceof KermaError && error.httpStatus < 500) {
      res
        .status(error.httpStatus)
        .json({ error: { code: error.code, message: error.message, details: error.details } });
      return;
    }
    logger.error({ err: error, method: req.method, path: req.path }, 'studies API failed');
    res.status(500).json({ error: { code: 'internal_error', message: 'Internal server error' } });
  };
}

/**
 * GET /api/v1/studies: the study browser's rows as JSON, with the page's filters (see query.ts) and
 * keyset links to the neighbouring pages, for a signed-in user or an API key with the `read` scope.
 * Only the caller's trusts' studies; every call audited.
 */
export function studiesApiRouter(deps: { db: QueryRunner; browser: StudyBrowser; logger: Logger }): Router {
  const router = express.Router();
  router.get(STUDIES_API_PATH, requireScope(deps.db, 'read', { roles: PAGES.studies.roles }), async (req, res) => {
    const actor = studyApiActorOf(req);
    const query = parseStudyQuery(req.query);
    const page = await deps.browser.browse(actor.scope, query, actor.audit);
    const link = (side: 'after' | 'before', at: typeof page.next) =>
      at
        ? `${STUDIES_API_PATH}?${studyQueryString({ ...query, after: undefined, before: undefined, [side]: at })}`
        : null;
    res.set('Cache-Control', 'no-store').json({
      items: page.rows,
      count: page.count,
      sort: query.sort,
      limit: query.limit,
      links: { next: link('after', page.next), previous: link('before', page.previous) },
    });
  });
  router.use(jsonErrors(deps.logger));
  return router;
}
