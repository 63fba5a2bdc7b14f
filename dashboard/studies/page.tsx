import type { ComponentChildren } from 'preact';
import type { Request, Response, Router } from 'express';
import { requireUser } from '../../access/index.ts';
import { ValidationError, type Logger } from '../../core/index.ts';
import { ErrorState, Page, type PageContext } from '../components/index.ts';
import { pageContext } from '../context.ts';
import { PAGES } from '../pages.ts';
import { sendHtml } from '../render.tsx';
import { studyActorOf } from './actor.ts';
import { StudyFiltersForm } from './filters-form.tsx';
import { parseStudyQuery } from './query.ts';
import { StudyResults } from './results.tsx';
import type { StudyBrowser } from './service.ts';
import type { DeviceOption, StudyFilters } from './types.ts';

const page = PAGES.studies;

function StudiesPage(props: {
  context: PageContext;
  filters: StudyFilters;
  devices: readonly DeviceOption[];
  children: ComponentChildren;
}) {
  return (
    <Page context={props.context} title={page.title}>
      <StudyFiltersForm filters={props.filters} devices={props.devices} trusts={props.context.user.trusts} />
      <section id="study-results" class="study-results" aria-label="Results" aria-live="polite">
        {props.children}
      </section>
    </Page>
  );
}

function FilterProblem(props: { error: ValidationError }) {
  return (
    <ErrorState title="These filters cannot be used">
      {props.error.message}. Correct the field and apply the filters again.
    </ErrorState>
  );
}

/**
 * htmx asks for the results alone (the form and links target #study-results); a history restore
 * or a plain browser request gets the whole page.
 */
const wantsFragment = (req: Request): boolean =>
  req.get('hx-request') === 'true' && req.get('hx-history-restore-request') !== 'true';

export function studiesPageRoutes(router: Router, deps: { browser: StudyBrowser; timeZone: string; logger: Logger }) {
  router.get(page.path, requireUser(page.roles), async (req: Request, res: Response) => {
    const context = pageContext(req);
    const actor = studyActorOf(req)!;
    const fragment = wantsFragment(req);
    let query;
    try {
      query = parseStudyQuery(req.query);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const problem = <FilterProblem error={error} />;
      if (fragment) return sendHtml(res, problem, 400);
      const devices = await deps.browser.devices(actor.scope);
      return sendHtml(
        res,
        <StudiesPage context={context} filters={{}} devices={devices}>
          {problem}
        </StudiesPage>,
        400,
      );
    }
    const results = await deps.browser.browse(actor.scope, query, actor.audit);
    const body = <StudyResults query={query} page={results} timeZone={deps.timeZone} />;
    if (fragment) return sendHtml(res, body);
    const devices = await deps.browser.devices(actor.scope);
    sendHtml(
      res,
      <StudiesPage context={context} filters={query.filters} devices={devices}>
        {body}
      </StudiesPage>,
    );
  });
}
