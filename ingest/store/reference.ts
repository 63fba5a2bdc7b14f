import { createHash } from 'node:crypto';
import { sql, type QueryRunner } from '../../core/index.ts';
import type { DeviceInfo } from '../extract/types.ts';
import type { PatientKey, TrustIdentityRules } from '../pipeline/patient-identity.ts';

/** SQL of the reference rows a study hangs on: trust, device (room) and patient. */
export interface Trust extends TrustIdentityRules {
  readonly trustId: number;
  readonly code: string;
}

export async function findTrust(db: QueryRunner, code: string): Promise<Trust | undefined> {
  const { rows } = await db.query<{
    trust_id: number;
    code: string;
    nhs_number_source: Trust['nhsNumberSource'];
    nhs_number_issuer: string | null;
    local_id_issuer: string | null;
  }>(
    sql`SELECT trust_id, code, nhs_number_source, nhs_number_issuer, local_id_issuer FROM trusts WHERE code = ${code}`,
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    trustId: row.trust_id,
    code: row.code,
    nhsNumberSource: row.nhs_number_source,
    nhsNumberIssuer: row.nhs_number_issuer ?? undefined,
    localIdIssuer: row.local_id_issuer ?? row.code,
  };
}

/** The identity of a unit as it reports itself; the same unit sending again maps to the same row. */
export function deviceFingerprint(device: DeviceInfo): string {
  const parts = [
    device.manufacturer,
    device.manufacturerModelName,
    device.stationName,
    device.deviceSerialNumber,
    device.deviceObserverUid,
  ];
  return createHash('sha256')
    .update(parts.map((p) => (p ?? '').trim().toLowerCase()).join('\u001f'))
    .digest('hex');
}

/** Name shown for a room until a physicist renames it: institution and station, as sent. */
export function defaultRoomName(device: DeviceInfo): string {
  return (
    [device.institutionName, device.stationName].filter(Boolean).join(' ') ||
    device.manufacturerModelName ||
    'Unnamed device'
  );
}

/**
 * Finds or creates the device row without locking it: the row is referenced by every study of the
 * room, and a lock held to the end of one ingest transaction would block (and, with the patient
 * locks, deadlock) concurrent ingests from the same room.
 */
export async function upsertDevice(db: QueryRunner, device: DeviceInfo, trustId: number): Promise<number> {
  const fingerprint = deviceFingerprint(device);
  const inserted = await db.query<{ device_id: number }>(sql`
    INSERT INTO devices (fingerprint, trust_id, manufacturer, model_name, station_name, serial_number, software_versions,
                         device_observer_uid, institution_name, department_name, room_name)
    VALUES (${fingerprint}, ${trustId}, ${device.manufacturer ?? null}, ${device.manufacturerModelName ?? null},
            ${device.stationName ?? null}, ${device.deviceSerialNumber ?? null}, ${device.softwareVersions ?? null},
            ${device.deviceObserverUid ?? null}, ${device.institutionName ?? null}, ${device.institutionalDepartmentName ?? null},
            ${defaultRoomName(device)})
    ON CONFLICT (fingerprint) DO NOTHING
    RETURNING device_id`);
  if (inserted.rows[0]) return inserted.rows[0].device_id;
  const existing = await db.query<{ device_id: number }>(
    sql`SELECT device_id FROM devices WHERE fingerprint = ${fingerprint}`,
  );
  return existing.rows[0]?.device_id ?? 0;
}

/** Outside any ingest transaction, and at most once a minute per device (see the service's cache). */
export async function touchDevice(
  db: QueryRunner,
  deviceId: number,
  softwareVersions: string | undefined,
): Promise<void> {
  await db.query(sql`
    UPDATE devices SET last_seen_at = now(), software_versions = COALESCE(${softwareVersions ?? null}, software_versions)
    WHERE device_id = ${deviceId}`);
}

/**
 * Finds the patient any of the keys already names (the NHS number key first, so a local MRN seen at
 * another trust joins the regional patient), creates one otherwise, and records keys not yet known.
 */
export async function resolvePatient(
  db: QueryRunner,
  keys: readonly PatientKey[],
  trustId: number,
  facts: { birthYear: number | undefined; sex: string | undefined },
): Promise<number | undefined> {
  if (keys.length === 0) return undefined;
  const hashes = keys.map((k) => k.hash);
  // The common case, a patient seen before with every key known, needs no lock: a busy room sends
  // many objects of one patient, and serialising those would serialise the whole ingest.
  const known = await patientsByKey(db, hashes);
  const knownPatients = new Set(known.values());
  if (known.size === hashes.length && knownPatients.size === 1) return [...knownPatients][0];
  // Two objects of a new patient arriving together (on any instance) must not create two patients:
  // serialise on the keys, always in the same order so that no two transactions deadlock.
  for (const hash of [...hashes].sort()) {
    await db.query(sql`SELECT pg_advisory_xact_lock(hashtextextended(${hash}, 0))`);
  }
  const byHash = await patientsByKey(db, hashes);
  let patientId = keys.map((k) => byHash.get(k.hash)).find((id) => id !== undefined);
  if (patientId === undefined) {
    const created = await db.query<{ patient_id: number }>(
      sql`INSERT INTO patients (birth_year, sex) VALUES (${facts.birthYear ?? null}, ${facts.sex ?? null}) RETURNING patient_id`,
    );
    patientId = created.rows[0]?.patient_id ?? 0;
  }
  for (const key of keys) {
    if (byHash.has(key.hash)) continue;
    await db.query(sql`
      INSERT INTO patient_identifiers (identifier_hash, patient_id, kind, trust_id)
      VALUES (${key.hash}, ${patientId}, ${key.kind}, ${key.kind === 'local' ? trustId : null})
      ON CONFLICT (identifier_hash) DO NOTHING`);
  }
  return patientId;
}

async function patientsByKey(db: QueryRunner, hashes: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ patient_id: number; identifier_hash: string }>(
    sql`SELECT patient_id, identifier_hash FROM patient_identifiers WHERE identifier_hash = ANY(${hashes}::text[])`,
  );
  return new Map(rows.map((r) => [r.identifier_hash, r.patient_id]));
}
