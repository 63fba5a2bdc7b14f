import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createExamStream } from './exams.ts';
import { trustsFileContent, writeExamFile, type Part10Writer } from './dicom-writer.ts';
import type { RegionModel } from './model.ts';
import { patientAt } from './patients.ts';
import { ZonedClock } from './time.ts';
import type { SynthOrder } from './types.ts';

/**
 * DICOM mode: one Part 10 dose report per exam under `<out>/<trust>/<YYYYMM>/`, plus the files a
 * test or demo needs beside them: `trusts.json` (KERMA_TRUSTS_FILE, so ingest reads identifiers as
 * generated) and `orders.ndjson` (the scheduled orders; NHS numbers in clear, as a RIS would send
 * them, all synthetic).
 */
export interface DicomRegionResult {
  readonly files: number;
  readonly bytes: number;
  readonly events: number;
  readonly orders: number;
  readonly seconds: number;
  readonly trustsFile: string;
}

function orderLine(model: RegionModel, order: SynthOrder): string {
  const patient = patientAt(model, order.patientIndex);
  return JSON.stringify({
    trust: order.trust.code,
    placerOrderNumber: order.placerOrderNumber,
    fillerOrderNumber: order.fillerOrderNumber,
    nhsNumber: patient.nhsNumber ?? null,
    procedureCode: order.procedure.code[0],
    procedureCodeScheme: order.procedure.code[1],
    procedure: order.procedure.name,
    modality: order.procedure.modality,
    bodyRegion: order.procedure.bodyRegion,
    scheduledAt: new Date(order.scheduledUtcMs).toISOString(),
    status: order.status,
    reason: order.reason,
  });
}

export function writeDicomRegion(
  model: RegionModel,
  outDir: string,
  options: { writer?: Part10Writer; onFile?: (file: { bytes: number; sequence: number }) => void } = {},
): DicomRegionResult {
  const started = performance.now();
  const clock = new ZonedClock(model.options.timeZone);
  const stream = createExamStream(model);
  const made = new Set<string>();
  let files = 0;
  let bytes = 0;
  let events = 0;
  for (const exam of stream.exams) {
    const written = writeExamFile(outDir, exam, clock, model, made, options.writer);
    files += 1;
    bytes += written;
    events += exam.events.length;
    options.onFile?.({ bytes: written, sequence: exam.sequence });
  }
  mkdirSync(outDir, { recursive: true });
  const trustsFile = path.join(outDir, 'trusts.json');
  writeFileSync(trustsFile, `${JSON.stringify(trustsFileContent(model.trusts), null, 2)}\n`);
  const orders = stream.orders();
  writeFileSync(path.join(outDir, 'orders.ndjson'), orders.map((o) => `${orderLine(model, o)}\n`).join(''));
  return { files, bytes, events, orders: orders.length, seconds: (performance.now() - started) / 1000, trustsFile };
}
