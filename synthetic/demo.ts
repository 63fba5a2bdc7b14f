import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DicomRegionResult } from './dicom-region.ts';
import { trustsFileContent } from './dicom-writer.ts';
import { buildRegionModel, type GeneratorOptions, type RegionModel } from './model.ts';
import type { ScpAddress, SendResult } from './send.ts';

/**
 * The demo region: a small consortium generated in DICOM mode into a temporary folder, then sent
 * to a running Kerma's C-STORE SCP, each trust's files under its own calling AE title, several
 * associations at once, so a newcomer sees the whole ingest path. A worker thread generates the
 * files while Kerma starts and then sends them (demo-worker.ts). The trusts file must be applied
 * before the listener starts (it reads the calling AE titles once): `prepareDemoRegion` writes it
 * for the caller to configure.
 */
export const DEMO_OPTIONS: Partial<GeneratorOptions> = {
  seed: 2024,
  trusts: 5,
  years: 1,
  start: '2025-01-01',
};

export interface DemoRegion {
  readonly model: RegionModel;
  readonly dir: string;
  /** The Part 10 files, one folder per trust code. */
  readonly filesDir: string;
  readonly trustsFile: string;
  dispose(): void;
}

/** Builds the demo's model and writes its trusts file into a fresh temporary folder. */
export function prepareDemoRegion(options: Partial<GeneratorOptions> & { exams: number }): DemoRegion {
  const model = buildRegionModel({ ...DEMO_OPTIONS, ...options });
  const dir = mkdtempSync(path.join(tmpdir(), 'kerma-demo-'));
  const trustsFile = path.join(dir, 'trusts.json');
  writeFileSync(trustsFile, `${JSON.stringify(trustsFileContent(model.trusts), null, 2)}\n`);
  const filesDir = path.join(dir, 'dicom');
  return { model, dir, filesDir, trustsFile, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What the demo worker is started with: the generator's options give it the same model. */
export interface DemoWorkerData {
  readonly options: GeneratorOptions;
  readonly filesDir: string;
}

/** The one message the worker receives: where to send, once Kerma listens. */
export interface DemoWorkerSend {
  readonly scp: ScpAddress;
  readonly associations: number;
}

export interface SendProgress {
  readonly sent: number;
  readonly failed: number;
  readonly total: number;
}

export type DemoWorkerMessage =
  | { readonly kind: 'generating'; readonly files: number }
  | { readonly kind: 'generated'; readonly result: DicomRegionResult }
  | { readonly kind: 'sending'; readonly progress: SendProgress }
  | { readonly kind: 'sent'; readonly result: SendResult; readonly seconds: number }
  | { readonly kind: 'failed'; readonly message: string };

export interface DemoSender {
  /** Resolves once every file is written. */
  readonly generated: Promise<DicomRegionResult>;
  /** Sends the files (once written) to the SCP; resolves when every object is answered. */
  send(scp: ScpAddress, associations: number): Promise<{ result: SendResult; seconds: number }>;
  /** Ends the worker, whatever it is doing. */
  stop(): Promise<void>;
}

export interface DemoProgress {
  readonly onGenerating?: (files: number) => void;
  readonly onSending?: (progress: SendProgress) => void;
}

const WORKER_ENTRY = new URL('./demo-worker-boot.cjs', import.meta.url);

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  // A failure is reported to whoever awaits it; one never awaited (the worker died before the
  // send was asked for) must not crash the process as an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** Starts the worker that writes the region's files at once and sends them when asked. */
export function startDemoSender(region: DemoRegion, progress: DemoProgress = {}): DemoSender {
  const data: DemoWorkerData = { options: region.model.options, filesDir: region.filesDir };
  const worker = new Worker(WORKER_ENTRY, { name: 'kerma-demo', workerData: data });
  const generated = deferred<DicomRegionResult>();
  const sent = deferred<{ result: SendResult; seconds: number }>();
  const fail = (error: Error): void => {
    generated.reject(error);
    sent.reject(error);
  };
  worker.on('message', (message: DemoWorkerMessage) => {
    switch (message.kind) {
      case 'generating':
        return progress.onGenerating?.(message.files);
      case 'generated':
        return generated.resolve(message.result);
      case 'sending':
        return progress.onSending?.(message.progress);
      case 'sent':
        return sent.resolve({ result: message.result, seconds: message.seconds });
      case 'failed':
        return fail(new Error(`demo sender: ${message.message}`));
    }
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`demo sender stopped (exit code ${code})`)));
  return {
    generated: generated.promise,
    send: (scp, associations) => {
      worker.postMessage({ scp, associations } satisfies DemoWorkerSend);
      return sent.promise;
    },
    stop: async () => {
      await worker.terminate();
    },
  };
}
