import type { ComponentChildren } from 'preact';
import type { TrustRef } from '../../access/index.ts';
import {
  NO_COLUMN,
  type MatchKey,
  type PatientSizeResult,
  type RowOutcome,
  type SizeAction,
  type StudyChange,
} from '../../analytics/index.ts';
import { ErrorState, Page, Table, type Column, type PageContext } from '../components/index.ts';
import { PAGES } from '../pages.ts';

const page = PAGES.patientSize;
export const COLUMNS_PATH = `${page.path}/columns`;
export const PREVIEW_PATH = `${page.path}/preview`;

/** What the form shows selected: the choices of the last request, or the defaults. */
export interface SizeForm {
  readonly trust: string | undefined;
  readonly heightUnit: 'cm' | 'm';
  readonly header: boolean;
  readonly replaceImported: boolean;
}

/** The file's columns as offered in the selects (value: 1-based number; label: header text or "column N"). */
export interface ColumnChoices {
  readonly labels: readonly string[];
  readonly match: MatchKey;
  /** 1-based numbers of the selected columns ('none' for none). */
  readonly key: string | undefined;
  readonly height: string;
  readonly weight: string;
  readonly trust: string;
}

function Select(props: {
  label: string;
  name: string;
  hint?: string;
  selected: string | undefined;
  choices: ReadonlyArray<{ value: string; label: string }>;
}) {
  const id = `size-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="field-hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <select id={id} name={props.name} aria-describedby={props.hint ? `${id}-hint` : undefined}>
        {props.choices.map((c) => (
          <option key={c.value} value={c.value} selected={c.value === props.selected}>
            {c.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The column selects, offered once a file is chosen (htmx swaps them in from its header). */
export function ColumnFields(props: { choices: ColumnChoices | undefined; problem?: string | undefined }) {
  const { choices } = props;
  if (props.problem) return <ErrorState title="This file cannot be read">{props.problem}</ErrorState>;
  if (!choices) {
    return <p class="field-hint">Choose a file: its columns are offered here, named from its first row.</p>;
  }
  const columns = choices.labels.map((label, i) => ({ value: String(i + 1), label }));
  const optional = [{ value: NO_COLUMN, label: '— none —' }, ...columns];
  return (
    <>
      <Select
        label="Match studies by"
        name="match"
        selected={choices.match}
        choices={[
          { value: 'accession', label: 'Accession number' },
          { value: 'study-uid', label: 'Study Instance UID' },
        ]}
      />
      <Select
        label="Accession number or Study Instance UID column"
        name="keyColumn"
        selected={choices.key}
        choices={columns}
      />
      <Select label="Height column" name="heightColumn" selected={choices.height} choices={optional} />
      <Select label="Weight column (kg)" name="weightColumn" selected={choices.weight} choices={optional} />
      <Select
        label="Trust column"
        name="trustColumn"
        hint="Optional: each row's trust code. Rows without one take the trust chosen below."
        selected={choices.trust}
        choices={optional}
      />
    </>
  );
}

function Checkbox(props: { name: string; label: string; checked: boolean; htmx?: boolean }) {
  const id = `size-${props.name}`;
  return (
    <div class="checkbox">
      <input
        type="checkbox"
        id={id}
        name={props.name}
        value="true"
        checked={props.checked}
        {...(props.htmx ? { 'hx-post': COLUMNS_PATH, 'hx-target': '#size-columns', 'hx-trigger': 'change' } : {})}
      />
      <label for={id}>{props.label}</label>
    </div>
  );
}

/**
 * The upload form. Without a script it posts the file and whatever columns are guessed from its
 * header; with htmx, choosing a file fetches its columns into the selects, and Preview and Apply
 * answer below the form while the chosen file stays selected.
 */
export function SizeImportForm(props: {
  context: PageContext;
  trusts: readonly TrustRef[];
  form: SizeForm;
  columns: ComponentChildren;
}) {
  const { form } = props;
  return (
    <form method="post" action={page.path} enctype="multipart/form-data" class="stacked-form size-form">
      <input type="hidden" name="_csrf" value={props.context.csrfToken} />
      <div class="field">
        <label for="size-file">CSV file</label>
        <p class="field-hint" id="size-file-hint">
          One row per study: its accession number or Study Instance UID, and the height or weight or both.
        </p>
        <input
          type="file"
          id="size-file"
          name="file"
          accept=".csv,text/csv"
          required
          aria-describedby="size-file-hint"
          hx-post={COLUMNS_PATH}
          hx-target="#size-columns"
          hx-trigger="change"
        />
      </div>
      <Checkbox name="header" label="The first row holds column names" checked={form.header} htmx />
      <div id="size-columns" class="size-columns">
        {props.columns}
      </div>
      <Select
        label="Trust of the accession numbers"
        name="trust"
        selected={form.trust}
        choices={props.trusts.map((t) => ({ value: t.code, label: `${t.code} · ${t.name}` }))}
      />
      <Select
        label="Height unit"
        name="heightUnit"
        selected={form.heightUnit}
        choices={[
          { value: 'cm', label: 'centimetres (cm)' },
          { value: 'm', label: 'metres (m)' },
        ]}
      />
      <Checkbox name="replaceImported" label="Replace sizes an earlier import wrote" checked={form.replaceImported} />
      <div class="row-actions">
        <button
          type="submit"
          class="secondary"
          formaction={PREVIEW_PATH}
          hx-post={PREVIEW_PATH}
          hx-target="#size-result"
        >
          Preview
        </button>
        <button type="submit" class="primary" hx-post={page.path} hx-target="#size-result">
          Apply
        </button>
      </div>
    </form>
  );
}

const ACTION_TEXT: Readonly<Record<SizeAction, string>> = {
  filled: 'filled',
  replaced: 'replaced an earlier import',
  'kept-dicom': 'kept the dose report’s',
  'kept-imported': 'kept an earlier import’s',
  duplicate: 'as an earlier row',
  none: '—',
};

type ChangeRow = {
  readonly row: number;
  readonly heightM: number | undefined;
  readonly weightKg: number | undefined;
} & StudyChange;

const changeColumns: Column<ChangeRow>[] = [
  { header: 'Row', numeric: true, cell: (c) => c.row },
  { header: 'Study', cell: (c) => <a href={`${PAGES.studies.path}/${c.studyId}`}>Study {c.studyId}</a> },
  { header: 'Height', unit: 'm', numeric: true, cell: (c) => c.heightM?.toFixed(2) ?? '—' },
  { header: 'Height result', cell: (c) => ACTION_TEXT[c.height] },
  { header: 'Weight', unit: 'kg', numeric: true, cell: (c) => c.weightKg?.toLocaleString('en-GB') ?? '—' },
  { header: 'Weight result', cell: (c) => ACTION_TEXT[c.weight] },
];

/** Long files: the page shows this many rows of each table; the API and the command line give all. */
export const SHOWN_ROWS = 500;

function changeRows(outcomes: readonly RowOutcome[]): ChangeRow[] {
  return outcomes.flatMap((o) =>
    o.status === 'problem'
      ? []
      : o.studies.map((s) => ({ row: o.row, heightM: o.heightM, weightKg: o.weightKg, ...s })),
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/** What an import did, or (preview) would do: the counts, every row not applied, and the changes. */
export function SizeImportResult(props: { result: PatientSizeResult }) {
  const r = props.result;
  const changes = changeRows(r.outcomes);
  const heading = r.dryRun ? 'Preview: nothing has been changed yet' : 'Imported';
  const verb = r.dryRun ? 'would fill' : 'filled';
  return (
    <section class="size-result" aria-labelledby="size-result-heading">
      <h2 id="size-result-heading">{heading}</h2>
      <p class="notice" role="status">
        {`${plural(r.rows, 'row')}: ${r.applied} applied, ${r.unchanged} unchanged, ${r.problems.length} not applied; `}
        {`${verb} ${plural(r.heightsFilled, 'height')} and ${plural(r.weightsFilled, 'weight')} `}
        {`(${plural(r.studyIds.length, 'study', 'studies')}).`}
      </p>
      <Table
        caption={`Rows not applied${r.problems.length > SHOWN_ROWS ? ` (first ${SHOWN_ROWS} of ${r.problems.length})` : ''}`}
        columns={[
          { header: 'Row', numeric: true, cell: (p) => p.row },
          { header: 'Reason', cell: (p) => p.reason },
        ]}
        rows={r.problems.slice(0, SHOWN_ROWS)}
        rowKey={(p) => String(p.row)}
        empty={{ title: 'Every row matched a study.' }}
      />
      <Table
        caption={`Studies matched${changes.length > SHOWN_ROWS ? ` (first ${SHOWN_ROWS} of ${changes.length})` : ''}`}
        columns={changeColumns}
        rows={changes.slice(0, SHOWN_ROWS)}
        rowKey={(c) => `${c.row}-${c.studyId}`}
        empty={{ title: 'No row matched a study.' }}
      />
    </section>
  );
}

export function SizeImportPage(props: {
  context: PageContext;
  trusts: readonly TrustRef[];
  form: SizeForm;
  columns: ComponentChildren;
  result: ComponentChildren;
}) {
  return (
    <Page context={props.context} title={page.title}>
      <p class="muted">
        Heights and weights from the RIS fill the ones the dose reports left out; a value from a dose report is never
        overwritten. Accession numbers are matched as Kerma stores them, hashed with their trust.
      </p>
      <SizeImportForm context={props.context} trusts={props.trusts} form={props.form} columns={props.columns} />
      <div id="size-result" aria-live="polite">
        {props.result}
      </div>
    </Page>
  );
}
