import { concept } from '../dicom/sr.ts';
import type { Code } from './types.ts';

/**
 * Siemens AXIOM-Artis / Artis Zee RDSRs carry facts the standard rows leave out as small XML
 * documents in Comment items: the patient position in the root comment and the image intensifier
 * diameter in each event's comment. Only these attributes are read; anything else is ignored.
 */
function attribute(xml: string, element: string): string | undefined {
  const match = new RegExp(`<${element}\\s+SRData="([^"]*)"`).exec(xml);
  const value = match?.[1]?.trim();
  return value === '' ? undefined : value;
}

export function readSiemensEventComment(comment: string | undefined): { iiDiameterMm: number | undefined } {
  if (!comment?.includes('<FluoroData') && !comment?.includes('<iiDiameter')) return { iiDiameterMm: undefined };
  const value = Number(attribute(comment, 'iiDiameter'));
  return { iiDiameterMm: Number.isFinite(value) && value > 0 ? value : undefined };
}

export interface PatientPosition {
  readonly patientTableRelationship: Code;
  readonly patientOrientation: Code;
  readonly patientOrientationModifier: Code;
}

const codeOf = (c: ReturnType<typeof concept>): Code => ({
  value: c.codes[0]?.[0] ?? '',
  scheme: c.codes[0]?.[1] ?? '',
  meaning: c.meaning,
});

// CID 21 Patient Orientation, CID 20 Patient Orientation Modifier, CID 21 Patient Equipment Relationship.
const HEADFIRST = codeOf(concept('F-10470', 'SRT', 'headfirst'));
const FEETFIRST = codeOf(concept('F-10480', 'SRT', 'feet-first'));
const RECUMBENT = codeOf(concept('F-10450', 'SRT', 'recumbent'));
const SUPINE = codeOf(concept('F-10340', 'SRT', 'supine'));
const PRONE = codeOf(concept('F-10310', 'SRT', 'prone'));

/** DICOM patient position (PS3.3 C.7.3.1.1.2) from the root XML, e.g. HFS: head first, recumbent, supine. */
export function readSiemensPatientPosition(rootComments: readonly string[]): PatientPosition | undefined {
  for (const comment of rootComments) {
    if (!comment.includes('<PatientPosition')) continue;
    const position = attribute(comment, 'Position')?.toUpperCase() ?? '';
    switch (position) {
      case 'HFS':
        return {
          patientTableRelationship: HEADFIRST,
          patientOrientation: RECUMBENT,
          patientOrientationModifier: SUPINE,
        };
      case 'HFP':
        return {
          patientTableRelationship: HEADFIRST,
          patientOrientation: RECUMBENT,
          patientOrientationModifier: PRONE,
        };
      case 'FFS':
        return {
          patientTableRelationship: FEETFIRST,
          patientOrientation: RECUMBENT,
          patientOrientationModifier: SUPINE,
        };
      case 'FFP':
        return {
          patientTableRelationship: FEETFIRST,
          patientOrientation: RECUMBENT,
          patientOrientationModifier: PRONE,
        };
      default:
        return undefined;
    }
  }
  return undefined;
}
