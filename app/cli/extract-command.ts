import { readFile } from 'node:fs/promises';
import { DicomExtractionError, extractDoseReport, summariseReport, type DoseReport } from '../../ingest/index.ts';

/**
 * `kerma extract FILE... [--json]`: the normalised dose report of each file, or why there is none.
 * Exit status 0 when every file extracted, 1 when any failed (the others are still printed).
 */
export async function runExtract(files: readonly string[], options: { json?: boolean }): Promise<number> {
  let failures = 0;
  for (const file of files) {
    try {
      const { report, extractor, extractorVersion } = extractDoseReport(await readFile(file));
      process.stdout.write(
        options.json ? `${JSON.stringify({ file, extractor, extractorVersion, report })}\n` : describe(file, report),
      );
    } catch (error) {
      failures += 1;
      const reason =
        error instanceof DicomExtractionError
          ? { code: error.code, message: error.message }
          : { code: 'unreadable', message: (error as Error).message };
      process.stdout.write(
        options.json
          ? `${JSON.stringify({ file, error: reason })}\n`
          : `${file}: ERROR ${reason.code}: ${reason.message}\n`,
      );
    }
  }
  return failures === 0 ? 0 : 1;
}

const fmt = (value: number | undefined, unit: string, digits = 2): string | undefined =>
  value === undefined ? undefined : `${value.toFixed(digits)} ${unit}`;

function describe(file: string, report: DoseReport): string {
  const s = summariseReport(report);
  const totals = [
    fmt(s.totalDlpMgyCm, 'mGy·cm'),
    fmt(s.totalDapGyCm2, 'Gy·cm²', 4),
    fmt(s.totalDoseRpGy, 'Gy (Ka,r)', 4),
    fmt(s.totalAgdLeftMgy, 'mGy AGD left', 3),
    fmt(s.totalAgdRightMgy, 'mGy AGD right', 3),
    fmt(s.totalActivityMbq, 'MBq'),
  ].filter(Boolean);
  const lines = [
    `${file}: ${report.modality} ${report.sourceKind} (${report.device.manufacturer ?? '?'} ${report.device.manufacturerModelName ?? ''})`.trimEnd(),
    `  study ${report.study.studyInstanceUid} on ${report.study.studyDate ?? 'unknown date'}, ${s.eventCount} event(s)${totals.length ? `, ${totals.join(', ')}` : ''}`,
  ];
  for (const w of report.warnings) lines.push(`  warning: ${w}`);
  return `${lines.join('\n')}\n`;
}
