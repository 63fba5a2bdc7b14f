import { Anatomy, local, type Code } from './codes.ts';
import { DX_PROCEDURES, FLUORO_PROCEDURES, MG_PROCEDURES, NM_PROCEDURES } from './catalogue-projection.ts';

/**
 * The procedures of the synthetic region and how their doses are drawn. CT medians come from the
 * UK national DRLs (reference-levels, UKHSA NDRLs from 20 November 2024) through model.ts; every
 * other figure here is SYNTHETIC: chosen to look plausible, not taken from any publication, and
 * overridable (GeneratorOptions.syntheticDose). No radiography, fluoroscopy, mammography or nuclear
 * medicine NDRL is in the reference data, so none is claimed.
 */
export type Modality = 'CT' | 'RF' | 'DX' | 'MG' | 'NM';
export type RoomKind = 'ct' | 'fluoroscopy' | 'interventional' | 'radiography' | 'mammography' | 'nuclear-medicine';
export type BodyRegion =
  | 'head'
  | 'neck'
  | 'chest'
  | 'abdomen-pelvis'
  | 'chest-abdomen-pelvis'
  | 'urinary-tract'
  | 'heart'
  | 'upper-gi'
  | 'lower-limb'
  | 'upper-limb'
  | 'spine'
  | 'pelvis'
  | 'breast'
  | 'whole-body'
  | 'thyroid'
  | 'kidney';

interface ProcedureBase {
  readonly id: string;
  /** Study Description, NICIP-style wording ("CT Head"). */
  readonly name: string;
  /** Procedure code in the local scheme (NICIP codes are licensed and not in the reference data). */
  readonly code: Code;
  readonly modality: Modality;
  readonly roomKind: RoomKind;
  readonly bodyRegion: BodyRegion;
  /** Relative frequency within the room kind (SYNTHETIC, shaped like an NHS region's mix). */
  readonly mixWeight: number;
}

/** One CT acquisition of a protocol: its share of the exam DLP and its scan length. */
export interface CtSequence {
  readonly label: string;
  readonly share: number;
  readonly lengthCm: number;
  readonly type: 'spiral' | 'sequenced';
  readonly target: Code;
}

export interface CtProcedure extends ProcedureBase {
  readonly modality: 'CT';
  /** The DRL category of the UK adult CT NDRL (reference-levels) the exam is compared with. */
  readonly ndrlId: string;
  readonly sequences: readonly CtSequence[];
  readonly headPhantom: boolean;
  readonly kvp: number;
  /** Spread of exam DLP within one room (log-space SD). SYNTHETIC. */
  readonly sigmaLog: number;
}

export interface ProjectionView {
  readonly label: string;
  readonly target: Code;
  readonly laterality?: 'right' | 'left';
  readonly view?: 'ap' | 'pa' | 'cc' | 'mlo';
}

export interface ProjectionProcedure extends ProcedureBase {
  readonly modality: 'RF' | 'DX' | 'MG';
  /** Median exam DAP (Gy·cm²) or, for mammography, median AGD per view (mGy). SYNTHETIC. */
  readonly median: number;
  readonly sigmaLog: number;
  readonly views: readonly ProjectionView[];
  /** Fluoroscopy: numbers of fluoro runs and acquisitions, and the median screening time. */
  readonly fluoro?: {
    readonly runs: readonly [number, number];
    readonly acquisitions: readonly [number, number];
    readonly timeS: number;
  };
  readonly kvp: number;
}

export interface NmProcedure extends ProcedureBase {
  readonly modality: 'NM';
  readonly agent: Code;
  /** Median administered activity per administration (MBq). SYNTHETIC. */
  readonly medianMbq: readonly number[];
  readonly sigmaLog: number;
}

export type Procedure = CtProcedure | ProjectionProcedure | NmProcedure;

const ct = (
  id: string,
  name: string,
  ndrlId: string,
  bodyRegion: BodyRegion,
  mixWeight: number,
  sequences: readonly CtSequence[],
  extra: Partial<Pick<CtProcedure, 'headPhantom' | 'kvp' | 'sigmaLog'>> = {},
): CtProcedure => ({
  id,
  name,
  code: local(id.toUpperCase(), name),
  modality: 'CT',
  roomKind: 'ct',
  bodyRegion,
  mixWeight,
  ndrlId,
  sequences,
  headPhantom: extra.headPhantom ?? false,
  kvp: extra.kvp ?? 120,
  sigmaLog: extra.sigmaLog ?? 0.38,
});

