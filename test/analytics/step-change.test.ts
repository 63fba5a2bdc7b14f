import { expect } from 'chai';
import { averageRanks, detectChanges, pettitt, seriesChanges, type DailyMedian } from '../../analytics/index.ts';

const days = (levels: readonly number[]): DailyMedian[] =>
  levels.map((median, i) => ({ day: new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10), n: 2, median }));
const repeat = (value: number, times: number) => Array.from({ length: times }, () => value);

describe("Pettitt's change-point test and the step changes built on it", () => {
  it('ranks ties with their average rank', () => {
    expect(averageRanks([5, 1, 5, 3])).to.deep.equal([3.5, 1, 3.5, 2]);
  });

  it('gives the statistic and p-value worked by hand', () => {
    // Ranks 1..6: U_t = 2·Σr − 7t = −5, −8, −9, −8, −5, so K = 9 after the third value;
    // p ≈ 2·exp(−6·81 / (6³ + 6²)) = 2·exp(−1.92857) = 0.29072.
    const result = pettitt([1, 2, 3, 10, 11, 12])!;
    expect(result.lastBefore).to.equal(2);
    expect(result.k).to.equal(9);
    expect(result.pValue).to.be.closeTo(0.29072, 1e-5);
    expect(pettitt([1, 2, 3, 4], 3)).to.equal(undefined); // no cut leaves three on each side
  });

  it('reports a doubling after 20 days, with its date and size, and nothing in a flat series', () => {
    const series = days([...repeat(100, 20), ...repeat(200, 20)]);
    expect(detectChanges(series).map((c) => c.firstAfter)).to.deep.equal([20]);
    const [change] = seriesChanges(series, {}, 'dap_gycm2');
    expect(change).to.include({ changeDate: '2024-01-21', medianBefore: 100, medianAfter: 200, ratio: 2 });
    expect(change).to.include({ daysBefore: 20, daysAfter: 20, examsBefore: 40, examsAfter: 40 });
    expect(change!.pValue).to.be.closeTo(2 * Math.exp((-6 * 400 ** 2) / (40 ** 3 + 40 ** 2)), 1e-12);
    expect(change!.explanation).to.match(/DAP rose from 100 to 200 Gy·cm² \(×2\) from 2024-01-21/);
    expect(detectChanges(days(repeat(100, 60)))).to.deep.equal([]);
  });

  it('ignores a significant step smaller than ×1.1, and one with under 14 days on a side', () => {
    expect(detectChanges(days([...repeat(100, 40), ...repeat(105, 40)]))).to.deep.equal([]);
    expect(detectChanges(days([...repeat(100, 40), ...repeat(200, 13)]))).to.deep.equal([]);
    expect(detectChanges(days([...repeat(100, 40), ...repeat(200, 14)])).map((c) => c.firstAfter)).to.deep.equal([40]);
  });

  it('finds two steps by binary segmentation, each measured against its neighbouring levels', () => {
    const series = days([...repeat(100, 30), ...repeat(60, 30), ...repeat(120, 30)]);
    const changes = seriesChanges(series, {}, 'dlp_mgycm');
    expect(changes.map((c) => [c.changeDate, c.medianBefore, c.medianAfter])).to.deep.equal([
      ['2024-01-31', 100, 60],
      ['2024-03-01', 60, 120],
    ]);
  });
});
