import dicomParser from 'dicom-parser';
import { charsetDecoder, defaultDecoder, type CharsetDecoder } from './charset.ts';
import { DicomExtractionError } from './errors.ts';
import { Tag, formatTag } from './tags.ts';

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
    /** Where this data set sits, for error messages: '' for the top level. */
    readonly path: string,
  ) {
    this.warnings = warnings;
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
    const text = this.decoder.decode(bytesOf(this.ds, element));
    return text.split('\\').map(trimValue);
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
    element.items.forEach((item, index) => {
      if (item.dataSet) {
        items.push(new DicomDataset(item.dataSet, this.decoder, this.warnings, `${this.path}${formatTag(tag)}[${index}] > `));
      }
    });
    return items;
  }

  item(tag: string): DicomDataset | undefined {
    return this.items(tag)[0];
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
export function parseDicom(bytes: Uint8Array): ParsedDicom {
  if (bytes.length < 8) throw new DicomExtractionError('not_dicom', `file too short (${bytes.length} bytes)`);
  const hasPreamble = bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
  let ds: dicomParser.DataSet;
  let truncated = false;
  try {
    ds = hasPreamble
      ? dicomParser.parseDicom(bytes)
      : dicomParser.parseDicom(bytes, { TransferSyntaxUID: '1.2.840.10008.1.2' });
  } catch (thrown) {
    const partial = (thrown as { dataSet?: dicomParser.DataSet } | undefined)?.dataSet;
    const reason = describeThrown((thrown as { exception?: unknown } | undefined)?.exception ?? thrown);
    if (!partial || Object.keys(partial.elements).length === 0) {
      throw new DicomExtractionError(hasPreamble ? 'malformed' : 'not_dicom', `cannot parse DICOM: ${reason}`);
    }
    ds = partial;
    truncated = true;
    if (hasPreamble) {
      // dicom-parser drops the meta header from a partial result; read it again for the UIDs.
      try {
        const meta = dicomParser.readPart10Header(bytes);
        for (const [tag, element] of Object.entries(meta.elements)) {
          if (!ds.elements[tag] && element.dataOffset + element.length <= bytes.length) {
            ds.elements[tag] = { ...element };
          }
        }
      } catch {
        // The meta header itself is unreadable: keep the data set as it is.
      }
    }
    ds.warnings.push(`data set ends early: ${reason}`);
  }
  const transferSyntaxUid = ds.string(Tag.TransferSyntaxUID)?.replace(/\0/g, '').trim();
  const rawCharset = readRawCharset(ds);
  const decoder = rawCharset.length > 0 ? charsetDecoder(rawCharset) : defaultDecoder;
  const warnings = [...ds.warnings];
  if (decoder.unknownTerms.length > 0) warnings.push(`unknown Specific Character Set ${decoder.unknownTerms.join('\\')}: read as ISO 8859-1`);
  const dataset = new DicomDataset(ds, decoder, warnings, '');
  const sopClassUid = dataset.string(Tag.SOPClassUID) ?? dataset.string(Tag.MediaStorageSOPClassUID);
  const sopInstanceUid = dataset.string(Tag.SOPInstanceUID) ?? dataset.string(Tag.MediaStorageSOPInstanceUID);
  if (!hasPreamble && !sopClassUid && !dataset.string(Tag.StudyInstanceUID)) {
    throw new DicomExtractionError('not_dicom', 'no DICM preamble and no recognisable DICOM attributes');
  }
  if (truncated && !sopInstanceUid) {
    throw new DicomExtractionError('truncated', `file breaks off before the SOP Instance UID: ${warnings.at(-1) ?? ''}`);
  }
  return { dataset, transferSyntaxUid, sopClassUid, sopInstanceUid, truncated, characterSet: rawCharset };
}

function readRawCharset(ds: dicomParser.DataSet): string[] {
  const element = ds.elements[Tag.SpecificCharacterSet];
  if (!element) return [];
  return Buffer.from(bytesOf(ds, element))
    .toString('latin1')
    .split('\\')
    .map((t) => t.replace(/[\0 ]+$/, '').trim());
}
