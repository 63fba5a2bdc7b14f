import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  CORONARY_ANGIOGRAPHY_E_PER_DAP,
  K_AGES,
  K_FACTORS,
  NDRL_ROWS,
  NM_COEFFICIENTS,
  SSDE_CONSTANTS,
} from './support/reference-fixture.ts';

interface Shared {
  uk_ndrl: { adult_ct: Array<{ id: string; ctdivol_per_sequence_mGy: number | null; dlp_per_exam_mGycm: number }> };
  ct_k_factors: { shrimpton_icrp60: { ages: string[] } & Record<string, unknown> };
  ssde: { phantom_32cm: { a: number; b: number }; phantom_16cm: { a: number; b: number } };
  nm_effective_dose_per_activity_mSv_per_MBq: Array<{ radiopharmaceutical: string; value: number; status: string }>;
  dap_to_effective_dose: { interventional_cardiology_icrp103: Array<{ procedure: string; value?: number }> };
}

/** The shared reference data beside the checkout (a worktree sits one level deeper), when present. */
function shared(): Shared | undefined {
  for (const candidate of [
    '../shared/reference-data/reference-levels.json',
    '../../shared/reference-data/reference-levels.json',
  ]) {
    try {
      return JSON.parse(readFileSync(candidate, 'utf8')) as Shared;
    } catch {
      // try the next place
    }
  }
  return undefined;
}

/** The dose-metric tests' reference rows are the shared reference data's figures, figure for figure. */
describe('the reference fixture of the dose-metric tests', () => {
  it('holds exactly the shared reference data figures', function () {
    const data = shared();
    if (!data) this.skip(); // ../shared is absent outside the project workspace
    expect(NDRL_ROWS.map((r) => [r.id, r.ctdivolMgy, r.dlpMgyCm])).to.deep.equal(
      data.uk_ndrl.adult_ct.map((r) => [r.id, r.ctdivol_per_sequence_mGy, r.dlp_per_exam_mGycm]),
    );
    const k = data.ct_k_factors.shrimpton_icrp60;
    expect(k.ages).to.deep.equal([...K_AGES]);
    for (const [region, values] of Object.entries(K_FACTORS)) expect(k[region], region).to.deep.equal(values);
    expect(SSDE_CONSTANTS[32]).to.deep.equal({ a: data.ssde.phantom_32cm.a, bPerCm: data.ssde.phantom_32cm.b });
    expect(SSDE_CONSTANTS[16]).to.deep.equal({ a: data.ssde.phantom_16cm.a, bPerCm: data.ssde.phantom_16cm.b });
    expect(NM_COEFFICIENTS.map((c) => [c.radiopharmaceutical, c.value])).to.deep.equal(
      data.nm_effective_dose_per_activity_mSv_per_MBq.map((c) => [c.radiopharmaceutical, c.value]),
    );
    const ca = data.dap_to_effective_dose.interventional_cardiology_icrp103.find(
      (r) => r.procedure === 'coronary angiography, radial access',
    );
    expect(ca?.value).to.equal(CORONARY_ANGIOGRAPHY_E_PER_DAP);
  });
});
