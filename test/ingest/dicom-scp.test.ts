import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { UnavailableError } from '../../core/index.ts';
import { DicomExtractionError, extractDoseReport, parseDicom } from '../../ingest/index.ts';
import type { IngestOutcome, IngestRequest, IngestService } from '../../ingest/pipeline/types.ts';
import { startDicomScp, type RunningDicomScp } from '../../ingest/transports/dicom-scp.ts';
import { buildCtRdsr, buildProjectionRdsr } from '../support/fixtures/xray-rdsr.ts';
import { recordingLogger, type LogRecord } from '../support/logger.ts';
import { CORPUS_DIR as SHARED_CORPUS, corpus, dcmtk, requirePrerequisite } from '../support/prerequisites.ts';

/**
 * The C-STORE SCP against dcmtk's echoscu / storescu (real peers over real TCP). storescu re-encodes
 * every data set it sends (it writes sequences with explicit lengths, for one), so "as sent" is
 * checked against the bytes on the wire, captured by a transparent relay between the two.
 */
const CORPUS_DIR = path.join(SHARED_CORPUS, 'dicom');
// Nagle's algorithm would add ~50 ms per object on dcmtk's side.
const DCMTK_ENV = { ...process.env, TCP_NODELAY: '1' };
const AE_TITLE = 'KERMA';

type Behaviour = 'store' | 'unavailable' | 'quarantine';

/** An in-memory IngestService that records what it was given. */
class FakeIngest implements IngestService {
  readonly requests: IngestRequest[] = [];
  behaviour: Behaviour = 'store';

  ingestObject(request: IngestRequest): Promise<IngestOutcome> {
    this.requests.push(request);
    if (this.behaviour === 'unavailable') return Promise.reject(new UnavailableError('database unreachable'));
    if (this.behaviour === 'quarantine') {
      return Promise.resolve({
        status: 'quarantined',
        quarantineId: 7,
        sopInstanceUid: undefined,
        reasonCode: 'unsupported_template',
        reason: 'no dose template',
      });
    }
    return Promise.resolve({
      status: 'stored',
      sopInstanceUid: 'x',
      studyInstanceUid: 'y',
      studyId: 1,
      sourceObjectId: this.requests.length,
      eventsAdded: 0,
    });
  }
}

interface ToolResult {
  readonly code: number | null;
  readonly output: string;
}

function runDcmtk(tool: 'echoscu' | 'storescu', args: readonly string[]): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env: DCMTK_ENV });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

interface FileMeta {
  /** Where the data set starts: after the explicit VR LE group 0002 elements. */
  readonly datasetOffset: number;
  /** Text value of each meta element by element number, padding removed. */
  readonly values: ReadonlyMap<number, string>;
}

function readFileMeta(bytes: Uint8Array): FileMeta {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(view.toString('latin1', 128, 132)).to.equal('DICM');
  const values = new Map<number, string>();
  let offset = 132;
  while (offset + 8 <= view.length && view.readUInt16LE(offset) === 0x0002) {
    const vr = view.toString('latin1', offset + 4, offset + 6);
    const long = ['OB', 'OW', 'OF', 'SQ', 'UN', 'UT', 'UC', 'UR'].includes(vr);
    const length = long ? view.readUInt32LE(offset + 8) : view.readUInt16LE(offset + 6);
    const start = offset + (long ? 12 : 8);
    values.set(view.readUInt16LE(offset + 2), view.toString('latin1', start, start + length).replace(/[\0 ]+$/, ''));
    offset = start + length;
  }
  return { datasetOffset: offset, values };
}

function datasetOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.subarray(readFileMeta(bytes).datasetOffset));
}

/** Data set bytes of every C-STORE a client sent (P-DATA-TF PDVs, PS3.8 section 9.3.5). */
function capturePdus(datasets: Buffer[]): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  let fragments: Buffer[] = [];
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 6 && pending.length >= 6 + pending.readUInt32BE(2)) {
      const end = 6 + pending.readUInt32BE(2);
      for (let item = 6; pending[0] === 0x04 && item < end; item += 4 + pending.readUInt32BE(item)) {
        const control = pending[item + 5]!;
        if ((control & 0x01) !== 0) continue; // command fragment
        fragments.push(Buffer.from(pending.subarray(item + 6, item + 4 + pending.readUInt32BE(item))));
        if ((control & 0x02) !== 0) {
          datasets.push(Buffer.concat(fragments));
          fragments = [];
        }
      }
      pending = pending.subarray(end);
    }
  };
}

/** The report, or the error code for objects the extractors refuse (the non-dose SR). */
function extractionOf(bytes: Uint8Array): unknown {
  try {
    return extractDoseReport(bytes).report;
  } catch (error) {
    if (error instanceof DicomExtractionError) return error.code;
    throw error;
  }
}

interface Relay {
  readonly port: number;
  readonly datasets: Buffer[];
  close(): Promise<void>;
}

