import { sql, type QueryRunner } from '../../../core/index.ts';

/**
 * The reference rows the dose-metric tests need, with the exact figures of
 * shared/reference-data/reference-levels.json (schema 1.1, compiled 2026-11-22), until the builtin
 * sets (reference-levels) seed them. reference-fixture.test.ts checks every figure here against the
 * shared file when it is present.
 */

/** UKHSA adult CT NDRLs, Table 1 of the page dated 20 November 2024 (values adopted 2022), status C. */
export const NDRL_ROWS: ReadonlyArray<{ id: string; category: string; ctdivolMgy: number | null; dlpMgyCm: number }> = [
  { id: 'head_acute_stroke', category: 'ct-head-acute-stroke', ctdivolMgy: 47, dlpMgyCm: 790 },
  { id: 'sinuses', category: 'ct-sinuses', ctdivolMgy: 12, dlpMgyCm: 160 },
  { id: 'cspine_fracture', category: 'ct-cspine-fracture', ctdivolMgy: 16, dlpMgyCm: 400 },
  { id: 'ncap_cancer', category: 'ct-ncap-cancer', ctdivolMgy: null, dlpMgyCm: 850 },
  { id: 'chest_lung_cancer', category: 'ct-chest-lung-cancer', ctdivolMgy: 8.5, dlpMgyCm: 290 },
  { id: 'chest_abdomen_lung_cancer', category: 'ct-chest-abdomen-lung-cancer', ctdivolMgy: null, dlpMgyCm: 470 },
  { id: 'hrct_ild', category: 'ct-hrct-ild', ctdivolMgy: 8, dlpMgyCm: 300 },
  { id: 'cap_cancer', category: 'ct-cap-cancer', ctdivolMgy: null, dlpMgyCm: 660 },
  { id: 'ctpa', category: 'ct-ctpa', ctdivolMgy: 9.1, dlpMgyCm: 310 },
  { id: 'abdo_pelvis_abscess', category: 'ct-abdo-pelvis-abscess', ctdivolMgy: 10, dlpMgyCm: 530 },
  { id: 'ct_colonography', category: 'ct-colonography', ctdivolMgy: null, dlpMgyCm: 690 },
  { id: 'ct_kub', category: 'ct-kub', ctdivolMgy: 6.3, dlpMgyCm: 290 },
  { id: 'ct_urogram', category: 'ct-urogram', ctdivolMgy: null, dlpMgyCm: 890 },
];

/** Shrimpton et al. k-factors (ICRP 60, 120 kV) as reproduced in Lee et al. 2012 Table XII, status C. */
export const K_AGES = ['0y', '1y', '5y', '10y', 'adult'] as const;
export const K_FACTORS: Readonly<Record<string, readonly number[]>> = {
  head: [0.011, 0.0067, 0.004, 0.0032, 0.0021],
  chest: [0.039, 0.026, 0.018, 0.013, 0.014],
  abdomen_pelvis: [0.049, 0.03, 0.02, 0.015, 0.015],
  trunk: [0.044, 0.028, 0.019, 0.014, 0.015],
};

/** AAPM Report 204 constants, status S (verify against primary). */
export const SSDE_CONSTANTS = {
  32: { a: 3.704369, bPerCm: 0.03671937 },
  16: { a: 1.874799, bPerCm: 0.03871313 },
} as const;

/** Adult E per administered activity, status C (first FDG row: ICRP 106 value from Andersson et al. 2014). */
export const NM_COEFFICIENTS: ReadonlyArray<{ radiopharmaceutical: string; value: number }> = [
  { radiopharmaceutical: '18F-FDG', value: 0.019 },
  { radiopharmaceutical: '18F-FDG', value: 0.0171 },
  { radiopharmaceutical: '99mTc-MDP', value: 0.0057 },
  { radiopharmaceutical: '18F-fluoride', value: 0.024 },
  { radiopharmaceutical: '99mTc-pertechnetate (no blocking agent)', value: 0.013 },
];

/** Interventional cardiology E/P_KA, coronary angiography by radial access (Brambilla et al. 2017), status C. */
export const CORONARY_ANGIOGRAPHY_E_PER_DAP = 0.3;
export const TEST_XA_CATEGORY = 'xa-coronary-angiography-radial';

export interface ReferenceFixture {
  readonly ndrlSetId: number;
  /** reference_value_id by `${category}/${quantity}` of the NDRL set. */
  readonly ndrl: ReadonlyMap<string, number>;
  /** reference_value_id by `${region}/${age}`. */
  readonly k: ReadonlyMap<string, number>;
  /** reference_value_id by `${phantomCm}/a` and `${phantomCm}/b`. */
  readonly ssde: ReadonlyMap<string, number>;
  /** reference_value_ids of the NM rows, in NM_COEFFICIENTS order. */
  readonly nm: readonly number[];
  readonly dapFactor: number;
}

