import type { ContentItem } from '../dicom/sr.ts';
import { C } from './concepts.ts';
import { FLUOROSCOPY_EVENT, P } from './projection-concepts.ts';
import { readProjectionEvent } from './projection-event.ts';
import { readSiemensPatientPosition } from './siemens-xml.ts';
import { childCode } from './sr-context.ts';
import type {
  DeviceInfo,
  ProjectionAccumulated,
  ProjectionDose,
  ProjectionEvent,
  ReportContext,
  StudyModality,
} from './types.ts';
import { convert, numericReader } from './units.ts';
import { codeMatches } from '../dicom/sr.ts';

/** PS3.16 TID 10001 Projection X-Ray Radiation Dose: accumulated data per plane and every event. */
export function readProjectionDose(root: ContentItem, warnings: string[]): ProjectionDose {
  const position = readSiemensPatientPosition(root.all(C.comment).flatMap((c) => c.text() ?? []));
  const events = root.all(C.irradiationEventXrayData).map((event) => {
    const read = readProjectionEvent(event, warnings);
    if (!position || read.patientTableRelationship || read.patientOrientation) return read;
    return { ...read, ...position };
  });
  return { accumulated: root.all(C.accumulatedXrayDoseData).map((a) => readAccumulated(a, warnings)), events };
}

/** TID 10002 with the TID 10004 (fluoro / acquisition), 10005 (mammography) and 10007 (total) rows. */
function readAccumulated(container: ContentItem, warnings: string[]): ProjectionAccumulated {
  const n = numericReader(container, warnings);
  const reference = container.child(P.referencePointDefinition);
  return {
    acquisitionPlane: childCode(container, P.acquisitionPlane),
    fluoroDapTotalGyCm2: n(P.fluoroDapTotal, 'dapGyCm2'),
    fluoroDoseRpTotalGy: n(P.fluoroDoseRpTotal, 'doseGy'),
    totalFluoroTimeS: n(P.totalFluoroTime, 'timeS'),
    acquisitionDapTotalGyCm2: n(P.acquisitionDapTotal, 'dapGyCm2'),
    acquisitionDoseRpTotalGy: n(P.acquisitionDoseRpTotal, 'doseGy'),
    totalAcquisitionTimeS: n(P.totalAcquisitionTime, 'timeS'),
    dapTotalGyCm2: n(P.dapTotal, 'dapGyCm2'),
    doseRpTotalGy: n(P.doseRpTotal, 'doseGy'),
    totalNumberOfRadiographicFrames: n(P.totalNumberOfRadiographicFrames),
    referencePointDefinition: reference?.valueType === 'TEXT' ? reference.text() : undefined,
    referencePointDefinitionCode: reference?.code(),
    mammography: container.all(P.accumulatedAverageGlandularDose).map((item) => ({
      laterality: childCode(item, P.laterality),
      accumulatedAverageGlandularDoseMgy: convert(item.numeric(), 'doseMgy', warnings, item.location),
    })),
  };
}

function contains(text: string | undefined, part: string): boolean {
  return (text ?? '').toLowerCase().includes(part.toLowerCase());
}

/**
 * Which modality a projection report belongs to: mammography by its procedure; fluoroscopy or
 * radiography by the acquisition device type; failing that by its content (fluoroscopy events or
 * non-zero fluoro totals), because one dual-purpose room sends both DX and RF reports.
 */
export function classifyProjectionModality(
  context: ReportContext,
  dose: ProjectionDose,
  device: DeviceInfo,
): StudyModality {
  if (contains(context.procedureReported?.meaning, 'mammography')) return 'MG';
  const deviceType = context.acquisitionDeviceType?.meaning;
  // Philips Azurion reports its device type as "Integrated" although it is an interventional system.
  if (contains(deviceType, 'fluoroscopy-guided') || contains(device.manufacturerModelName, 'azurion')) return 'RF';
  if (contains(deviceType, 'integrated') || contains(deviceType, 'cassette-based')) return 'DX';
  if (dose.events.some((e: ProjectionEvent) => codeMatches(e.irradiationEventType, FLUOROSCOPY_EVENT))) return 'RF';
  const fluoro = dose.accumulated.some((a) => (a.fluoroDapTotalGyCm2 ?? 0) > 0 || (a.totalFluoroTimeS ?? 0) > 0);
  return fluoro ? 'RF' : 'DX';
}
