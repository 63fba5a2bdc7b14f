import express, { type ErrorRequestHandler, type Router } from 'express';
import { KermaError } from '../core/index.ts';
import { userOf } from '../access/index.ts';
import { ErrorState, Page, PublicPage } from './components/index.ts';
import { pageContext, type DashboardDependencies } from './context.ts';
import { adminRoutes } from './pages/admin/index.ts';
import { changePasswordRoutes } from './pages/change-password.tsx';
import { overviewRoutes } from './pages/overview.tsx';
import { quarantineRoutes } from './pages/quarantine.tsx';
import { roomsRoutes } from './pages/rooms.tsx';
import { signInRoutes } from './pages/sign-in.tsx';
import { oidcSignInRoutes } from './pages/sign-in-oidc.tsx';
import { signOutRoutes } from './pages/sign-out.ts';
import { sendHtml } from './render.tsx';
import { staticAssetsRouter } from './static-assets.ts';
import { studyPageRoutes } from './study/routes.tsx';
import { createStudyBrowser, studiesApiRouter, studiesPageRoutes } from './studies/index.ts';

/** A page's error as a page (not JSON): 4xx say what was wrong, 5xx stay in the log. */
function pageErrors(deps: DashboardDependencies): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const status = error instanceof KermaError && error.httpStatus < 500 ? error.httpStatus : 500;
    if (status >= 500) deps.logger.error({ err: error, method: req.method, path: req.path }, 'page failed');
    const message =
      status < 500
        ? (error as KermaError).message
        : 'Kerma could not show this page. Try again; if it persists, tell your administrator.';
    const state = <ErrorState title={status === 403 ? 'Not allowed' : 'Something went wrong'}>{message}</ErrorState>;
    const page = userOf(req) ? (
      <Page context={pageContext(req)} title="Problem">
        {state}
      </Page>
    ) : (
      <PublicPage title="Problem">{state}</PublicPage>
    );
    sendHtml(res, page, status);
  };
}

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
  router.use(studiesApiRouter({ browser: studies, logger: deps.logger }));
  studiesPageRoutes(router, { browser: studies, timeZone: deps.timeZone, logger: deps.logger });
  router.use(pageErrors(deps));
  return router;
}
