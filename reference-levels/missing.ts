/**
 * Reference tables Kerma does not ship because the compiled reference data (shared/reference-data,
 * §1.3, §3.3 and §10 "Gaps") could not confirm their figures. The page lists them so nobody mistakes
 * an absent table for a passed check; physicists load them from the official documents (import).
 * `referenceData` points at the gap in reference-levels.json (a test keeps the pointers honest).
 */
export interface MissingReferenceTable {
  readonly what: string;
  /** Where the figures are published, for whoever loads them. */
  readonly where: string;
  readonly referenceData: string;
}

export const MISSING_REFERENCE_TABLES: readonly MissingReferenceTable[] = [
  {
    what: 'UK paediatric CT NDRLs by age band (UKHSA table 2b)',
    where: 'UKHSA NDRL page (gov.uk) and the paediatric CT review it cites',
    referenceData: '/uk_ndrl/not_retrieved/0',
  },
  {
    what: 'UK adult and paediatric general radiography NDRLs (DAP, ESD per radiograph)',
    where: 'UKHSA NDRL page and the national radiography reviews it lists',
    referenceData: '/uk_ndrl/not_retrieved/1',
  },
  {
    what: 'UK fluoroscopy and interventional NDRLs (DAP per examination, fluoroscopy time)',
    where: 'UKHSA NDRL page',
    referenceData: '/uk_ndrl/not_retrieved/2',
  },
  {
    what: 'UK screening and symptomatic mammography NDRLs (mean glandular dose)',
    where: 'UKHSA NDRL page (the 50-60 mm compressed breast thickness band)',
    referenceData: '/uk_ndrl/not_retrieved/3',
  },
  {
    what: 'UK dental NDRLs (intra-oral, panoramic, cephalometric, CBCT)',
    where: 'PHE-CRCE-059 (2019, updated 2020) and the UKHSA NDRL page',
    referenceData: '/uk_ndrl/not_retrieved/4',
  },
  {
    what: 'UK NDRLs for CT in hybrid imaging (PET-CT, SPECT-CT) and radiotherapy planning CT',
    where: 'UKHSA NDRL page',
    referenceData: '/uk_ndrl/not_retrieved/5',
  },
  {
    what: 'The 2024 coronary CT angiography row of UKHSA Table 1 (the 2018 values are loaded)',
    where: 'UKHSA NDRL page, Table 1',
    referenceData: '/gaps/0',
  },
  {
    what: 'ARSAC nuclear medicine and PET DRLs (administered activity per procedure)',
    where: 'ARSAC Notes for Guidance, current edition (gov.uk/arsac)',
    referenceData: '/uk_ndrl/not_retrieved/6',
  },
  {
    what: 'CT dose check alert values (the CTDIvol alert value often quoted as AAPM\u2019s is unconfirmed)',
    where: 'AAPM notification and alert values statement (2011)',
    referenceData: '/ct_dose_check/alert_value_ctdivol_mGy',
  },
  {
    what: 'Effective dose per DAP for general radiography and diagnostic fluoroscopy',
    where: 'NRPB-R262, HPA-CRCE-012/028, PCXMC-based tables',
    referenceData: '/dap_to_effective_dose/general_radiography_and_fluoroscopy',
  },
  {
    what: 'CT k-factors for head and neck (all ages) and the paediatric neck',
    where: 'AAPM Report 96 Table 3 or EUR 16262',
    referenceData: '/gaps/2',
  },
];
