import { columnIndex, type CsvTable } from './csv.ts';
import {
  HEIGHT_RANGE_M,
  WEIGHT_RANGE_KG,
  type ColumnMapping,
  type RowProblem,
  type RowProblemCode,
  type SizeRow,
} from './types.ts';

/**
 * A decimal as RIS exports write it: "1.72", "172", or with a decimal comma ("1,72") where that is
 * the custom. Undefined for an empty cell (no value), NaN for anything else (reported, not guessed).
 */
export function parseDecimal(cell: string | undefined): number | undefined {
  const text = (cell ?? '').trim();
  if (text === '') return undefined;
  if (!/^\+?(\d+([.,]\d*)?|[.,]\d+)$/.test(text)) return Number.NaN;
  return Number(text.replace(',', '.'));
}

const CM_PER_M = 100;

type Quantity = { readonly value: number | undefined } | { readonly problem: RowProblem };

function quantity(
  row: number,
  cell: string | undefined,
  what: 'height' | 'weight',
  toStoreUnit: (n: number) => number,
  range: { readonly min: number; readonly max: number },
  unit: string,
  givenUnit: string,
): Quantity {
  const parsed = parseDecimal(cell);
  if (parsed === undefined) return { value: undefined };
  if (Number.isNaN(parsed)) {
    const code: RowProblemCode = what === 'height' ? 'invalid-height' : 'invalid-weight';
    // The cell is not repeated: a mis-mapped column could hold a name or an identifier.
    return { problem: { row, code, reason: `the ${what} is not a number` } };
  }
  const value = toStoreUnit(parsed);
  if (value < range.min || value > range.max) {
    const code: RowProblemCode = what === 'height' ? 'implausible-height' : 'implausible-weight';
    const hint = what === 'height' ? ' (is the height unit right?)' : '';
    return {
      problem: {
        row,
        code,
        reason: `the ${what} ${parsed} ${givenUnit} is outside ${range.min}–${range.max} ${unit}${hint}`,
      },
    };
  }
  return { value };
}

/**
 * The file's data rows as sizes in store units (metres, kilograms), or the reason a row cannot be
 * used. A row with one implausible value is refused whole: a height in the weight column usually
 * means its other cells are off too. `defaultTrust` is the trust of rows that name none.
 */
export function readSizeRows(
  table: CsvTable,
  mapping: ColumnMapping,
  defaultTrust: string,
): { rows: SizeRow[]; problems: RowProblem[] } {
  const keyAt = columnIndex(table, mapping.keyColumn, 'key');
  const at = (ref: string | undefined, what: string) => (ref === undefined ? undefined : columnIndex(table, ref, what));
  const heightAt = at(mapping.heightColumn, 'height');
  const weightAt = at(mapping.weightColumn, 'weight');
  const trustAt = at(mapping.trustColumn, 'trust');
  // Division rather than multiplication by 0.01: 165 / 100 is exactly the double nearest 1.65.
  const toM = mapping.heightUnit === 'cm' ? (n: number) => n / CM_PER_M : (n: number) => n;
  const rows: SizeRow[] = [];
  const problems: RowProblem[] = [];
  for (const { line, cells } of table.records) {
    const cell = (index: number | undefined) => (index === undefined ? undefined : cells[index]);
    const key = cell(keyAt) ?? '';
    if (key === '') {
      const what = mapping.match === 'accession' ? 'accession number' : 'Study Instance UID';
      problems.push({ row: line, code: 'no-key', reason: `no ${what}` });
      continue;
    }
    const height = quantity(line, cell(heightAt), 'height', toM, HEIGHT_RANGE_M, 'm', mapping.heightUnit);
    const weight = quantity(line, cell(weightAt), 'weight', (n) => n, WEIGHT_RANGE_KG, 'kg', 'kg');
    if ('problem' in height || 'problem' in weight) {
      const refused = ['problem' in height ? height.problem : [], 'problem' in weight ? weight.problem : []].flat();
      // One entry per row, so that rows = applied + unchanged + refused always adds up.
      problems.push({ ...refused[0]!, reason: refused.map((p) => p.reason).join('; ') });
      continue;
    }
    if (height.value === undefined && weight.value === undefined) {
      problems.push({ row: line, code: 'no-size', reason: 'neither a height nor a weight' });
      continue;
    }
    rows.push({
      row: line,
      key,
      trustCode: cell(trustAt) || defaultTrust,
      heightM: height.value,
      weightKg: weight.value,
    });
  }
  return { rows, problems };
}
