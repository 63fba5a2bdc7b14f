import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { ValidationError } from '../core/index.ts';
import { parseReferenceSet } from './parse.ts';
import type { ReferenceSetDetail, ReferenceSetDocument } from './types.ts';

/**
 * The CSV layout of a reference set (reference-levels/README.md): a header row, then one row per
 * figure. The set's columns (set_key … trust_code) must be filled on the first figure's row and may
 * be left empty below it; a filled one must repeat the first row's value, since one file is one
 * edition of one set. Rows are numbered as the lines of the file, the header being row 1.
 */
const SET_COLUMNS = {
  set_key: 'setKey',
  kind: 'kind',
  title: 'title',
  publisher: 'publisher',
  edition: 'edition',
  effective_from: 'effectiveFrom',
  source_title: 'source.title',
  source_url: 'source.url',
  trust_code: 'trustCode',
} as const;
const VALUE_COLUMNS = {
  value_key: 'valueKey',
  modality: 'modality',
  drl_category: 'drlCategory',
  body_region: 'bodyRegion',
  age_band: 'ageBand',
  quantity: 'quantity',
  value: 'value',
  status: 'status',
  status_note: 'statusNote',
  attributes: 'attributes',
} as const;
type SetColumn = keyof typeof SET_COLUMNS;
type ValueColumn = keyof typeof VALUE_COLUMNS;
export const CSV_COLUMNS = [...Object.keys(SET_COLUMNS), ...Object.keys(VALUE_COLUMNS)] as (SetColumn | ValueColumn)[];
const REQUIRED: readonly string[] = ['set_key', 'kind', 'edition', 'value_key', 'quantity', 'value', 'status'];

const columnOfField = new Map<string, string>(
  [...Object.entries(SET_COLUMNS), ...Object.entries(VALUE_COLUMNS)].map(([column, field]) => [field, column]),
);

/** A plain decimal, as a spreadsheet writes it; "1,5" (a decimal comma) or "12 mGy" are refused. */
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

interface Cell {
  readonly row: number;
  readonly text: string;
}

function csvProblem(origin: string, problem: string): ValidationError {
  return new ValidationError(`invalid reference set ${origin}: ${problem}`, { problems: [problem] });
}

