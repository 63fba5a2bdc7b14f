import { stringify } from 'csv-stringify/sync';
import type { Response } from 'express';

/**
 * A cell that starts with = + - @ (or a tab or carriage return) is a formula to a spreadsheet; a
 * room name could be made to start so. A leading apostrophe keeps it text (OWASP, CSV injection).
 * Numbers are left alone: a negative number is no formula and must stay a number.
 */
const defuseFormula = (value: string): string => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

export interface CsvColumn<R> {
  readonly header: string;
  readonly value: (row: R) => string | number | null | undefined;
}

/**
 * Sends rows as a CSV attachment. Aggregates are small (series × periods), so the file is built in
 * one piece rather than streamed.
 */
export function sendCsv<R>(res: Response, name: string, columns: readonly CsvColumn<R>[], rows: readonly R[]): void {
  const records = rows.map((row) => columns.map((c) => c.value(row) ?? ''));
  const text = stringify([columns.map((c) => c.header), ...records], { cast: { string: defuseFormula } });
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  res
    .status(200)
    .type('text/csv; charset=utf-8')
    .set('Cache-Control', 'no-store')
    .attachment(`kerma-${name}-${stamp}Z.csv`)
    .send(text);
}
