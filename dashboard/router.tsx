import express, { type Router } from 'express';
import type { DashboardDependencies } from './context.ts';
import { drlCompliancePageRoutes } from './drl-compliance/index.ts';
import { pageErrors } from './page-errors.tsx';
import { adminRoutes } from './pages/admin/index.ts';
import { auditRoutes } from './pages/audit.tsx';
import { changePasswordRoutes } from './pages/change-password.tsx';
import { overviewRoutes } from './pages/overview.tsx';
import { quarantineRoutes } from './pages/quarantine.tsx';
import { roomsRoutes } from './pages/rooms.tsx';
import { signInRoutes } from './pages/sign-in.tsx';
import { oidcSignInRoutes } from './pages/sign-in-oidc.tsx';
import { signOutRoutes } from './pages/sign-out.ts';
import { staticAssetsRouter } from './static-assets.ts';
import { studyPageRoutes } from './study/routes.tsx';
import { createStudyBrowser, studiesApiRouter, studiesPageRoutes } from './studies/index.ts';

/** The web application: static assets and every page, each page file pairing its routes with its component. */
export function createDashboardRouter(deps: DashboardDependencies): Router {
  const router = express.Router();
  router.use(staticAssetsRouter());
  signInRoutes(router, deps);
  oidcSignInRoutes(router, deps);
  signOutRoutes(router, deps);
  changePasswordRoutes(router, deps);
  overviewRoutes(router, deps);
  studyPageRoutes(router, deps);
  adminRoutes(router, deps);
  roomsRoutes(router, deps);
  quarantineRoutes(router, deps);
  const studies = createStudyBrowser({ db: deps.db, timeZone: deps.timeZone });
  router.use(studiesApiRouter({ db: deps.db, browser: studies, logger: deps.logger }));
  studiesPageRoutes(router, { browser: studies, timeZone: deps.timeZone, logger: deps.logger });
  auditRoutes(router, deps);
  drlCompliancePageRoutes(router, deps);
  router.use(pageErrors(deps));
  return router;
}
