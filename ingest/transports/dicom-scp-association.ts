import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import dcmjsDimse, { type association, type Dataset, type requests, type responses } from 'dcmjs-dimse';
import { toError, type Logger } from '../../core/index.ts';
import type { IngestService } from '../pipeline/types.ts';
import {
  LOCAL_LIMIT_EXCEEDED,
  decideAssociation,
  isAcceptedContext,
  negotiatePresentationContexts,
  type AssociationDecision,
  type AssociationPolicy,
} from './dicom-scp-negotiation.ts';
import { RawDatasetSink, assemblePart10 } from './dicom-scp-part10.ts';
import { DimseStatus, failure, statusForError, statusForOutcome, type StoreStatus } from './dicom-scp-status.ts';

/**
 * One DICOM association (one TCP connection) of the C-STORE SCP, on top of dcmjs-dimse's Scp:
 * association negotiation, C-ECHO, and C-STORE with the data set kept as raw bytes. Other DIMSE
 * services keep dcmjs-dimse's default answer, Processing Failure (0110H): no presentation context
 * for them is ever accepted, so only a misbehaving peer asks.
 */
const { Scp } = dcmjsDimse;
const { CEchoResponse, CStoreResponse } = dcmjsDimse.responses;
const { Dataset: DimseDataset } = dcmjsDimse;

/** What every association shares with the listener. */
export interface ScpSharedState {
  readonly policy: AssociationPolicy;
  readonly ingest: IngestService;
  readonly logger: Logger;
  readonly maxObjectBytes: number;
  /** Takes one of the `maxAssociations` slots; false when all are in use. */
  claimSlot(): boolean;
  releaseSlot(): void;
}

/**
 * The Max Length Received we announce (PS3.8 section D.1). Larger PDUs mean fewer of them per
 * object; our own PDUs are command sets of a few hundred bytes, below any peer's limit.
 */
export const ANNOUNCED_MAX_PDU_BYTES = 256 * 1024;

/** Which context a received data set came on, stored beside the placeholder dcmjs-dimse wants. */
interface ReceivedDataset {
  readonly sink: RawDatasetSink;
  readonly contextAccepted: boolean;
  readonly abstractSyntaxUid: string;
  readonly transferSyntaxUid: string;
}
const receivedData = new WeakMap<Dataset, ReceivedDataset>();

/** UIDs in command sets may carry the NUL or space padding of their even length (PS3.5 9.1). */
function uidValue(value: unknown): string {
  return typeof value === 'string' ? value.replace(/[\0 ]+$/, '') : '';
}

export class KermaAssociation extends Scp {
  private readonly shared: ScpSharedState;
  private readonly connection: Socket;
  private callingAeTitle = '';
  private trustCode: string | undefined;
  private holdsSlot = false;
  /** C-STOREs of one association are stored and answered in the order they arrived. */
  private queue: Promise<void> = Promise.resolve();

  constructor(socket: Socket, options: ConstructorParameters<typeof Scp>[1], shared: ScpSharedState) {
    super(socket, options);
    this.shared = shared;
    this.connection = socket;
    // dcmjs-dimse's Server sets this flag; without it the PDU idle timeout never fires.
    (this as unknown as { connected: boolean }).connected = true;
    socket.once('close', () => this.releaseSlot());
  }

  private releaseSlot(): void {
    if (this.holdsSlot) this.shared.releaseSlot();
    this.holdsSlot = false;
  }

  /** Resolves once every C-STORE received so far has been answered. */
  idle(): Promise<void> {
    return this.queue;
  }

  destroyConnection(): void {
    this.connection.destroy();
  }

