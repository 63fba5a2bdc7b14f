import { CsvError, parse } from 'csv-parse/sync';
import { ValidationError } from '../../core/index.ts';
import type { ColumnMapping, MatchKey } from './types.ts';

/** A CSV file as records, each with the line it starts on (what a spreadsheet shows as its row). */
export interface CsvTable {
  readonly header: readonly string[] | undefined;
  readonly records: ReadonlyArray<{ readonly line: number; readonly cells: readonly string[] }>;
  readonly columnCount: number;
  readonly delimiter: string;
}

const DELIMITERS = [',', ';', '\t'] as const;

/**
 * RIS exports are comma-separated in the UK and semicolon-separated where the decimal mark is a
 * comma (and tab-separated when pasted from a spreadsheet): the first line's most frequent of the
 * three decides, outside quotes.
 */
export function detectDelimiter(text: string): string {
  const firstLine = (text.split(/\r?\n/, 1)[0] ?? '').replace(/"[^"]*"/g, '');
  let best: string = ',';
  let bestCount = 0;
  for (const candidate of DELIMITERS) {
    const count = firstLine.split(candidate).length - 1;
    if (count > bestCount) [best, bestCount] = [candidate, count];
  }
  return best;
}

const isBlank = (cells: readonly string[]): boolean => cells.every((c) => c === '');

/**
 * Reads a CSV file. Blank lines and rows of empty cells (a spreadsheet's trailing ",,,") carry
 * nothing and are left out; every other record is kept with its starting line, so each can be
 * reported by the row number the user sees. Malformed CSV (an unclosed quote) is a 400 naming the line.
 */
