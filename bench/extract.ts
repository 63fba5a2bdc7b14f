import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { extractDoseReport } from '../ingest/index.ts';
import { buildCtRdsr, buildLargeFluoroRdsr } from '../test/support/fixtures/xray-rdsr.ts';

/**
 * Parse + extract throughput on one core. Prints files/s, MB/s and per-file p50/p99 for: the CT RDSRs
 * of the shared corpus, the whole corpus, and the large Philips Azurion fluoroscopy RDSR (or, when the
 * corpus is absent, generated stand-ins of the same shape).
 */
interface Sample {
  readonly name: string;
  readonly bytes: Uint8Array;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function measure(label: string, samples: readonly Sample[], seconds: number): void {
  for (const s of samples) extractDoseReportSafe(s.bytes); // warm-up: JIT and lazy decoders
  const durations: number[] = [];
  let bytes = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  while (performance.now() < deadline) {
    for (const s of samples) {
      const t = performance.now();
      extractDoseReportSafe(s.bytes);
      durations.push(performance.now() - t);
      bytes += s.bytes.length;
    }
  }
  const elapsedS = (performance.now() - started) / 1000;
  durations.sort((a, b) => a - b);
  const line = {
    bench: `extract:${label}`,
    files: durations.length,
    filesPerS: Math.round(durations.length / elapsedS),
    mbPerS: Number((bytes / 1e6 / elapsedS).toFixed(1)),
    p50Ms: Number(percentile(durations, 50).toFixed(3)),
    p99Ms: Number(percentile(durations, 99).toFixed(3)),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function extractDoseReportSafe(bytes: Uint8Array): void {
  try {
    extractDoseReport(bytes);
  } catch {
    // Non-dose objects are part of the mix; their rejection is work measured too.
  }
}

const corpus = path.resolve('../shared/corpus/dicom');
const seconds = Number(process.env.KERMA_BENCH_SECONDS ?? '3');
if (existsSync(corpus)) {
  const all = readdirSync(corpus)
    .filter((f) => f.endsWith('.dcm'))
    .map((f) => ({ name: f, bytes: readFileSync(path.join(corpus, f)) }));
  measure(
    'corpus-ct-rdsr',
    all.filter((s) => s.name.startsWith('CT-RDSR')),
    seconds,
  );
  measure('corpus-all', all, seconds);
  measure(
    'azurion-fluoro-rdsr',
    all.filter((s) => s.name === 'RF-RDSR-Philips_Azurion.dcm'),
    seconds,
  );
} else {
  process.stdout.write('shared corpus absent: measuring generated stand-ins\n');
}
measure('generated-ct-rdsr', [{ name: 'ct', bytes: buildCtRdsr({ events: 4 }) }], seconds);
measure('generated-fluoro-rdsr-90-events', [{ name: 'rf', bytes: buildLargeFluoroRdsr(90) }], seconds);
