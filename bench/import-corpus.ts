import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { extractDoseReport } from '../ingest/index.ts';
import { buildCtRdsr } from '../test/support/fixtures/xray-rdsr.ts';

/**
 * Templates for the import benchmark: CT RDSRs of the shared corpus (or generated ones when it is
 * absent) with the positions of the UIDs each copy must renew, so that a copy is a new study, series,
 * SOP instance and set of irradiation events, as a real archive would be.
 */
export interface CopyTemplate {
  readonly name: string;
  readonly bytes: Buffer;
  /** UIDs to renew, longest first so that no UID is rewritten inside a longer one. */
  readonly uids: readonly string[];
}

const CORPUS = path.resolve('../shared/corpus/dicom');

function uidsToRenew(bytes: Uint8Array): string[] {
  const report = extractDoseReport(bytes).report;
  const uids = new Set<string>([report.sopInstanceUid, report.study.studyInstanceUid]);
  if (report.study.seriesInstanceUid) uids.add(report.study.seriesInstanceUid);
  for (const event of report.ct?.events ?? []) if (event.irradiationEventUid) uids.add(event.irradiationEventUid);
  return [...uids].filter((u) => u.length >= 8).sort((a, b) => b.length - a.length);
}

export function loadTemplates(): CopyTemplate[] {
  const files = existsSync(CORPUS)
    ? readdirSync(CORPUS)
        .filter((f) => f.startsWith('CT-RDSR') && f.endsWith('.dcm'))
        .map((f) => ({ name: f, bytes: readFileSync(path.join(CORPUS, f)) }))
    : [1, 2, 3, 4].map((events) => ({ name: `generated-${events}`, bytes: Buffer.from(buildCtRdsr({ events })) }));
  return files.map((f) => ({ ...f, uids: uidsToRenew(f.bytes) }));
}

const isUidByte = (b: number | undefined): boolean => b !== undefined && ((b >= 0x30 && b <= 0x39) || b === 0x2e);

/** A new UID of exactly `length` characters (2.25 root, first digit non-zero), so no length field changes. */
function sameLengthUid(length: number): string {
  let digits = String(randomInt(1, 10));
  while (digits.length < length - 5) digits += String(randomInt(0, 10));
  return `2.25.${digits}`;
}

/** A copy of the template with every listed UID replaced, consistently, by a fresh one of the same length. */
export function renewUids(template: CopyTemplate): Buffer {
  const copy = Buffer.from(template.bytes);
  for (const uid of template.uids) {
    const needle = Buffer.from(uid, 'latin1');
    const replacement = Buffer.from(sameLengthUid(uid.length), 'latin1');
    for (let at = copy.indexOf(needle); at >= 0; at = copy.indexOf(needle, at + needle.length)) {
      // Only whole values: the bytes around must not continue a UID.
      if (isUidByte(copy[at - 1]) || isUidByte(copy[at + needle.length])) continue;
      replacement.copy(copy, at);
    }
  }
  return copy;
}
