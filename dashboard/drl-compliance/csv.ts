import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import type { LocalDrlReport } from '../../analytics/index.ts';
import type { ComplianceReport } from './service.ts';

/** A cell a spreadsheet would run as a formula (room names come from devices) is quoted as text. */
const defuseFormula = (value: string): string => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

function send(
  res: Response,
  name: string,
  records: readonly Record<string, unknown>[],
  columns: readonly string[],
): void {
  const text = stringify(records as Record<string, unknown>[], {
    header: true,
    columns: [...columns],
    cast: { string: defuseFormula, boolean: (value) => (value ? 'true' : 'false') },
  });
  res
    .status(200)
    .type('text/csv; charset=utf-8')
    .set('Cache-Control', 'no-store')
    .attachment(`${name}-${new Date().toISOString().slice(0, 10)}.csv`)
    .send(text);
}

const COMPLIANCE_COLUMNS = [
  'periodFrom',
  'periodTo',
  'standardProcedureCode',
  'procedureName',
  'drlCategory',
  'quantity',
  'unit',
  'basis',
  'trustCode',
  'room',
  'deviceId',
  'sampleSize',
  'studies',
  'meetsMinimumSample',
  'minimum',
  'firstQuartile',
  'median',
  'thirdQuartile',
  'maximum',
  'nationalDrl',
  'nationalDrlReferenceValueId',
  'nationalDrlSource',
  'nationalDrlStatus',
  'ratioToNational',
  'aboveNational',
  'finding',
  'localDrl',
  'localDrlReferenceValueId',
  'ratioToLocal',
  'aboveLocal',
  'roomMediansThirdQuartile',
  'studiesUrl',
] as const;

/** One row per procedure, quantity and room: the JSON answer flattened, with the same names. */
export function sendComplianceCsv(res: Response, report: ComplianceReport): void {
  const records = report.procedures.flatMap((p) =>
    p.quantities.flatMap((q) =>
      q.rooms.map((r) => ({
        periodFrom: report.period.from,
        periodTo: report.period.to,
        standardProcedureCode: p.standardProcedureCode,
        procedureName: p.name,
        drlCategory: p.drlCategory,
        quantity: q.quantity,
        unit: q.unit,
        basis: q.basis,
        trustCode: r.trustCode,
        room: r.room,
        deviceId: r.deviceId,
        sampleSize: r.sampleSize,
        studies: r.studies,
        meetsMinimumSample: r.meetsMinimumSample,
        minimum: r.minimum,
        firstQuartile: r.firstQuartile,
        median: r.median,
        thirdQuartile: r.thirdQuartile,
        maximum: r.maximum,
        nationalDrl: q.nationalDrl?.value,
        nationalDrlReferenceValueId: q.nationalDrl?.referenceValueId,
        nationalDrlSource: q.nationalDrl ? `${q.nationalDrl.setTitle} (${q.nationalDrl.edition})` : undefined,
        nationalDrlStatus: q.nationalDrl?.status,
        ratioToNational: r.ratioToNational,
        aboveNational: r.aboveNational,
        finding: r.finding,
        localDrl: r.localDrl?.value,
        localDrlReferenceValueId: r.localDrl?.referenceValueId,
        ratioToLocal: r.ratioToLocal,
        aboveLocal: r.aboveLocal,
        roomMediansThirdQuartile: q.roomMediansThirdQuartile,
        studiesUrl: r.studiesUrl,
      })),
    ),
  );
  send(res, 'kerma-drl-compliance', records, COMPLIANCE_COLUMNS);
}

const LOCAL_COLUMNS = [
  'runId',
  'computedAt',
  'periodFrom',
  'periodTo',
  'standardProcedureCode',
  'procedureName',
  'quantity',
  'unit',
  'basis',
  'localDrl',
  'rooms',
  'roomsBelowMinimum',
  'nationalDrl',
  'nationalDrlReferenceValueId',
  'trustCode',
  'room',
  'deviceId',
  'sampleSize',
  'median',
  'meetsMinimumSample',
  'ratioToNational',
  'finding',
] as const;

/** One row per local DRL and room of the caller's trusts (a local DRL without such a room: one row). */
export function sendLocalDrlCsv(res: Response, report: LocalDrlReport | undefined): void {
  const records = (report?.localDrls ?? []).flatMap((l) => {
    const base = {
      runId: report!.run.runId,
      computedAt: report!.run.computedAt,
      periodFrom: report!.run.periodFrom,
      periodTo: report!.run.periodTo,
      standardProcedureCode: l.standardProcedureCode,
      procedureName: l.name,
      quantity: l.quantity,
      unit: l.unit,
      basis: l.basis,
      localDrl: l.localDrl,
      rooms: l.rooms,
      roomsBelowMinimum: l.roomsBelowMinimum,
      nationalDrl: l.nationalDrl?.value,
      nationalDrlReferenceValueId: l.nationalDrl?.referenceValueId,
    };
    if (l.roomMedians.length === 0) return [base];
    return l.roomMedians.map((m) => ({
      ...base,
      trustCode: m.trustCode,
      room: m.room,
      deviceId: m.deviceId,
      sampleSize: m.sampleSize,
      median: m.median,
      meetsMinimumSample: m.meetsMinimumSample,
      ratioToNational: m.ratioToNational,
      finding: m.finding,
    }));
  });
  send(res, 'kerma-local-drls', records, LOCAL_COLUMNS);
}
