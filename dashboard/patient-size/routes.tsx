import type { Request, Response, Router } from 'express';
import type { VNode } from 'preact';
import { addressOf, requestIdOf, requireCsrf, requireUser, userOf, type SignedInUser } from '../../access/index.ts';
import { ForbiddenError, ValidationError } from '../../core/index.ts';
import {
  columnLabel,
  guessColumns,
  importPatientSizes,
  NO_COLUMN,
  readCsv,
  type CsvTable,
  type MappingInput,
} from '../../analytics/index.ts';
import { ErrorState, type PageContext } from '../components/index.ts';
import { pageContext, type DashboardDependencies } from '../context.ts';
import { PAGES } from '../pages.ts';
import { sendHtml } from '../render.tsx';
import {
  COLUMNS_PATH,
  ColumnFields,
  PREVIEW_PATH,
  SizeImportPage,
  SizeImportResult,
  type ColumnChoices,
  type SizeForm,
} from './components.tsx';
import { parseUploadOptions } from './mapping.ts';
import { multipartUpload } from './upload.ts';

const page = PAGES.patientSize;

/** htmx asks for the part of the page it swaps; a browser without scripts gets the whole page. */
const wantsFragment = (req: Request): boolean => req.get('hx-request') === 'true';

type Fields = Record<string, unknown>;
const fieldsOf = (req: Request): Fields => (req.body && typeof req.body === 'object' ? (req.body as Fields) : {});
const text = (fields: Fields, name: string): string | undefined =>
  typeof fields[name] === 'string' && fields[name] !== '' ? fields[name] : undefined;

function formOf(fields: Fields, user: SignedInUser): SizeForm {
  return {
    trust: text(fields, 'trust') ?? user.trusts[0]?.code,
    heightUnit: text(fields, 'heightUnit') === 'm' ? 'm' : 'cm',
    // A checkbox is sent only when ticked; a first visit (no fields at all) starts with a header row.
    header: Object.keys(fields).length === 0 || fields.header !== undefined,
    replaceImported: fields.replaceImported !== undefined,
  };
}

/** The 1-based number of a column named by header text or number, if the file has it. */
function columnNumber(table: CsvTable, ref: string | undefined): string | undefined {
  if (ref === undefined || ref === NO_COLUMN) return ref;
  if (/^\d+$/.test(ref)) return Number(ref) >= 1 && Number(ref) <= table.columnCount ? ref : undefined;
  const index = table.header?.findIndex((h) => h.toLowerCase() === ref.trim().toLowerCase()) ?? -1;
  return index >= 0 ? String(index + 1) : undefined;
}

/** The selects' choices for a file: its columns, with the mapping's (or the header's guesses) selected. */
function columnChoices(table: CsvTable, mapping: Partial<MappingInput>): ColumnChoices {
  const guess = guessColumns(table.header);
  const pick = (given: string | undefined, guessed: string | undefined) =>
    columnNumber(table, given) ?? columnNumber(table, guessed) ?? NO_COLUMN;
  return {
    labels: Array.from({ length: table.columnCount }, (_, i) => columnLabel(table, i)),
    match: mapping.match ?? guess.match ?? 'accession',
    key: columnNumber(table, mapping.keyColumn) ?? columnNumber(table, guess.keyColumn),
    height: pick(mapping.heightColumn, guess.heightColumn),
    weight: pick(mapping.weightColumn, guess.weightColumn),
    trust: pick(mapping.trustColumn, guess.trustColumn),
  };
}

function problemText(error: unknown): string | undefined {
  if (error instanceof ValidationError || error instanceof ForbiddenError) return error.message;
  return undefined;
}

/** The columns of an uploaded file, or why it cannot be read. */
function readColumns(file: Buffer | undefined, header: boolean, mapping: Partial<MappingInput> = {}) {
  if (!file) return <ColumnFields choices={undefined} />;
  try {
    return <ColumnFields choices={columnChoices(readCsv(file, { header }), mapping)} />;
  } catch (error) {
    const problem = problemText(error);
    if (problem === undefined) throw error;
    return <ColumnFields choices={undefined} problem={problem} />;
  }
}

interface Answer {
  readonly context: PageContext;
  readonly form: SizeForm;
  readonly columns: ReturnType<typeof readColumns>;
  readonly result: VNode;
  readonly status: number;
}

function send(req: Request, res: Response, deps: DashboardDependencies, answer: Answer): void {
  if (wantsFragment(req)) return sendHtml(res, answer.result, answer.status);
  sendHtml(
    res,
    <SizeImportPage
      context={answer.context}
      trusts={answer.context.user.trusts}
      form={answer.form}
      columns={answer.columns}
      result={answer.result}
    />,
    answer.status,
  );
}

/** Preview (dry run) or apply: the same use case, the same checks, one audit entry each. */
function importHandler(deps: DashboardDependencies, dryRun: boolean) {
  return async (req: Request, res: Response) => {
    const context = pageContext(req);
    const user = userOf(req)!;
    const fields = fieldsOf(req);
    const form = formOf(fields, user);
    const file = req.file?.buffer;
    const reply = (result: Answer['result'], status: number, mapping: Partial<MappingInput> = {}) =>
      send(req, res, deps, { context, form, columns: readColumns(file, form.header, mapping), result, status });
    if (!file) return reply(<ErrorState title="No file">Choose the CSV file to import.</ErrorState>, 400);
    try {
      const options = parseUploadOptions({
        match: text(fields, 'match'),
        keyColumn: text(fields, 'keyColumn'),
        heightColumn: text(fields, 'heightColumn'),
        weightColumn: text(fields, 'weightColumn'),
        trustColumn: text(fields, 'trustColumn'),
        heightUnit: form.heightUnit,
        header: form.header,
        trust: form.trust,
      });
      const result = await importPatientSizes(deps.patientSizes, {
        file,
        mapping: options.mapping,
        trustCode: form.trust ?? 'DEFAULT',
        scope: user.trusts.map((t) => t.trustId),
        dryRun,
        replaceImported: form.replaceImported,
        actor: {
          actorKind: 'user',
          actorId: user.userId,
          actorName: user.name,
          address: addressOf(req),
          requestId: requestIdOf(req),
        },
      });
      reply(<SizeImportResult result={result} />, 200, result.mapping);
    } catch (error) {
      const problem = problemText(error);
      if (problem === undefined) throw error;
      const status = error instanceof ForbiddenError ? 403 : 400;
      reply(<ErrorState title="Not imported">{problem}</ErrorState>, status);
    }
  };
}

/**
 * The "Patient size import" page (physicist, admin): upload a RIS CSV, pick its columns from the
 * header, preview, apply. Multipart bodies are read (in memory) only after the session is checked,
 * then the session's CSRF token in the form is checked before anything else happens.
 */
export function patientSizeRoutes(router: Router, deps: DashboardDependencies): void {
  const guard = [requireUser(page.roles), multipartUpload, requireCsrf];
  router.get(page.path, requireUser(page.roles), (req, res) => {
    const context = pageContext(req);
    sendHtml(
      res,
      <SizeImportPage
        context={context}
        trusts={context.user.trusts}
        form={formOf({}, context.user)}
        columns={<ColumnFields choices={undefined} />}
        result={null}
      />,
    );
  });
  router.post(COLUMNS_PATH, ...guard, (req, res) => {
    const fields = fieldsOf(req);
    sendHtml(res, readColumns(req.file?.buffer, fields.header !== undefined));
  });
  router.post(PREVIEW_PATH, ...guard, importHandler(deps, true));
  router.post(page.path, ...guard, importHandler(deps, false));
}
