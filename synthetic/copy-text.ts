import type { Column } from '../ingest/index.ts';

/**
 * PostgreSQL COPY text format (PostgreSQL documentation, COPY, "Text Format"): one line per row,
 * tab-separated, `\N` for NULL, backslash escapes for backslash, tab, newline and carriage return.
 */
type Cell = string | number | boolean | null | undefined;

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function text(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] ?? c) : value;
}

function cellText(cell: Cell): string {
  if (cell === undefined || cell === null) return '\\N';
  if (typeof cell === 'boolean') return cell ? 't' : 'f';
  if (typeof cell === 'number') return String(cell);
  return text(cell);
}

/** A row given as cells in the order of the COPY's column list. */
export function copyLine(cells: readonly Cell[]): string {
  return `${cells.map(cellText).join('\t')}\n`;
}

/** A text[] value as an array literal, every element quoted (a modality list may hold 'RF,DX'). */
const arrayLiteral = (values: readonly string[]): string =>
  `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

/** The value of one column, typed by the store's column list: jsonb as JSON, text[] as an array literal. */
function columnText(column: Column, value: unknown): string {
  if (value === undefined || value === null) return '\\N';
  if (column.type === 'jsonb') return text(JSON.stringify(value));
  if (column.type === 'text[]') return text(arrayLiteral(value as string[]));
  return cellText(value as Cell);
}

/** A row given as a record of the store (keyed by column name), written in the order of `columns`. */
export function copyRecord(columns: readonly Column[], record: object): string {
  const values = record as Record<string, unknown>;
  return `${columns.map((c) => columnText(c, values[c.name])).join('\t')}\n`;
}
