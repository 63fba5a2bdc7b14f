import type { Code as ReportCode } from '../ingest/index.ts';
import type { Code } from './codes.ts';
import { ds } from './sr-content.ts';
import type { ZonedClock } from './time.ts';

/**
 * Values of the synthetic dose reports as Kerma's extractors read them back from the DICOM file:
 * numbers through the DS text the writer puts there, times as device-local ISO text, codes as
 * objects.
 */

/**
 * The number a NUM content item written from `value` reads back as (PS3.5 DS, at most 16 characters).
 * A value whose shortest text has at most 12 characters is written with those digits (ds tries 12
 * significant digits first) and reads back unchanged: most generated values are, and formatting
 * them all was a tenth of the direct loader's time spent making rows.
 */
export const stored = (value: number): number =>
  value !== 0 && Number.isFinite(value) && String(value).length <= 12 ? value : Number(ds(value));

/** A DAP written in Gy·m² (the RDSR unit, report-content.ts) and read back in Gy·cm², as the extractor converts it. */
export const storedDapGyCm2 = (dapGyCm2: number): number => Number(ds(dapGyCm2 / 10_000)) * 10_000;

/**
 * The generator's codes are constants (codes.ts, catalogue.ts): each is converted once, and reports
 * share the result (never modified: DoseReport is read-only), instead of allocating a copy per row.
 */
const codes = new WeakMap<Code, ReportCode>();

export function codeOf(code: Code): ReportCode {
  let converted = codes.get(code);
  if (!converted) codes.set(code, (converted = { value: code[0], scheme: code[1], meaning: code[2] }));
  return converted;
}

/** `YYYY-MM-DDTHH:MM:SS`: the local DT the writer puts in the file (seconds, no offset), as the extractor gives it. */
export const localIsoOf = (clock: ZonedClock, utcMs: number): string =>
  new Date(clock.localOf(utcMs)).toISOString().slice(0, 19);
