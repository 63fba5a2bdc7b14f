import { existsSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { DemoWorkerData, DemoWorkerMessage, DemoWorkerSend } from './demo.ts';
import { writeDicomRegion } from './dicom-region.ts';
import { buildRegionModel } from './model.ts';
import { listDicomFiles, sendFiles } from './send.ts';

/**
 * The demo's worker thread: writes the region's Part 10 files while Kerma starts in the main
 * thread, then sends them when told where the SCP listens. Generating and sending here keep their
 * CPU off the main thread, which runs the SCP and ingest of the same objects.
 */
const port = parentPort!;
const { options, filesDir } = workerData as DemoWorkerData;
const post = (message: DemoWorkerMessage): void => port.postMessage(message);
/** Progress messages at most this often (in objects): enough for a counter, not a message per file. */
const PROGRESS_EVERY = 50;

const sendRequest = new Promise<DemoWorkerSend>((resolve) => port.once('message', resolve));

async function run(): Promise<void> {
  const model = buildRegionModel(options);
  let files = 0;
  const generated = writeDicomRegion(model, filesDir, {
    onFile: () => {
      if ((files += 1) % PROGRESS_EVERY === 0) post({ kind: 'generating', files });
    },
  });
  post({ kind: 'generated', result: generated });
  const { scp, associations } = await sendRequest;
  const jobs = model.trusts
    .map((trust) => ({ callingAeTitle: trust.aeTitle, dir: path.join(filesDir, trust.code) }))
    .filter((job) => existsSync(job.dir))
    .map((job) => ({ callingAeTitle: job.callingAeTitle, files: listDicomFiles(job.dir) }));
  const started = performance.now();
  let reported = 0;
  const sent = await sendFiles(scp, jobs, {
    associations,
    onProgress: (progress) => {
      const done = progress.sent + progress.failed;
      if (done - reported < PROGRESS_EVERY && done < progress.total) return;
      reported = done;
      post({ kind: 'sending', progress });
    },
  });
  post({ kind: 'sent', result: sent, seconds: (performance.now() - started) / 1000 });
}

run().catch((error: unknown) => {
  post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