export function readCsv(
  input: Buffer | string,
  options: { header: boolean; delimiter?: string | undefined },
): CsvTable {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const delimiter = options.delimiter ?? detectDelimiter(text.replace(/^\uFEFF/, ''));
  let parsed: Array<{ record: string[]; info: { lines: number } }>;
  try {
    parsed = parse(text, {
      bom: true,
      delimiter,
      info: true,
      relax_column_count: true,
      // Kept so that each record starts on the line after the previous one ended (row numbers).
      skip_empty_lines: false,
      trim: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (error) {
    if (error instanceof CsvError) throw new ValidationError(`the file is not valid CSV: ${error.message}`);
    throw error;
  }
  const records: Array<{ line: number; cells: string[] }> = [];
  let nextLine = 1;
  for (const { record, info } of parsed) {
    if (!isBlank(record)) records.push({ line: nextLine, cells: record });
    nextLine = info.lines + 1;
  }
  const first = options.header ? records.shift() : undefined;
  if (options.header && !first) throw new ValidationError('the file is empty: no header row');
  const columnCount = Math.max(first?.cells.length ?? 0, ...records.map((r) => r.cells.length));
  return { header: first?.cells, records, columnCount, delimiter };
}

/** Header text or "column N" for a 0-based index: how columns are offered and named back. */
export function columnLabel(table: Pick<CsvTable, 'header'>, index: number): string {
  const name = table.header?.[index];
  return name ? name : `column ${index + 1}`;
}

/**
 * The 0-based index of a column named by its header text (case-insensitive) or its 1-based number.
 * An unknown name is a 400 that lists the columns there are (header names, never data).
 */
export function columnIndex(table: CsvTable, ref: string, what: string): number {
  const wanted = ref.trim();
  if (/^\d+$/.test(wanted)) {
    const n = Number(wanted);
    if (n >= 1 && n <= table.columnCount) return n - 1;
  } else if (table.header) {
    const index = table.header.findIndex((h) => h.toLowerCase() === wanted.toLowerCase());
    if (index >= 0) return index;
  }
  const columns = Array.from({ length: table.columnCount }, (_, i) => columnLabel(table, i));
  throw new ValidationError(
    `no column "${wanted}" for the ${what}; the file's columns are ${columns.map((c) => `"${c}"`).join(', ')}`,
  );
}

/** Header names a RIS export commonly uses; the first column matching each is offered by default. */
const GUESSES = {
  accession: /accession|^acc(\.|\s|_)?(no|num|number)?$/i,
  studyUid: /study.?instance.?uid|^study.?uid$/i,
  height: /height|stature|^(patient.?)?size$/i,
  weight: /weight|mass/i,
  trust: /^trust|^site.?code$/i,
} as const;

export interface GuessedColumns {
  readonly match?: MatchKey;
  readonly keyColumn?: string;
  readonly heightColumn?: string;
  readonly weightColumn?: string;
  readonly trustColumn?: string;
}

/** The columns a header suggests (only with a header: numbers alone say nothing). */
export function guessColumns(header: readonly string[] | undefined): GuessedColumns {
  if (!header) return {};
  const find = (pattern: RegExp): string | undefined => header.find((h) => pattern.test(h.trim()));
  const accession = find(GUESSES.accession);
  const studyUid = find(GUESSES.studyUid);
  const key: GuessedColumns =
    accession !== undefined
      ? { match: 'accession', keyColumn: accession }
      : studyUid !== undefined
        ? { match: 'study-uid', keyColumn: studyUid }
        : {};
  const height = find(GUESSES.height);
  const weight = find(GUESSES.weight);
  const trust = find(GUESSES.trust);
  return {
    ...key,
    ...(height !== undefined ? { heightColumn: height } : {}),
    ...(weight !== undefined ? { weightColumn: weight } : {}),
    ...(trust !== undefined ? { trustColumn: trust } : {}),
  };
}

/** A mapping as a caller gives it: columns it leaves out are guessed from the header; "none" says there is none. */
export type MappingInput = Partial<ColumnMapping> & Pick<ColumnMapping, 'heightUnit' | 'header'>;

/** Says "this file has no such column", so a guess does not bring back a column the user left out. */
export const NO_COLUMN = 'none';

const chosen = (given: string | undefined, guessed: string | undefined): string | undefined =>
  given === NO_COLUMN ? undefined : (given ?? guessed);

/**
 * Completes a mapping from the header's guesses and checks it: a key column, and a height or a
 * weight column, each existing in the file. A key column given without saying what it holds is
 * read as Study Instance UIDs when its header says so, as accession numbers otherwise.
 */
export function completeMapping(table: CsvTable, input: MappingInput): ColumnMapping {
  const guess = guessColumns(table.header);
  const keyColumn = chosen(input.keyColumn, guess.keyColumn);
  if (keyColumn === undefined) {
    throw new ValidationError('say which column holds the accession number or Study Instance UID');
  }
  const keyIndex = columnIndex(table, keyColumn, 'accession number or Study Instance UID');
  const keyName = table.header?.[keyIndex] ?? '';
  const match = input.match ?? (GUESSES.studyUid.test(keyName.trim()) ? 'study-uid' : 'accession');
  const heightColumn = chosen(input.heightColumn, guess.heightColumn);
  const weightColumn = chosen(input.weightColumn, guess.weightColumn);
  if (heightColumn === undefined && weightColumn === undefined) {
    throw new ValidationError('say which column holds the height or the weight');
  }
  // A trust column only matters for accession numbers, which are unique only within their trust.
  const trustColumn = match === 'accession' ? chosen(input.trustColumn, guess.trustColumn) : undefined;
  if (heightColumn !== undefined) columnIndex(table, heightColumn, 'height');
  if (weightColumn !== undefined) columnIndex(table, weightColumn, 'weight');
  if (trustColumn !== undefined) columnIndex(table, trustColumn, 'trust');
  return {
    match,
    keyColumn,
    heightColumn,
    weightColumn,
    trustColumn,
    heightUnit: input.heightUnit,
    header: input.header,
    delimiter: table.delimiter,
  };
}
