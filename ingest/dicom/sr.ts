import type { DicomDataset } from './dataset.ts';
import { parseDecimal } from './dataset.ts';
import { Tag } from './tags.ts';

/** A coded entry (PS3.3 Table 8.8-1): value, coding scheme and meaning as encoded. */
export interface Code {
  readonly value: string;
  readonly scheme: string;
  readonly meaning: string;
}

/**
 * A concept Kerma looks for, with the alternative codes vendors and standard editions use (e.g.
 * SNOMED codes moved from SRT to SCT in 2019). Matching also accepts the meaning, case-insensitive,
 * because some devices send the right meaning with a wrong or private code.
 */
export interface Concept {
  readonly codes: ReadonlyArray<readonly [value: string, scheme: string]>;
  readonly meaning: string;
  /** Lower-cased meaning, computed once: concepts are matched millions of times during bulk import. */
  readonly meaningLower: string;
}

export function concept(
  value: string,
  scheme: string,
  meaning: string,
  ...alternates: Array<[string, string]>
): Concept {
  return { codes: [[value, scheme], ...alternates], meaning, meaningLower: meaning.toLowerCase() };
}

function codesMatch(code: Code, wanted: Concept): boolean {
  for (const [value, scheme] of wanted.codes) {
    if (code.value === value && (code.scheme === scheme || scheme === '*')) return true;
  }
  return false;
}

export function codeMatches(code: Code | undefined, wanted: Concept): boolean {
  if (!code) return false;
  return codesMatch(code, wanted) || code.meaning.toLowerCase() === wanted.meaningLower;
}

export type ValueType =
  | 'CONTAINER'
  | 'NUM'
  | 'CODE'
  | 'TEXT'
  | 'DATETIME'
  | 'DATE'
  | 'TIME'
  | 'UIDREF'
  | 'PNAME'
  | 'COMPOSITE'
  | 'IMAGE'
  | 'WAVEFORM'
  | 'SCOORD'
  | 'SCOORD3D'
  | 'TCOORD'
  | 'TABLE'
  | 'UNKNOWN';

export interface NumericValue {
  /** undefined when the measured-value sequence is empty (allowed by TID 1400-style NUMs) or unreadable. */
  readonly value: number | undefined;
  /** Every value when the device encoded several (per-pulse data); `value` is the first. */
  readonly values: readonly number[];
  readonly text: string | undefined;
  readonly unit: Code | undefined;
  readonly qualifier: Code | undefined;
}

/** One SR content item with its children, decoded once and then navigated by concept. */
export class ContentItem {
  private readonly conceptLower: string | undefined;
  children: readonly ContentItem[] = [];

  constructor(
    readonly valueType: ValueType,
    readonly relationship: string | undefined,
    readonly conceptName: Code | undefined,
    private readonly ds: DicomDataset,
    private readonly parent?: { readonly item: ContentItem; readonly index: number },
  ) {
    this.conceptLower = conceptName?.meaning.toLowerCase();
  }

  /** Position in the tree, e.g. `root > content[2] > content[5]`, built only for messages. */
  get location(): string {
    return this.parent ? `${this.parent.item.location} > content[${this.parent.index}]` : 'root';
  }

  is(wanted: Concept): boolean {
    const name = this.conceptName;
    if (!name) return false;
    return codesMatch(name, wanted) || this.conceptLower === wanted.meaningLower;
  }

  /** First direct child with that concept name. */
  child(wanted: Concept): ContentItem | undefined {
    return this.children.find((c) => c.is(wanted));
  }

  all(wanted: Concept): ContentItem[] {
    return this.children.filter((c) => c.is(wanted));
  }

  /** Numeric value of the first child with that concept, with its unit. */
  num(wanted: Concept): NumericValue | undefined {
    return this.child(wanted)?.numeric();
  }

  numeric(): NumericValue | undefined {
    if (this.valueType !== 'NUM') return undefined;
    const measured = this.ds.item(Tag.MeasuredValueSequence);
    const qualifier = readCode(this.ds.item(Tag.NumericValueQualifierCodeSequence));
    if (!measured) return { value: undefined, values: [], text: undefined, unit: undefined, qualifier };
    const texts = measured.strings(Tag.NumericValue).filter((v) => v !== '');
    const values = texts.map(parseDecimal).filter((v): v is number => v !== undefined);
    let value = parseDecimal(texts[0]);
    if (value === undefined) value = measured.binary(Tag.FloatingPointValue, 'FD');
    if (values.length === 0 && value !== undefined) values.push(value);
    return {
      value,
      values,
      text: texts[0],
      unit: readCode(measured.item(Tag.MeasurementUnitsCodeSequence)),
      qualifier,
    };
  }

