import { expect } from 'chai';
import { queryRunner } from '../../app/db/pool.ts';
import { listStandardProcedures, probeRules } from '../../analytics/index.ts';
import type { QueryRunner } from '../../core/index.ts';
import { ALL_PROCEDURES, CT_PROCEDURES } from '../../synthetic/catalogue.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * The default standard procedures and rules (migration 0017) against what arrives: every
 * procedure of the synthetic region, the descriptions ingest stores for the conformance corpus's
 * files, and common NHS wordings. 'excluded' = a rule decides it is not a standard procedure
 * (quality control, radiotherapy planning); null = no rule matches (it is listed as unmapped).
 */
/** A standard procedure code, 'excluded', or null. */
type Expected = string | null;

interface Case {
  readonly modality: string;
  readonly description: string | null;
  readonly protocols?: readonly string[];
  readonly regions?: readonly string[];
  readonly expected: Expected;
}

const SYNTHETIC_EXPECTED: Record<string, string> = {
  'ct-head': 'CT-HEAD',
  'ct-sinus': 'CT-SINUS',
  'ct-cspine': 'CT-CSPINE',
  'ct-chest': 'CT-CHEST',
  'ct-hrct': 'CT-HRCT',
  'ct-ctpa': 'CT-CTPA',
  'ct-cap': 'CT-CAP',
  'ct-ap': 'CT-ABPEL',
  'ct-kub': 'CT-KUB',
  'ct-urogram': 'CT-UROGRAM',
  'ct-colonography': 'CT-COLON',
  'ct-ctca': 'CT-CTCA',
  'dx-chest': 'XR-CHEST',
  'dx-abdomen': 'XR-ABDO',
  'dx-pelvis': 'XR-PELVIS',
  'dx-lspine': 'XR-LSPINE',
  'dx-knee': 'XR-KNEE',
  'dx-hip': 'XR-HIP',
  'dx-wrist': 'XR-WRIST',
  'dx-hand': 'XR-HAND',
  'dx-ankle': 'XR-ANKLE',
  'dx-foot': 'XR-FOOT',
  'rf-swallow': 'FL-SWALLOW',
  'rf-nephrostomy': 'FL-NEPHROST',
  'ir-coronary': 'XA-CORONARY',
  'ir-pci': 'XA-PCI',
  'ir-lower-limb': 'XA-LL',
  'mg-screening': 'MG-SCREEN',
  'mg-symptomatic': 'MG-SYMPT',
  'nm-bone': 'NM-BONE',
  'nm-mpi': 'NM-MPI',
  'nm-lung': 'NM-LUNGQ',
  'nm-thyroid': 'NM-THYROID',
  'nm-renogram': 'NM-RENO',
};

/** What `kerma extract` reads from the shared corpus's files (study description, protocols, target regions). */
const CORPUS: readonly Case[] = [
  { modality: 'CT', description: 'Colonography', regions: ['Abdomen'], expected: 'CT-COLON' },
  { modality: 'CT', description: 'FACIAL BONES', regions: ['Unknown'], expected: 'CT-FACE' },
  {
    modality: 'CT',
    description: 'Thorax^Thorax_NON_CON (Adult)',
    protocols: ['Topogram', 'Thorax'],
    expected: 'CT-CHEST',
  },
  { modality: 'CT', description: 'Thorax^RTP_4DCT_Thorax_C (Adult)', protocols: ['4DCT'], expected: 'excluded' },
  { modality: 'CT', description: 'Specials^PhysicsTesting (Adult)', expected: 'excluded' },
  { modality: 'CT', description: 'Thorax^TAP (Adult)', protocols: ['TAP'], expected: 'CT-CAP' },
  { modality: 'CT', description: 'CT Chest With Contrast', expected: 'CT-CHEST' },
  { modality: 'CT', description: 'CT Thorax & abdo & pelvis with contrast', expected: 'CT-CAP' },
  { modality: 'CT', description: null, regions: ['Chest, Abdomen and Pelvis'], expected: 'CT-CAP' },
  { modality: 'CT', description: null, protocols: ['10.13 RADIOTHERAPY QA'], expected: 'excluded' },
  { modality: 'CT', description: null, protocols: ['Abdomen Routine ZC (NR)'], regions: ['Abdomen'], expected: null },
  { modality: 'CR', description: 'XR CHEST', protocols: ['AP'], regions: ['CHEST'], expected: 'XR-CHEST' },
  { modality: 'CR', description: 'AEC', protocols: ['AEC'], expected: null },
  { modality: 'DX', description: 'CR THORAX', protocols: ['THORAX AP 90kv-0,9mAs'], expected: 'XR-CHEST' },
  { modality: 'DX', description: 'Abdomen', protocols: ['ABD_1_VIEW'], expected: 'XR-ABDO' },
  { modality: 'DX', description: 'Z_Physics Test', protocols: ['Phys erect lrgfld'], expected: 'excluded' },
  { modality: 'DX', description: 'CR LEG', protocols: ['Thigh Right'], expected: null },
  { modality: 'RF', description: 'Cardiac pacemaker temporary', expected: 'FL-PACING' },
  { modality: 'RF', description: 'hardware removal', expected: null },
  { modality: 'MG', description: 'Bilateral Mammography', expected: 'MG-MAMMO' },
  { modality: 'MG', description: 'XR Breast tomosynthesis Both', expected: 'MG-TOMO' },
  { modality: 'MG', description: 'No Views', protocols: ['Flat Field Tomo'], expected: 'excluded' },
];

