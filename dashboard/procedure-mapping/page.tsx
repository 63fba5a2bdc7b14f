import type { Request, Response, Router } from 'express';
import { requireCsrf, requireUser, userOf, type SignedInUser } from '../../access/index.ts';
import {
  listRules,
  listStandardProcedures,
  unmappedDescriptions,
  type ProbeResult,
  type RemapResult,
} from '../../analytics/index.ts';
import { formBody } from '../../core/http-input.ts';
import { ValidationError, type KermaError } from '../../core/index.ts';
import { Page, type PageContext } from '../components/index.ts';
import { pageContext, type DashboardDependencies } from '../context.ts';
import { PAGES } from '../pages.ts';
import { sendHtml } from '../render.tsx';
import { formRule, formValues, newValues, RuleFormPage, valuesOf, type RuleFormValues } from './rule-form.tsx';
import { parseProbe, parseRule, type ProbeInput } from './schemas.ts';
import {
  RULE_EDITORS,
  addRule,
  canEditRules,
  editRule,
  editorOf,
  removeRule,
  reorderRule,
  testDescription,
  visibleRule,
  type ProcedureMappingDependencies,
} from './service.ts';
import { BASE, ProbeAnswer, ProbeForm, RulesTable, UnmappedTable, type ProbeFormValues } from './views.tsx';

/**
 * Procedure mapping: test a description against the rules, the unmapped descriptions (biggest
 * first, with a "make a rule" shortcut), and the rule table (edit, add, enable/disable, delete,
 * move up and down; htmx swaps the table in place, plain forms work without it). Physicists and
 * administrators change rules; governance reads. Each change re-maps history before the answer.
 */
const page = PAGES.procedureMapping;
/** Enough of the unmapped list to work through; the CSV has all of it. */
const UNMAPPED_SHOWN = 50;

const trustIdsOf = (user: SignedInUser) => user.trusts.map((t) => t.trustId);

/** The form's labels for the API's field names, so a refusal names what the user sees. */
const LABELS: Record<string, string> = {
  standardProcedureCode: 'Standard procedure',
  description: 'Study description',
  'description.pattern': 'Study description',
  'protocol.pattern': 'Protocol name',
  modalities: 'Modalities',
  trustCode: 'Applies to',
  bodyPart: 'Body part',
  procedureCode: 'Procedure code',
  note: 'Note',
};
const labelOf = (field: string): string => LABELS[field] ?? LABELS[field.replace(/\.\d+$/, '')] ?? field;

function problemText(error: KermaError, prefix = 'Not saved'): string {
  const problems = (error.details?.problems as Array<{ field: string; message: string }> | undefined) ?? [];
  return problems.length > 0
    ? `${prefix}: ${problems.map((p) => `${labelOf(p.field)} ${p.message}`).join('; ')}.`
    : `${prefix}: ${error.message}.`;
}

/** The notice after a change, from the redirect's query (digits and known words only). */
function noticeOf(query: Request['query']): string | undefined {
  const digits = (name: string) =>
    typeof query[name] === 'string' && /^\d{1,12}$/.test(query[name]) ? Number(query[name]) : undefined;
  const done =
    typeof query.done === 'string' && /^(added|saved|moved|deleted|enabled|disabled)$/.test(query.done)
      ? query.done
      : undefined;
  const rule = digits('rule');
  if (!done || rule === undefined) return undefined;
  const changed = digits('changed');
  const remap =
    changed === undefined
      ? 'History will be re-mapped shortly.'
      : `History re-mapped: ${changed.toLocaleString('en-GB')} ${changed === 1 ? 'study' : 'studies'} changed.`;
  return `Rule ${rule} ${done}. ${remap}`;
}

function afterChange(res: Response, done: string, ruleId: number, remap: RemapResult | null): void {
  const query = new URLSearchParams({
    done,
    rule: String(ruleId),
    ...(remap ? { changed: String(remap.changed) } : {}),
  });
  res.redirect(303, `${BASE}?${query.toString()}`);
}