const seq = (label: string, share: number, lengthCm: number, target: Code, type: CtSequence['type'] = 'spiral') => ({
  label,
  share,
  lengthCm,
  target,
  type,
});

/**
 * Scan lengths put CTDIvol near its NDRL when the DLP is near its own (length = DLP / CTDIvol of
 * the NDRL row, e.g. head 790 / 47 ≈ 17 cm); rows without a CTDIvol NDRL use SYNTHETIC lengths.
 */
export const CT_PROCEDURES: readonly CtProcedure[] = [
  ct('ct-head', 'CT Head', 'ct-head-acute-stroke', 'head', 30, [seq('Brain', 1, 16.8, Anatomy.head, 'sequenced')], {
    headPhantom: true,
    sigmaLog: 0.28,
  }),
  ct('ct-sinus', 'CT Sinuses', 'ct-sinuses', 'head', 2, [seq('Sinus', 1, 13.3, Anatomy.sinus)], {
    headPhantom: true,
  }),
  ct('ct-cspine', 'CT Cervical spine', 'ct-cspine-fracture', 'spine', 6, [
    seq('C-spine', 1, 25, Anatomy.cervicalSpine),
  ]),
  ct('ct-chest', 'CT Chest', 'ct-chest-lung-cancer', 'chest', 10, [seq('Thorax', 1, 34.1, Anatomy.chest)]),
  ct('ct-hrct', 'CT Chest high resolution', 'ct-hrct-ild', 'chest', 3, [seq('HRCT', 1, 37.5, Anatomy.chest)]),
  ct('ct-ctpa', 'CT Angiogram pulmonary', 'ct-ctpa', 'chest', 8, [seq('CTPA', 1, 34.1, Anatomy.chest)]),
  ct('ct-cap', 'CT Chest abdomen and pelvis', 'ct-cap-cancer', 'chest-abdomen-pelvis', 14, [
    seq('CAP portal', 1, 66, Anatomy.chestAbdomenPelvis),
  ]),
  ct('ct-ap', 'CT Abdomen and pelvis', 'ct-abdo-pelvis-abscess', 'abdomen-pelvis', 16, [
    seq('Abdo pelvis', 1, 53, Anatomy.abdomen),
  ]),
  ct('ct-kub', 'CT Kidneys ureters bladder', 'ct-kub', 'urinary-tract', 5, [seq('KUB', 1, 46, Anatomy.abdomen)], {
    kvp: 100,
  }),
  ct('ct-urogram', 'CT Urogram', 'ct-urogram', 'urinary-tract', 2, [
    seq('Urogram unenhanced', 0.25, 46, Anatomy.abdomen),
    seq('Urogram nephrographic', 0.4, 53, Anatomy.abdomen),
    seq('Urogram excretory', 0.35, 53, Anatomy.abdomen),
  ]),
  ct('ct-colonography', 'CT Colonoscopy virtual', 'ct-colonography', 'abdomen-pelvis', 1.5, [
    seq('Colon prone', 0.5, 50, Anatomy.abdomen),
    seq('Colon supine', 0.5, 50, Anatomy.abdomen),
  ]),
  ct(
    'ct-ctca',
    'CT Coronary angiogram',
    'ct-ctca-prospective-padding',
    'heart',
    2.5,
    [
      seq('Calcium score', 0.15, 14, Anatomy.heart, 'sequenced'),
      seq('CTCA prospective', 0.85, 14, Anatomy.heart, 'sequenced'),
    ],
    { kvp: 100, sigmaLog: 0.45 },
  ),
];

export const ALL_PROCEDURES: readonly Procedure[] = [
  ...CT_PROCEDURES,
  ...DX_PROCEDURES,
  ...FLUORO_PROCEDURES,
  ...MG_PROCEDURES,
  ...NM_PROCEDURES,
];

/** Tc-99m half life, 6.0067 h (the radionuclide every synthetic NM study uses). */
export const TC99M_HALF_LIFE_S = 21_624;

/**
 * Share of exams per room kind (SYNTHETIC, shaped like an NHS region's dose-bearing mix: plain
 * radiography about three in five, CT about one in four, then mammography, fluoroscopy, NM).
 */
export const ROOM_KIND_MIX: Readonly<Record<RoomKind, number>> = {
  radiography: 0.6,
  ct: 0.25,
  mammography: 0.08,
  fluoroscopy: 0.02,
  interventional: 0.025,
  'nuclear-medicine': 0.025,
};

export function procedureById(id: string): Procedure {
  const found = ALL_PROCEDURES.find((p) => p.id === id);
  if (!found) throw new Error(`unknown synthetic procedure ${id}`);
  return found;
}
