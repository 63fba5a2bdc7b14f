import { expect } from 'chai';
import { completeMapping, detectDelimiter, readCsv } from '../../analytics/patient-size/csv.ts';
import { planSizes, type MatchedStudy } from '../../analytics/patient-size/plan.ts';
import { parseDecimal, readSizeRows } from '../../analytics/patient-size/rows.ts';
import type { ColumnMapping, SizeRow } from '../../analytics/patient-size/types.ts';

const CM: Pick<ColumnMapping, 'heightUnit' | 'header'> = { heightUnit: 'cm', header: true };

describe('patient size CSV: reading the file', () => {
  it('numbers each record by the line it starts on, past blank lines, empty rows and quoted line breaks', () => {
    const table = readCsv('\uFEFFAccession,Height,Weight\nA1,170,90\n\n"B,2","16\n5",80.6\n,,\nC3,198,102.3\n', {
      header: true,
    });
    expect(table.header).to.deep.equal(['Accession', 'Height', 'Weight']);
    expect(table.records.map((r) => [r.line, r.cells[0]])).to.deep.equal([
      [2, 'A1'],
      [4, 'B,2'],
      [7, 'C3'],
    ]);
  });

  it('guesses the separator from the first line (semicolons where the decimal mark is a comma)', () => {
    expect(detectDelimiter('acc;height;weight\n1;1,70;80,5')).to.equal(';');
    expect(detectDelimiter('acc\theight\tweight')).to.equal('\t');
    expect(detectDelimiter('"a;b",height,weight')).to.equal(',');
    const table = readCsv('acc;height;weight\nA1;1,70;80,5\n', { header: true });
    expect(table.records[0]?.cells).to.deep.equal(['A1', '1,70', '80,5']);
  });

  it('refuses malformed CSV with a 400 that names the line', () => {
    expect(() => readCsv('a,b\n"unclosed,1\n', { header: true }))
      .to.throw(/not valid CSV.*line 2/)
      .with.property('httpStatus', 400);
  });

  it('reads decimals with a point or a comma, an empty cell as no value, anything else as not a number', () => {
    expect(parseDecimal('1.72')).to.equal(1.72);
    expect(parseDecimal('1,72')).to.equal(1.72);
    expect(parseDecimal(' 80 ')).to.equal(80);
    expect(parseDecimal('')).to.equal(undefined);
    expect(parseDecimal('80kg')).to.be.NaN;
    expect(parseDecimal('-80')).to.be.NaN;
    expect(parseDecimal('1e3')).to.be.NaN;
  });
});

describe('patient size CSV: the column mapping', () => {
  const table = readCsv('Study Instance UID,Patient Height (cm),Weight,Trust\n1.2.3,170,80,RXH\n', { header: true });

  it('guesses the columns a header names, and reads a Study Instance UID column as such', () => {
    expect(completeMapping(table, CM)).to.include({
      match: 'study-uid',
      keyColumn: 'Study Instance UID',
      heightColumn: 'Patient Height (cm)',
      weightColumn: 'Weight',
      // Trusts matter only for accession numbers.
      trustColumn: undefined,
    });
  });

  it('takes columns by number, and "none" to leave a guessed column out', () => {
    expect(completeMapping(table, { ...CM, keyColumn: '1', match: 'accession', weightColumn: 'none' })).to.include({
      match: 'accession',
      keyColumn: '1',
      heightColumn: 'Patient Height (cm)',
      weightColumn: undefined,
      trustColumn: 'Trust',
    });
  });

  it('refuses a column the file does not have, listing the ones it has', () => {
    expect(() => completeMapping(table, { ...CM, heightColumn: 'Stature' })).to.throw(
      'no column "Stature" for the height; the file\'s columns are "Study Instance UID", "Patient Height (cm)", "Weight", "Trust"',
    );
    expect(() => completeMapping(table, { ...CM, keyColumn: '5' })).to.throw('no column "5"');
  });

  it('needs a key column and a height or weight column when the header names none', () => {
    const bare = readCsv('A1,170,80\n', { header: false });
    expect(() => completeMapping(bare, { heightUnit: 'cm', header: false })).to.throw('accession number or Study');
    expect(() => completeMapping(bare, { heightUnit: 'cm', header: false, keyColumn: '1' })).to.throw(
      'height or the weight',
    );
  });
});

