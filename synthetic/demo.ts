import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeDicomRegion, type DicomRegionResult } from './dicom-region.ts';
import { trustsFileContent } from './dicom-writer.ts';
import { buildRegionModel, type GeneratorOptions, type RegionModel } from './model.ts';
import { sendFolder, type SendResult } from './send.ts';

/**
 * The demo region: a small consortium generated in DICOM mode into a temporary folder, then sent
 * trust by trust to a running Kerma's C-STORE SCP, each trust under its own calling AE title, so a
 * newcomer sees the whole ingest path. The trusts file must be applied before the listener starts
 * (it reads the calling AE titles once): `demoTrustsFile` writes it for the caller to configure.
 */
export const DEMO_OPTIONS: Partial<GeneratorOptions> = {
  seed: 2024,
  trusts: 5,
  years: 1,
  exams: 3000,
  start: '2025-01-01',
};

export interface DemoRegion {
  readonly model: RegionModel;
  readonly dir: string;
  readonly trustsFile: string;
  dispose(): void;
}

/** Builds the demo's model and writes its trusts file into a fresh temporary folder. */
export function prepareDemoRegion(overrides: Partial<GeneratorOptions> = {}): DemoRegion {
  const model = buildRegionModel({ ...DEMO_OPTIONS, ...overrides });
  const dir = mkdtempSync(path.join(tmpdir(), 'kerma-demo-'));
  const trustsFile = path.join(dir, 'trusts.json');
  writeFileSync(trustsFile, `${JSON.stringify(trustsFileContent(model.trusts), null, 2)}\n`);
  return { model, dir, trustsFile, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface DemoResult {
  readonly generated: DicomRegionResult;
  readonly sent: readonly (SendResult & { trust: string })[];
  readonly sendSeconds: number;
}

/** Generates the region's files and sends each trust's folder to the SCP. */
export async function generateAndSend(
  region: DemoRegion,
  scp: { host: string; port: number; calledAeTitle: string },
  options: { preferStorescu?: boolean } = {},
): Promise<DemoResult> {
  const filesDir = path.join(region.dir, 'dicom');
  const generated = writeDicomRegion(region.model, filesDir);
  const started = performance.now();
  // One trust after another: sending all at once made concurrent ingests deadlock (40P01) on shared
  // cross-trust patients, which storescu reports as a failure instead of retrying.
  const sent: Array<SendResult & { trust: string }> = [];
  for (const trust of region.model.trusts) {
    const target = { ...scp, callingAeTitle: trust.aeTitle };
    sent.push({ ...(await sendFolder(target, path.join(filesDir, trust.code), options)), trust: trust.code });
  }
  return { generated, sent, sendSeconds: (performance.now() - started) / 1000 };
}
