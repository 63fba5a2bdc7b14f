import { readdirSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import dcmjsDimse, { type Dataset, type responses } from 'dcmjs-dimse';
import { readPart10Meta } from './part10-meta.ts';

/**
 * Sends DICOM Part 10 files to a C-STORE SCP as a PACS forwards them: the data set bytes that follow
 * the File Meta Information go into the P-DATA PDVs unchanged (PS3.8 section 9.3.5), over several
 * associations at once, each sending many objects. dcmjs-dimse does the networking: its Network
 * takes a data set's encoding from Dataset.getDenaturalizedDataset(), the sending-side mirror of
 * the Scp.createStoreWritableStream hook the Kerma SCP receives raw bytes through, so a Dataset
 * whose encoding is the file's own bytes is all it needs. (Its default path parses every file and
 * encodes it again with dcmjs: about 110 ms an object here, five minutes for the demo.)
 */
export interface ScpAddress {
  readonly host: string;
  readonly port: number;
  readonly calledAeTitle: string;
}

export interface SendTarget extends ScpAddress {
  readonly callingAeTitle: string;
}

/** The files one sender (one calling AE title) has to send. */
export interface SendJob {
  readonly callingAeTitle: string;
  readonly files: readonly string[];
}

export interface SendResult {
  readonly sent: number;
  readonly failed: number;
  readonly associations: number;
  /** Objects sent again after a transient refusal (Out of Resources) or a lost association. */
  readonly resent: number;
  /** Final failures by status (hex) and comment, e.g. `0xc000 unsupported_sop_class: 2`. */
  readonly failures: Readonly<Record<string, number>>;
}

export interface SendOptions {
  /** Associations open at once. */
  readonly associations?: number;
  readonly onProgress?: (progress: { sent: number; failed: number; total: number }) => void;
}

const { Client, Dataset: DimseDataset } = dcmjsDimse;
const { CStoreRequest } = dcmjsDimse.requests;

/**
 * Four associations keep both cores of a small machine busy (the SCP answers each association's
 * objects in order, so one association leaves the database idle between objects); more only add
 * lock waits between ingests of the same patients.
 */
export const DEFAULT_ASSOCIATIONS = 4;
/** Objects per association at most: bounds the bytes held in memory and lets trusts take turns. */
const MAX_OBJECTS_PER_ASSOCIATION = 250;
/** Sends of one object at most: a refusal for lack of resources (e.g. a deadlock) is worth a retry. */
const MAX_ATTEMPTS = 3;

/** A data set whose encoding is the Part 10 file's own bytes after its File Meta Information. */
class Part10Dataset extends DimseDataset {
  private readonly encoded: Buffer;

  constructor(file: Buffer) {
    const meta = readPart10Meta(file);
    super({ SOPClassUID: meta.sopClassUid, SOPInstanceUID: meta.sopInstanceUid }, meta.transferSyntaxUid);
    this.encoded = file.subarray(meta.datasetOffset);
  }

  override getDenaturalizedDataset(): Buffer {
    return this.encoded;
  }
}

/**
 * A C-STORE request that only ever carries its Part10Dataset. When the SCP accepts another transfer
 * syntax than the file's, dcmjs-dimse would transcode (re-encode) the data set and set the copy here:
 * refusing it makes dcmjs-dimse skip the object, which then counts as failed with the reason.
 */
class Part10StoreRequest extends CStoreRequest {
  refusal: string | undefined;

  override setDataset(dataset: Dataset): void {
    if (!(dataset instanceof Part10Dataset)) {
      this.refusal = `transfer syntax ${dataset.getTransferSyntaxUid()} accepted, file is in another one`;
      throw new Error(this.refusal);
    }
    super.setDataset(dataset);
  }
}

interface Attempt {
  readonly file: string;
  readonly attempts: number;
}

/** A C-STORE response's status, or no response (`status` undefined) and why. */
interface Answer {
  readonly status: number | undefined;
  readonly comment: string;
  /** Sending again cannot help: the file is unreadable or its transfer syntax was not accepted. */
  readonly final?: boolean;
}

function requestFor(file: string, answers: Map<string, Answer>): Part10StoreRequest | undefined {
  try {
    const request = new Part10StoreRequest(new Part10Dataset(readFileSync(file)));
    request.on('response', (response: responses.CStoreResponse) => {
      answers.set(file, { status: response.getStatus(), comment: response.getErrorComment() ?? '' });
    });
    return request;
  } catch (error) {
    answers.set(file, { status: undefined, comment: `unreadable: ${(error as Error).message}`, final: true });
    return undefined;
  }
}

/** One association: every file sent in order; resolves with each file's answer once it closed. */
function sendAssociation(target: SendTarget, files: readonly string[]): Promise<Map<string, Answer>> {
  return new Promise((resolve, reject) => {
    const answers = new Map<string, Answer>();
    const requests = files.map((file) => [file, requestFor(file, answers)] as const);
    const readable = requests.flatMap(([, request]) => (request ? [request] : []));
    if (readable.length === 0) return resolve(answers);
    const client = new Client();
    for (const request of readable) client.addRequest(request);
    let networkError = '';
    client.on('associationRejected', () =>
      reject(new Error(`association rejected by ${target.calledAeTitle} for ${target.callingAeTitle}`)),
    );
    client.on('networkError', (error: Error) => (networkError = error.message));
    client.on('closed', () => {
      for (const [file, request] of requests) {
        if (answers.has(file) || !request) continue;
        const refusal = request.refusal;
        answers.set(file, { status: undefined, comment: refusal ?? networkError, final: refusal !== undefined });
      }
      resolve(answers);
    });
    client.send(target.host, target.port, target.callingAeTitle, target.calledAeTitle);
    // A command PDU and its data set PDUs are separate writes: with Nagle's algorithm each object
    // waits for the delayed ACK of the one before (~40 ms). dcmjs-dimse offers no option for it.
    (client as unknown as { network?: { socket?: Socket } }).network?.socket?.setNoDelay(true);
  });
}

/** Success, or a Warning (Bxxx): the SCP stored the object (PS3.4 Table B.2-1). */
const stored = (answer: Answer): boolean =>
  answer.status !== undefined && (answer.status === 0 || (answer.status & 0xf000) === 0xb000);

/** Refused for lack of resources (A7xx, PS3.4 Table B.2-1) or never answered: send it again. */
function retryable(answer: Answer, attempts: number): boolean {
  if (attempts >= MAX_ATTEMPTS || answer.final) return false;
  return answer.status === undefined || (answer.status & 0xff00) === 0xa700;
}

/** The files still to send, per calling AE title; each association takes a run of one sender's. */
class SendQueue {
  private readonly pending = new Map<string, Attempt[]>();

  constructor(jobs: readonly SendJob[]) {
    for (const job of jobs) {
      const list = this.pending.get(job.callingAeTitle) ?? [];
      list.push(...job.files.map((file) => ({ file, attempts: 0 })));
      this.pending.set(job.callingAeTitle, list);
    }
  }

  /** Up to `max` files of the sender with the most left. */
  take(max: number): { callingAeTitle: string; attempts: Attempt[] } | undefined {
    let best: [string, Attempt[]] | undefined;
    for (const entry of this.pending) if (entry[1].length > (best?.[1].length ?? 0)) best = entry;
    if (!best) return undefined;
    return { callingAeTitle: best[0], attempts: best[1].splice(0, max) };
  }

  putBack(callingAeTitle: string, attempt: Attempt): void {
    this.pending.get(callingAeTitle)?.push(attempt);
  }
}

/** Sends every job's files over up to `associations` concurrent associations. */
export async function sendFiles(
  scp: ScpAddress,
  jobs: readonly SendJob[],
  options: SendOptions = {},
): Promise<SendResult> {
  // dcmjs-dimse logs every PDU to stdout by default.
  dcmjsDimse.log.setLevel('silent');
  const total = jobs.reduce((n, job) => n + job.files.length, 0);
  const concurrency = Math.max(1, options.associations ?? DEFAULT_ASSOCIATIONS);
  const perAssociation = Math.min(MAX_OBJECTS_PER_ASSOCIATION, Math.max(1, Math.ceil(total / (2 * concurrency))));
  const queue = new SendQueue(jobs);
  const failures: Record<string, number> = {};
  const counts = { sent: 0, failed: 0, associations: 0, resent: 0 };

  const settle = (callingAeTitle: string, attempt: Attempt, answer: Answer): void => {
    if (stored(answer)) counts.sent += 1;
    else if (retryable(answer, attempt.attempts + 1)) {
      counts.resent += 1;
      queue.putBack(callingAeTitle, { file: attempt.file, attempts: attempt.attempts + 1 });
    } else {
      counts.failed += 1;
      const key =
        answer.status === undefined
          ? answer.comment || 'no response'
          : `0x${answer.status.toString(16).padStart(4, '0')} ${answer.comment}`.trim();
      failures[key] = (failures[key] ?? 0) + 1;
    }
  };

  const worker = async (): Promise<void> => {
    for (let batch = queue.take(perAssociation); batch; batch = queue.take(perAssociation)) {
      counts.associations += 1;
      const files = batch.attempts.map((a) => a.file);
      const answers = await sendAssociation({ ...scp, callingAeTitle: batch.callingAeTitle }, files);
      for (const attempt of batch.attempts) settle(batch.callingAeTitle, attempt, answers.get(attempt.file)!);
      options.onProgress?.({ sent: counts.sent, failed: counts.failed, total });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ...counts, failures };
}

export function listDicomFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.dcm'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** Every `.dcm` file under `dir`, as one sender. */
export function sendFolder(target: SendTarget, dir: string, options: SendOptions = {}): Promise<SendResult> {
  return sendFiles(target, [{ callingAeTitle: target.callingAeTitle, files: listDicomFiles(dir) }], options);
}
