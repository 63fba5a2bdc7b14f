import dicomParser from 'dicom-parser';
import { charsetDecoder, defaultDecoder, type CharsetDecoder } from './charset.ts';
import { DicomExtractionError } from './errors.ts';
import { Tag, formatTag } from './tags.ts';

const BACKSLASH = 0x5c;

/** Bounded search: indexOf would scan to the end of the whole file, making many short reads quadratic. */
function containsByte(bytes: Uint8Array, start: number, end: number, value: number): boolean {
  for (let i = start; i < end; i += 1) if (bytes[i] === value) return true;
  return false;
}

function bytesOf(ds: dicomParser.DataSet, element: dicomParser.Element): Uint8Array {
  return ds.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
}

/** Strips trailing padding (space or NUL) and leading spaces where the VR allows them. */
function trimValue(text: string): string {
  return text.replace(/[\0 ]+$/, '').replace(/^ +/, '');
}

/** Parses a Decimal String value leniently: comma decimals ("1,5") are read as 1.5 (a quirk seen from several vendors). */
export function parseDecimal(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const cleaned = text.trim().replace(',', '.');
  if (cleaned === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cleaned)) return undefined;
  const value = Number(cleaned);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * A read-only view of one DICOM data set (or sequence item) that decodes text with the object's
 * Specific Character Set. The rest of Kerma sees typed values, never dicom-parser elements.
 */
export class DicomDataset {
  readonly warnings: string[];

  constructor(
    private readonly ds: dicomParser.DataSet,
    private readonly decoder: CharsetDecoder,
    warnings: string[],
    private readonly parent?: { readonly dataset: DicomDataset; readonly tag: string; readonly index: number },
  ) {
    this.warnings = warnings;
  }

  /** Where this data set sits, for error messages ('' for the top level); built only when asked. */
  get path(): string {
    if (!this.parent) return '';
    return `${this.parent.dataset.path}${formatTag(this.parent.tag)}[${this.parent.index}] > `;
  }

  has(tag: string): boolean {
    const element = this.ds.elements[tag];
    return element !== undefined && element.length > 0;
  }

  /** Raw bytes of an element (for hashing or re-decoding); undefined when absent. */
  raw(tag: string): Uint8Array | undefined {
    const element = this.ds.elements[tag];
    return element ? bytesOf(this.ds, element) : undefined;
  }

  /** All values of a string element, decoded and trimmed; [] when absent or empty. */
  strings(tag: string): string[] {
    const element = this.ds.elements[tag];
    if (!element || element.length === 0) return [];
    const bytes = this.ds.byteArray;
    const start = element.dataOffset;
    // A corrupt length field can claim more bytes than the file holds: read only what is there.
    const end = Math.min(start + element.length, bytes.length);
    // Hot path (most SR strings are one value): no backslash means no split and one decode.
    if (!containsByte(bytes, start, end, BACKSLASH)) {
      return [this.decodeTrimmed(bytes, start, end)];
    }
    const text = this.decoder.decode(bytes.subarray(start, end));
    return text.split('\\').map(trimValue);
  }

  private decodeTrimmed(bytes: Uint8Array, start: number, end: number): string {
    let from = start;
    let to = end;
    while (to > from && (bytes[to - 1] === 0x20 || bytes[to - 1] === 0)) to -= 1;
    while (from < to && bytes[from] === 0x20) from += 1;
    if (from === to) return '';
    return this.decoder.decodeRange(bytes, from, to);
  }

  /** First value of a string element; undefined when absent or empty. */
  string(tag: string): string | undefined {
    const value = this.strings(tag)[0];
    return value === undefined || value === '' ? undefined : value;
  }

  /** Whole value of a text element (ST, LT, UT: backslash is not a delimiter), trailing padding removed. */
  text(tag: string): string | undefined {
    const element = this.ds.elements[tag];
    if (!element || element.length === 0) return undefined;
    const value = this.decoder.decode(bytesOf(this.ds, element)).replace(/[\0 ]+$/, '');
    return value === '' ? undefined : value;
  }

  /**
   * First value of a DS or IS element as a number. A second value in a single-valued field is illegal
   * but seen (Toshiba variable pitch); it is ignored with a warning rather than failing the object.
   */
  decimal(tag: string): number | undefined {
    const values = this.strings(tag).filter((v) => v !== '');
    if (values.length === 0) return undefined;
    const value = parseDecimal(values[0]);
    if (value === undefined) this.warnings.push(`unreadable number ${JSON.stringify(values[0])} in ${this.where(tag)}`);
    return value;
  }