/** Wordings seen in NHS study descriptions (reference-data §12.1) and their usual variants. */
const WORDINGS: readonly Case[] = [
  ...[
    ['CT HEAD', 'CT-HEAD'],
    ['CT Brain', 'CT-HEAD'],
    ['CT Head and neck', 'CT-NECK'],
    ['CTPA', 'CT-CTPA'],
    ['CT Pulmonary Angiogram', 'CT-CTPA'],
    ['CT KUB', 'CT-KUB'],
    ['CT Abdo/Pelvis', 'CT-ABPEL'],
    ['CT Abdomen', 'CT-ABDO'],
    ['CT Chest Abdomen Pelvis', 'CT-CAP'],
    ['CT Neck Chest Abdomen Pelvis', 'CT-NCAP'],
    ['CT Chest and Abdomen', 'CT-CHABD'],
    ['CT C-Spine', 'CT-CSPINE'],
    ['CT Thoracic spine', 'CT-SPINE'],
    ['CT Paranasal sinuses', 'CT-SINUS'],
    ['CT Colonography', 'CT-COLON'],
    ['HRCT Chest', 'CT-HRCT'],
    ['CT Angiogram carotids', 'CT-CTA-HN'],
    ['CT Pelvis', null],
  ].map(([description, expected]) => ({ modality: 'CT', description: description!, expected: expected ?? null })),
  {
    modality: 'CT',
    description: 'CT Coronary angiogram',
    protocols: ['Cardiac Retrospective'],
    expected: 'CT-CTCA-RG',
  },
  ...[
    ['XR Knee Both', 'XR-KNEE'],
    ['XR Wrist Lt', 'XR-WRIST'],
    ['XR Lumbar Spine', 'XR-LSPINE'],
    ['XR Cervical spine', 'XR-CSPINE'],
    ['XR Thoracic spine', 'XR-TSPINE'],
    ['XR Pelvis and hips', 'XR-PELVIS'],
    ['XR Hand Rt', 'XR-HAND'],
    ['XR Foot Lt', 'XR-FOOT'],
    ['XR Orthopantomogram full', null],
  ].map(([description, expected]) => ({ modality: 'DX', description: description!, expected: expected ?? null })),
  { modality: 'DX', description: 'AEC', protocols: ['Chest PA'], expected: 'XR-CHEST' },
];

describe('default standard procedures and rules', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let db: QueryRunner;
  before(async () => {
    database = await freshDatabase();
    db = queryRunner(database.pool);
  });
  after(async () => {
    await database?.drop();
  });

  async function decide(c: Case): Promise<Expected> {
    const result = await probeRules(db, {
      trustId: null,
      modality: c.modality,
      description: c.description,
      procedureCode: null,
      protocols: c.protocols ?? [],
      bodyParts: c.regions ?? [],
    });
    if (!result.rule) return null;
    return result.rule.standardProcedureCode ?? 'excluded';
  }

  async function check(cases: readonly Case[]): Promise<void> {
    const wrong: string[] = [];
    for (const c of cases) {
      const got = await decide(c);
      if (got !== c.expected)
        wrong.push(`${c.modality} ${JSON.stringify(c.description)}: ${got} (expected ${c.expected})`);
    }
    expect(wrong).to.deep.equal([]);
  }

  it('maps every procedure of the synthetic region by its description', async () => {
    expect(ALL_PROCEDURES.map((p) => p.id).sort()).to.deep.equal(Object.keys(SYNTHETIC_EXPECTED).sort());
    await check(
      ALL_PROCEDURES.map((p) => ({ modality: p.modality, description: p.name, expected: SYNTHETIC_EXPECTED[p.id]! })),
    );
  });

  it('compares each synthetic CT procedure under the NDRL row the generator drew it from', async () => {
    const procedures = new Map((await listStandardProcedures(db)).map((p) => [p.code, p]));
    for (const ct of CT_PROCEDURES) {
      const category = procedures.get(SYNTHETIC_EXPECTED[ct.id]!)?.drlCategory;
      // CTCA: the description does not say the gating, so the plain procedure is never compared.
      const expected = ct.id === 'ct-ctca' ? null : ct.ndrlId.replace(/^uk-adult-/, '').replace(/^ct-ct-/, 'ct-');
      expect(category, ct.id).to.equal(expected);
    }
  });

  it('maps the corpus files as ingest stores them, excluding quality control and radiotherapy planning', async () => {
    await check(CORPUS);
  });

  it('maps common NHS wordings', async () => {
    await check(WORDINGS);
  });

  it('names body regions with DICOM Body Part Examined terms and fixes the CT NDRL categories', async () => {
    const procedures = await listStandardProcedures(db);
    for (const p of procedures) expect(p.bodyRegion, p.code).to.match(/^[A-Z]+$/);
    const ctCategories = new Set(procedures.filter((p) => p.modality === 'CT').map((p) => p.drlCategory));
    for (const category of [
      'ct-head-acute-stroke',
      'ct-sinuses',
      'ct-cspine-fracture',
      'ct-ncap-cancer',
      'ct-chest-lung-cancer',
      'ct-chest-abdomen-lung-cancer',
      'ct-hrct-ild',
      'ct-cap-cancer',
      'ct-ctpa',
      'ct-abdo-pelvis-abscess',
      'ct-colonography',
      'ct-kub',
      'ct-urogram',
      'ct-ctca-prospective-no-padding',
      'ct-ctca-prospective-padding',
      'ct-ctca-retrospective-gated',
    ]) {
      expect(ctCategories.has(category), category).to.equal(true);
    }
  });
});
