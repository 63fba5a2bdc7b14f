import { ukNationalDrls, type DiagnosticReferenceLevel } from '../reference-levels/index.ts';
import { CT_PROCEDURES, type Modality, type RoomKind } from './catalogue.ts';
import { hash32, mix32, unitOf, WeightedChoice } from './random.ts';
import { DAY_MS, parseIsoDate } from './time.ts';

/**
 * The consortium of the synthetic region: trusts, their hospitals and rooms, and a patient
 * population. Pure and seeded: the same options always give the same model. Patients are computed
 * from their index on demand (never stored), so a 10-million-exam region needs no patient table.
 */
export interface GeneratorOptions {
  readonly seed: number;
  readonly trusts: number;
  readonly years: number;
  /** Exams (studies) performed over the period. */
  readonly exams: number;
  /** First day of the period, YYYY-MM-DD (local). */
  readonly start: string;
  /** Zone of the modalities' clocks: must be the deployment's KERMA_TIMEZONE. */
  readonly timeZone: string;
  /**
   * Typical room median as a fraction of the NDRL. SYNTHETIC assumption: NDRLs are set near the
   * third quartile of room medians (IR(ME)R practice), so a typical room sits below its NDRL.
   */
  readonly medianToNdrlRatio: number;
  /** Overrides of the SYNTHETIC dose medians (catalogue.ts units), by procedure id. */
  readonly syntheticMedians: Readonly<Record<string, number>>;
}

export const DEFAULT_OPTIONS: GeneratorOptions = {
  seed: 1,
  trusts: 5,
  years: 2,
  exams: 20_000,
  start: '2024-01-01',
  timeZone: 'Europe/London',
  medianToNdrlRatio: 0.8,
  syntheticMedians: {},
};

export interface Trust {
  readonly index: number;
  readonly code: string;
  readonly name: string;
  /** Issuer of the trust's local MRNs (Issuer of Patient ID). */
  readonly localIdIssuer: string;
  /** Calling AE title of the trust's PACS, which forwards every room's reports. */
  readonly aeTitle: string;
  /** Relative size: share of the region's activity. */
  readonly weight: number;
  readonly rooms: readonly Room[];
}

export interface Room {
  readonly index: number;
  readonly trustIndex: number;
  readonly kind: RoomKind;
  readonly modality: Modality;
  readonly hospital: string;
  readonly department: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly stationName: string;
  readonly serialNumber: string;
  readonly softwareVersions: string;
  readonly deviceObserverUid: string;
  /** Room median / typical median: equipment and practice differ between rooms. */
  readonly doseFactor: number;
  /** Deliberately set above the national DRL (for DRL-comparison demonstrations). */
  readonly aboveReference: boolean;
}

/** A mid-period protocol change on one scanner (a dose optimisation a trend chart should show). */
export interface ProtocolChange {
  readonly roomIndex: number;
  readonly procedureId: string;
  readonly atUtcMs: number;
  readonly doseFactor: number;
  readonly protocolSuffix: string;
}

export interface RegionModel {
  readonly options: GeneratorOptions;
  readonly trusts: readonly Trust[];
  readonly rooms: readonly Room[];
  readonly startLocalMs: number;
  readonly days: number;
  readonly population: number;
  readonly protocolChange: ProtocolChange;
  /** Median exam DLP per CT procedure id, from the NDRL × medianToNdrlRatio. */
  readonly ctMedianDlpMgyCm: ReadonlyMap<string, number>;
  readonly ndrls: ReadonlyMap<string, DiagnosticReferenceLevel>;
  /** 64-bit UID prefix of this seed, as decimal digits (see uid()). */
  readonly uidPrefix: string;
}

const PLACES = [
  'Northmoor',
  'Eastbridge',
  'Westholme',
  'Southfield',
  'Kingsmere',
  'Ashby Vale',
  'Riverside',
  'Highcombe',
];

