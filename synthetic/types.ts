import type { Procedure } from './catalogue.ts';
import type { Code } from './codes.ts';
import type { Room, Trust } from './model.ts';

/**
 * One generated exam (one study, one dose report) and its irradiation events, in the units Kerma
 * stores (DLP mGy·cm, CTDIvol mGy, DAP Gy·cm², dose at RP Gy, AGD mGy, activity MBq). Times are UTC
 * milliseconds; the DICOM writer turns them into the modality's local time.
 */
export interface SynthCtEvent {
  readonly kind: 'ct';
  readonly uid: string;
  readonly startUtcMs: number;
  readonly protocol: string;
  readonly acquisition: 'localiser' | 'spiral' | 'sequenced';
  readonly target: Code;
  readonly ctdiVolMgy: number;
  readonly dlpMgyCm: number;
  readonly scanningLengthMm: number;
  readonly kvp: number;
  readonly tubeCurrentMa: number;
  readonly exposureTimeS: number;
  readonly pitchFactor: number;
  readonly headPhantom: boolean;
}

export interface SynthProjectionEvent {
  readonly kind: 'projection';
  readonly uid: string;
  readonly startUtcMs: number;
  readonly protocol: string;
  readonly eventType: 'fluoroscopy' | 'stationary';
  readonly target: Code;
  readonly laterality: 'right' | 'left' | undefined;
  readonly view: 'ap' | 'pa' | 'cc' | 'mlo' | undefined;
  /** Undefined for mammography, whose RDSRs report AGD instead. */
  readonly dapGyCm2: number | undefined;
  readonly doseRpGy: number | undefined;
  readonly agdMgy: number | undefined;
  readonly compressionThicknessMm: number | undefined;
  readonly kvp: number;
  readonly tubeCurrentMa: number;
  readonly exposureTimeMs: number;
  readonly pulses: number | undefined;
}

export interface SynthAdministration {
  readonly kind: 'nm';
  readonly uid: string;
  readonly startUtcMs: number;
  readonly agent: Code;
  readonly activityMbq: number;
}

export type SynthEvent = SynthCtEvent | SynthProjectionEvent | SynthAdministration;

/** Why an exam exists beyond routine demand: the repeat-imaging cases the duplicate check must tell apart. */
export type Scenario =
  'transfer-duplicate' | 'planned-restaging' | 'near-miss-region' | 'near-miss-window' | 'dose-outlier';

export interface SynthExam {
  /** Position in the stream (0-based); also the counter of the exam's UIDs. */
  readonly sequence: number;
  readonly studyUid: string;
  readonly accessionNumber: string;
  readonly trust: Trust;
  readonly room: Room;
  readonly patientIndex: number;
  readonly procedure: Procedure;
  readonly startUtcMs: number;
  readonly patientWeightKg: number;
  readonly patientHeightM: number;
  readonly scenario: Scenario | undefined;
  readonly events: readonly SynthEvent[];
}

/** An order (requested, not yet performed) for the pre-scan duplicate check. */
export interface SynthOrder {
  readonly sequence: number;
  readonly trust: Trust;
  readonly patientIndex: number;
  readonly procedure: Procedure;
  readonly placerOrderNumber: string;
  readonly fillerOrderNumber: string;
  readonly scheduledUtcMs: number;
  readonly status: 'scheduled' | 'cancelled';
  /** What the order is, for tests and demos: a planned follow-up, a likely duplicate, or routine. */
  readonly reason: 'follow-up' | 'recent-duplicate' | 'routine';
}