async function startRelay(targetPort: number): Promise<Relay> {
  const datasets: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', capturePdus(datasets));
    client.pipe(upstream).on('error', () => client.destroy());
    upstream.pipe(client).on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    datasets,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function storescuArgs(port: number, files: readonly string[], extra: readonly string[] = []): string[] {
  return ['-aec', AE_TITLE, ...extra, '127.0.0.1', String(port), ...files];
}

describe('DICOM C-STORE SCP with dcmtk peers', function () {
  this.timeout(30000);
  const ingest = new FakeIngest();
  const records: LogRecord[] = [];
  let scp: RunningDicomScp;
  let relay: Relay;
  let workDir: string;

  before(function () {
    requirePrerequisite(this, dcmtk());
  });

  before(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'kerma-scp-'));
    scp = await startDicomScp({
      aeTitle: AE_TITLE,
      host: '127.0.0.1',
      port: 0,
      callingAeTitles: new Map(),
      defaultTrustCode: 'DEFAULT',
      ingest,
      logger: recordingLogger(records),
    });
    relay = await startRelay(scp.port);
  });

  after(async () => {
    await relay?.close();
    await scp?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    ingest.requests.length = 0;
    ingest.behaviour = 'store';
    relay.datasets.length = 0;
  });

  function writeFixture(name: string, bytes: Uint8Array): string {
    const file = path.join(workDir, name);
    writeFileSync(file, bytes);
    return file;
  }

  it('answers C-ECHO from echoscu', async () => {
    const result = await runDcmtk('echoscu', ['-v', '-aec', AE_TITLE, '127.0.0.1', String(scp.port)]);
    expect(result.code, result.output).to.equal(0);
    expect(result.output).to.include('Received Echo Response (Success)');
  });

  it('hands ingest a Part 10 file whose data set is the bytes storescu sent, readable by the extractors', async () => {
    const sent = [buildCtRdsr({ patientName: 'Secret^Person' }), buildProjectionRdsr()];
    const files = sent.map((bytes, i) => writeFixture(`fixture-${i}.dcm`, bytes));
    const result = await runDcmtk('storescu', storescuArgs(relay.port, files));
    expect(result.code, result.output).to.equal(0);
    expect(ingest.requests).to.have.length(2);
    expect(relay.datasets).to.have.length(2);
    ingest.requests.forEach((request, i) => {
      expect(request).to.include({ transport: 'dimse', sender: 'STORESCU', trustCode: 'DEFAULT' });
      expect(datasetOf(request.bytes).equals(relay.datasets[i]!)).to.equal(true, `data set ${i} differs from the wire`);
      const original = parseDicom(sent[i]!);
      const meta = readFileMeta(request.bytes);
      const groupLength = Buffer.from(request.bytes).readUInt32LE(140); // value of (0002,0000) UL
      expect(meta.datasetOffset).to.equal(144 + groupLength);
      expect(Object.fromEntries(meta.values)).to.deep.include({
        0x0002: original.sopClassUid,
        0x0003: original.sopInstanceUid,
        0x0010: '1.2.840.10008.1.2.1',
        0x0013: 'KERMA',
        0x0016: 'STORESCU',
      });
      expect(meta.values.get(0x0001)).to.equal('\x00\x01');
      expect(meta.values.get(0x0012)).to.match(/^2\.25\.\d+$/);
      expect(parseDicom(request.bytes).sopInstanceUid).to.equal(original.sopInstanceUid);
      expect(extractDoseReport(request.bytes).report).to.deep.equal(extractDoseReport(sent[i]!).report);
    });
    expect(JSON.stringify(records)).not.to.include('Secret');
  });

  it('stores every corpus file storescu can read with its data set unchanged', async function () {
    requirePrerequisite(this, corpus('dicom'));
    const files = readdirSync(CORPUS_DIR).filter((name) => name.endsWith('.dcm'));
    // -nh: keep going past files dcmtk itself cannot read (MG-Im-Hologic-PropProj.dcm: CP-246 UN).
    const result = await runDcmtk(
      'storescu',
      storescuArgs(
        relay.port,
        files.map((f) => path.join(CORPUS_DIR, f)),
        ['-nh'],
      ),
    );
    expect(result.code, result.output).to.equal(0);
    const unreadable = files.filter((f) => result.output.includes(`Bad DICOM file: ${path.join(CORPUS_DIR, f)}`));
    expect(ingest.requests.length + unreadable.length).to.equal(files.length);
    expect(relay.datasets).to.have.length(ingest.requests.length);
    ingest.requests.forEach((request, i) => {
      expect(datasetOf(request.bytes).equals(relay.datasets[i]!)).to.equal(true, `corpus object ${i} differs`);
    });
    // storescu sends in command-line order; compare what the extractors make of each with the file.
    const sentFiles = files.filter((f) => !unreadable.includes(f));
    ingest.requests.forEach((request, i) => {
      const original = readFileSync(path.join(CORPUS_DIR, sentFiles[i]!));
      expect(extractionOf(request.bytes), sentFiles[i]).to.deep.equal(extractionOf(original));
    });
  });

  it('serves several associations at once', async () => {
    const files = [0, 1, 2].map((i) => writeFixture(`parallel-${i}.dcm`, buildCtRdsr()));
    const results = await Promise.all(files.map((file) => runDcmtk('storescu', storescuArgs(scp.port, [file]))));
    for (const result of results) expect(result.code, result.output).to.equal(0);
    expect(ingest.requests).to.have.length(3);
  });

  it('rejects an association addressed to another called AE title', async () => {
    const result = await runDcmtk('echoscu', ['-aec', 'WRONG', '127.0.0.1', String(scp.port)]);
    expect(result.code).not.to.equal(0);
    expect(result.output).to.include('Association Rejected').and.include('Called AE Title Not Recognized');
  });

  it('answers Out of Resources (A700) when ingest is unavailable, so the modality retries', async () => {
    ingest.behaviour = 'unavailable';
    const file = writeFixture('unavailable.dcm', buildCtRdsr());
    const result = await runDcmtk('storescu', storescuArgs(scp.port, [file], ['-d']));
    expect(result.code).to.equal(0xa7); // storescu exits with the high byte of the failure status
    expect(result.output).to.match(/Status\s*:\s*0xa700/i);
    expect(result.output).to.include('[unavailable]'); // Error Comment (0000,0902)
    expect(records.some((r) => r.level === 'error' && r.message === 'dicom c-store not stored')).to.equal(true);
  });

  it('answers Cannot Understand (C000) with the reason code when ingest quarantines', async () => {
    ingest.behaviour = 'quarantine';
    const file = writeFixture('quarantine.dcm', buildCtRdsr());
    const result = await runDcmtk('storescu', storescuArgs(scp.port, [file], ['-d']));
    expect(result.code).to.equal(0xc0);
    expect(result.output).to.match(/Status\s*:\s*0xc000/i);
    expect(result.output).to.include('[unsupported_template]');
  });

  it('drops a connection that sends garbage or an absurd PDU length, and keeps serving', async () => {
    for (const garbage of [Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.from([0x01, 0, 0xff, 0xff, 0xff, 0xff])]) {
      const socket = net.connect(scp.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(garbage);
      await new Promise((resolve) => socket.on('close', resolve));
    }
    const result = await runDcmtk('echoscu', ['-aec', AE_TITLE, '127.0.0.1', String(scp.port)]);
    expect(result.code, result.output).to.equal(0);
  });

  it('rejects an association beyond maxAssociations as transient, and accepts again once one ends', async () => {
    let unblock = (): void => undefined;
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    let signalEntered = (): void => undefined;
    const entered = new Promise<void>((resolve) => (signalEntered = resolve));
    const slowIngest: IngestService = {
      ingestObject: async (request) => {
        signalEntered();
        await blocked;
        return ingest.ingestObject(request);
      },
    };
    const limited = await startDicomScp({
      aeTitle: AE_TITLE,
      host: '127.0.0.1',
      port: 0,
      callingAeTitles: new Map(),
      defaultTrustCode: 'DEFAULT',
      ingest: slowIngest,
      logger: recordingLogger(),
      maxAssociations: 1,
    });
    try {
      const first = runDcmtk('storescu', storescuArgs(limited.port, [writeFixture('slow.dcm', buildCtRdsr())]));
      await entered;
      const second = await runDcmtk('echoscu', ['-aec', AE_TITLE, '127.0.0.1', String(limited.port)]);
      expect(second.code).not.to.equal(0);
      expect(second.output).to.include('Rejected Transient').and.include('Local Limit Exceeded');
      unblock();
      expect((await first).code).to.equal(0);
      const third = await runDcmtk('echoscu', ['-aec', AE_TITLE, '127.0.0.1', String(limited.port)]);
      expect(third.code, third.output).to.equal(0);
    } finally {
      unblock();
      await limited.close();
    }
  });

  describe('with an allow-list of calling AE titles', () => {
    let guarded: RunningDicomScp;

    before(async () => {
      guarded = await startDicomScp({
        aeTitle: AE_TITLE,
        host: '127.0.0.1',
        port: 0,
        callingAeTitles: new Map([['MODALITY1', 'TRUST1']]),
        defaultTrustCode: 'DEFAULT',
        ingest,
        logger: recordingLogger(),
      });
    });

    after(async () => {
      await guarded?.close();
    });

    it('rejects a calling AE title that is not listed', async () => {
      const file = writeFixture('intruder.dcm', buildCtRdsr());
      const result = await runDcmtk('storescu', storescuArgs(guarded.port, [file], ['-aet', 'INTRUDER']));
      expect(result.code).not.to.equal(0);
      expect(result.output).to.include('Association Rejected').and.include('Calling AE Title Not Recognized');
      expect(ingest.requests).to.have.length(0);
    });

    it("passes the listed calling AE title's trust code to ingest", async () => {
      const file = writeFixture('modality1.dcm', buildCtRdsr());
      const result = await runDcmtk('storescu', storescuArgs(guarded.port, [file], ['-aet', 'MODALITY1']));
      expect(result.code, result.output).to.equal(0);
      expect(ingest.requests.map((r) => [r.sender, r.trustCode])).to.deep.equal([['MODALITY1', 'TRUST1']]);
    });
  });
});
