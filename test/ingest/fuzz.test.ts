import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { DicomExtractionError, extractDoseReport } from '../../ingest/index.ts';
import { buildCtRdsr, buildProjectionRdsr } from '../support/fixtures/xray-rdsr.ts';
import { CORPUS_DIR, corpus, requirePrerequisite } from '../support/prerequisites.ts';

/**
 * Mutation fuzzing of the parse + extract path: truncation, bit flips, corrupted length fields,
 * random VRs and spliced garbage over generated fixtures and (when present) the vendor corpus.
 * Property: extraction returns a report or throws DicomExtractionError, never anything else, and
 * never takes long. `make fuzz` runs the same property with many more cases (KERMA_FUZZ_RUNS).
 */
const RUNS = Number(process.env.KERMA_FUZZ_RUNS ?? '10000');
/** Fixed, so a failure replays: KERMA_FUZZ_SEED=<the printed seed> runs the same cases again. */
export const DEFAULT_FUZZ_SEED = 20261205;

export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.KERMA_FUZZ_SEED ?? String(DEFAULT_FUZZ_SEED);
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`KERMA_FUZZ_SEED must be an integer, got ${JSON.stringify(text)}`);
  return seed;
}
/** Far above the slowest legitimate file (~100 ms); a parser loop or blow-up would exceed it. */
const MAX_CASE_MS = 2000;
const CORPUS = path.join(CORPUS_DIR, 'dicom');

function seeds(): Uint8Array[] {
  const generated = [buildCtRdsr({ events: 2 }), buildProjectionRdsr({ events: 2 })];
  if (!existsSync(CORPUS)) return generated;
  // Small corpus files only: mutations of the 3 MB ones would cost seconds per case for no new paths.
  const corpus = readdirSync(CORPUS)
    .map((f) => readFileSync(path.join(CORPUS, f)))
    .filter((b) => b.length < 70_000);
  return [...generated, ...corpus.map((b) => new Uint8Array(b))];
}

const VRS = ['SQ', 'UN', 'OB', 'UT', 'DS', 'CS', 'US', 'UL', 'FD', 'xx'];

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'length'; at: number; value: number }
  | { kind: 'vr'; at: number; vr: number }
  | { kind: 'splice'; at: number; junk: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    kind: fc.constant('length' as const),
    at: fc.nat(),
    value: fc.oneof(fc.constant(0xffffffff), fc.constant(0), fc.nat(), fc.constant(0x7fffffff)),
  }),
  fc.record({ kind: fc.constant('vr' as const), at: fc.nat(), vr: fc.integer({ min: 0, max: VRS.length - 1 }) }),
  fc.record({
    kind: fc.constant('splice' as const),
    at: fc.nat(),
    junk: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  }),
);

function mutate(source: Uint8Array, m: Mutation): Uint8Array {
  const at = source.length === 0 ? 0 : m.at % source.length;
  switch (m.kind) {
    case 'truncate':
      return source.slice(0, at);
    case 'flip': {
      const out = source.slice();
      out[at] = (out[at] ?? 0) ^ (1 << m.bit);
      return out;
    }
    case 'length': {
      if (source.length < 4) return source.slice();
      const out = source.slice();
      new DataView(out.buffer).setUint32(Math.min(at, Math.max(0, out.length - 4)), m.value >>> 0, true);
      return out;
    }
    case 'vr': {
      if (source.length < 2) return source.slice();
      const out = source.slice();
      out.set(Buffer.from(VRS[m.vr] ?? 'UN', 'latin1'), Math.min(at, Math.max(0, out.length - 2)));
      return out;
    }
    case 'splice':
      return Buffer.concat([source.subarray(0, at), m.junk, source.subarray(at)]);
  }
}

describe('extraction fuzzing', function () {
  this.timeout(600_000);
  const inputs = seeds();

  // Found by this fuzzer: a length field claiming 2 GB inside a text element made the string reader
  // walk 2 billion indexes past the end of the file (40 s) instead of stopping at the file's end.
  it('reads an element whose length runs past the end of the file without walking past it', function () {
    requirePrerequisite(this, corpus('dicom/MG-Im-Hologic-PropProj.dcm'));
    const file = path.join(CORPUS, 'MG-Im-Hologic-PropProj.dcm');
    const bytes = new Uint8Array(readFileSync(file));
    new DataView(bytes.buffer).setUint32(13577, 0x7fffffff, true);
    const started = performance.now();
    try {
      extractDoseReport(bytes);
    } catch (error) {
      if (!(error instanceof DicomExtractionError)) throw error;
    }
    expect(performance.now() - started).to.be.lessThan(MAX_CASE_MS);
  });

  it('is seeded by KERMA_FUZZ_SEED, or a constant, never the clock', () => {
    expect(fuzzSeed({})).to.equal(DEFAULT_FUZZ_SEED);
    expect(fuzzSeed({ KERMA_FUZZ_SEED: '42' })).to.equal(42);
    expect(() => fuzzSeed({ KERMA_FUZZ_SEED: 'soon' })).to.throw(/KERMA_FUZZ_SEED/);
  });

  it(`never throws anything but a typed error, nor hangs, over ${RUNS} mutated files`, () => {
    const seed = fuzzSeed();
    console.log(`      fuzz seed ${seed} (replay: KERMA_FUZZ_SEED=${seed})`);
    let slowest = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: inputs.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (seed, mutations) => {
          const bytes = mutations.reduce((b, m) => mutate(b, m), inputs[seed] ?? new Uint8Array());
          const started = performance.now();
          try {
            extractDoseReport(bytes);
          } catch (error) {
            if (!(error instanceof DicomExtractionError)) throw error;
            expect(error.message).to.be.a('string').and.not.equal('');
          }
          const elapsed = performance.now() - started;
          slowest = Math.max(slowest, elapsed);
          expect(elapsed).to.be.lessThan(MAX_CASE_MS);
        },
      ),
      { numRuns: RUNS, seed },
    );
    console.log(`      slowest case ${slowest.toFixed(1)} ms`);
  });
});