async function renderPage(
  deps: DashboardDependencies,
  res: Response,
  context: PageContext,
  options: {
    notice?: string;
    probe?: { values: ProbeFormValues; result?: ProbeResult; problem?: string };
    status?: number;
  },
) {
  const { user } = context;
  const [rules, unmapped] = await Promise.all([
    listRules(deps.db, trustIdsOf(user)),
    unmappedDescriptions(deps.db, { trustIds: trustIdsOf(user), limit: UNMAPPED_SHOWN }, deps.timeZone),
  ]);
  const editor = canEditRules(user);
  sendHtml(
    res,
    <Page context={context} title={page.title}>
      <p class="muted">
        Each study is given the standard procedure of the first rule that matches it; the standard procedure decides
        which DRL it is compared with. A study no rule matches is never compared.
        {editor ? ' Changing a rule re-maps every stored study.' : ' Physicists and administrators change the rules.'}
      </p>
      <section aria-labelledby="probe-heading">
        <h2 id="probe-heading">Test a description</h2>
        <ProbeForm csrfToken={context.csrfToken} values={options.probe?.values ?? {}} trusts={user.trusts} />
        {options.probe?.problem ? (
          <div id="probe-result" role="alert">
            <p class="field-error">{options.probe.problem}</p>
          </div>
        ) : (
          <ProbeAnswer result={options.probe?.result} />
        )}
      </section>
      <section id="unmapped" aria-labelledby="unmapped-heading">
        <h2 id="unmapped-heading">Unmapped descriptions</h2>
        <p>
          {unmapped.totalStudies.toLocaleString('en-GB')} {unmapped.totalStudies === 1 ? 'study' : 'studies'} in{' '}
          {unmapped.totalDescriptions.toLocaleString('en-GB')}{' '}
          {unmapped.totalDescriptions === 1 ? 'description' : 'descriptions'} of your trusts match no rule.{' '}
          <a href="/api/v1/procedure-mapping/unmapped?format=csv&amp;limit=10000">Download CSV</a>
        </p>
        <UnmappedTable list={unmapped} timeZone={deps.timeZone} editor={editor} />
      </section>
      <section id="rules" aria-labelledby="rules-heading">
        <h2 id="rules-heading">Rules</h2>
        {options.notice ? (
          <p class="notice" role="status">
            {options.notice}
          </p>
        ) : null}
        {editor ? (
          <p>
            <a href={`${BASE}/rules/new`}>Add a rule</a>
          </p>
        ) : null}
        <RulesTable rules={rules} csrfToken={context.csrfToken} editor={editor} />
      </section>
    </Page>,
    options.status,
  );
}

async function renderForm(
  deps: DashboardDependencies,
  res: Response,
  context: PageContext,
  values: RuleFormValues,
  options: { ruleId?: number; problem?: string },
) {
  const rule =
    options.ruleId === undefined
      ? undefined
      : await visibleRule(
          deps.db,
          context.user.trusts.map((t) => t.code),
          options.ruleId,
        );
  sendHtml(
    res,
    <RuleFormPage
      context={context}
      {...(rule ? { rule } : {})}
      values={values}
      trusts={context.user.trusts}
      procedures={await listStandardProcedures(deps.db)}
      {...(options.problem ? { problem: options.problem } : {})}
    />,
    options.problem ? 400 : 200,
  );
}

function ruleIdParam(value: unknown): number {
  if (typeof value !== 'string' || !/^[1-9]\d{0,14}$/.test(value))
    throw new ValidationError('ruleId must be a positive whole number');
  return Number(value);
}

function probeInput(body: Record<string, unknown>): { values: ProbeFormValues; input: ProbeInput } {
  const text = (name: string) => (typeof body[name] === 'string' ? body[name] : '');
  const values: ProbeFormValues = {
    description: text('probeDescription'),
    modality: text('probeModality'),
    trustCode: text('probeTrust'),
    protocol: text('probeProtocol'),
    bodyPart: text('probeBodyPart'),
    procedureCode: text('probeProcedureCode'),
  };
  const orNull = (v: string | undefined) => (v && v.trim() !== '' ? v.trim() : null);
  const input = {
    description: orNull(values.description),
    modality: orNull(values.modality),
    trustCode: orNull(values.trustCode),
    protocol: orNull(values.protocol),
    bodyPart: orNull(values.bodyPart),
    procedureCode: orNull(values.procedureCode),
  };
  return { values, input };
}

