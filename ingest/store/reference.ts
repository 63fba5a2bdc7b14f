import { createHash } from 'node:crypto';
import { sql, type QueryRunner } from '../../core/index.ts';
import type { DeviceInfo } from '../extract/types.ts';
import type { PatientKey, TrustIdentityRules } from '../pipeline/patient-identity.ts';

/** SQL of the reference rows a study hangs on: trust, device (room) and patient. */
export interface Trust extends TrustIdentityRules {
  readonly trustId: number;
  readonly code: string;
  /** IANA zone of the trust's devices (trusts file), when it differs from KERMA_TIMEZONE. */
  readonly timeZone: string | undefined;
}

export async function findTrust(db: QueryRunner, code: string): Promise<Trust | undefined> {
  const { rows } = await db.query<{
    trust_id: number;
    code: string;
    nhs_number_source: Trust['nhsNumberSource'];
    nhs_number_issuer: string | null;
    local_id_issuer: string | null;
    time_zone: string | null;
  }>(
    sql`SELECT trust_id, code, nhs_number_source, nhs_number_issuer, local_id_issuer, time_zone FROM trusts WHERE code = ${code}`,
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    trustId: row.trust_id,
    code: row.code,
    nhsNumberSource: row.nhs_number_source,
    nhsNumberIssuer: row.nhs_number_issuer ?? undefined,
    localIdIssuer: row.local_id_issuer ?? row.code,
    timeZone: row.time_zone ?? undefined,
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

export interface PatientRequest {
  readonly keys: readonly PatientKey[];
  readonly trustId: number;
  readonly facts: { readonly birthYear: number | undefined; readonly sex: string | undefined };
}

/**
 * For each request (in order), the patient any of its keys already names (the NHS number key first,
 * so a local MRN seen at another trust joins the regional patient), or a new patient; records keys
 * not yet known. Requests of one batch that share a key get one patient, as if resolved one by one.
 */
export async function resolvePatients(
  db: QueryRunner,
  requests: readonly PatientRequest[],
): Promise<Array<number | undefined>> {
  const allHashes = [...new Set(requests.flatMap((r) => r.keys.map((k) => k.hash)))];
  if (allHashes.length === 0) return requests.map(() => undefined);
  let byHash = await patientsByKey(db, allHashes);
  // The common case, a patient seen before with every key known, needs no lock: a busy room sends
  // many objects of one patient, and serialising those would serialise the whole ingest.
  const settled = (r: PatientRequest): number | undefined => {
    const ids = new Set(r.keys.map((k) => byHash.get(k.hash)));
    return ids.size === 1 ? [...ids][0] : undefined;
  };
  const unsettled = requests.filter((r) => r.keys.length > 0 && settled(r) === undefined);
  if (unsettled.length === 0) return requests.map(settled);
  // Two objects of a new patient arriving together (on any instance) must not create two patients:
  // serialise on the keys, always in the same (sorted) order so that no two transactions deadlock.
  const toLock = [...new Set(unsettled.flatMap((r) => r.keys.map((k) => k.hash)))].sort();
  await db.query(
    sql`SELECT pg_advisory_xact_lock(hashtextextended(h, 0)) FROM unnest(${toLock}::text[]) WITH ORDINALITY AS x(h, n) ORDER BY n`,
  );
  byHash = await patientsByKey(db, allHashes);
  // Patients created by this call are numbered -1, -2, … until their ids are allocated below.
  const assigned = new Map(byHash);
  const created: Array<PatientRequest['facts']> = [];
  const newKeys: Array<{ hash: string; patient: number; kind: PatientKey['kind']; trustId: number }> = [];
  const chosen = requests.map((r) => {
    if (r.keys.length === 0) return undefined;
    let patient = r.keys.map((k) => assigned.get(k.hash)).find((id) => id !== undefined);
    if (patient === undefined) {
      created.push(r.facts);
      patient = -created.length;
    }
    for (const key of r.keys) {
      if (assigned.has(key.hash)) continue;
      assigned.set(key.hash, patient);
      newKeys.push({ hash: key.hash, patient, kind: key.kind, trustId: r.trustId });
    }
    return patient;
  });
  const ids = await createPatients(db, created);
  const real = (patient: number): number => (patient < 0 ? ids[-patient - 1]! : patient);
  if (newKeys.length > 0) {
    await db.query({
      text: `INSERT INTO patient_identifiers (identifier_hash, patient_id, kind, trust_id)
             SELECT t.identifier_hash, t.patient_id, t.kind, t.trust_id
             FROM json_to_recordset($1::json) AS t(identifier_hash text, patient_id bigint, kind text, trust_id bigint)
             ORDER BY t.identifier_hash
             ON CONFLICT (identifier_hash) DO NOTHING`,
      values: [
        JSON.stringify(
          newKeys.map((k) => ({
            identifier_hash: k.hash,
            patient_id: real(k.patient),
            kind: k.kind,
            trust_id: k.kind === 'local' ? k.trustId : null,
          })),
        ),
      ],
    });
  }
  return chosen.map((patient) => (patient === undefined ? undefined : real(patient)));
}

/** New patient rows; ids are drawn first so that each is known to belong to its facts. */
async function createPatients(db: QueryRunner, facts: ReadonlyArray<PatientRequest['facts']>): Promise<number[]> {
  if (facts.length === 0) return [];
  const { rows } = await db.query<{ id: number }>(
    sql`SELECT nextval(pg_get_serial_sequence('patients', 'patient_id')) AS id FROM generate_series(1, ${facts.length}::int)`,
  );
  const ids = rows.map((r) => r.id);
  await db.query({
    text: `INSERT INTO patients (patient_id, birth_year, sex) OVERRIDING SYSTEM VALUE
           SELECT t.patient_id, t.birth_year, t.sex FROM json_to_recordset($1::json) AS t(patient_id bigint, birth_year integer, sex text)`,
    values: [
      JSON.stringify(
        facts.map((f, i) => ({ patient_id: ids[i], birth_year: f.birthYear ?? null, sex: f.sex ?? null })),
      ),
    ],
  });
  return ids;
}

export async function resolvePatient(
  db: QueryRunner,
  keys: readonly PatientKey[],
  trustId: number,
  facts: { birthYear: number | undefined; sex: string | undefined },
): Promise<number | undefined> {
  const [patient] = await resolvePatients(db, [{ keys, trustId, facts }]);
  return patient;
}

async function patientsByKey(db: QueryRunner, hashes: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ patient_id: number; identifier_hash: string }>(
    sql`SELECT patient_id, identifier_hash FROM patient_identifiers WHERE identifier_hash = ANY(${hashes}::text[])`,
  );
  return new Map(rows.map((r) => [r.identifier_hash, r.patient_id]));
}
