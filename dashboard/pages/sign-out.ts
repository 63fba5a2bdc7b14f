import express, { type Router } from 'express';
import {
  addressOf,
  clearSessionCookie,
  endSession,
  recordAudit,
  requestIdOf,
  requireCsrf,
  requireUser,
  sessionOf,
  SIGN_IN_PATH,
} from '../../access/index.ts';
import type { DashboardDependencies } from '../context.ts';
import { PUBLIC_PAGES } from '../pages.ts';

/** POST only (a link could be followed by a prefetcher), with the session's CSRF token. */
export function signOutRoutes(router: Router, deps: DashboardDependencies): void {
  router.post(
    PUBLIC_PAGES.signOut.path,
    express.urlencoded({ extended: false, limit: '8kb' }),
    requireUser(),
    requireCsrf,
    async (req, res) => {
      const session = sessionOf(req);
      if (session) {
        await endSession(deps.db, session.token);
        await recordAudit(deps.db, {
          actorKind: 'user',
          actorId: session.user.userId,
          actorName: session.user.name,
          action: 'sign-out',
          address: addressOf(req),
          requestId: requestIdOf(req),
        });
      }
      clearSessionCookie(res, deps.sessions);
      res.redirect(303, SIGN_IN_PATH);
    },
  );
}
