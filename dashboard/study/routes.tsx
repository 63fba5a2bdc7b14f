import express, { type Request, type Router } from 'express';
import { NotFoundError, ValidationError, type QueryRunner } from '../../core/index.ts';
import {
  actorOf,
  addressOf,
  auditActor,
  recordAudit,
  requestIdOf,
  requireScope,
  requireUser,
  userOf,
  type AuditEntry,
} from '../../access/index.ts';
import { studyDoseMetrics } from '../../analytics/index.ts';
import { pageContext, type DashboardDependencies } from '../context.ts';
import { PAGES } from '../pages.ts';
import { sendHtml } from '../render.tsx';
import { StudyPage } from './page.tsx';
import { loadStudyDetail } from './service.ts';
import type { StudyDetail } from './types.ts';

const page = PAGES.study;
export const STUDY_API_PATH = '/api/v1/studies/:studyId';

/**
 * Enough rows of each kind to read a study at a glance without a multi-megabyte page (a long
 * fluoroscopy case has hundreds of events); "Show all" lifts the limit.
 */
export const EVENTS_PER_KIND = 100;

/** The same answer for a malformed id, a missing study and another trust's: nothing is revealed. */
const NOT_FOUND = 'No such study in your trusts.';

function studyIdOf(req: Request): number {
  const raw = req.params.studyId;
  const id = typeof raw === 'string' && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id)) throw new NotFoundError(NOT_FOUND);
  return id;
}

/** `events=all` shows every event; anything else is a mistake worth saying, not a silent default. */
function allEvents(req: Request): boolean {
  const events = req.query.events;
  if (events === undefined) return false;
  if (events === 'all') return true;
  throw new ValidationError("Query parameter 'events' must be 'all'", { field: 'events' });
}

type StudyViewer = Pick<AuditEntry, 'actorKind' | 'actorId' | 'actorName'> & { readonly trustIds: readonly number[] };

/** A signed-in user of the page (requireUser admitted it). */
function pageViewer(req: Request): StudyViewer {
  const user = userOf(req);
  if (!user) throw new Error('the study page needs a signed-in request: mount requireUser first');
  return { actorKind: 'user', actorId: user.userId, actorName: user.name, trustIds: user.trusts.map((t) => t.trustId) };
}

/** A user or an API key with the `read` scope (requireScope admitted it). */
function apiViewer(req: Request): StudyViewer {
  const actor = actorOf(req);
  const { actorKind, actorId, actorName } = auditActor(actor);
  return { actorKind, actorId, actorName, trustIds: actor.trustIds };
}

async function viewStudy(
  db: QueryRunner,
  req: Request,
  viewer: StudyViewer,
  eventsPerKind: number | null,
  view: 'page' | 'api',
): Promise<StudyDetail> {
  const studyId = studyIdOf(req);
  const detail = await loadStudyDetail(db, { studyId, trustIds: viewer.trustIds, eventsPerKind });
  if (!detail) throw new NotFoundError(NOT_FOUND);
  // The study's keys only: its number and UID, never a patient identifier.
  await recordAudit(db, {
    actorKind: viewer.actorKind,
    actorId: viewer.actorId,
    actorName: viewer.actorName,
    trustCode: detail.study.trust.code,
    action: 'study.view',
    subjectKind: 'study',
    subjectKey: detail.study.studyInstanceUid,
    address: addressOf(req),
    requestId: requestIdOf(req),
    detail: { studyId, view },
  });
  return detail;
}

/** The study page, on the dashboard router (its errors render as pages). */
export function studyPageRoutes(router: Router, deps: DashboardDependencies): void {
  router.get(page.path, requireUser(page.roles), async (req, res) => {
    const limit = allEvents(req) ? null : EVENTS_PER_KIND;
    const viewer = pageViewer(req);
    const detail = await viewStudy(deps.db, req, viewer, limit, 'page');
    const metrics = await studyDoseMetrics(deps.db, detail.study.studyId, viewer.trustIds);
    sendHtml(res, <StudyPage context={pageContext(req)} detail={detail} timeZone={deps.timeZone} metrics={metrics} />);
  });
}

/**
 * `GET /api/v1/studies/:studyId`: the same study as JSON, every event included, for a signed-in user
 * or an API key with the `read` scope. A router of its
 * own, mounted by the composition root beside the other APIs, so its errors answer as JSON.
 */
export function createStudyApiRouter(deps: Pick<DashboardDependencies, 'db'>): Router {
  const router = express.Router();
  router.get(STUDY_API_PATH, requireScope(deps.db, 'read', { roles: page.roles }), async (req, res) => {
    const detail = await viewStudy(deps.db, req, apiViewer(req), null, 'api');
    res.set('Cache-Control', 'no-store').json(detail);
  });
  return router;
}