export function procedureMappingPageRoutes(router: Router, deps: DashboardDependencies): void {
  const service: ProcedureMappingDependencies = deps;
  const form = [formBody(), requireUser(RULE_EDITORS), requireCsrf] as const;

  router.get(page.path, requireUser(page.roles), async (req, res) => {
    const notice = noticeOf(req.query);
    await renderPage(deps, res, pageContext(req), notice ? { notice } : {});
  });

  router.post(`${page.path}/test`, formBody(), requireUser(page.roles), requireCsrf, async (req, res) => {
    const context = pageContext(req);
    const { values, input } = probeInput(req.body as Record<string, unknown>);
    try {
      const result = await testDescription(deps.db, trustIdsOf(context.user), parseProbe(input));
      await renderPage(deps, res, context, { probe: { values, result } });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // 200: the answer to a test is the page with its reason, and htmx swaps only 2xx answers in.
      await renderPage(deps, res, context, { probe: { values, problem: problemText(error, 'Cannot test') } });
    }
  });

  router.get(`${page.path}/rules/new`, requireUser(RULE_EDITORS), async (req, res) => {
    await renderForm(deps, res, pageContext(req), newValues(req.query), {});
  });

  router.post(`${page.path}/rules`, ...form, async (req, res) => {
    const values = formValues(req.body as Record<string, unknown>);
    try {
      const { rule, remap } = await addRule(service, editorOf(req, userOf(req)!), parseRule(formRule(values)));
      afterChange(res, 'added', rule.ruleId, remap);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderForm(deps, res, pageContext(req), values, { problem: problemText(error) });
    }
  });

  router.get(`${page.path}/rules/:ruleId`, requireUser(RULE_EDITORS), async (req, res) => {
    const context = pageContext(req);
    const ruleId = ruleIdParam(req.params.ruleId);
    const rule = await visibleRule(
      deps.db,
      context.user.trusts.map((t) => t.code),
      ruleId,
    );
    await renderForm(deps, res, context, valuesOf(rule), { ruleId });
  });

  router.post(`${page.path}/rules/:ruleId`, ...form, async (req, res) => {
    const ruleId = ruleIdParam(req.params.ruleId);
    const values = formValues(req.body as Record<string, unknown>);
    try {
      const { remap } = await editRule(service, editorOf(req, userOf(req)!), ruleId, parseRule(formRule(values)));
      afterChange(res, 'saved', ruleId, remap);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderForm(deps, res, pageContext(req), values, { ruleId, problem: problemText(error) });
    }
  });

  router.post(`${page.path}/rules/:ruleId/move`, ...form, async (req, res) => {
    const ruleId = ruleIdParam(req.params.ruleId);
    const direction = (req.body as Record<string, unknown>).direction;
    if (direction !== 'up' && direction !== 'down') throw new ValidationError('direction must be up or down');
    const { remap } = await reorderRule(service, editorOf(req, userOf(req)!), ruleId, direction);
    afterChange(res, 'moved', ruleId, remap);
  });

  router.post(`${page.path}/rules/:ruleId/enabled`, ...form, async (req, res) => {
    const ruleId = ruleIdParam(req.params.ruleId);
    const enabled = (req.body as Record<string, unknown>).enabled === 'true';
    const { remap } = await editRule(service, editorOf(req, userOf(req)!), ruleId, { enabled });
    afterChange(res, enabled ? 'enabled' : 'disabled', ruleId, remap);
  });

  router.post(`${page.path}/rules/:ruleId/delete`, ...form, async (req, res) => {
    const ruleId = ruleIdParam(req.params.ruleId);
    const { remap } = await removeRule(service, editorOf(req, userOf(req)!), ruleId);
    afterChange(res, 'deleted', ruleId, remap);
  });
}
