import type { ErrorRequestHandler } from 'express';
import { httpErrorOf, loggableError } from '../core/index.ts';
import { userOf } from '../access/index.ts';
import { ErrorState, Page, PublicPage } from './components/index.ts';
import { pageContext, type DashboardDependencies } from './context.ts';
import { sendHtml } from './render.tsx';

/** Said to the user when the database is away: what happened and what to do, nothing internal. */
const OUTAGE_MESSAGE = 'Kerma cannot reach its database at the moment. Try again in a minute.';
const FAULT_MESSAGE = 'Kerma could not show this page. Try again; if it persists, tell your administrator.';
const OUTAGE_RETRY_AFTER_S = 5;

function titleFor(status: number): string {
  if (status === 403) return 'Not allowed';
  if (status === 503) return 'Temporarily unavailable';
  return 'Something went wrong';
}

/**
 * A page's error as a page (not JSON): 4xx say what was wrong, a database outage says so (503), other
 * 5xx stay in the log. Used inside the dashboard router and, through pageErrorHandler, for page
 * requests that failed before reaching it (the session lookup during an outage).
 */
export function pageErrors(deps: Pick<DashboardDependencies, 'logger'>): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const { status, message } = httpErrorOf(error);
    if (status === 503) {
      deps.logger.warn({ err: loggableError(error), method: req.method, path: req.path }, 'page unavailable');
      if (!res.get('Retry-After')) res.set('Retry-After', String(OUTAGE_RETRY_AFTER_S));
    } else if (status >= 500) {
      deps.logger.error({ err: error, method: req.method, path: req.path }, 'page failed');
    }
    const text = status === 503 ? OUTAGE_MESSAGE : status < 500 ? message : FAULT_MESSAGE;
    const state = <ErrorState title={titleFor(status)}>{text}</ErrorState>;
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

const isApiPath = (path: string): boolean => path.startsWith('/api/') || path.startsWith('/dicomweb/');

/** For the application's error chain: pages get the error page; API requests go on to the JSON answer. */
export function pageErrorHandler(deps: Pick<DashboardDependencies, 'logger'>): ErrorRequestHandler {
  const render = pageErrors(deps);
  return (error: unknown, req, res, next) => (isApiPath(req.path) ? next(error) : render(error, req, res, next));
}
