import type { ParsedDicom } from '../dicom/dataset.ts';
import { DicomExtractionError } from '../dicom/errors.ts';
import { DOSE_CAPABLE_SR_CLASSES, SopClass } from '../dicom/sop-classes.ts';
import { codeMatches, readCode, readSrDocument, type ContentItem } from '../dicom/sr.ts';
import { Tag, formatTag } from '../dicom/tags.ts';
import { C } from './concepts.ts';
import type { Extractor } from './extractor.ts';
import { guardExtraction, requireIdentity } from './guards.ts';
import { readDeviceInfo, readPatientInfo, readStudyInfo } from './header.ts';
import { readAdministration } from './radiopharmaceutical-administration.ts';
import { R } from './radiopharmaceutical-concepts.ts';
import { readPatientCharacteristics } from './radiopharmaceutical-patient.ts';
import { childCode, childText, readLanguage, readObservers } from './sr-context.ts';
import type { DoseReport, RadiopharmaceuticalAdministration, ReportContext } from './types.ts';

/** PS3.16 TID 10021 as it appears in (0040,DB00) Template Identifier. */
const RRDSR_TEMPLATE_ID = '10021';

/**
 * Radiopharmaceutical Radiation Dose SR (SOP class 1.2.840.10008.5.1.4.1.1.88.68, PS3.16 TID 10021):
 * every administration (TID 10022) with its organ doses (TID 10023), and the patient characteristics
 * (TID 10024). A TID 10021 tree sent in a generic SR class is recognised by template or root concept.
 */
export const radiopharmaceuticalRdsrExtractor: Extractor = {
  name: 'radiopharmaceutical-rdsr',
  version: 1,
  matches(parsed: ParsedDicom): boolean {
    if (parsed.sopClassUid === SopClass.RadiopharmaceuticalRadiationDoseSR) return true;
    if (!parsed.sopClassUid || !DOSE_CAPABLE_SR_CLASSES.has(parsed.sopClassUid)) return false;
    const ds = parsed.dataset;
    return (
      ds.item(Tag.ContentTemplateSequence)?.string(Tag.TemplateIdentifier) === RRDSR_TEMPLATE_ID ||
      codeMatches(readCode(ds.item(Tag.ConceptNameCodeSequence)), R.radiopharmaceuticalRadiationDoseReport)
    );
  },
  extract(parsed: ParsedDicom): DoseReport {
    return guardExtraction('radiopharmaceutical dose report', () => extractRrdsr(parsed));
  },
};

function describe(item: ContentItem): string {
  const name = item.conceptName;
  return name ? `(${name.value}, ${name.scheme}, "${name.meaning}")` : 'missing';
}

/** The TID 10021 root and its administrations; a document without them is no radiopharmaceutical report. */
function readDocument(parsed: ParsedDicom): {
  root: ContentItem;
  templateId: string | undefined;
  containers: ContentItem[];
} {
  const { root, templateId } = readSrDocument(parsed.dataset);
  if (!root.is(R.radiopharmaceuticalRadiationDoseReport)) {
    throw new DicomExtractionError(
      'not_dose_report',
      `root concept ${describe(root)} is not a Radiopharmaceutical Radiation Dose Report (PS3.16 TID 10021)`,
      formatTag(Tag.ConceptNameCodeSequence),
    );
  }
  const containers = root.all(R.radiopharmaceuticalAdministration);
  if (containers.length === 0) {
    throw new DicomExtractionError(
      'missing_attribute',
      'no Radiopharmaceutical Administration (PS3.16 TID 10021 row 4 is mandatory)',
      root.location,
    );
  }
  return { root, templateId, containers };
}

function extractRrdsr(parsed: ParsedDicom): DoseReport {
  const ds = parsed.dataset;
  const { root, templateId, containers } = readDocument(parsed);
  const study = readStudyInfo(ds, { dateFallbacks: true });
  const identity = requireIdentity(parsed);
  const warnings: string[] = [];
  const administrations = containers.map((admin) => readAdministration(admin, warnings));
  const context = readRrdsrContext(root);
  const characteristics = root.child(R.patientCharacteristics);
  return {
    sourceKind: 'radiopharmaceutical-rdsr',
    // The peer (OpenREM) files every radiopharmaceutical report, PET included, under NM.
    modality: 'NM',
    ...identity,
    templateId,
    study,
    patient: readPatientInfo(ds, study.studyDate),
    device: readDeviceInfo(ds, deviceObserverUid(context, administrations)),
    doseReport: context,
    ct: undefined,
    projection: undefined,
    radiopharmaceutical: {
      administrations,
      patientCharacteristics: characteristics ? readPatientCharacteristics(characteristics, warnings) : undefined,
      imageSeries: [],
    },
    warnings: [...ds.warnings, ...warnings],
  };
}

/** TID 10021 rows 1b-3 and 6 (language, associated procedure and intent, comment) and any TID 1002 observers. */
function readRrdsrContext(root: ContentItem): ReportContext {
  const procedure = root.child(R.associatedProcedure);
  return {
    procedureReported: undefined,
    hasIntent: childCode(procedure, R.hasIntent),
    acquisitionDeviceType: undefined,
    startOfXrayIrradiation: undefined,
    endOfXrayIrradiation: undefined,
    scopeOfAccumulation: undefined,
    scopeUid: undefined,
    sourceOfDoseInformation: [],
    xraySourceDataAvailable: undefined,
    xrayDetectorDataAvailable: undefined,
    xrayMechanicalDataAvailable: undefined,
    associatedProcedure: procedure?.code(),
    comment: childText(root, C.comment),
    observers: readObservers(root),
    language: readLanguage(root),
  };
}

/** The first Device Observer UID of the report, else of an assay: the most stable identity of the sender. */
function deviceObserverUid(
  context: ReportContext,
  administrations: readonly RadiopharmaceuticalAdministration[],
): string | undefined {
  const observers = [
    ...context.observers,
    ...administrations.flatMap((a) => [
      ...a.observers,
      ...a.preAdministrationObservers,
      ...a.postAdministrationObservers,
    ]),
  ];
  return observers.find((o) => o.deviceObserverUid)?.deviceObserverUid;
}
