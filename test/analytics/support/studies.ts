import { randomUUID } from 'node:crypto';
import { sql, type QueryRunner } from '../../../core/index.ts';

/**
 * Studies written straight into the tables, with exactly the figures a worked example states (the
 * ingest path is tested on its own; here the arithmetic is the subject). Identities are made up.
 */

export async function addTrust(db: QueryRunner, code: string): Promise<number> {
  const { rows } = await db.query<{ id: string }>(sql`
    INSERT INTO trusts (code, name) VALUES (${code}, ${`${code} test trust`})
    ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name RETURNING trust_id AS id`);
  return Number(rows[0]!.id);
}

export async function addDevice(db: QueryRunner, trustId: number, station: string): Promise<number> {
  const { rows } = await db.query<{ id: string }>(sql`
    INSERT INTO devices (fingerprint, trust_id, manufacturer, station_name, room_name)
    VALUES (${randomUUID()}, ${trustId}, 'TEST', ${station}, ${station}) RETURNING device_id AS id`);
  return Number(rows[0]!.id);
}

export async function addProcedure(
  db: QueryRunner,
  p: { code: string; name: string; modality: string; bodyRegion: string; drlCategory: string | null },
): Promise<void> {
  await db.query(sql`
    INSERT INTO standard_procedures (code, name, modality, body_region, drl_category)
    VALUES (${p.code}, ${p.name}, ${p.modality}, ${p.bodyRegion}, ${p.drlCategory})
    ON CONFLICT (code) DO NOTHING`);
}

export interface TestEvent {
  readonly kind: 'ct' | 'projection' | 'radiopharmaceutical';
  readonly ctdivolMgy?: number;
  readonly dlpMgyCm?: number;
  readonly dapGyCm2?: number;
  readonly activityMbq?: number;
  readonly protocol?: string;
  readonly targetRegion?: string;
  readonly details?: Record<string, unknown>;
}

export interface TestStudy {
  readonly trustId: number;
  readonly deviceId: number | null;
  readonly modality: string;
  /** UTC ISO instant. */
  readonly time: string;
  readonly procedure?: string | null;
  readonly ageYears?: number | null;
  readonly weightKg?: number | null;
  readonly dlpMgyCm?: number | null;
  readonly dapGyCm2?: number | null;
  readonly notPatient?: boolean;
  readonly description?: string;
  readonly events?: readonly TestEvent[];
}

/** The body-phantom code an RDSR gives a CT event (DCM 113691, IEC Body Dosimetry Phantom). */
export const BODY_PHANTOM = { value: '113691', scheme: 'DCM', meaning: 'IEC Body Dosimetry Phantom' };
export const HEAD_PHANTOM = { value: '113690', scheme: 'DCM', meaning: 'IEC Head Dosimetry Phantom' };

export async function addStudy(db: QueryRunner, s: TestStudy): Promise<number> {
  const events = s.events ?? [];
  const { rows } = await db.query<{ id: string }>(sql`
    INSERT INTO studies (study_instance_uid, trust_id, device_id, modality, study_datetime, study_description,
                         patient_age_years, patient_weight_kg, total_dlp_mgycm, total_dap_gycm2,
                         standard_procedure_code, not_patient, event_count, modalities)
    VALUES (${`2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`}, ${s.trustId}, ${s.deviceId},
            ${s.modality}, ${s.time}, ${s.description ?? null}, ${s.ageYears ?? null}, ${s.weightKg ?? null},
            ${s.dlpMgyCm ?? null}, ${s.dapGyCm2 ?? null}, ${s.procedure ?? null}, ${s.notPatient ?? false},
            ${events.length}, ${[s.modality]})
    RETURNING study_id AS id`);
  const studyId = Number(rows[0]!.id);
  for (const [i, e] of events.entries()) {
    const at = new Date(Date.parse(s.time) + i * 60_000).toISOString();
    await db.query(sql`
      INSERT INTO irradiation_events (occurred_at, study_id, irradiation_event_uid, modality, event_kind,
                                      acquisition_protocol, target_region, ctdivol_mgy, dlp_mgycm, dap_gycm2,
                                      administered_activity_mbq, details)
      VALUES (${at}, ${studyId}, ${`${studyId}.${i}`}, ${s.modality}, ${e.kind}, ${e.protocol ?? null},
              ${e.targetRegion ?? null}, ${e.ctdivolMgy ?? null}, ${e.dlpMgyCm ?? null}, ${e.dapGyCm2 ?? null},
              ${e.activityMbq ?? null}, ${JSON.stringify(e.details ?? {})})`);
  }
  return studyId;
}