/** Real-looking equipment per room kind (makes and models as sold in the UK; the units are made up). */
const EQUIPMENT: Readonly<Record<RoomKind, ReadonlyArray<readonly [string, string]>>> = {
  ct: [
    ['SIEMENS', 'SOMATOM Definition AS+'],
    ['SIEMENS', 'SOMATOM go.Top'],
    ['GE MEDICAL SYSTEMS', 'Revolution EVO'],
    ['GE MEDICAL SYSTEMS', 'Optima CT660'],
    ['CANON_MEC', 'Aquilion Prime SP'],
    ['Philips', 'Incisive CT'],
  ],
  fluoroscopy: [
    ['SIEMENS', 'Luminos dRF Max'],
    ['Philips', 'CombiDiagnost R90'],
  ],
  interventional: [
    ['Philips', 'Azurion 7 M20'],
    ['SIEMENS', 'AXIOM-Artis'],
    ['GE Healthcare', 'Discovery IGS 740'],
  ],
  radiography: [
    ['CARESTREAM', 'DRX-Evolution Plus'],
    ['SIEMENS', 'Ysio Max'],
    ['Philips', 'DigitalDiagnost C90'],
    ['FUJIFILM Corporation', 'FDR Smart X'],
  ],
  mammography: [
    ['HOLOGIC, Inc.', 'Selenia Dimensions'],
    ['GE Healthcare', 'Senographe Pristina'],
    ['SIEMENS', 'MAMMOMAT Revelation'],
  ],
  'nuclear-medicine': [
    ['GE Healthcare', 'Discovery NM/CT 670'],
    ['SIEMENS', 'Symbia Intevo'],
  ],
};

const MODALITY_OF: Readonly<Record<RoomKind, Modality>> = {
  ct: 'CT',
  fluoroscopy: 'RF',
  interventional: 'RF',
  radiography: 'DX',
  mammography: 'MG',
  'nuclear-medicine': 'NM',
};

/** Rooms of a trust's main and community hospitals: a district general hospital's typical fit-out. */
const MAIN_HOSPITAL: ReadonlyArray<readonly [RoomKind, number]> = [
  ['ct', 3],
  ['fluoroscopy', 1],
  ['interventional', 1],
  ['radiography', 4],
  ['mammography', 2],
  ['nuclear-medicine', 1],
];
const COMMUNITY_HOSPITAL: ReadonlyArray<readonly [RoomKind, number]> = [
  ['ct', 1],
  ['radiography', 2],
  ['mammography', 1],
];

/** The decimal UID of an entity: 2.25 root, the seed's 64-bit prefix, a kind digit, a counter. */
export function uid(model: Pick<RegionModel, 'uidPrefix'>, kind: number, counter: number): string {
  return `2.25.${model.uidPrefix}${kind}${String(counter).padStart(15, '0')}`;
}

function uidPrefixOf(seed: number): string {
  // At least 10^18 so the number has no leading zero and all prefixes have the same length.
  const high = BigInt(hash32(seed, 'uid-high') % 0x7fff_ffff) + 0x0de0_b6b3n;
  return ((high << 32n) | BigInt(hash32(seed, 'uid-low'))).toString();
}

interface RoomSeed {
  readonly trustIndex: number;
  readonly hospital: string;
  readonly kind: RoomKind;
  readonly ordinal: number;
}

function roomFrom(seed: number, index: number, s: RoomSeed, code: string): Room {
  const equipment = EQUIPMENT[s.kind];
  const [manufacturer, model] = equipment[hash32(seed, 'equipment', index) % equipment.length] ?? ['', ''];
  const short = {
    ct: 'CT',
    fluoroscopy: 'FL',
    interventional: 'IR',
    radiography: 'DR',
    mammography: 'MG',
    'nuclear-medicine': 'NM',
  }[s.kind];
  // SYNTHETIC: the second CT room of every third trust (from the second), the interventional suite
  // of the second trust and the third radiography room of every other trust run 45% above typical,
  // so that DRL comparison has something to find.
  const above =
    (s.kind === 'ct' && s.ordinal === 2 && s.trustIndex % 3 === 1) ||
    (s.kind === 'interventional' && s.trustIndex === 1) ||
    (s.kind === 'radiography' && s.ordinal === 3 && s.trustIndex % 2 === 0);
  // Room medians spread ±20% around typical: equipment, protocols and patient mix differ.
  const spread = Math.exp(0.2 * (2 * unitOf(seed, 'room-dose', index) - 1));
  return {
    index,
    trustIndex: s.trustIndex,
    kind: s.kind,
    modality: MODALITY_OF[s.kind],
    hospital: s.hospital,
    department: s.kind === 'nuclear-medicine' ? 'Nuclear Medicine' : 'Radiology',
    manufacturer,
    model,
    stationName: `${code}${short}${s.ordinal}`,
    serialNumber: `SYN${String(mix32(seed ^ (index * 7919)) % 1_000_000).padStart(6, '0')}`,
    softwareVersions: `VB${10 + (hash32(seed, 'sw', index) % 40)}`,
    deviceObserverUid: uid({ uidPrefix: uidPrefixOf(seed) }, 1, index),
    doseFactor: above ? 1.45 * spread : spread,
    aboveReference: above,
  };
}

