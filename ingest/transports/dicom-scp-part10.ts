import { Writable } from 'node:stream';

/**
 * Builds the DICOM Part 10 file (PS3.10 section 7.1) around a data set received by C-STORE: a
 * 128-byte preamble, "DICM", the File Meta Information (group 0002, PS3.10 section 7.1, always
 * Explicit VR Little Endian) and then the data set bytes exactly as they came off the network.
 */

/** Kerma's Implementation Class UID: a UUID-derived UID under the 2.25 root (PS3.5 section B.2). */
export const KERMA_IMPLEMENTATION_CLASS_UID = '2.25.68252560061933253044491358703749740460';
export const KERMA_IMPLEMENTATION_VERSION_NAME = 'KERMA';

export interface FileMetaFields {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  /** The calling AE title of the association, recorded as Source Application Entity Title. */
  readonly sourceAeTitle: string;
}

const PREAMBLE_BYTES = 128;
/** (0002,0001) File Meta Information Version: 00H 01H (PS3.10 Table 7.1-1). */
const META_VERSION = Buffer.from([0x00, 0x01]);

/** UI values pad with NUL, text values with a space, to an even length (PS3.5 section 6.2). */
function padded(value: string, pad: '\0' | ' '): Buffer {
  return Buffer.from(value.length % 2 === 0 ? value : value + pad, 'latin1');
}

/** One group 0002 element in Explicit VR Little Endian (PS3.5 section 7.1.2). */
function element(elementNumber: number, vr: 'OB' | 'UI' | 'SH' | 'AE' | 'UL', value: Buffer): Buffer {
  const longForm = vr === 'OB'; // OB has a reserved 2 bytes and a 32-bit length (PS3.5 Table 7.1-1)
  const header = Buffer.alloc(longForm ? 12 : 8);
  header.writeUInt16LE(0x0002, 0);
  header.writeUInt16LE(elementNumber, 2);
  header.write(vr, 4, 'latin1');
  if (longForm) header.writeUInt32LE(value.length, 8);
  else header.writeUInt16LE(value.length, 6);
  return Buffer.concat([header, value]);
}

/** Preamble, "DICM" and the File Meta Information with its group length (0002,0000). */
export function buildFileMeta(fields: FileMetaFields): Buffer {
  const elements = [
    element(0x0001, 'OB', META_VERSION),
    element(0x0002, 'UI', padded(fields.sopClassUid, '\0')),
    element(0x0003, 'UI', padded(fields.sopInstanceUid, '\0')),
    element(0x0010, 'UI', padded(fields.transferSyntaxUid, '\0')),
    element(0x0012, 'UI', padded(KERMA_IMPLEMENTATION_CLASS_UID, '\0')),
    element(0x0013, 'SH', padded(KERMA_IMPLEMENTATION_VERSION_NAME, ' ')),
  ];
  if (fields.sourceAeTitle !== '') elements.push(element(0x0016, 'AE', padded(fields.sourceAeTitle, ' ')));
  const groupLengthValue = Buffer.alloc(4);
  groupLengthValue.writeUInt32LE(elements.reduce((sum, e) => sum + e.length, 0));
  const prefix = Buffer.alloc(PREAMBLE_BYTES + 4);
  prefix.write('DICM', PREAMBLE_BYTES, 'latin1');
  return Buffer.concat([prefix, element(0x0000, 'UL', groupLengthValue), ...elements]);
}

/** The Part 10 file: meta header then the received data set chunks, copied once. */
export function assemblePart10(fields: FileMetaFields, datasetChunks: readonly Buffer[]): Buffer {
  const meta = buildFileMeta(fields);
  return Buffer.concat([meta, ...datasetChunks]);
}

/**
 * The writable dcmjs-dimse hands each data set PDV fragment to (Scp.createStoreWritableStream). It
 * keeps the fragments as they are, so nothing is parsed or re-encoded. Fragments past `maxBytes`
 * are dropped and counted, so a huge object cannot exhaust memory; the SCP then refuses it.
 */
export class RawDatasetSink extends Writable {
  readonly chunks: Buffer[] = [];
  byteLength = 0;
  overflowed = false;
  private readonly maxBytes: number;

  constructor(maxBytes: number) {
    // dcmjs-dimse awaits 'drain' when write() returns false, but keeps reading the next PDUs
    // meanwhile, so a false return would reorder fragments. Writes complete synchronously, so an
    // unbounded high-water mark never buffers anything.
    super({ highWaterMark: Number.MAX_SAFE_INTEGER, decodeStrings: false });
    this.maxBytes = maxBytes;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.byteLength += chunk.length;
    if (this.byteLength > this.maxBytes) {
      this.overflowed = true;
      this.chunks.length = 0;
    } else {
      this.chunks.push(chunk);
    }
    callback();
  }
}
