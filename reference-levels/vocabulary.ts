/**
 * The words a reference set is written in: its kinds (migration 0015's CHECK on reference_sets.kind)
 * and the quantities of its values. A quantity's name carries its unit (docs/adr/0012), so a figure
 * in Gy·m² can never be read as Gy·cm²; the label and unit here are what pages and exports show.
 */
export const REFERENCE_SET_KINDS = [
  'national-drl',
  'local-drl',
  'ct-notification-value',
  'fluoroscopy-substantial-dose',
  'ct-k-factor',
  'ssde-conversion',
  'nm-effective-dose',
  'dap-effective-dose',
  'cqc-significant-exposure',
  'backscatter-factor',
] as const;
export type ReferenceSetKind = (typeof REFERENCE_SET_KINDS)[number];

export const KIND_LABELS: Readonly<Record<ReferenceSetKind, string>> = {
  'national-drl': 'National diagnostic reference levels',
  'local-drl': 'Local diagnostic reference levels',
  'ct-notification-value': 'CT dose check notification values',
  'fluoroscopy-substantial-dose': 'Fluoroscopy substantial radiation dose levels',
  'ct-k-factor': 'CT effective dose coefficients (k)',
  'ssde-conversion': 'SSDE conversion constants',
  'nm-effective-dose': 'Nuclear medicine effective dose per activity',
  'dap-effective-dose': 'Effective dose per dose-area product',
  'cqc-significant-exposure': 'Significant accidental or unintended exposure criteria',
  'backscatter-factor': 'Backscatter factors',
};

export interface QuantitySpec {
  /** What the figure is, as a column header says it. */
  readonly label: string;
  /** Its unit as shown to people ('' for a pure number). */
  readonly unit: string;
}

/**
 * Every quantity a value may have. The first block is fixed by the issue 11 contract; the second
 * is what reference sets need beyond it (skin dose and time levels, SAUE thresholds, and what the
 * official radiography, mammography and nuclear medicine tables that physicists load are stated in).
 */
export const QUANTITIES = {
  ctdivol_mgy: { label: 'CTDIvol', unit: 'mGy' },
  dlp_mgycm: { label: 'DLP', unit: 'mGy·cm' },
  dap_gycm2: { label: 'DAP', unit: 'Gy·cm²' },
  kar_gy: { label: 'Air kerma at the reference point (Ka,r)', unit: 'Gy' },
  fluoro_time_s: { label: 'Fluoroscopy time', unit: 's' },
  agd_mgy: { label: 'Average (mean) glandular dose', unit: 'mGy' },
  activity_mbq: { label: 'Administered activity', unit: 'MBq' },
  k_msv_per_mgycm: { label: 'Effective dose per DLP (k)', unit: 'mSv/(mGy·cm)' },
  e_msv_per_mbq: { label: 'Effective dose per activity', unit: 'mSv/MBq' },
  e_msv_per_gycm2: { label: 'Effective dose per DAP', unit: 'mSv/(Gy·cm²)' },
  ssde_a: { label: 'SSDE coefficient a', unit: '' },
  ssde_b_per_cm: { label: 'SSDE coefficient b', unit: '1/cm' },
  multiplier: { label: 'Multiple of the intended dose or DRL', unit: '×' },
  psd_gy: { label: 'Peak skin dose', unit: 'Gy' },
  effective_dose_msv: { label: 'Effective dose', unit: 'mSv' },
  foetal_dose_mgy: { label: 'Foetal dose', unit: 'mGy' },
  esd_mgy: { label: 'Entrance surface dose', unit: 'mGy' },
  activity_mbq_per_kg: { label: 'Administered activity per body weight', unit: 'MBq/kg' },
} as const satisfies Record<string, QuantitySpec>;
export type Quantity = keyof typeof QUANTITIES;
export const QUANTITY_NAMES = Object.keys(QUANTITIES) as Quantity[];

export const isQuantity = (name: string): name is Quantity => Object.hasOwn(QUANTITIES, name);

/** Confirmation status from the reference data: C confirmed in the primary text, S secondary only. */
export const REFERENCE_STATUSES = ['C', 'S'] as const;
export type ReferenceStatus = (typeof REFERENCE_STATUSES)[number];

/** What every S figure says about itself, wherever it is shown. */
export const VERIFY_AGAINST_PRIMARY = 'verify against primary';
