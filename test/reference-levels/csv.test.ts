import { expect } from 'chai';
import { ValidationError } from '../../core/index.ts';
import { parseReferenceSetCsv } from '../../reference-levels/index.ts';

const HEADER =
  'set_key,kind,title,publisher,edition,effective_from,source_title,source_url,value_key,drl_category,quantity,value,status,status_note';
const FIRST =
  'xr-local,local-drl,Local radiography DRLs,Physics,2026,2026-02-01,Local audit 2025,https://example.org/audit,chest-pa,dx-chest-pa,dap_gycm2,0.1,C,';

const problemOf = (csv: string): string => {
  try {
    parseReferenceSetCsv(csv, 'test.csv');
  } catch (error) {
    expect(error).to.be.instanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('the CSV was accepted');
};

describe('reference set CSV', () => {
  it('reads one row per figure, the set columns given once and repeated or left empty below', () => {
    const set = parseReferenceSetCsv(
      `\uFEFF${HEADER}\n${FIRST}\n,,,,,,,,abdomen-ap,dx-abdomen-ap,dap_gycm2,2.5,S,from a survey\n` +
        `xr-local,,,,2026,,,,pelvis-ap,dx-pelvis-ap,dap_gycm2,"2.2",C,\n`,
      'test.csv',
    );
    expect(set).to.deep.include({
      setKey: 'xr-local',
      kind: 'local-drl',
      edition: '2026',
      effectiveFrom: '2026-02-01',
      source: { title: 'Local audit 2025', url: 'https://example.org/audit' },
    });
    expect(set.values.map((v) => [v.valueKey, v.value, v.status])).to.deep.equal([
      ['chest-pa', 0.1, 'C'],
      ['abdomen-ap', 2.5, 'S'],
      ['pelvis-ap', 2.2, 'C'],
    ]);
    expect(set.values[1]!.statusNote).to.equal('from a survey (verify against primary)');
  });

  it('names the row and column of each problem', () => {
    expect(problemOf(`${HEADER}\n${FIRST}\n,,,,,,,,abdomen,dx-abdomen,dap_gycm2,"1,5",C,\n`)).to.include(
      'row 3, column value: "1,5" is not a number (use a point for decimals, no unit)',
    );
    expect(problemOf(`${HEADER}\n${FIRST}\n,,,,,,,,abdomen,dx-abdomen,dap_mgycm2,1.5,C,\n`)).to.match(
      /row 3, column quantity: must be one of ctdivol_mgy, dlp_mgycm/,
    );
    expect(problemOf(`${HEADER}\n${FIRST}\n,,,,,,,,abdomen,dx-abdomen,dap_gycm2,1.5,U,\n`)).to.include(
      'row 3, column status: must be one of C, S',
    );
    expect(problemOf(`${HEADER}\n${FIRST}\n,,,,2027,,,,abdomen,dx-abdomen,dap_gycm2,1.5,C,\n`)).to.include(
      'row 3, column edition: "2027" differs from "2026" in row 2',
    );
    expect(problemOf(`${HEADER}\n${FIRST}\n,,,,,,,,chest-pa,dx-chest-pa,dap_gycm2,0.2,C,\n`)).to.include(
      'row 3, column value_key: chest-pa dap_gycm2 is already given at row 2',
    );
    expect(problemOf(`${HEADER}\n${FIRST.replace('2026-02-01', '2026-02-30')}\n`)).to.include(
      'row 2, column effective_from: must match format "date"',
    );
    expect(problemOf(`${HEADER.replace('publisher', 'publsher')}\n${FIRST}\n`)).to.include(
      'row 1, column 4: unknown column "publsher"',
    );
    expect(problemOf(`${HEADER}\n${FIRST},extra\n`)).to.match(/row 2: not readable as CSV/);
    expect(problemOf(`${HEADER}\n`)).to.include('no figure rows below the header');
  });

  it('says which required set column is empty on the first row', () => {
    expect(problemOf(`${HEADER}\n${FIRST.replace('Physics', '')}\n`)).to.include('publisher: is required');
  });
});