function buildTrusts(options: GeneratorOptions): { trusts: Trust[]; rooms: Room[] } {
  if (options.trusts < 1 || options.trusts > 26) throw new Error('trusts must be between 1 and 26');
  const trusts: Trust[] = [];
  const rooms: Room[] = [];
  for (let t = 0; t < options.trusts; t += 1) {
    const code = `SYN${String.fromCharCode(65 + t)}`;
    const place = `${PLACES[t % PLACES.length] ?? 'Synthetic'}${t >= PLACES.length ? ` ${Math.floor(t / PLACES.length) + 1}` : ''}`;
    const hospitals = [`${place} General Hospital`, `${place} Community Hospital`];
    const seeds: RoomSeed[] = [];
    for (const [h, layout] of [MAIN_HOSPITAL, COMMUNITY_HOSPITAL].entries()) {
      for (const [kind, count] of layout) {
        for (let n = 0; n < count; n += 1) {
          const ordinal = seeds.filter((s) => s.kind === kind).length + 1;
          seeds.push({ trustIndex: t, hospital: hospitals[h] ?? place, kind, ordinal });
        }
      }
    }
    const trustRooms = seeds.map((s) => roomFrom(options.seed, rooms.length + seeds.indexOf(s), s, code));
    rooms.push(...trustRooms);
    trusts.push({
      index: t,
      code,
      name: `${place} Hospitals NHS Trust (synthetic)`,
      localIdIssuer: `${code}-MRN`,
      aeTitle: `${code}_PACS`,
      // Trusts differ in size: the largest has about twice the activity of the smallest.
      weight: 1 + unitOf(options.seed, 'trust-size', t),
      rooms: trustRooms,
    });
  }
  return { trusts, rooms };
}

function ctMedians(options: GeneratorOptions): {
  medians: Map<string, number>;
  ndrls: Map<string, DiagnosticReferenceLevel>;
} {
  const levels = new Map(ukNationalDrls().levels.map((l) => [l.id, l]));
  const medians = new Map<string, number>();
  const ndrls = new Map<string, DiagnosticReferenceLevel>();
  for (const procedure of CT_PROCEDURES) {
    const level = levels.get(procedure.ndrlId);
    if (!level?.dlpPerExamMgyCm) throw new Error(`no DLP NDRL ${procedure.ndrlId} in the reference data`);
    ndrls.set(procedure.id, level);
    medians.set(procedure.id, level.dlpPerExamMgyCm * options.medianToNdrlRatio);
  }
  return { medians, ndrls };
}

export function buildRegionModel(partial: Partial<GeneratorOptions> = {}): RegionModel {
  const options: GeneratorOptions = { ...DEFAULT_OPTIONS, ...partial };
  if (!Number.isInteger(options.exams) || options.exams < 1) throw new Error('exams must be a positive integer');
  if (!(options.years > 0 && options.years <= 20)) throw new Error('years must be in (0, 20]');
  const { trusts, rooms } = buildTrusts(options);
  const startLocalMs = parseIsoDate(options.start);
  const days = Math.max(1, Math.round(options.years * 365.25));
  const firstCt = rooms.find((r) => r.kind === 'ct' && !r.aboveReference);
  const { medians, ndrls } = ctMedians(options);
  return {
    options,
    trusts,
    rooms,
    startLocalMs,
    days,
    // About 2.5 dose-bearing exams per imaged person over the period, with frequent attenders.
    population: Math.max(20, Math.ceil(options.exams / 2.5)),
    protocolChange: {
      roomIndex: firstCt?.index ?? 0,
      procedureId: 'ct-head',
      atUtcMs: startLocalMs + Math.floor(days / 2) * DAY_MS,
      doseFactor: 0.72,
      protocolSuffix: ' v2 (iterative 40%)',
    },
    ctMedianDlpMgyCm: medians,
    ndrls,
    uidPrefix: uidPrefixOf(options.seed),
  };
}

/** Chooses a trust for an exam, proportionally to trust size. */
export function trustChooser(model: RegionModel): WeightedChoice<Trust> {
  return new WeightedChoice(model.trusts, (t) => t.weight);
}
