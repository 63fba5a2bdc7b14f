import { readFileSync } from 'node:fs';
import { parseReferenceSetJson } from './parse.ts';
import type { DiagnosticReferenceLevel, ReferenceLevelSet, ReferenceSetDocument } from './types.ts';

/**
 * The sets Kerma ships (data/*.json), every figure taken from the compiled reference data
 * (shared/reference-data, 2026-11-22) with its source and status; each value's
 * attributes.referenceData is the JSON pointer of its figure there, which a test follows. A
 * correction or a new publication is a new edition in a file, never an edit of a stored one.
 */
export const BUILTIN_SET_FILES = [
  'uk-ndrl-adult-ct.json',
  'uk-ndrl-ctca.json',
  'aapm-ct-notification-values.json',
  'ncrp168-fluoroscopy-srdl.json',
  'ct-k-factors.json',
  'aapm-ssde.json',
  'nm-effective-dose-per-mbq.json',
  'ic-dap-effective-dose.json',
  'cqc-saue-criteria.json',
] as const;

/** Set keys of the builtin sets other features look figures up by. */
export const BUILTIN_SET_KEYS = {
  ukAdultCtNdrl: 'uk-ndrl-adult-ct',
  ukCtcaNdrl: 'uk-ndrl-ctca',
  ctNotificationValues: 'aapm-ct-notification-values',
  fluoroscopySrdl: 'ncrp168-fluoroscopy-srdl',
  ctKFactors: 'ct-k-factors',
  ssde: 'aapm-ssde',
  nmEffectiveDose: 'nm-effective-dose-per-mbq',
  dapEffectiveDose: 'ic-dap-effective-dose',
  cqcSignificantExposure: 'cqc-saue-criteria',
} as const;

export function loadReferenceSetFile(path: string): ReferenceSetDocument {
  return parseReferenceSetJson(readFileSync(path, 'utf8'), path);
}

let cached: readonly ReferenceSetDocument[] | undefined;

/** Every builtin set, validated by the same schema as an import (a bad file stops start-up). */
export function builtinReferenceSets(): readonly ReferenceSetDocument[] {
  cached ??= BUILTIN_SET_FILES.map((file) => loadReferenceSetFile(new URL(`./data/${file}`, import.meta.url).pathname));
  return cached;
}

function builtin(setKey: string): ReferenceSetDocument {
  const set = builtinReferenceSets().find((s) => s.setKey === setKey);
  if (!set) throw new Error(`no builtin reference set ${setKey}`);
  return set;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * The UK adult CT national DRLs (Table 1 of the November 2024 page, and coronary CT angiography
 * from 2018), one row per DRL category: what the synthetic region generator draws CT doses around.
 */
export function ukNationalDrls(): ReferenceLevelSet {
  const sets = [builtin(BUILTIN_SET_KEYS.ukAdultCtNdrl), builtin(BUILTIN_SET_KEYS.ukCtcaNdrl)];
  const levels = new Map<string, DiagnosticReferenceLevel>();
  for (const set of sets) {
    for (const value of set.values) {
      if (!value.drlCategory) continue;
      const attributes = value.attributes ?? {};
      const level: DiagnosticReferenceLevel = levels.get(value.drlCategory) ?? {
        id: value.drlCategory,
        modality: 'CT',
        examination: text(attributes.examination) ?? value.drlCategory,
        clinicalIndication: text(attributes.clinicalIndication),
        technique: text(attributes.technique) ?? '',
        ctdiVolPerSequenceMgy: null,
        dlpPerExamMgyCm: null,
        yearAdopted: typeof attributes.yearAdopted === 'number' ? attributes.yearAdopted : 0,
        status: value.status,
        source: { ...set.source, edition: set.edition },
      };
      levels.set(value.drlCategory, {
        ...level,
        ...(value.quantity === 'ctdivol_mgy' ? { ctdiVolPerSequenceMgy: value.value } : {}),
        ...(value.quantity === 'dlp_mgycm' ? { dlpPerExamMgyCm: value.value } : {}),
      });
    }
  }
  return {
    set: 'uk-ndrl',
    edition: sets.map((s) => `${s.setKey} ${s.edition}`).join('; '),
    levels: [...levels.values()],
  };
}
