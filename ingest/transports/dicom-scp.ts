import net, { type AddressInfo, type Socket } from 'node:net';
import dcmjsDimse from 'dcmjs-dimse';
import { toError, type Logger } from '../../core/index.ts';
import type { IngestService } from '../pipeline/types.ts';
import { KermaAssociation, ANNOUNCED_MAX_PDU_BYTES, type ScpSharedState } from './dicom-scp-association.ts';
import { KERMA_IMPLEMENTATION_CLASS_UID, KERMA_IMPLEMENTATION_VERSION_NAME } from './dicom-scp-part10.ts';

/**
 * The DICOM C-STORE / C-ECHO SCP (IHE REM Dose Information Consumer). Each received object goes to
 * `ingest.ingestObject` as a Part 10 file holding the data set bytes exactly as sent, and the
 * C-STORE response is sent only once that call says the object is durably stored.
 */
export interface DicomScpOptions {
  readonly aeTitle: string;
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Calling AE title -> trust code; an empty map accepts any caller under `defaultTrustCode`. */
  readonly callingAeTitles: ReadonlyMap<string, string>;
  readonly defaultTrustCode: string;
  readonly ingest: IngestService;
  readonly logger: Logger;
  readonly maxAssociations?: number;
  /** Objects larger than this are refused with Out of Resources instead of filling memory. */
  readonly maxObjectBytes?: number;
}

export interface RunningDicomScp {
  readonly port: number;
  close(): Promise<void>;
}

/** Each association holds at most one object in memory; 16 bounds that while serving a region's rooms. */
const DEFAULT_MAX_ASSOCIATIONS = 16;
/** Large enough for a breast tomosynthesis object, small enough that a few at once fit in memory. */
const DEFAULT_MAX_OBJECT_BYTES = 1024 * 1024 * 1024;
/**
 * Largest PDU a peer may send: four times what we announce, room for an A-ASSOCIATE-RQ with many
 * contexts. dcmjs-dimse would otherwise buffer whatever length a PDU header claims (up to 4 GiB).
 */
const MAX_PDU_BYTES = 4 * ANNOUNCED_MAX_PDU_BYTES;
/**
 * A peer that falls silent (powered-off modality, half-open TCP) releases its slot after this.
 * Long enough for an ingest that waits on a slow database while the peer awaits our response.
 */
const IDLE_TIMEOUT_MS = 5 * 60 * 1000;
const NETWORK_OPTIONS = {
  connectTimeout: IDLE_TIMEOUT_MS,
  associationTimeout: IDLE_TIMEOUT_MS,
  pduTimeout: IDLE_TIMEOUT_MS,
};

/**
 * dcmjs-dimse keeps these settings in module state: its own logging (which would print PDUs to
 * stdout; ours goes through Logger) and the implementation identity it announces.
 */
function configureDcmjsDimse(): void {
  dcmjsDimse.log.setLevel('silent');
  dcmjsDimse.Implementation.setImplementationClassUid(KERMA_IMPLEMENTATION_CLASS_UID);
  dcmjsDimse.Implementation.setImplementationVersion(KERMA_IMPLEMENTATION_VERSION_NAME);
}

export async function startDicomScp(options: DicomScpOptions): Promise<RunningDicomScp> {
  configureDcmjsDimse();
  const logger = options.logger.child({ component: 'dicom-scp', aeTitle: options.aeTitle });
  const shared = sharedState(options, logger);
  const associations = new Set<KermaAssociation>();
  // No Nagle delay on our side either: the peer waits for each small C-STORE response.
  const server = net.createServer({ noDelay: true }, (socket) => accept(socket, shared, associations));
  // Connections that never associate still cost a socket each; beyond this the kernel turns them away.
  server.maxConnections = 4 * (options.maxAssociations ?? DEFAULT_MAX_ASSOCIATIONS);
  await listen(server, options.host, options.port);
  server.on('error', (error) => logger.error({ error: error.message }, 'dicom scp server error'));
  const port = (server.address() as AddressInfo).port;
  logger.info({ host: options.host, port, callers: options.callingAeTitles.size }, 'dicom scp listening');
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () => (closing ??= closeServer(server, associations, logger)),
  };
}

function sharedState(options: DicomScpOptions, logger: Logger): ScpSharedState {
  const maxAssociations = options.maxAssociations ?? DEFAULT_MAX_ASSOCIATIONS;
  let open = 0;
  return {
    policy: {
      aeTitle: options.aeTitle,
      callingAeTitles: options.callingAeTitles,
      defaultTrustCode: options.defaultTrustCode,
    },
    ingest: options.ingest,
    logger,
    maxObjectBytes: options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES,
    claimSlot: () => {
      if (open >= maxAssociations) return false;
      open += 1;
      return true;
    },
    releaseSlot: () => {
      open -= 1;
    },
  };
}

function accept(socket: Socket, shared: ScpSharedState, associations: Set<KermaAssociation>): void {
  guardPduLength(socket, (length) => {
    shared.logger.warn({ remoteAddress: socket.remoteAddress, pduBytes: length }, 'dicom pdu too large');
    socket.destroy();
  });
  const association = new KermaAssociation(socket, NETWORK_OPTIONS, shared);
  associations.add(association);
  socket.once('close', () => associations.delete(association));
  // Malformed PDUs, resets and timeouts all arrive here; the connection goes, the server stays.
  association.on('networkError', (error: unknown) => {
    shared.logger.warn(
      { remoteAddress: socket.remoteAddress, error: toError(error).message },
      'dicom connection error',
    );
    socket.destroy();
  });
}

/**
 * Reads only the 6-byte PDU headers (type, reserved, 32-bit length; PS3.8 section 9.3.1) of the
 * byte stream, so an absurd announced length ends the connection before anything is buffered.
 */
function guardPduLength(socket: Socket, onTooLarge: (length: number) => void): void {
  let header = Buffer.alloc(0);
  let remaining = 0;
  socket.on('data', (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length) {
      if (remaining > 0) {
        const skipped = Math.min(remaining, chunk.length - offset);
        remaining -= skipped;
        offset += skipped;
        continue;
      }
      const taken = Math.min(6 - header.length, chunk.length - offset);
      header = Buffer.concat([header, chunk.subarray(offset, offset + taken)]);
      offset += taken;
      if (header.length < 6) return;
      remaining = header.readUInt32BE(2);
      header = Buffer.alloc(0);
      if (remaining > MAX_PDU_BYTES) return onTooLarge(remaining);
    }
  });
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Stops accepting, lets every C-STORE already received be stored and answered, then drops the
 * connections. A store cut off later is not acknowledged, so its sender retries: nothing is lost.
 */
async function closeServer(server: net.Server, associations: Set<KermaAssociation>, logger: Logger): Promise<void> {
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  await Promise.all([...associations].map((association) => association.idle()));
  for (const association of associations) association.destroyConnection();
  await stopped;
  logger.info({}, 'dicom scp stopped');
}
