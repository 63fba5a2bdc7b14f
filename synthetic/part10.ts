import dcmjs from 'dcmjs';
import type { Dataset } from './sr-content.ts';

/**
 * A fast PS3.10 writer for the synthetic reports that produces the same bytes as dcmjs's
 * DicomDict.write (tags and VRs from dcmjs's dictionary, elements in tag order, sequences and items
 * of undefined length with delimiters, strings padded to even length), checked byte for byte in
 * test/ingest/synthetic.test.ts. It exists because dcmjs allocates a stream per element: about
 * 17 ms per CT RDSR on this machine, a minute for the demo's 3,000 reports; this takes ~0.1 ms.
 * Handles the VRs the reports use (text VRs, SQ, OB, UL) and nothing else.
 */
interface DictionaryEntry {
  readonly tag: string;
  readonly vr: string;
}

const nameMap = (dcmjs.data.DicomMetaDictionary as unknown as { nameMap: Record<string, DictionaryEntry | undefined> })
  .nameMap;

/** VRs whose explicit-VR header has a 32-bit length (PS3.5 Table 7.1-1). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

interface Element {
  readonly tag: number;
  readonly vr: string;
  readonly value: unknown;
}

const resolved = new Map<string, { tag: number; vr: string }>();

function entryOf(keyword: string): { tag: number; vr: string } {
  let entry = resolved.get(keyword);
  if (!entry) {
    const found = nameMap[keyword];
    if (!found) throw new Error(`no DICOM dictionary entry for ${keyword}`);
    const tag = Number.parseInt(found.tag.replace(/[(),]/g, ''), 16);
    entry = { tag, vr: found.vr };
    resolved.set(keyword, entry);
  }
  return entry;
}

/** Growable little-endian byte buffer. */
class Writer {
  private buffer = Buffer.allocUnsafe(16_384);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + extra));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }

  uint16(value: number): void {
    this.reserve(2);
    this.length = this.buffer.writeUInt16LE(value, this.length);
  }

  uint32(value: number): void {
    this.reserve(4);
    this.length = this.buffer.writeUInt32LE(value >>> 0, this.length);
  }

  ascii(text: string): void {
    this.reserve(text.length);
    this.length += this.buffer.write(text, this.length, 'latin1');
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.byteLength);
    this.buffer.set(data, this.length);
    this.length += data.byteLength;
  }

  result(): Uint8Array {
    return new Uint8Array(this.buffer.subarray(0, this.length));
  }
}

function elementsOf(dataset: Dataset): Element[] {
  return Object.entries(dataset)
    .filter(([, value]) => value !== undefined)
    .map(([keyword, value]) => ({ ...entryOf(keyword), value }))
    .sort((a, b) => a.tag - b.tag);
}

function textOf(vr: string, value: unknown): string {
  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  const text = values.map((v) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '')).join('\\');
  if (text.length % 2 === 0) return text;
  return text + (vr === 'UI' ? '\0' : ' ');
}

function writeHeader(out: Writer, tag: number, vr: string, length: number): void {
  out.uint16(tag >>> 16);
  out.uint16(tag & 0xffff);
  out.ascii(vr);
  if (LONG_VRS.has(vr)) {
    out.uint16(0);
    out.uint32(length);
  } else {
    out.uint16(length);
  }
}

function writeSequence(out: Writer, element: Element): void {
  writeHeader(out, element.tag, 'SQ', 0xffffffff);
  for (const item of (element.value as Dataset[] | null) ?? []) {
    out.uint16(0xfffe);
    out.uint16(0xe000);
    out.uint32(0xffffffff);
    writeDataset(out, item);
    out.uint16(0xfffe);
    out.uint16(0xe00d);
    out.uint32(0);
  }
  out.uint16(0xfffe);
  out.uint16(0xe0dd);
  out.uint32(0);
}

function writeElement(out: Writer, element: Element): void {
  if (element.vr === 'SQ') return writeSequence(out, element);
  if (element.vr === 'OB') {
    const bytes = new Uint8Array(element.value as ArrayBuffer);
    writeHeader(out, element.tag, 'OB', bytes.byteLength + (bytes.byteLength % 2));
    out.bytes(bytes);
    if (bytes.byteLength % 2) out.bytes(new Uint8Array(1));
    return;
  }
  if (element.vr === 'UL') {
    writeHeader(out, element.tag, 'UL', 4);
    out.uint32(Number(element.value));
    return;
  }
  const text = textOf(element.vr, element.value);
  if (!LONG_VRS.has(element.vr) && text.length > 0xffff)
    throw new Error(`value of ${element.tag.toString(16)} too long`);
  writeHeader(out, element.tag, element.vr, text.length);
  out.ascii(text);
}

function writeDataset(out: Writer, dataset: Dataset): void {
  for (const element of elementsOf(dataset)) writeElement(out, element);
}

/** A Part 10 file (Explicit VR Little Endian) of a naturalised data set, byte-identical to dcmjs's. */
export function encodePart10(dataset: Dataset, implementation: { classUid: string; versionName: string }): Uint8Array {
  const meta = new Writer();
  writeDataset(meta, {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: implementation.classUid,
    ImplementationVersionName: implementation.versionName,
  });
  const out = new Writer();
  out.bytes(new Uint8Array(128));
  out.ascii('DICM');
  writeHeader(out, 0x00020000, 'UL', 4);
  out.uint32(meta.length);
  out.bytes(meta.result());
  writeDataset(out, dataset);
  return out.result();
}