function readRecords(textInput: string, origin: string): { record: string[]; row: number }[] {
  try {
    const parsed = parse(textInput, { bom: true, info: true, skip_empty_lines: true, trim: true }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
    return parsed.map(({ record, info }) => ({ record, row: info.lines }));
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw csvProblem(origin, `${line ? `row ${line}: ` : ''}not readable as CSV (${(error as Error).message})`);
  }
}

function headerOf(record: readonly string[], origin: string): string[] {
  const header = record.map((name) => name.toLowerCase());
  const problems: string[] = [];
  header.forEach((name, index) => {
    if (!(CSV_COLUMNS as string[]).includes(name)) {
      problems.push(`row 1, column ${index + 1}: unknown column "${name}" (columns: ${CSV_COLUMNS.join(', ')})`);
    } else if (header.indexOf(name) !== index) problems.push(`row 1: column "${name}" appears twice`);
  });
  for (const name of REQUIRED) if (!header.includes(name)) problems.push(`row 1: the column "${name}" is missing`);
  if (problems.length > 0) throw csvProblem(origin, problems.join('; '));
  return header;
}

function setValue(target: Record<string, unknown>, path: string, value: unknown): void {
  const [head = '', tail] = path.split('.');
  if (tail === undefined) target[head] = value;
  else target[head] = { ...(target[head] ?? {}), [tail]: value };
}

type Row = { readonly record: string[]; readonly row: number };

/** The cells of every row: set columns gathered once (a differing repeat is a problem), figures one per row. */
function collectRows(header: readonly string[], rows: readonly Row[]) {
  const problems: string[] = [];
  const setCells = new Map<SetColumn, Cell>();
  const values = rows.map(({ record, row }) => {
    const value: Record<string, unknown> = {};
    header.forEach((column, index) => {
      const text = record[index] ?? '';
      if (text === '') return;
      if (column in SET_COLUMNS) {
        const seen = setCells.get(column as SetColumn);
        if (!seen) setCells.set(column as SetColumn, { row, text });
        else if (seen.text !== text) {
          problems.push(`row ${row}, column ${column}: "${text}" differs from "${seen.text}" in row ${seen.row}`);
        }
      } else if (column === 'value') {
        if (NUMBER.test(text)) value.value = Number(text);
        else problems.push(`row ${row}, column value: "${text}" is not a number (use a point for decimals, no unit)`);
      } else if (column === 'attributes') {
        try {
          value.attributes = JSON.parse(text) as unknown;
        } catch {
          problems.push(`row ${row}, column attributes: not a JSON object`);
        }
      } else value[VALUE_COLUMNS[column as ValueColumn]] = text;
    });
    return value;
  });
  return { problems, setCells, values };
}

/**
 * Turns a CSV into a set document and validates it like any other; every problem names its row and
 * column ("row 4, column value: must be > 0").
 */
export function parseReferenceSetCsv(textInput: string, origin: string): ReferenceSetDocument {
  const records = readRecords(textInput, origin);
  const first = records[0];
  if (!first) throw csvProblem(origin, 'the file is empty');
  const header = headerOf(first.record, origin);
  const rows = records.slice(1);
  if (rows.length === 0) throw csvProblem(origin, 'no figure rows below the header');
  const { problems, setCells, values } = collectRows(header, rows);
  if (problems.length > 0) throw csvProblem(origin, problems.join('; '));

  const document: Record<string, unknown> = { values };
  for (const [column, cell] of setCells) setValue(document, SET_COLUMNS[column], cell.text);
  const firstRow = rows[0]!.row;
  const locate = (field: string): string => {
    const match = /^values\.(\d+)(?:\.(\w+))?/.exec(field);
    if (match) {
      const row = rows[Number(match[1])]?.row ?? firstRow;
      return match[2] ? `row ${row}, column ${columnOfField.get(match[2]) ?? match[2]}` : `row ${row}`;
    }
    const column = columnOfField.get(field);
    if (column) return `row ${setCells.get(column as SetColumn)?.row ?? firstRow}, column ${column}`;
    return field;
  };
  return parseReferenceSet(document, origin, locate);
}

/**
 * Formula-looking text ("=…", "+…", "@…") is opened by a spreadsheet as a formula; a leading
 * apostrophe keeps it text (OWASP, CSV injection). Numbers never start so here: values are positive.
 */
const defuse = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/** A stored edition in the import layout, every row complete: what is exported can be imported again. */
export function referenceSetCsv(detail: ReferenceSetDetail): string {
  const { set } = detail;
  const setCells: Record<SetColumn, string> = {
    set_key: set.setKey,
    kind: set.kind,
    title: set.title,
    publisher: set.publisher,
    edition: set.edition,
    effective_from: set.effectiveFrom ?? '',
    source_title: set.sourceTitle,
    source_url: set.sourceUrl ?? '',
    trust_code: set.trustCode ?? '',
  };
  const rows = detail.values.map((v) => {
    const cells: Record<ValueColumn, string> = {
      value_key: v.valueKey,
      modality: v.modality ?? '',
      drl_category: v.drlCategory ?? '',
      body_region: v.bodyRegion ?? '',
      age_band: v.ageBand ?? '',
      quantity: v.quantity,
      value: String(v.value),
      status: v.status,
      status_note: v.statusNote ?? '',
      attributes: Object.keys(v.attributes).length > 0 ? JSON.stringify(v.attributes) : '',
    };
    const all: Record<string, string> = { ...setCells, ...cells };
    return CSV_COLUMNS.map((column) => (column === 'value' ? all[column]! : defuse(all[column] ?? '')));
  });
  return stringify([CSV_COLUMNS, ...rows]);
}