describe('patient size CSV: rows', () => {
  const mapping = (csv: string, extra: Partial<ColumnMapping> = {}) => {
    const table = readCsv(csv, { header: true });
    return { table, mapping: completeMapping(table, { ...CM, ...extra }) };
  };

  it('converts centimetres to metres and keeps kilograms', () => {
    const { table, mapping: m } = mapping('Accession,Height,Weight\nACC1,165,80.6\nACC2,,102.3\n');
    expect(readSizeRows(table, m, 'DEFAULT')).to.deep.equal({
      rows: [
        { row: 2, key: 'ACC1', trustCode: 'DEFAULT', heightM: 1.65, weightKg: 80.6 },
        { row: 3, key: 'ACC2', trustCode: 'DEFAULT', heightM: undefined, weightKg: 102.3 },
      ],
      problems: [],
    });
  });

  it('reports implausible, unreadable and missing values with their row, refusing the whole row', () => {
    const csv = [
      'Accession,Height,Weight,Trust',
      'A1,170,90,', // fine, default trust
      'A2,1.7,90,', // 1.7 cm: 0.017 m
      'A3,170,401,', // weight over 400 kg
      'A4,tall,90,',
      ',170,90,', // no accession
      'A6,,,RXH', // no size
      'A7,250,0.5,RXH', // the bounds themselves are plausible
      'A8,251,0.4,',
    ].join('\n');
    const { table, mapping: m } = mapping(csv);
    const { rows, problems } = readSizeRows(table, m, 'DEFAULT');
    expect(rows.map((r) => [r.row, r.trustCode, r.heightM, r.weightKg])).to.deep.equal([
      [2, 'DEFAULT', 1.7, 90],
      [8, 'RXH', 2.5, 0.5],
    ]);
    expect(problems).to.deep.equal([
      {
        row: 3,
        code: 'implausible-height',
        reason: 'the height 1.7 cm is outside 0.3–2.5 m (is the height unit right?)',
      },
      { row: 4, code: 'implausible-weight', reason: 'the weight 401 kg is outside 0.5–400 kg' },
      { row: 5, code: 'invalid-height', reason: 'the height is not a number' },
      { row: 6, code: 'no-key', reason: 'no accession number' },
      { row: 7, code: 'no-size', reason: 'neither a height nor a weight' },
      {
        row: 9,
        code: 'implausible-height',
        reason:
          'the height 251 cm is outside 0.3–2.5 m (is the height unit right?); the weight 0.4 kg is outside 0.5–400 kg',
      },
    ]);
  });
});

describe('patient size plan', () => {
  const study = (studyId: number, over: Partial<MatchedStudy> = {}): MatchedStudy => ({
    studyId,
    heightM: null,
    weightKg: null,
    heightSource: null,
    weightSource: null,
    ...over,
  });
  const row = (n: number, heightM: number | undefined, weightKg: number | undefined): SizeRow => ({
    row: n,
    key: `K${n}`,
    trustCode: 'DEFAULT',
    heightM,
    weightKg,
  });

  it('fills only what is missing and keeps what the dose objects or an earlier import gave', () => {
    const studies = {
      K1: [study(1, { heightM: 1.86, weightKg: 87 })],
      K2: [study(2, { weightKg: 75 })],
      K3: [study(3, { weightKg: 70, weightSource: 'imported' })],
      K4: [],
    } as Record<string, MatchedStudy[]>;
    const plan = planSizes(
      [row(1, 1.7, 90), row(2, 1.65, 80.6), row(3, 1.6, 71), row(4, 1.5, 60)],
      (r) => studies[r.key]!,
      false,
    );
    expect(plan.outcomes).to.deep.equal([
      {
        row: 1,
        status: 'unchanged',
        heightM: 1.7,
        weightKg: 90,
        studies: [{ studyId: 1, height: 'kept-dicom', weight: 'kept-dicom' }],
      },
      {
        row: 2,
        status: 'applied',
        heightM: 1.65,
        weightKg: 80.6,
        studies: [{ studyId: 2, height: 'filled', weight: 'kept-dicom' }],
      },
      {
        row: 3,
        status: 'applied',
        heightM: 1.6,
        weightKg: 71,
        studies: [{ studyId: 3, height: 'filled', weight: 'kept-imported' }],
      },
      { status: 'problem', row: 4, code: 'no-study', reason: 'no study matches' },
    ]);
    expect(plan.updates).to.deep.equal([
      { studyId: 2, heightM: 1.65, weightKg: undefined },
      { studyId: 3, heightM: 1.6, weightKg: undefined },
    ]);
  });

  it('replaces an earlier import only when asked, never a value from the dose objects', () => {
    const matched = [study(1, { heightM: 1.5, heightSource: 'imported', weightKg: 60 })];
    const plan = planSizes([row(1, 1.6, 61)], () => matched, true);
    expect(plan.updates).to.deep.equal([{ studyId: 1, heightM: 1.6, weightKg: undefined }]);
    expect(planSizes([row(1, 1.5, 61)], () => matched, true).updates).to.deep.equal([]);
  });

  it('lets the first row win: a later row agreeing changes nothing, one disagreeing is a conflict that applies nothing', () => {
    const matched = [study(7)];
    const plan = planSizes([row(2, 1.7, undefined), row(3, 1.7, 80), row(4, 1.8, 81)], () => matched, false);
    expect(plan.outcomes.map((o) => [o.row, o.status, 'code' in o ? o.code : undefined])).to.deep.equal([
      [2, 'applied', undefined],
      [3, 'applied', undefined],
      [4, 'problem', 'conflict'],
    ]);
    expect(plan.outcomes[2]).to.include({ reason: 'rows 2, 3 of this file give the same study a different size' });
    expect(plan.updates).to.deep.equal([{ studyId: 7, heightM: 1.7, weightKg: 80 }]);
  });

  it('plans nothing on the store it produced (a re-import is idempotent)', () => {
    const rows = [row(2, 1.65, 80.6)];
    const first = planSizes(rows, () => [study(2)], false);
    const stored = study(2, { heightM: 1.65, weightKg: 80.6, heightSource: 'imported', weightSource: 'imported' });
    const again = planSizes(rows, () => [stored], false);
    expect(first.updates).to.have.length(1);
    expect(again.updates).to.deep.equal([]);
    expect(again.outcomes[0]).to.include({ status: 'unchanged' });
  });
});