  override associationRequested(requested: association.Association): void {
    try {
      this.callingAeTitle = (requested.getCallingAeTitle() ?? '').trim();
      const decision = this.decide(requested);
      if (!decision.accept) {
        this.reject(decision, requested);
        return;
      }
      this.trustCode = decision.trustCode;
      const acceptedContexts = negotiatePresentationContexts(requested);
      requested.setMaxPduLength(ANNOUNCED_MAX_PDU_BYTES);
      this.sendAssociationAccept();
      this.shared.logger.info(
        { callingAeTitle: this.callingAeTitle, trustCode: this.trustCode, acceptedContexts },
        'dicom association accepted',
      );
    } catch (thrown) {
      this.shared.logger.error(
        { callingAeTitle: this.callingAeTitle, error: toError(thrown).message },
        'dicom association failed',
      );
      this.connection.destroy();
    }
  }

  private decide(requested: association.Association): AssociationDecision {
    const decision = decideAssociation(requested.getCalledAeTitle() ?? '', this.callingAeTitle, this.shared.policy);
    if (!decision.accept) return decision;
    if (!this.shared.claimSlot()) return LOCAL_LIMIT_EXCEEDED;
    this.holdsSlot = true;
    return decision;
  }

  private reject(decision: Extract<AssociationDecision, { accept: false }>, requested: association.Association): void {
    this.shared.logger.warn(
      {
        callingAeTitle: this.callingAeTitle,
        calledAeTitle: (requested.getCalledAeTitle() ?? '').trim(),
        reason: decision.description,
      },
      'dicom association rejected',
    );
    this.sendAssociationReject(decision.result, decision.source, decision.reason);
    // After A-ASSOCIATE-RJ nothing more may come on this connection (PS3.8 section 7.1.1.7 / 9.2):
    // close it once the rejection is flushed, as dcmtk's storescp does.
    this.connection.end();
  }

  /**
   * Release only after every pending C-STORE is answered, so no response is cut off. The slot is
   * free from then on: the peer may associate again before its closed socket is noticed here.
   */
  override associationReleaseRequested(): void {
    void this.queue.then(() => {
      this.releaseSlot();
      this.sendAssociationReleaseResponse();
    });
  }

  override abort(source: number, reason: number): void {
    this.shared.logger.info(
      { callingAeTitle: this.callingAeTitle, source, reason },
      'dicom association aborted by peer',
    );
  }

  override cEchoRequest(request: requests.CEchoRequest, callback: (response: responses.CEchoResponse) => void): void {
    const response = CEchoResponse.fromRequest(request);
    response.setStatus(DimseStatus.Success);
    callback(response);
  }

  /** The hook that replaces dcmjs-dimse's re-encoding path: data set PDVs go to a raw sink. */
  override createStoreWritableStream(): Writable {
    return new RawDatasetSink(this.shared.maxObjectBytes);
  }

  /** Called once the last PDV arrived: no parsing, a placeholder Dataset keyed to the raw bytes. */
  override createDatasetFromStoreWritableStream(
    writable: Writable,
    context: association.PresentationContext,
    callback: (dataset: Dataset) => void,
  ): void {
    const placeholder = new DimseDataset({}, context.getAcceptedTransferSyntaxUid());
    if (writable instanceof RawDatasetSink) {
      receivedData.set(placeholder, {
        sink: writable,
        contextAccepted: isAcceptedContext(context),
        abstractSyntaxUid: context.getAbstractSyntaxUid(),
        transferSyntaxUid: context.getAcceptedTransferSyntaxUid() ?? '',
      });
    }
    callback(placeholder);
  }

  override cStoreRequest(
    request: requests.CStoreRequest,
    callback: (response: responses.CStoreResponse) => void,
  ): void {
    this.queue = this.queue.then(() => this.answerStore(request, callback));
  }

  /** Never rejects: every failure becomes a DIMSE status, so the queue and the process survive. */
  private async answerStore(
    request: requests.CStoreRequest,
    callback: (response: responses.CStoreResponse) => void,
  ): Promise<void> {
    let result: StoreStatus;
    try {
      result = await this.store(request);
    } catch (thrown) {
      this.logStoreError(request, thrown);
      result = statusForError(thrown);
    }
    try {
      const response = CStoreResponse.fromRequest(request);
      response.setStatus(result.status);
      if (result.comment !== undefined) response.setErrorComment(result.comment);
      callback(response);
    } catch (thrown) {
      this.shared.logger.warn(
        { callingAeTitle: this.callingAeTitle, error: toError(thrown).message },
        'dicom c-store response not sent',
      );
    }
  }

