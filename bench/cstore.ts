import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IngestOutcome, IngestRequest, IngestService } from '../ingest/pipeline/types.ts';
import { startDicomScp } from '../ingest/transports/dicom-scp.ts';
import { buildCtRdsr } from '../test/support/fixtures/xray-rdsr.ts';
import { silentLogger } from '../test/support/logger.ts';

/**
 * C-STORE receive throughput: dcmtk's storescu sends N copies of a CT RDSR over one association,
 * first to Kerma's SCP (with an IngestService that only writes and fsyncs the bytes, so both
 * receivers write files), then to dcmtk's own storescp. Prints one JSON line per receiver.
 */
const FILES = Number(process.env.KERMA_BENCH_CSTORE_FILES ?? '2000');
const CORPUS_CT_RDSR = path.resolve(import.meta.dirname, '../../shared/corpus/dicom/CT-RDSR-Siemens_Flash-TAP-SS.dcm');
const AE_TITLE = 'KERMA';
// Nagle's algorithm costs dcmtk ~50 ms per object otherwise.
const DCMTK_ENV = { ...process.env, TCP_NODELAY: '1' };
const children = new Set<ChildProcess>();

/** Writes each object to its own file and fsyncs it, as a durable store would. */
class FsyncIngest implements IngestService {
  count = 0;
  constructor(private readonly dir: string) {}

  async ingestObject(request: IngestRequest): Promise<IngestOutcome> {
    this.count += 1;
    const handle = await open(path.join(this.dir, `${this.count}.dcm`), 'wx');
    try {
      await handle.writeFile(request.bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return { status: 'duplicate', sopInstanceUid: String(this.count), sourceObjectId: this.count };
  }
}

function run(command: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: DCMTK_ENV });
    children.add(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, output });
    });
  });
}

/** N hard links to one source file: storescu reads N files, the page cache holds one. */
function prepareFiles(source: string, dir: string, count: number): string {
  const sendDir = path.join(dir, `send-${count}`);
  mkdirSync(sendDir);
  for (let i = 0; i < count; i += 1) linkSync(source, path.join(sendDir, `${String(i).padStart(6, '0')}.dcm`));
  return sendDir;
}

/** One storescu, one association, every file; +II gives each object its own SOP Instance UID. */
async function sendAll(port: number, sendDir: string): Promise<number> {
  const started = performance.now();
  const result = await run('storescu', ['-aec', AE_TITLE, '+II', '+sd', '127.0.0.1', String(port), sendDir]);
  const seconds = (performance.now() - started) / 1000;
  if (result.code !== 0) throw new Error(`storescu failed (${String(result.code)}): ${result.output.slice(-2000)}`);
  return seconds;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls with C-ECHO until storescp answers: its readiness signal. */
async function waitForEcho(port: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const result = await run('echoscu', ['-aec', AE_TITLE, '-to', '1', '127.0.0.1', String(port)]);
    if (result.code === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('storescp did not start');
}

async function measureKerma(workDir: string, warmDir: string, sendDir: string): Promise<number> {
  const outDir = path.join(workDir, 'kerma-out');
  mkdirSync(outDir);
  const ingest = new FsyncIngest(outDir);
  const scp = await startDicomScp({
    aeTitle: AE_TITLE,
    host: '127.0.0.1',
    port: 0,
    callingAeTitles: new Map(),
    defaultTrustCode: 'BENCH',
    ingest,
    logger: silentLogger,
  });
  try {
    await sendAll(scp.port, warmDir); // JIT warm-up, not timed
    const before = ingest.count;
    const seconds = await sendAll(scp.port, sendDir);
    if (ingest.count - before !== FILES) throw new Error(`kerma received ${ingest.count - before} of ${FILES}`);
    return seconds;
  } finally {
    await scp.close();
  }
}

async function measureStorescp(workDir: string, warmDir: string, sendDir: string): Promise<number> {
  const outDir = path.join(workDir, 'storescp-out');
  mkdirSync(outDir);
  const port = await freePort();
  // Same receive PDU size as storescu will use towards Kerma (131072 is storescu's own cap).
  const storescp = spawn('storescp', ['-aet', AE_TITLE, '-pdu', '131072', '-od', outDir, String(port)], {
    env: DCMTK_ENV,
    stdio: 'ignore',
  });
  children.add(storescp);
  const exited = new Promise((resolve) => storescp.once('exit', resolve));
  try {
    await waitForEcho(port);
    await sendAll(port, warmDir);
    const seconds = await sendAll(port, sendDir);
    const received = readdirSync(outDir).length;
    if (received < FILES) throw new Error(`storescp wrote ${received} files, expected at least ${FILES}`);
    return seconds;
  } finally {
    storescp.kill('SIGTERM');
    await exited;
    children.delete(storescp);
  }
}

function report(receiver: string, seconds: number, extra: Record<string, unknown> = {}): void {
  const line = {
    bench: `cstore:${receiver}`,
    objects: FILES,
    seconds: Number(seconds.toFixed(3)),
    objectsPerS: Math.round(FILES / seconds),
    ...extra,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'kerma-bench-cstore-'));
  try {
    const source = path.join(workDir, 'source.dcm');
    writeFileSync(source, existsSync(CORPUS_CT_RDSR) ? readFileSync(CORPUS_CT_RDSR) : buildCtRdsr());
    const warmDir = prepareFiles(source, workDir, Math.min(200, FILES));
    const sendDir = prepareFiles(source, workDir, FILES);
    const kermaS = await measureKerma(workDir, warmDir, sendDir);
    const storescpS = await measureStorescp(workDir, warmDir, sendDir);
    const sourceName = existsSync(CORPUS_CT_RDSR) ? path.basename(CORPUS_CT_RDSR) : 'generated CT RDSR';
    report('storescp', storescpS, { source: sourceName });
    report('kerma', kermaS, { source: sourceName, ratioKermaToStorescp: Number((storescpS / kermaS).toFixed(2)) });
  } finally {
    for (const child of children) child.kill('SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
  }
}

process.on('SIGINT', () => {
  for (const child of children) child.kill('SIGKILL');
  process.exit(130);
});

await main();
