import type { DrlQuantity, ReferenceLevel } from '../../analytics/index.ts';
import type { SortKey } from './query.ts';
import type { ComplianceReport, RoomWithStudies } from './service.ts';

/** One line of the page's table: a room's figures for one procedure and quantity. */
export interface ComplianceRow {
  readonly key: string;
  readonly procedureCode: string;
  readonly procedureName: string;
  readonly quantity: DrlQuantity;
  readonly unit: string;
  readonly basis: string;
  readonly nationalDrl: ReferenceLevel | null;
  readonly room: RoomWithStudies;
}

export function rowsOf(report: ComplianceReport): ComplianceRow[] {
  return report.procedures.flatMap((p) =>
    p.quantities.flatMap((q) =>
      q.rooms.map((room) => ({
        key: `${p.standardProcedureCode}/${q.quantity}/${room.deviceId}`,
        procedureCode: p.standardProcedureCode,
        procedureName: p.name,
        quantity: q.quantity,
        unit: q.unit,
        basis: q.basis,
        nationalDrl: q.nationalDrl,
        room,
      })),
    ),
  );
}

const VALUE: Record<SortKey, (r: ComplianceRow) => string | number> = {
  procedure: (r) => `${r.procedureName}\u0000${r.quantity}\u0000${r.room.room}`,
  room: (r) => `${r.room.room}\u0000${r.procedureName}\u0000${r.quantity}`,
  n: (r) => r.room.sampleSize,
  median: (r) => r.room.median,
  // Rooms without a national DRL sort after every ratio, in either direction.
  ratio: (r) => r.room.ratioToNational ?? Number.NEGATIVE_INFINITY,
};

export function sortRows(rows: readonly ComplianceRow[], key: SortKey, direction: 'asc' | 'desc'): ComplianceRow[] {
  const sign = direction === 'asc' ? 1 : -1;
  const value = VALUE[key];
  return [...rows].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (x === y) return a.key.localeCompare(b.key);
    return sign * (x < y ? -1 : 1);
  });
}

/** The figures as a reader writes them: up to 3 significant decimals, grouped thousands. */
export function formatFigure(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export const QUANTITY_LABELS: Readonly<Record<DrlQuantity, string>> = {
  ctdivol_mgy: 'CTDIvol per sequence',
  dlp_mgycm: 'DLP per exam',
  dap_gycm2: 'DAP per exam',
};