  code(): Code | undefined {
    return this.valueType === 'CODE' ? readCode(this.ds.item(Tag.ConceptCodeSequence)) : undefined;
  }

  /** Text of TEXT, UIDREF, PNAME, DATETIME, DATE and TIME items, as encoded. */
  text(): string | undefined {
    switch (this.valueType) {
      case 'TEXT':
        return this.ds.text(Tag.TextValue);
      case 'UIDREF':
        return this.ds.string(Tag.UID)?.replace(/\0/g, '');
      case 'PNAME':
        return this.ds.string(Tag.PersonName);
      case 'DATETIME':
        return this.ds.string(Tag.DateTime);
      case 'DATE':
        return this.ds.string(Tag.Date);
      case 'TIME':
        return this.ds.string(Tag.Time);
      case 'CODE':
      case 'COMPOSITE':
      case 'CONTAINER':
      case 'IMAGE':
      case 'NUM':
      case 'SCOORD':
      case 'SCOORD3D':
      case 'TABLE':
      case 'TCOORD':
      case 'UNKNOWN':
      case 'WAVEFORM':
        return undefined;
    }
  }

  /** Referenced SOP of COMPOSITE / IMAGE items. */
  reference(): { sopClassUid: string | undefined; sopInstanceUid: string | undefined } | undefined {
    const ref = this.ds.item(Tag.ReferencedSOPSequence);
    if (!ref) return undefined;
    return {
      sopClassUid: ref.string(Tag.ReferencedSOPClassUID),
      sopInstanceUid: ref.string(Tag.ReferencedSOPInstanceUID),
    };
  }

  /** Depth-first search below this item. */
  find(wanted: Concept): ContentItem | undefined {
    for (const c of this.children) {
      if (c.is(wanted)) return c;
      const deeper = c.find(wanted);
      if (deeper) return deeper;
    }
    return undefined;
  }
}

export function readCode(ds: DicomDataset | undefined): Code | undefined {
  if (!ds) return undefined;
  const value = ds.string(Tag.CodeValue) ?? ds.string(Tag.LongCodeValue) ?? ds.string(Tag.URNCodeValue);
  const meaning = ds.string(Tag.CodeMeaning);
  if (value === undefined && meaning === undefined) return undefined;
  return { value: value ?? '', scheme: ds.string(Tag.CodingSchemeDesignator) ?? '', meaning: meaning ?? '' };
}

const VALUE_TYPES = new Set<string>([
  'CONTAINER',
  'NUM',
  'CODE',
  'TEXT',
  'DATETIME',
  'DATE',
  'TIME',
  'UIDREF',
  'PNAME',
  'COMPOSITE',
  'IMAGE',
  'WAVEFORM',
  'SCOORD',
  'SCOORD3D',
  'TCOORD',
  'TABLE',
]);

/** SR trees from real devices nest a few levels; anything deeper than this is hostile input. */
const MAX_DEPTH = 64;

function buildItem(
  ds: DicomDataset,
  parent: { item: ContentItem; index: number } | undefined,
  depth: number,
): ContentItem {
  let rawType = ds.string(Tag.ValueType)?.toUpperCase() ?? 'UNKNOWN';
  let relationship = ds.string(Tag.RelationshipType);
  // Some Siemens RRDSRs swap the two attributes ("HAS CONCEPT MOD" as the value type): swap back.
  if (!VALUE_TYPES.has(rawType) && relationship && VALUE_TYPES.has(relationship.toUpperCase())) {
    [rawType, relationship] = [relationship.toUpperCase(), rawType];
  }
  const valueType = (VALUE_TYPES.has(rawType) ? rawType : 'UNKNOWN') as ValueType;
  const item = new ContentItem(valueType, relationship, readCode(ds.item(Tag.ConceptNameCodeSequence)), ds, parent);
  if (depth < MAX_DEPTH) {
    item.children = ds.items(Tag.ContentSequence).map((child, index) => buildItem(child, { item, index }, depth + 1));
  }
  return item;
}

/** The SR document root (the data set itself is the root CONTAINER), with its template identifier. */
export interface SrDocument {
  readonly root: ContentItem;
  readonly templateId: string | undefined;
}

export function readSrDocument(ds: DicomDataset): SrDocument {
  const template = ds.item(Tag.ContentTemplateSequence);
  return { root: buildItem(ds, undefined, 0), templateId: template?.string(Tag.TemplateIdentifier) };
}
