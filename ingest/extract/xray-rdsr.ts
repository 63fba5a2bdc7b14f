import type { ParsedDicom } from '../dicom/dataset.ts';
import { DicomExtractionError } from '../dicom/errors.ts';
import { SopClass } from '../dicom/sop-classes.ts';
import { readSrDocument, type ContentItem } from '../dicom/sr.ts';
import { C } from './concepts.ts';
import { readCtDose } from './ct-rdsr.ts';
import type { Extractor } from './extractor.ts';
import { readDeviceInfo, readPatientInfo, readStudyInfo } from './header.ts';
import { classifyProjectionModality, readProjectionDose } from './projection-rdsr.ts';
import { deviceObserverUidOf, readReportContext } from './sr-context.ts';
import type { DoseReport } from './types.ts';

const PROJECTION_PROCEDURE = '113704';
const SR_CLASSES_WITH_DOSE: ReadonlySet<string> = new Set([
  SopClass.XRayRadiationDoseSR,
  SopClass.EnhancedSR,
  SopClass.ComprehensiveSR,
  SopClass.Comprehensive3DSR,
]);

/**
 * Which X-ray dose template the document follows: the Content Template Sequence when present, else
 * its content (GE OEC mini C-arms omit the template identifier; GE CT puts TID 10011 in an Enhanced SR).
 */
function templateOf(templateId: string | undefined, root: ContentItem): 'CT' | 'PROJECTION' | undefined {
  if (templateId === '10011') return 'CT';
  if (templateId === '10001') return 'PROJECTION';
  if (root.child(C.ctAccumulatedDoseData) || root.child(C.ctAcquisition)) return 'CT';
  const procedure = root.child(C.procedureReported)?.code();
  if (
    procedure?.value === PROJECTION_PROCEDURE ||
    root.child(C.accumulatedXrayDoseData) ||
    root.child(C.irradiationEventXrayData)
  ) {
    return 'PROJECTION';
  }
  return undefined;
}

/**
 * X-Ray Radiation Dose SR (PS3.16 TID 10001 projection, TID 10011 CT), also when a vendor carries
 * it in an Enhanced or Comprehensive SR object. Any other SR document is "not a dose report".
 */
export const xrayDoseSrExtractor: Extractor = {
  name: 'xray-rdsr',
  version: 1,
  matches: (parsed) => SR_CLASSES_WITH_DOSE.has(parsed.sopClassUid ?? ''),
  extract(parsed: ParsedDicom): DoseReport {
    const { dataset } = parsed;
    const document = readSrDocument(dataset);
    const title = document.root.conceptName;
    if (!document.root.is(C.xrayRadiationDoseReport)) {
      throw new DicomExtractionError(
        'not_dose_report',
        `not a dose report: SR document title is ${title ? `${title.value} (${title.scheme}) "${title.meaning}"` : 'missing'}`,
      );
    }
    const template = templateOf(document.templateId, document.root);
    if (!template) {
      throw new DicomExtractionError(
        'not_dose_report',
        'X-Ray Radiation Dose Report with neither CT (TID 10011) nor projection (TID 10001) content',
      );
    }
    const warnings = dataset.warnings;
    const context = readReportContext(document.root);
    const study = readStudyInfo(dataset, { dateFallbacks: true });
    const device = readDeviceInfo(dataset, deviceObserverUidOf(context));
    const ct = template === 'CT' ? readCtDose(document.root, warnings) : undefined;
    const projection = template === 'PROJECTION' ? readProjectionDose(document.root, warnings) : undefined;
    return {
      sourceKind: template === 'CT' ? 'ct-rdsr' : 'projection-rdsr',
      modality: projection ? classifyProjectionModality(context, projection, device) : 'CT',
      sopClassUid: parsed.sopClassUid ?? '',
      sopInstanceUid: parsed.sopInstanceUid ?? '',
      templateId: document.templateId,
      study,
      patient: readPatientInfo(dataset, study.studyDate),
      device,
      doseReport: context,
      ct,
      projection,
      radiopharmaceutical: undefined,
      warnings,
    };
  },
};
