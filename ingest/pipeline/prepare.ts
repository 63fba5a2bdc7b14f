import { createHash } from 'node:crypto';
import { DicomExtractionError } from '../dicom/errors.ts';
import { extractDoseReport } from '../extract/registry.ts';
import type { PreparedObject } from './types.ts';

/** SOP Instance UID (0008,0018) read straight from bytes when extraction failed before reporting it. */
function sniffSopInstanceUid(bytes: Uint8Array): string | undefined {
  const tag = Buffer.from([0x08, 0x00, 0x18, 0x00]);
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(tag);
  if (at < 0 || at + 8 > bytes.length) return undefined;
  // Explicit VR: tag, 'UI', 2-byte length; implicit VR: tag, 4-byte length.
  const explicit = bytes[at + 4] === 0x55 && bytes[at + 5] === 0x49;
  const length = explicit
    ? (bytes[at + 6] ?? 0) | ((bytes[at + 7] ?? 0) << 8)
    : (bytes[at + 4] ?? 0) | ((bytes[at + 5] ?? 0) << 8);
  const start = at + 8;
  if (length === 0 || length > 64 || start + length > bytes.length) return undefined;
  const uid = Buffer.from(bytes.subarray(start, start + length))
    .toString('latin1')
    .replace(/[\0 ]+$/, '');
  return /^[0-9.]+$/.test(uid) ? uid : undefined;
}

/**
 * The CPU half of ingest: hash and extract. Pure and synchronous, so the bulk importer can run it in
 * worker threads; never throws (a failure is part of the result).
 */
export function prepareObject(bytes: Uint8Array): PreparedObject {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  try {
    const extraction = extractDoseReport(bytes);
    return {
      sha256,
      byteSize: bytes.length,
      sopInstanceUid: extraction.report.sopInstanceUid,
      sopClassUid: extraction.report.sopClassUid,
      extraction,
      failure: undefined,
    };
  } catch (error) {
    const failure =
      error instanceof DicomExtractionError
        ? { code: error.code, message: error.message }
        : { code: 'malformed' as const, message: (error as Error).message };
    return {
      sha256,
      byteSize: bytes.length,
      sopInstanceUid: sniffSopInstanceUid(bytes),
      sopClassUid: undefined,
      extraction: undefined,
      failure,
    };
  }
}
