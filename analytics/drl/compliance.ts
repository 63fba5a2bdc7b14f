import type { QueryRunner } from '../../core/index.ts';
import { CURRENT_REFERENCE_CTES, SqlParameters } from '../dose-metrics/index.ts';
import { referenceLevelsById } from './reference-levels.ts';
import { roomStatisticsCtes } from './room-statistics-sql.ts';
import {
  QUANTITY_UNITS,
  type ComplianceQuery,
  type DrlQuantity,
  type ProcedureCompliance,
  type QuantityCompliance,
  type ReferenceLevel,
  type RoomStatistics,
} from './types.ts';

interface Row {
  standard_procedure_code: string;
  name: string;
  modality: string;
  drl_category: string;
  quantity: DrlQuantity;
  device_id: string;
  room: string;
  trust_code: string;
  sample_size: number;
  studies: number;
  q: number[];
  meets_minimum_sample: boolean;
  national_id: string | null;
  local_id: string | null;
  third_quartile: number | null;
  rooms_in_quartile: number;
}

/**
 * Each room's distribution per standard procedure and DRL quantity over the caller's studies (their
 * trusts, the study browser's filters), against the current national DRL and the local DRL of the
 * room's trust (else the consortium's). The third quartile of the room medians is the local DRL
 * these rooms would set (ICRP 135); it is computed over the rooms shown.
 */
export async function drlCompliance(db: QueryRunner, query: ComplianceQuery): Promise<ProcedureCompliance[]> {
  const p = new SqlParameters();
  const conditions = [`s.trust_id = ANY(${p.add(query.trustIds)}::bigint[])`, ...query.conditions(p)];
  const text = `
    WITH ${CURRENT_REFERENCE_CTES}, ${roomStatisticsCtes(p, conditions, query.weightBand, query.minSample)}
    SELECT rs.standard_procedure_code, sp.name, sp.modality, sp.drl_category, rs.quantity, rs.device_id,
           coalesce(d.room_name, d.station_name, 'device ' || d.device_id) AS room, coalesce(t.code, '') AS trust_code,
           rs.sample_size, rs.studies, rs.q, rs.meets_minimum_sample,
           n.reference_value_id AS national_id, l.reference_value_id AS local_id,
           rq.third_quartile, rq.rooms AS rooms_in_quartile
    FROM room_stats rs
    JOIN standard_procedures sp ON sp.code = rs.standard_procedure_code
    JOIN devices d ON d.device_id = rs.device_id
    LEFT JOIN trusts t ON t.trust_id = d.trust_id
    JOIN room_quartiles rq ON rq.standard_procedure_code = rs.standard_procedure_code AND rq.quantity = rs.quantity
    LEFT JOIN national_drls n ON n.drl_category = sp.drl_category AND n.quantity = rs.quantity
    LEFT JOIN LATERAL (SELECT l.reference_value_id FROM local_drls l
                       WHERE l.drl_category = sp.drl_category AND l.quantity = rs.quantity
                         AND (l.set_trust_id = d.trust_id OR l.set_trust_id IS NULL)
                       ORDER BY l.set_trust_id IS NULL LIMIT 1) l ON true
    ORDER BY sp.name, sp.code, rs.quantity, room, rs.device_id`;
  const { rows } = await db.query<Row>({ text, values: p.values });
  const levels = await referenceLevelsById(
    db,
    rows.flatMap((r) => [r.national_id, r.local_id].map((id) => (id === null ? null : Number(id)))),
  );
  return shape(rows, levels);
}

const level = (levels: Map<number, ReferenceLevel>, id: string | null) =>
  id === null ? null : (levels.get(Number(id)) ?? null);

function roomOf(r: Row, national: ReferenceLevel | null, local: ReferenceLevel | null): RoomStatistics {
  const [minimum, firstQuartile, median, thirdQuartile, maximum] = r.q as [number, number, number, number, number];
  const ratio = (l: ReferenceLevel | null) => (l && l.value > 0 ? median / l.value : null);
  const aboveNational = national ? median > national.value : null;
  return {
    deviceId: Number(r.device_id),
    room: r.room,
    trustCode: r.trust_code,
    sampleSize: r.sample_size,
    studies: r.studies,
    minimum,
    firstQuartile,
    median,
    thirdQuartile,
    maximum,
    meetsMinimumSample: r.meets_minimum_sample,
    ratioToNational: ratio(national),
    aboveNational,
    finding: aboveNational === true && r.meets_minimum_sample,
    localDrl: local,
    ratioToLocal: ratio(local),
    aboveLocal: local ? median > local.value : null,
  };
}

function shape(rows: readonly Row[], levels: Map<number, ReferenceLevel>): ProcedureCompliance[] {
  const procedures = new Map<string, { head: Row; quantities: Map<DrlQuantity, Row[]> }>();
  for (const r of rows) {
    const entry = procedures.get(r.standard_procedure_code) ?? { head: r, quantities: new Map<DrlQuantity, Row[]>() };
    procedures.set(r.standard_procedure_code, entry);
    entry.quantities.set(r.quantity, [...(entry.quantities.get(r.quantity) ?? []), r]);
  }
  return [...procedures.values()].map(({ head, quantities }) => ({
    standardProcedureCode: head.standard_procedure_code,
    name: head.name,
    modality: head.modality,
    drlCategory: head.drl_category,
    quantities: [...quantities.entries()].map(([quantity, roomRows]): QuantityCompliance => {
      const national = level(levels, roomRows[0]!.national_id);
      return {
        quantity,
        ...QUANTITY_UNITS[quantity],
        nationalDrl: national,
        roomMediansThirdQuartile: roomRows[0]!.third_quartile,
        roomsInThirdQuartile: roomRows[0]!.rooms_in_quartile,
        rooms: roomRows.map((r) => roomOf(r, national, level(levels, r.local_id))),
      };
    }),
  }));
}
