/**
 * Reads what a C-STORE sender needs from a DICOM Part 10 file without parsing its data set: the
 * SOP class, SOP instance and transfer syntax of the File Meta Information (PS3.10 section 7.1,
 * group 0002, always Explicit VR Little Endian) and where the data set begins.
 */
export interface Part10Meta {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  /** Byte offset of the data set: everything from here on is sent as it is. */
  readonly datasetOffset: number;
}

const PREAMBLE_BYTES = 128;
const META_GROUP = 0x0002;
/** VRs whose explicit-VR header has two reserved bytes and a 32-bit length (PS3.5 Table 7.1-1). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/** UI values are padded with NUL to an even length (PS3.5 section 9.1). */
const uid = (bytes: Buffer): string => bytes.toString('latin1').replace(/[\0 ]+$/, '');

export function readPart10Meta(bytes: Uint8Array): Part10Meta {
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (file.length < PREAMBLE_BYTES + 4 || file.toString('latin1', PREAMBLE_BYTES, PREAMBLE_BYTES + 4) !== 'DICM') {
    throw new Error('not a DICOM Part 10 file (no DICM prefix)');
  }
  const values = new Map<number, string>();
  let offset = PREAMBLE_BYTES + 4;
  while (offset + 8 <= file.length && file.readUInt16LE(offset) === META_GROUP) {
    const element = file.readUInt16LE(offset + 2);
    const vr = file.toString('latin1', offset + 4, offset + 6);
    const long = LONG_VRS.has(vr);
    const length = long ? file.readUInt32LE(offset + 8) : file.readUInt16LE(offset + 6);
    const start = offset + (long ? 12 : 8);
    if (start + length > file.length) throw new Error('truncated File Meta Information');
    if (vr === 'UI') values.set(element, uid(file.subarray(start, start + length)));
    offset = start + length;
  }
  const sopClassUid = values.get(0x0002);
  const sopInstanceUid = values.get(0x0003);
  const transferSyntaxUid = values.get(0x0010);
  if (!sopClassUid || !sopInstanceUid || !transferSyntaxUid) {
    throw new Error('File Meta Information lacks the SOP class, SOP instance or transfer syntax UID');
  }
  return { sopClassUid, sopInstanceUid, transferSyntaxUid, datasetOffset: offset };
}