  /** Every value of a multi-valued DS or IS element; unreadable values become undefined. */
  decimals(tag: string): Array<number | undefined> {
    return this.strings(tag).map(parseDecimal);
  }

  /** A binary integer (US, SS, UL, SL) or float (FL, FD) by the element's length and the caller's VR. */
  binary(tag: string, vr: 'US' | 'SS' | 'UL' | 'SL' | 'FL' | 'FD'): number | undefined {
    const element = this.ds.elements[tag];
    if (!element || element.length === 0) return undefined;
    const size = vr === 'FD' ? 8 : vr === 'US' || vr === 'SS' ? 2 : 4;
    if (element.length < size) return undefined;
    switch (vr) {
      case 'US':
        return this.ds.uint16(tag);
      case 'SS':
        return this.ds.int16(tag);
      case 'UL':
        return this.ds.uint32(tag);
      case 'SL':
        return this.ds.int32(tag);
      case 'FL':
        return this.ds.float(tag);
      case 'FD':
        return this.ds.double(tag);
    }
  }

  /** VR as encoded (explicit VR files); undefined for implicit VR. */
  vr(tag: string): string | undefined {
    return this.ds.elements[tag]?.vr;
  }

  /** Items of a sequence, each a DicomDataset that shares this object's decoder and warnings. */
  items(tag: string): DicomDataset[] {
    const element = this.ds.elements[tag];
    if (!element?.items) return [];
    const items: DicomDataset[] = [];
    for (let index = 0; index < element.items.length; index += 1) {
      const dataSet = element.items[index]?.dataSet;
      if (dataSet) items.push(new DicomDataset(dataSet, this.decoder, this.warnings, { dataset: this, tag, index }));
    }
    return items;
  }

  item(tag: string): DicomDataset | undefined {
    const dataSet = this.ds.elements[tag]?.items?.[0]?.dataSet;
    return dataSet
      ? new DicomDataset(dataSet, this.decoder, this.warnings, { dataset: this, tag, index: 0 })
      : undefined;
  }

  /** Tags present, for content-based classification and diagnostics. */
  tags(): string[] {
    return Object.keys(this.ds.elements);
  }

  where(tag: string): string {
    return `${this.path}${formatTag(tag)}`;
  }
}

export interface ParsedDicom {
  readonly dataset: DicomDataset;
  readonly transferSyntaxUid: string | undefined;
  readonly sopClassUid: string | undefined;
  readonly sopInstanceUid: string | undefined;
  readonly studyInstanceUid: string | undefined;
  /** The data set ended early (truncated file); values read before the break are usable. */
  readonly truncated: boolean;
  readonly characterSet: readonly string[];
}

function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  return JSON.stringify(thrown);
}

/**
 * Parses a DICOM Part 10 file (or a bare little-endian data set without preamble, as some archives
 * export). Never throws anything but DicomExtractionError. A file that breaks off part-way keeps
 * what was read before the break, flagged `truncated`, when enough of it identifies the object.
 */
