import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import {
  BUILTIN_SET_FILES,
  MISSING_REFERENCE_TABLES,
  REFERENCE_SET_KINDS,
  builtinReferenceSets,
  parseReferenceSet,
  ukNationalDrls,
} from '../../reference-levels/index.ts';
import { ValidationError } from '../../core/index.ts';
import { requirePrerequisite, type Prerequisite } from '../support/prerequisites.ts';

/** The compiled reference data beside the project (KERMA_REFERENCE_DATA names it elsewhere). */
const REFERENCE_DATA =
  process.env.KERMA_REFERENCE_DATA ??
  path.resolve(import.meta.dirname, '../../../shared/reference-data/reference-levels.json');
const referenceData = (): Prerequisite => ({
  available: existsSync(REFERENCE_DATA),
  missing: `reference data not found (${REFERENCE_DATA}; set KERMA_REFERENCE_DATA)`,
});

/** RFC 6901 pointer into the reference data; undefined when any step is missing. */
function resolve(document: unknown, pointer: string): unknown {
  let node: unknown = document;
  for (const step of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, step)) return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  return node;
}

/** The status that covers a figure: the nearest `status` on the path from it to the root. */
function statusOver(document: unknown, pointer: string): string | undefined {
  const steps = pointer.split('/').slice(1);
  for (let depth = steps.length; depth >= 0; depth -= 1) {
    const node = resolve(document, ['', ...steps.slice(0, depth)].join('/'));
    const status = (node as { status?: unknown } | undefined)?.status;
    if (typeof status === 'string') return status;
  }
  return undefined;
}

const UK_ADULT_CT_CATEGORIES = [
  'ct-head-acute-stroke',
  'ct-sinuses',
  'ct-cspine-fracture',
  'ct-ncap-cancer',
  'ct-chest-lung-cancer',
  'ct-chest-abdomen-lung-cancer',
  'ct-hrct-ild',
  'ct-cap-cancer',
  'ct-ctpa',
  'ct-abdo-pelvis-abscess',
  'ct-colonography',
  'ct-kub',
  'ct-urogram',
  'ct-ctca-prospective-no-padding',
  'ct-ctca-prospective-padding',
  'ct-ctca-retrospective-gated',
];

describe('builtin reference sets', () => {
  it('are valid sets under the one schema, one file per set key, every figure C or S with a source', () => {
    const sets = builtinReferenceSets();
    expect(sets).to.have.length(BUILTIN_SET_FILES.length);
    expect(new Set(sets.map((s) => s.setKey)).size).to.equal(sets.length);
    for (const set of sets) {
      expect(REFERENCE_SET_KINDS).to.include(set.kind);
      expect(set.source.title, set.setKey).to.have.length.above(10);
      for (const value of set.values) {
        expect(['C', 'S'], `${set.setKey} ${value.valueKey}`).to.include(value.status);
        if (value.status === 'S') expect(value.statusNote, value.valueKey).to.match(/verify against primary/i);
      }
    }
  });

  it('match the compiled reference data figure for figure, with its status (a typo fails here)', function () {
    requirePrerequisite(this, referenceData());
    const shared = JSON.parse(readFileSync(REFERENCE_DATA, 'utf8')) as unknown;
    let checked = 0;
    for (const set of builtinReferenceSets()) {
      for (const value of set.values) {
        const where = `${set.setKey} ${value.valueKey} ${value.quantity}`;
        const pointer = value.attributes?.referenceData;
        expect(pointer, `${where}: attributes.referenceData`).to.be.a('string');
        const figure = resolve(shared, pointer as string);
        expect(figure, `${where} at ${String(pointer)}`).to.be.a('number');
        // The one unit change: fluoroscopy time is stored in seconds, the source gives minutes.
        const scale = value.attributes?.sourceUnit === 'min' ? 60 : 1;
        expect(value.value, where).to.equal((figure as number) * scale);
        const status = statusOver(shared, pointer as string);
        expect(status, `${where}: status in the reference data`).to.be.a('string');
        expect(status!.charAt(0), `${where}: status ${status}`).to.equal(value.status);
        checked += 1;
      }
    }
    expect(checked).to.equal(builtinReferenceSets().reduce((n, s) => n + s.values.length, 0));
    console.log(`      ${checked} builtin figures checked against ${path.basename(REFERENCE_DATA)}`);
  });

  it('point every table said to be missing at a gap the reference data names', function () {
    requirePrerequisite(this, referenceData());
    const shared = JSON.parse(readFileSync(REFERENCE_DATA, 'utf8')) as unknown;
    for (const table of MISSING_REFERENCE_TABLES) {
      expect(resolve(shared, table.referenceData), table.what).to.not.equal(undefined);
    }
    const notRetrieved = resolve(shared, '/uk_ndrl/not_retrieved') as string[];
    notRetrieved.forEach((_, index) =>
      expect(MISSING_REFERENCE_TABLES.map((t) => t.referenceData)).to.include(`/uk_ndrl/not_retrieved/${index}`),
    );
  });

  it('give the UK adult CT NDRLs under the contract DRL categories, and the generator its rows', () => {
    const categories = new Set(
      builtinReferenceSets()
        .filter((s) => s.kind === 'national-drl')
        .flatMap((s) => s.values.map((v) => v.drlCategory)),
    );
    expect([...categories].sort()).to.deep.equal([...UK_ADULT_CT_CATEGORIES].sort());
    const levels = ukNationalDrls().levels;
    expect(levels.find((l) => l.id === 'ct-head-acute-stroke')).to.include({
      ctdiVolPerSequenceMgy: 47,
      dlpPerExamMgyCm: 790,
      yearAdopted: 2022,
    });
    expect(levels.find((l) => l.id === 'ct-ctca-prospective-padding')).to.include({
      ctdiVolPerSequenceMgy: null,
      dlpPerExamMgyCm: 280,
      yearAdopted: 2018,
    });
    expect(levels.find((l) => l.id === 'ct-ncap-cancer')?.ctdiVolPerSequenceMgy).to.equal(null);
  });

  it('refuse an unconfirmed, unsourced or repeated figure', () => {
    const base = JSON.parse(JSON.stringify(builtinReferenceSets()[0])) as {
      source?: unknown;
      values: Array<Record<string, unknown>>;
    };
    const unconfirmed = structuredClone(base);
    unconfirmed.values[0]!.status = 'U';
    expect(() => parseReferenceSet(unconfirmed, 'test')).to.throw(
      ValidationError,
      /values\[0\]\.status: must be one of C, S/,
    );
    const unsourced = structuredClone(base);
    delete unsourced.source;
    expect(() => parseReferenceSet(unsourced, 'test')).to.throw(ValidationError, /source: is required/);
    const repeated = structuredClone(base);
    repeated.values.push({ ...repeated.values[0]! });
    expect(() => parseReferenceSet(repeated, 'test')).to.throw(ValidationError, /is already given at values\[0\]/);
    const zero = structuredClone(base);
    zero.values[1]!.value = 0;
    expect(() => parseReferenceSet(zero, 'test')).to.throw(ValidationError, /values\[1\]\.value: must be > 0/);
  });
});
