/**
 * How an administration finds its E/A coefficient: the agent an RDSR or image header names (a code
 * meaning such as "Fluorodeoxyglucose F^18^", or free text) and the radiopharmaceutical a reference
 * row names (attributes.radiopharmaceutical, e.g. "18F-FDG") are compared in one normal form, letters
 * and digits only, lower case. These are spellings of the same agent, not figures: an agent spelt
 * some other way simply has no coefficient (the estimate stays NULL with its reason).
 */

export function agentKey(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
}

/** Other spellings (normal form) of the radiopharmaceuticals the reference data names. */
const SPELLINGS: Readonly<Record<string, readonly string[]>> = {
  '18F-FDG': [
    'Fluorodeoxyglucose F^18^',
    'Fludeoxyglucose F^18^',
    'Fludeoxyglucose F 18',
    'Fluorodeoxyglucose',
    'Fludeoxyglucose',
    'FDG',
    'F-18 FDG',
    'F18-FDG',
  ],
  '99mTc-MDP': [
    'Technetium Tc^99m^ medronate',
    'Tc-99m medronate',
    '99mTc-medronate',
    'Tc-99m MDP',
    'Tc99m-MDP',
    'Medronate',
    'MDP',
  ],
  '18F-fluoride': ['Sodium fluoride F^18^', 'Fluoride F^18^', 'F-18 sodium fluoride', '18F-NaF', 'F-18 NaF', 'NaF'],
  '99mTc-pertechnetate (no blocking agent)': [
    'Sodium pertechnetate Tc^99m^',
    'Technetium Tc^99m^ pertechnetate',
    'Tc-99m pertechnetate',
    '99mTc-pertechnetate',
    'Pertechnetate',
  ],
};

/** Pairs (spelling key, reference name key) for the recompute SQL, every name also its own spelling. */
export function agentSpellingPairs(): { spellings: string[]; names: string[] } {
  const spellings: string[] = [];
  const names: string[] = [];
  for (const [name, others] of Object.entries(SPELLINGS)) {
    for (const spelling of [name, ...others]) {
      spellings.push(agentKey(spelling));
      names.push(agentKey(name));
    }
  }
  return { spellings, names };
}