export function parseDicom(input: Uint8Array): ParsedDicom {
  // dicom-parser reads a Buffer several times faster than a plain Uint8Array (measured on CT RDSRs
  // in worker threads); a Buffer view over the same memory costs nothing.
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length < 8) throw new DicomExtractionError('not_dicom', `file too short (${bytes.length} bytes)`);
  const hasPreamble =
    bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
  const first = parseWithDicomParser(bytes, hasPreamble);
  let { ds, truncated } = first;
  if (truncated && hasPreamble) {
    // CP-246 says an undefined-length UN element holds implicit-VR items, but some devices (Hologic)
    // write explicit-VR items there; dicom-parser then overruns and loses the rest of the file.
    // Reading such elements as SQ recovers it; keep whichever reading got further.
    const patched = retypeUndefinedLengthUnAsSequence(bytes);
    if (patched) {
      const second = parseWithDicomParser(patched, hasPreamble);
      if (!second.truncated || Object.keys(second.ds.elements).length > Object.keys(ds.elements).length) {
        ({ ds, truncated } = second);
        ds.warnings.push('undefined-length UN element(s) read as explicit-VR sequences');
      }
    }
  }
  const transferSyntaxUid = ds.string(Tag.TransferSyntaxUID)?.replace(/\0/g, '').trim();
  const rawCharset = readRawCharset(ds);
  const decoder = rawCharset.length > 0 ? charsetDecoder(rawCharset) : defaultDecoder;
  const warnings = [...ds.warnings];
  if (decoder.unknownTerms.length > 0)
    warnings.push(`unknown Specific Character Set ${decoder.unknownTerms.join('\\')}: read as ISO 8859-1`);
  const dataset = new DicomDataset(ds, decoder, warnings);
  const sopClassUid = dataset.string(Tag.SOPClassUID) ?? dataset.string(Tag.MediaStorageSOPClassUID);
  const sopInstanceUid = dataset.string(Tag.SOPInstanceUID) ?? dataset.string(Tag.MediaStorageSOPInstanceUID);
  if (!hasPreamble && !sopClassUid && !dataset.string(Tag.StudyInstanceUID)) {
    throw new DicomExtractionError('not_dicom', 'no DICM preamble and no recognisable DICOM attributes');
  }
  if (truncated && !sopInstanceUid) {
    throw new DicomExtractionError(
      'truncated',
      `file breaks off before the SOP Instance UID: ${warnings.at(-1) ?? ''}`,
    );
  }
  const studyInstanceUid = dataset.string(Tag.StudyInstanceUID)?.replace(/\0/g, '');
  return {
    dataset,
    transferSyntaxUid,
    sopClassUid,
    sopInstanceUid,
    studyInstanceUid,
    truncated,
    characterSet: rawCharset,
  };
}

interface ParseAttempt {
  readonly ds: dicomParser.DataSet;
  readonly truncated: boolean;
}

function parseWithDicomParser(bytes: Uint8Array, hasPreamble: boolean): ParseAttempt {
  try {
    const ds = hasPreamble
      ? dicomParser.parseDicom(bytes)
      : dicomParser.parseDicom(bytes, { TransferSyntaxUID: '1.2.840.10008.1.2' });
    return { ds, truncated: false };
  } catch (thrown) {
    const partial = (thrown as { dataSet?: dicomParser.DataSet } | undefined)?.dataSet;
    const reason = describeThrown((thrown as { exception?: unknown } | undefined)?.exception ?? thrown);
    if (!partial || Object.keys(partial.elements).length === 0) {
      throw new DicomExtractionError(hasPreamble ? 'malformed' : 'not_dicom', `cannot parse DICOM: ${reason}`);
    }
    if (hasPreamble) restoreMetaHeader(partial, bytes);
    partial.warnings.push(`data set ends early: ${reason}`);
    return { ds: partial, truncated: true };
  }
}

/** dicom-parser drops the meta header from a partial result; read it again for the UIDs. */
function restoreMetaHeader(ds: dicomParser.DataSet, bytes: Uint8Array): void {
  try {
    const meta = dicomParser.readPart10Header(bytes);
    for (const [tag, element] of Object.entries(meta.elements)) {
      if (!ds.elements[tag] && element.dataOffset + element.length <= bytes.length) ds.elements[tag] = { ...element };
    }
  } catch {
    // The meta header itself is unreadable: keep the data set as it is.
  }
}

/** A copy with every explicit-VR `UN` header of undefined length re-typed `SQ`; undefined if none. */
function retypeUndefinedLengthUnAsSequence(bytes: Uint8Array): Uint8Array | undefined {
  let copy: Uint8Array | undefined;
  // Header after the 4-byte tag: 'U' 'N' 00 00 FF FF FF FF.
  for (let i = bytes.indexOf(0x55, 132); i !== -1 && i + 8 <= bytes.length; i = bytes.indexOf(0x55, i + 1)) {
    if (bytes[i + 1] !== 0x4e || bytes[i + 2] !== 0 || bytes[i + 3] !== 0) continue;
    if (bytes[i + 4] !== 0xff || bytes[i + 5] !== 0xff || bytes[i + 6] !== 0xff || bytes[i + 7] !== 0xff) continue;
    copy ??= bytes.slice();
    copy[i] = 0x53; // 'S'
    copy[i + 1] = 0x51; // 'Q'
  }
  return copy;
}

function readRawCharset(ds: dicomParser.DataSet): string[] {
  const element = ds.elements[Tag.SpecificCharacterSet];
  if (!element) return [];
  return Buffer.from(bytesOf(ds, element))
    .toString('latin1')
    .split('\\')
    .map((t) => t.replace(/[\0 ]+$/, '').trim());
}