async function insertSet(db: QueryRunner, setKey: string, kind: string, title: string, trustId: number | null = null) {
  const { rows } = await db.query<{ id: string }>(sql`
    INSERT INTO reference_sets (set_key, kind, title, publisher, edition, source_title, trust_id, document)
    VALUES (${setKey}, ${kind}, ${title}, 'test fixture', '1', ${title}, ${trustId}, '{}'::jsonb)
    RETURNING reference_set_id AS id`);
  return Number(rows[0]!.id);
}

interface ValueRow {
  key: string;
  quantity: string;
  value: number;
  status?: 'C' | 'S';
  drlCategory?: string;
  bodyRegion?: string;
  ageBand?: string;
  modality?: string;
  attributes?: Record<string, unknown>;
}

async function insertValue(db: QueryRunner, setId: number, v: ValueRow): Promise<number> {
  const { rows } = await db.query<{ id: string }>(sql`
    INSERT INTO reference_values (reference_set_id, value_key, modality, drl_category, body_region, age_band,
                                  quantity, value, status, status_note, attributes)
    VALUES (${setId}, ${v.key}, ${v.modality ?? null}, ${v.drlCategory ?? null}, ${v.bodyRegion ?? null},
            ${v.ageBand ?? null}, ${v.quantity}, ${v.value}, ${v.status ?? 'C'},
            ${v.status === 'S' ? 'verify against primary' : null}, ${JSON.stringify(v.attributes ?? {})})
    RETURNING reference_value_id AS id`);
  return Number(rows[0]!.id);
}

/** Inserts every fixture set; ids come back for the tests' expectations. */
export async function loadReferenceFixture(db: QueryRunner): Promise<ReferenceFixture> {
  const ndrlSetId = await insertSet(db, 'test-uk-ndrl-adult-ct', 'national-drl', 'UKHSA adult CT NDRLs (test)');
  const ndrl = new Map<string, number>();
  for (const row of NDRL_ROWS) {
    const base = { modality: 'CT', drlCategory: row.category };
    if (row.ctdivolMgy !== null)
      ndrl.set(
        `${row.category}/ctdivol_mgy`,
        await insertValue(db, ndrlSetId, { ...base, key: row.id, quantity: 'ctdivol_mgy', value: row.ctdivolMgy }),
      );
    ndrl.set(
      `${row.category}/dlp_mgycm`,
      await insertValue(db, ndrlSetId, { ...base, key: row.id, quantity: 'dlp_mgycm', value: row.dlpMgyCm }),
    );
  }
  const kSet = await insertSet(db, 'test-ct-k-shrimpton', 'ct-k-factor', 'Shrimpton k-factors (test)');
  const k = new Map<string, number>();
  for (const [region, values] of Object.entries(K_FACTORS)) {
    for (const [i, age] of K_AGES.entries()) {
      const id = await insertValue(db, kSet, {
        key: `${region}_${age}`,
        quantity: 'k_msv_per_mgycm',
        value: values[i]!,
        modality: 'CT',
        bodyRegion: region,
        ageBand: age,
      });
      k.set(`${region}/${age}`, id);
    }
  }
  const ssdeSet = await insertSet(db, 'test-ssde-aapm204', 'ssde-conversion', 'AAPM 204 constants (test)');
  const ssde = new Map<string, number>();
  for (const phantom of [32, 16] as const) {
    const c = SSDE_CONSTANTS[phantom];
    const attributes = { phantom_cm: phantom };
    ssde.set(
      `${phantom}/a`,
      await insertValue(db, ssdeSet, {
        key: `phantom_${phantom}cm`,
        quantity: 'ssde_a',
        value: c.a,
        status: 'S',
        attributes,
      }),
    );
    ssde.set(
      `${phantom}/b`,
      await insertValue(db, ssdeSet, {
        key: `phantom_${phantom}cm`,
        quantity: 'ssde_b_per_cm',
        value: c.bPerCm,
        status: 'S',
        attributes,
      }),
    );
  }
  const nmSet = await insertSet(db, 'test-nm-e-per-mbq', 'nm-effective-dose', 'NM E per MBq (test)');
  const nm: number[] = [];
  for (const [i, row] of NM_COEFFICIENTS.entries()) {
    nm.push(
      await insertValue(db, nmSet, {
        key: `nm_${i}`,
        quantity: 'e_msv_per_mbq',
        value: row.value,
        attributes: { radiopharmaceutical: row.radiopharmaceutical },
      }),
    );
  }
  const dapSet = await insertSet(db, 'test-dap-e', 'dap-effective-dose', 'E per KAP, interventional cardiology (test)');
  const dapFactor = await insertValue(db, dapSet, {
    key: 'coronary_angiography_radial',
    quantity: 'e_msv_per_gycm2',
    value: CORONARY_ANGIOGRAPHY_E_PER_DAP,
    drlCategory: TEST_XA_CATEGORY,
  });
  return { ndrlSetId, ndrl, k, ssde, nm, dapFactor };
}
