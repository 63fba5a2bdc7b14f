import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import dcmjsDimse from 'dcmjs-dimse';

/**
 * Sends a folder of DICOM files to a C-STORE SCP as one association, the way a modality or PACS
 * would: with dcmtk's storescu when it is installed (the reference peer), else with dcmjs-dimse's
 * client, so the demo needs nothing beyond npm.
 */
export interface SendTarget {
  readonly host: string;
  readonly port: number;
  readonly calledAeTitle: string;
  readonly callingAeTitle: string;
}

export interface SendResult {
  readonly sent: number;
  readonly failed: number;
  readonly via: 'storescu' | 'dcmjs-dimse';
}

export function listDicomFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.dcm'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

export function storescuAvailable(): boolean {
  const probe = spawnSync('storescu', ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

function sendWithStorescu(target: SendTarget, dir: string, count: number): Promise<SendResult> {
  return new Promise((resolve, reject) => {
    // --required: propose the SOP classes of the files themselves; dcmtk's default list lacks the
    // Radiopharmaceutical Radiation Dose SR (1.2.840.10008.5.1.4.1.1.88.68).
    const args = [
      '-aet',
      target.callingAeTitle,
      '-aec',
      target.calledAeTitle,
      '--required',
      '+sd',
      '+r',
      target.host,
      String(target.port),
      dir,
    ];
    // TCP_NODELAY: without it dcmtk waits on Nagle's algorithm for each small response (~40 ms each).
    const child = spawn('storescu', args, {
      env: { ...process.env, TCP_NODELAY: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ sent: count, failed: 0, via: 'storescu' });
      else reject(new Error(`storescu exited with ${String(code)}: ${errors.slice(-1000)}`));
    });
  });
}

function sendOneAssociation(target: SendTarget, files: readonly string[]): Promise<SendResult> {
  const { Client } = dcmjsDimse;
  const { CStoreRequest } = dcmjsDimse.requests;
  const { Status } = dcmjsDimse.constants;
  return new Promise((resolve, reject) => {
    const client = new Client();
    let failed = 0;
    for (const file of files) {
      const request = new CStoreRequest(file);
      request.on('response', (response: InstanceType<typeof dcmjsDimse.responses.CStoreResponse>) => {
        if (response.getStatus() !== Status.Success) failed += 1;
      });
      client.addRequest(request);
    }
    client.on('associationRejected', () => reject(new Error(`association rejected by ${target.calledAeTitle}`)));
    client.on('networkError', (error: Error) => reject(error));
    client.on('closed', () => resolve({ sent: files.length - failed, failed, via: 'dcmjs-dimse' }));
    client.send(target.host, target.port, target.callingAeTitle, target.calledAeTitle);
  });
}

/**
 * The fallback is slow (about 20 objects a second here): dcmjs-dimse parses each file and encodes
 * it again with dcmjs before sending. The demo therefore prefers storescu when dcmtk is installed.
 */
function sendWithDcmjsDimse(target: SendTarget, files: readonly string[]): Promise<SendResult> {
  dcmjsDimse.log.setLevel('silent');
  return sendOneAssociation(target, files);
}

export async function sendFolder(
  target: SendTarget,
  dir: string,
  options: { preferStorescu?: boolean } = {},
): Promise<SendResult> {
  const files = listDicomFiles(dir);
  if (files.length === 0) return { sent: 0, failed: 0, via: 'dcmjs-dimse' };
  if ((options.preferStorescu ?? true) && storescuAvailable()) return sendWithStorescu(target, dir, files.length);
  return sendWithDcmjsDimse(target, files);
}
