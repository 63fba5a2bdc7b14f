import express, { type Router } from 'express';
import type { DashboardDependencies } from './context.ts';
import { pageErrors } from './page-errors.tsx';
import { adminRoutes } from './pages/admin/index.ts';
import { auditRoutes } from './pages/audit.tsx';
import { changePasswordRoutes } from './pages/change-password.tsx';
import { overviewRoutes } from './pages/overview.tsx';
import { signInRoutes } from './pages/sign-in.tsx';
import { oidcSignInRoutes } from './pages/sign-in-oidc.tsx';
import { signOutRoutes } from './pages/sign-out.ts';
import { staticAssetsRouter } from './static-assets.ts';
import { studyPageRoutes } from './study/routes.tsx';

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
  auditRoutes(router, deps);
  router.use(pageErrors(deps));
  return router;
}
