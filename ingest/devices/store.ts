import { sql, type QueryRunner } from '../../core/index.ts';
import type { DeviceSummary, SilentRoom } from './types.ts';

/**
 * SQL of the rooms page. Devices are listed by the trust codes of the caller (scoped here, not in the
 * route); a device whose trust is unknown (NULL, rows from before trusts existed) counts as DEFAULT's,
 * as the quarantine does.
 */
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS"Z"'`;

export async function listDevices(db: QueryRunner, trustCodes: readonly string[]): Promise<DeviceSummary[]> {
  // The counts read studies_device_time_idx (device_id, study_datetime) as an index-only scan per device.
  const { rows } = await db.query<DeviceSummary>({
    text: `
    SELECT d.device_id AS "deviceId", COALESCE(t.code, 'DEFAULT') AS "trustCode", COALESCE(t.name, 'Default trust') AS "trustName",
           d.room_name AS "roomName", d.room_name_set_by AS "roomNameSetBy", d.manufacturer, d.model_name AS "modelName",
           d.station_name AS "stationName", d.serial_number AS "serialNumber", d.institution_name AS "institutionName",
           d.department_name AS "departmentName",
           to_char(d.first_seen_at AT TIME ZONE 'UTC', ${ISO}) AS "firstSeenAt",
           to_char(d.last_seen_at AT TIME ZONE 'UTC', ${ISO}) AS "lastSeenAt",
           c.studies, c.last7 AS "studiesLast7Days", c.last30 AS "studiesLast30Days"
      FROM devices d
      LEFT JOIN trusts t ON t.trust_id = d.trust_id
      CROSS JOIN LATERAL (
        SELECT count(*)::int AS studies,
               count(*) FILTER (WHERE s.study_datetime >= now() - interval '7 days')::int AS last7,
               count(*) FILTER (WHERE s.study_datetime >= now() - interval '30 days')::int AS last30
          FROM studies s WHERE s.device_id = d.device_id) c
     WHERE COALESCE(t.code, 'DEFAULT') = ANY($1::text[])
     ORDER BY "trustCode", d.room_name NULLS LAST, d.device_id`,
    values: [trustCodes],
  });
  return rows;
}

/** Rooms of the given trusts whose last object arrived `days` or more days ago, longest silent first. */
export async function silentRooms(db: QueryRunner, trustCodes: readonly string[], days: number): Promise<SilentRoom[]> {
  const { rows } = await db.query<SilentRoom>(sql`
    SELECT d.device_id AS "deviceId", COALESCE(t.code, 'DEFAULT') AS "trustCode", d.room_name AS "roomName",
           d.station_name AS "stationName",
           to_char(d.last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "lastSeenAt",
           floor(extract(epoch FROM now() - d.last_seen_at) / 86400)::int AS "daysSilent"
      FROM devices d
      LEFT JOIN trusts t ON t.trust_id = d.trust_id
     WHERE d.last_seen_at < now() - make_interval(days => ${days}::int)
       AND COALESCE(t.code, 'DEFAULT') = ANY(${trustCodes}::text[])
     ORDER BY d.last_seen_at, d.device_id`);
  return rows;
}

export interface LockedDevice {
  readonly deviceId: number;
  readonly roomName: string | null;
  readonly trustCode: string;
}

/** The device row, locked until the caller's transaction ends, so two changes apply one after the other. */
export async function lockDevice(db: QueryRunner, deviceId: number): Promise<LockedDevice | undefined> {
  const { rows } = await db.query<LockedDevice>(sql`
    SELECT d.device_id AS "deviceId", d.room_name AS "roomName", COALESCE(t.code, 'DEFAULT') AS "trustCode"
      FROM devices d LEFT JOIN trusts t ON t.trust_id = d.trust_id
     WHERE d.device_id = ${deviceId}
       FOR UPDATE OF d`);
  return rows[0];
}

export async function trustIdOf(db: QueryRunner, code: string): Promise<number | undefined> {
  const { rows } = await db.query<{ trust_id: number }>(sql`SELECT trust_id FROM trusts WHERE code = ${code}`);
  return rows[0]?.trust_id;
}

export async function renameRoom(db: QueryRunner, deviceId: number, roomName: string, setBy: string): Promise<void> {
  await db.query(sql`
    UPDATE devices SET room_name = ${roomName}, room_name_set_by = ${setBy}, room_name_set_at = now()
     WHERE device_id = ${deviceId}`);
}

/** Moves the device only: its studies keep the trust that sent them (docs/adr/0009). */
export async function moveDevice(db: QueryRunner, deviceId: number, trustId: number): Promise<void> {
  await db.query(sql`UPDATE devices SET trust_id = ${trustId} WHERE device_id = ${deviceId}`);
}

/** Every trust, for the move form's choices. */
export async function listTrusts(db: QueryRunner): Promise<Array<{ code: string; name: string }>> {
  const { rows } = await db.query<{ code: string; name: string }>(sql`SELECT code, name FROM trusts ORDER BY code`);
  return rows;
}
