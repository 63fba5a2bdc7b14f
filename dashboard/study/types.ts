import type { ReportRole } from '../../ingest/index.ts';

/**
 * One study as the study page and `GET /api/v1/studies/:studyId` show it. Units are in the names;
 * unknown is null, never 0. Patient identifiers never appear: the accession number is stored only
 * as a keyed hash, so all that can be said is whether one was recorded.
 */
export interface StudyDetail {
  readonly study: StudyHeader;
  readonly totals: StudyTotals;
  /** Fluoroscopy and acquisition split of a projection study (the peer's "study totals" table), else null. */
  readonly projectionTotals: readonly ProjectionTotalsRow[] | null;
  readonly events: readonly StudyEvent[];
  /** Events per kind in the study, whether or not all are in `events`. */
  readonly eventCounts: Readonly<Record<EventKind, number>>;
  /** True when `events` holds only the first events of each kind (the page's compact view). */
  readonly eventsTruncated: boolean;
  readonly sources: readonly SourceObject[];
  readonly reports: readonly MergedReport[];
  /** Where the totals came from: the counted reports' own totals, or the sum of stored events. */
  readonly totalsFrom: 'reports' | 'events' | 'none';
}

export type EventKind = 'ct' | 'projection' | 'radiopharmaceutical';
export const EVENT_KINDS: readonly EventKind[] = ['ct', 'projection', 'radiopharmaceutical'];

export type TimeBasis = 'object-offset' | 'trust-zone' | 'default-zone';

export interface StudyHeader {
  readonly studyId: number;
  readonly studyInstanceUid: string;
  readonly modality: string;
  readonly modalities: readonly string[];
  readonly trust: { readonly code: string; readonly name: string };
  readonly device: DeviceSummary | null;
  /** UTC ISO instant, or null when the objects gave no study date. */
  readonly studyTime: string | null;
  /** How the device-local study time was read (ADR 0005); null for studies stored before it was recorded. */
  readonly timeBasis: TimeBasis | null;
  /** The offset (±HH:MM) or IANA zone of that basis. */
  readonly timeZone: string | null;
  readonly studyDescription: string | null;
  readonly requestedProcedure: string | null;
  /** `scheme:value` of the procedure code. */
  readonly procedureCode: string | null;
  readonly patient: {
    readonly ageYears: number | null;
    readonly sex: 'F' | 'M' | 'O' | null;
    readonly weightKg: number | null;
    readonly heightM: number | null;
  };
  /** An accession number was received (kept only as a keyed hash, never shown). */
  readonly accessionRecorded: boolean;
  /** Matched the not-patient patterns (QA, phantom, test). */
  readonly notPatient: boolean;
}

export interface DeviceSummary {
  /** The display name an administrator gave the room, when there is one. */
  readonly roomName: string | null;
  readonly manufacturer: string | null;
  readonly modelName: string | null;
  readonly stationName: string | null;
  readonly serialNumber: string | null;
  readonly softwareVersions: string | null;
  readonly institutionName: string | null;
  readonly departmentName: string | null;
}

export interface StudyTotals {
  readonly dlpMgyCm: number | null;
  readonly dapGyCm2: number | null;
  readonly dapPlaneAGyCm2: number | null;
  readonly dapPlaneBGyCm2: number | null;
  readonly doseRpGy: number | null;
  readonly agdMgy: number | null;
  readonly agdLeftMgy: number | null;
  readonly agdRightMgy: number | null;
  readonly activityMbq: number | null;
  readonly eventCount: number;
}

export interface ProjectionTotalsRow {
  /** 'Fluoroscopy', 'Acquisition', '- Stationary Acquisition' (one per acquisition event type), 'Total'. */
  readonly label: string;
  readonly kind: 'fluoroscopy' | 'acquisition' | 'acquisition-type' | 'total';
  readonly dapGyCm2: number | null;
  readonly doseRpGy: number | null;
  readonly timeS: number | null;
}

export interface StudyEvent {
  readonly eventId: number;
  readonly kind: EventKind;
  /** UTC ISO instant the event is stored at. */
  readonly occurredAt: string;
  readonly irradiationEventUid: string;
  readonly modality: string;
  readonly sourceKind: string | null;
  readonly acquisitionProtocol: string | null;
  readonly targetRegion: string | null;
  readonly ctdiVolMgy: number | null;
  readonly dlpMgyCm: number | null;
  readonly dapGyCm2: number | null;
  readonly doseRpGy: number | null;
  readonly agdMgy: number | null;
  readonly administeredActivityMbq: number | null;
  /** The whole normalised event as extracted (ingest/extract/types.ts: CtEvent, ProjectionEvent, administration). */
  readonly details: Record<string, unknown>;
}

export interface SourceObject {
  readonly sourceObjectId: number;
  readonly transport: string;
  /** AE title, API key name or `import:<runId>`; never a file path. */
  readonly sender: string | null;
  readonly receivedAt: string;
  readonly sha256: string;
  readonly byteSize: number;
  readonly sopClassUid: string | null;
  readonly extractor: string | null;
  readonly extractorVersion: number | null;
  readonly status: string;
  readonly warnings: readonly string[];
}

export interface MergedReport {
  readonly sourceObjectId: number;
  readonly sourceKind: string;
  readonly modality: string;
  readonly eventCount: number;
  readonly mergedAt: string;
  readonly role: ReportRole;
  readonly totals: {
    readonly dlpMgyCm: number | null;
    readonly dapGyCm2: number | null;
    readonly doseRpGy: number | null;
    readonly agdMgy: number | null;
    readonly activityMbq: number | null;
  };
}