  private async store(request: requests.CStoreRequest): Promise<StoreStatus> {
    const sopClassUid = uidValue(request.getAffectedSopClassUid());
    const sopInstanceUid = uidValue(request.getAffectedSopInstanceUid());
    // Always set by createDatasetFromStoreWritableStream; a miss would be a defect here, so retry.
    const data = receivedData.get(request.getDataset() as Dataset);
    if (!data) return this.refuse(sopInstanceUid, failure(DimseStatus.OutOfResources, 'data set not received'));
    const refusal = this.refusal(data, sopClassUid, sopInstanceUid);
    if (refusal) return this.refuse(sopInstanceUid, refusal);
    const bytes = assemblePart10(
      { sopClassUid, sopInstanceUid, transferSyntaxUid: data.transferSyntaxUid, sourceAeTitle: this.callingAeTitle },
      data.sink.chunks,
    );
    const outcome = await this.shared.ingest.ingestObject({
      bytes,
      transport: 'dimse',
      sender: this.callingAeTitle,
      trustCode: this.trustCode ?? this.shared.policy.defaultTrustCode,
    });
    const status = statusForOutcome(outcome);
    if (status.status === DimseStatus.Success) {
      this.shared.logger.debug(this.storeLog(sopInstanceUid, status), 'dicom c-store stored');
    } else {
      this.shared.logger.warn(this.storeLog(sopInstanceUid, status), 'dicom c-store quarantined');
    }
    return status;
  }

  /** Requests answered without calling ingest (statuses: PS3.4 Table B.2-1, PS3.7 Annex C). */
  private refusal(data: ReceivedDataset, sopClassUid: string, sopInstanceUid: string): StoreStatus | undefined {
    // A limit of this deployment, not a fault of the object: raising it lets the retry succeed.
    if (data.sink.overflowed) {
      return failure(DimseStatus.OutOfResources, `object over ${this.shared.maxObjectBytes} bytes`);
    }
    if (!data.contextAccepted) return failure(DimseStatus.SopClassNotSupported, 'presentation context not accepted');
    if (sopClassUid !== data.abstractSyntaxUid) {
      return failure(DimseStatus.DataSetDoesNotMatchSopClass, 'SOP class differs from presentation context');
    }
    // The UID becomes MediaStorageSOPInstanceUID, a UI of at most 64 characters (PS3.5 9.1).
    if (sopInstanceUid === '' || sopInstanceUid.length > 64) {
      return failure(DimseStatus.CannotUnderstand, 'invalid Affected SOP Instance UID');
    }
    return undefined;
  }

  private refuse(sopInstanceUid: string, status: StoreStatus): StoreStatus {
    this.shared.logger.warn(this.storeLog(sopInstanceUid, status), 'dicom c-store refused');
    return status;
  }

  private storeLog(sopInstanceUid: string, status: StoreStatus): Record<string, unknown> {
    return {
      callingAeTitle: this.callingAeTitle,
      trustCode: this.trustCode,
      sopInstanceUid,
      status: `0x${status.status.toString(16).padStart(4, '0')}`,
      comment: status.comment,
    };
  }

  private logStoreError(request: requests.CStoreRequest, thrown: unknown): void {
    const error = toError(thrown);
    const code = (error as { code?: unknown }).code;
    this.shared.logger.error(
      {
        callingAeTitle: this.callingAeTitle,
        trustCode: this.trustCode,
        sopInstanceUid: uidValue(request.getAffectedSopInstanceUid()),
        error: { name: error.name, code: typeof code === 'string' ? code : undefined, message: error.message },
      },
      'dicom c-store not stored',
    );
  }
}
