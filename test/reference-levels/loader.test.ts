import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseReferenceLevelSet, ukNationalDrls } from '../../reference-levels/index.ts';
import { ValidationError } from '../../core/index.ts';

describe('reference levels', () => {
  it('ships the UKHSA adult CT NDRLs with their source', () => {
    const set = ukNationalDrls();
    const stroke = set.levels.find((l) => l.id === 'uk-adult-ct-head-acute-stroke');
    expect(stroke).to.include({ ctdiVolPerSequenceMgy: 47, dlpPerExamMgyCm: 790, yearAdopted: 2022 });
    expect(stroke?.source.title).to.include('UKHSA');
    for (const level of set.levels) expect(level.source.url).to.match(/^https?:\/\//);
  });

  it('matches the shared reference data figure for figure when it is present', function () {
    let shared: {
      uk_ndrl: { adult_ct: Array<{ id: string; ctdivol_per_sequence_mGy: number | null; dlp_per_exam_mGycm: number }> };
    };
    try {
      shared = JSON.parse(readFileSync('../shared/reference-data/reference-levels.json', 'utf8')) as typeof shared;
    } catch {
      this.skip(); // ../shared is absent outside the project workspace
    }
    const set = ukNationalDrls();
    for (const row of shared.uk_ndrl.adult_ct) {
      const level = set.levels.find((l) => l.id === `uk-adult-ct-${row.id.replace(/_/g, '-')}`);
      expect(level, row.id).to.not.equal(undefined);
      expect(level?.dlpPerExamMgyCm, row.id).to.equal(row.dlp_per_exam_mGycm);
      expect(level?.ctdiVolPerSequenceMgy ?? null, row.id).to.equal(row.ctdivol_per_sequence_mGy ?? null);
    }
  });

  it('rejects unsourced or unconfirmed figures', () => {
    const set = JSON.parse(JSON.stringify(ukNationalDrls())) as { levels: Array<Record<string, unknown>> };
    set.levels[0]!.status = 'U';
    delete set.levels[1]!.source;
    expect(() => parseReferenceLevelSet(set, 'test')).to.throw(ValidationError, /status|source/);
  });
});
