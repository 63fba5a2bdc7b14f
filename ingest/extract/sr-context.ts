import type { Code, ContentItem } from '../dicom/sr.ts';
import { C } from './concepts.ts';
import type { DeviceParticipant, ObserverContext, PersonParticipant, ReportContext } from './types.ts';
import { formatDateTime } from './values.ts';

/** Text of a child item of any textual value type (devices use TEXT where UIDREF is due, and vice versa). */
export function childText(
  parent: ContentItem | undefined,
  wanted: Parameters<ContentItem['child']>[0],
): string | undefined {
  const value = parent?.child(wanted)?.text()?.trim();
  return value === '' ? undefined : value;
}

export function childCode(
  parent: ContentItem | undefined,
  wanted: Parameters<ContentItem['child']>[0],
): Code | undefined {
  return parent?.child(wanted)?.code();
}

/**
 * TID 1002 observer contexts at one level. An observer starts at each "Observer Type" item and
 * collects the device or person rows that follow it, in document order.
 */
export function readObservers(parent: ContentItem): ObserverContext[] {
  const observers: ObserverContext[] = [];
  let current: Record<string, unknown> | undefined;
  const flush = (): void => {
    if (current) observers.push(current as unknown as ObserverContext);
  };
  for (const item of parent.children) {
    if (item.is(C.observerType)) {
      flush();
      current = { ...emptyObserver(), observerType: item.code() };
      continue;
    }
    const field = observerField(item);
    if (!field) continue;
    current ??= emptyObserver();
    current[field] = field === 'deviceRoleInProcedure' ? item.code() : item.text()?.trim() || undefined;
  }
  flush();
  return observers;
}

function emptyObserver(): Record<string, unknown> {
  return {
    observerType: undefined,
    deviceObserverUid: undefined,
    deviceObserverName: undefined,
    deviceObserverManufacturer: undefined,
    deviceObserverModelName: undefined,
    deviceObserverSerialNumber: undefined,
    deviceObserverPhysicalLocationDuringObservation: undefined,
    deviceRoleInProcedure: undefined,
    personObserverName: undefined,
  };
}

function observerField(item: ContentItem): keyof ObserverContext | undefined {
  if (item.is(C.deviceObserverUid)) return 'deviceObserverUid';
  if (item.is(C.deviceObserverName)) return 'deviceObserverName';
  if (item.is(C.deviceObserverManufacturer)) return 'deviceObserverManufacturer';
  if (item.is(C.deviceObserverModelName)) return 'deviceObserverModelName';
  if (item.is(C.deviceObserverSerialNumber)) return 'deviceObserverSerialNumber';
  if (item.is(C.deviceObserverPhysicalLocation)) return 'deviceObserverPhysicalLocationDuringObservation';
  if (item.is(C.personObserverName)) return 'personObserverName';
  if (item.is(C.deviceRoleInProcedure)) return 'deviceRoleInProcedure';
  return undefined;
}

/** TID 1021 Device Participant: a "Device Role in Procedure" item with the device rows below it. */
export function readDeviceParticipant(role: ContentItem | undefined): DeviceParticipant | undefined {
  if (!role) return undefined;
  return {
    deviceRoleInProcedure: role.code(),
    deviceName: childText(role, C.deviceName),
    deviceManufacturer: childText(role, C.deviceManufacturer),
    deviceModelName: childText(role, C.deviceModelName),
    deviceSerialNumber: childText(role, C.deviceSerialNumber),
    deviceObserverUid: childText(role, C.deviceObserverUid),
  };
}

/** TID 1020 Person Participant: a "Person Name" item with its role and ID below it. */
export function readPersonParticipant(name: ContentItem | undefined): PersonParticipant | undefined {
  if (!name) return undefined;
  return {
    personName: name.text()?.trim() || undefined,
    personRoleInProcedure: childCode(name, C.personRoleInProcedure),
    personId: childText(name, C.personId),
  };
}

/** The root rows of TID 10001 / 10011 that describe the report rather than a dose. */
export function readReportContext(root: ContentItem): ReportContext {
  const procedure = root.child(C.procedureReported);
  const scope = root.child(C.scopeOfAccumulation);
  return {
    procedureReported: procedure?.code(),
    hasIntent: childCode(procedure, C.hasIntent),
    acquisitionDeviceType: childCode(root, C.acquisitionDeviceType),
    startOfXrayIrradiation: formatDateTime(childText(root, C.startOfXrayIrradiation)),
    endOfXrayIrradiation: formatDateTime(childText(root, C.endOfXrayIrradiation)),
    scopeOfAccumulation: scope?.code(),
    scopeUid: childText(scope, C.studyInstanceUid) ?? childText(scope, C.ppsSopInstanceUid),
    sourceOfDoseInformation: root.all(C.sourceOfDoseInformation).flatMap((item) => item.code() ?? []),
    xraySourceDataAvailable: childCode(root, C.xraySourceDataAvailable),
    xrayDetectorDataAvailable: childCode(root, C.xrayDetectorDataAvailable),
    xrayMechanicalDataAvailable: childCode(root, C.xrayMechanicalDataAvailable),
    associatedProcedure: childCode(root, C.associatedProcedure),
    comment: childText(root, C.comment),
    observers: readObservers(root),
    language: readLanguage(root),
  };
}

/** TID 1204 Language of Content Item and Descendants, with its country, at one level of the tree. */
export function readLanguage(parent: ContentItem): ReportContext['language'] {
  const language = parent.child(C.language);
  return language ? { language: language.code(), country: childCode(language, C.countryOfLanguage) } : undefined;
}

/** Device Observer UID of the first device observer: the strongest identity of the equipment. */
export function deviceObserverUidOf(context: ReportContext): string | undefined {
  return context.observers.find((o) => o.deviceObserverUid)?.deviceObserverUid;
}
