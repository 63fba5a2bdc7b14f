import type { Concept, ContentItem } from '../dicom/sr.ts';
import { C } from './concepts.ts';
import { R } from './radiopharmaceutical-concepts.ts';
import { childQuantity } from './radiopharmaceutical-units.ts';
import { childCode, childText, readObservers, readPersonParticipant } from './sr-context.ts';
import type { OrganDose, RadiopharmaceuticalAdministration } from './types.ts';
import { dateTimeUtcOffset, formatDateTime } from './values.ts';

type Part<K extends keyof RadiopharmaceuticalAdministration> = Pick<RadiopharmaceuticalAdministration, K>;

const num = childQuantity;

/** Every item below `parent`, at any depth, with that concept (identifiers nest differently by vendor). */
function descendants(parent: ContentItem | undefined, wanted: Concept): ContentItem[] {
  if (!parent) return [];
  return parent.children.flatMap((child) => [...(child.is(wanted) ? [child] : []), ...descendants(child, wanted)]);
}

function texts(items: readonly ContentItem[]): string[] {
  return items.flatMap((item) => item.text()?.trim() || []);
}

/**
 * PS3.16 TID 10022 Radiopharmaceutical Administration Event Data: one administered radiopharmaceutical,
 * with its assay, route, product identifiers and the TID 10023 organ doses.
 */
export function readAdministration(admin: ContentItem, warnings: string[]): RadiopharmaceuticalAdministration {
  const administration: RadiopharmaceuticalAdministration = {
    radiopharmaceuticalAdministrationEventUid: childText(admin, R.administrationEventUid),
    ...readAgent(admin, warnings),
    radiopharmaceuticalSpecificActivityBqPerMol: num(admin, R.specificActivity, 'specificActivityBqPerMol', warnings),
    radiopharmaceuticalStartDatetime: formatDateTime(childText(admin, R.startDateTime)),
    ...startOffset(childText(admin, R.startDateTime)),
    radiopharmaceuticalStopDatetime: formatDateTime(childText(admin, R.stopDateTime)),
    administeredActivityMbq: num(admin, R.administeredActivity, 'activityMbq', warnings),
    effectiveDoseMsv: readEffectiveDose(admin, warnings),
    radiopharmaceuticalVolumeMl: num(admin, R.volume, 'volumeMl', warnings),
    ...readMeasuredActivities(admin, warnings),
    ...readRoute(admin),
    estimatedExtravasationActivity: num(admin, R.estimatedExtravasationActivity, 'percent', warnings),
    extravasationSymptoms: admin.all(R.extravasationSymptoms).flatMap((item) => item.code() ?? []),
    ...readProductIdentifiers(admin),
    comment: childText(admin, C.comment),
    personParticipant: readPersonParticipant(admin.child(C.personName)),
    organDoses: admin.all(R.organDoseInformation).map((organ) => readOrganDose(organ, warnings)),
    ...readAdministrationObservers(admin),
  };
  if (administration.administeredActivityMbq === undefined)
    warnings.push(`no Administered activity in ${admin.location}`);
  return administration;
}

/** Rows 2-4: the agent with its radionuclide and half life below it (accepted beside it too). */
/** The DT value's offset suffix, as a field only when present (a report without one stays as it was). */
function startOffset(value: string | undefined): { radiopharmaceuticalStartDatetimeUtcOffset?: string } {
  const offset = dateTimeUtcOffset(value);
  return offset ? { radiopharmaceuticalStartDatetimeUtcOffset: offset } : {};
}

function readAgent(
  admin: ContentItem,
  warnings: string[],
): Part<'radiopharmaceuticalAgent' | 'radiopharmaceuticalAgentString' | 'radionuclide' | 'radionuclideHalfLifeS'> {
  const agent = admin.child(R.radiopharmaceuticalAgent);
  return {
    radiopharmaceuticalAgent: agent?.code(),
    // A device with no code for its agent may send the name as TEXT under the same concept.
    radiopharmaceuticalAgentString: agent?.valueType === 'TEXT' ? agent.text()?.trim() || undefined : undefined,
    radionuclide: childCode(agent, R.radionuclide) ?? childCode(admin, R.radionuclide),
    radionuclideHalfLifeS:
      num(agent, R.radionuclideHalfLife, 'halfLifeS', warnings) ??
      num(admin, R.radionuclideHalfLife, 'halfLifeS', warnings),
  };
}

/** Effective dose as a row of the administration or inside a vendor container (Siemens 220001, 99SHS). */
function readEffectiveDose(admin: ContentItem, warnings: string[]): number | undefined {
  const direct = num(admin, R.effectiveDose, 'effectiveDoseMsv', warnings);
  if (direct !== undefined) return direct;
  const container = admin.children.find(
    (child) => child.valueType === 'CONTAINER' && !child.is(R.organDoseInformation) && child.child(R.effectiveDose),
  );
  return num(container, R.effectiveDose, 'effectiveDoseMsv', warnings);
}

/** Rows 13-18: assayed activity before and after administration, each with its device. */
function readMeasuredActivities(
  admin: ContentItem,
  warnings: string[],
): Part<
  | 'preAdministrationMeasuredActivityMbq'
  | 'preActivityMeasurementDevice'
  | 'postAdministrationMeasuredActivityMbq'
  | 'postActivityMeasurementDevice'
> {
  const pre = admin.child(R.preAdministrationMeasuredActivity);
  const post = admin.child(R.postAdministrationMeasuredActivity);
  return {
    preAdministrationMeasuredActivityMbq: num(admin, R.preAdministrationMeasuredActivity, 'activityMbq', warnings),
    preActivityMeasurementDevice: childCode(pre, R.activityMeasurementDevice),
    postAdministrationMeasuredActivityMbq: num(admin, R.postAdministrationMeasuredActivity, 'activityMbq', warnings),
    postActivityMeasurementDevice: childCode(post, R.activityMeasurementDevice),
  };
}

/** TID 1002 observers of the pre- and post-administration assays (rows 15 and 18) and of the administration. */
function readAdministrationObservers(
  admin: ContentItem,
): Pick<RadiopharmaceuticalAdministration, 'preAdministrationObservers' | 'postAdministrationObservers' | 'observers'> {
  const pre = admin.child(R.preAdministrationMeasuredActivity);
  const post = admin.child(R.postAdministrationMeasuredActivity);
  return {
    preAdministrationObservers: pre ? readObservers(pre) : [],
    postAdministrationObservers: post ? readObservers(post) : [],
    observers: readObservers(admin),
  };
}

/** Route of administration, the site it was given at, and the laterality of that site. */
function readRoute(admin: ContentItem): Part<'routeOfAdministration' | 'siteOf' | 'laterality'> {
  const route = admin.child(R.routeOfAdministration);
  const site = route?.child(R.siteOf);
  return {
    routeOfAdministration: route?.code(),
    siteOf: site?.code(),
    laterality: childCode(site, R.laterality) ?? childCode(route, R.laterality),
  };
}

/**
 * Brand, dispense unit, prescription, billing and drug product. Lot, reagent vial and radionuclide
 * vial identifiers nest below the dispense unit (PS3.17 OOO.3 puts vials below the lot; Siemens puts
 * all three directly below the dispense unit), so any depth is accepted.
 */
function readProductIdentifiers(
  admin: ContentItem,
): Part<
  | 'brandName'
  | 'radiopharmaceuticalDispenseUnitIdentifier'
  | 'prescriptionIdentifier'
  | 'lotIdentifiers'
  | 'reagentVialIdentifiers'
  | 'radionuclideIdentifiers'
  | 'drugProductIdentifier'
  | 'billingCode'
> {
  return {
    brandName: childText(admin, R.brandName),
    radiopharmaceuticalDispenseUnitIdentifier: childText(admin, R.dispenseUnitIdentifier),
    prescriptionIdentifier: childText(admin, R.prescriptionIdentifier),
    lotIdentifiers: texts(descendants(admin, R.lotIdentifier)),
    reagentVialIdentifiers: texts(descendants(admin, R.reagentVialIdentifier)),
    radionuclideIdentifiers: texts(descendants(admin, R.radionuclideIdentifier)),
    // The template allows several of each; the model keeps the first.
    drugProductIdentifier: childCode(admin, R.drugProductIdentifier),
    billingCode: childCode(admin, R.billingCode),
  };
}

/** PS3.16 TID 10023 Organ Dose: one organ (CID 10044), its mass and dose, and the dose's authority. */
export function readOrganDose(organ: ContentItem, warnings: string[]): OrganDose {
  const site = organ.child(R.findingSite);
  const mass = organ.child(R.mass);
  const dose = organ.child(R.organDose);
  const authority = dose?.child(R.referenceAuthority);
  return {
    findingSite: site?.code(),
    laterality: childCode(organ, R.laterality) ?? childCode(site, R.laterality),
    organDoseMgy: num(organ, R.organDose, 'organDoseMgy', warnings),
    massG: num(organ, R.mass, 'massG', warnings),
    measurementMethod: childText(mass, R.measurementMethod),
    // Rows 7 and 8 are the same concept, as CODE or as TEXT (XOR).
    referenceAuthorityText: authority?.valueType === 'TEXT' ? authority.text()?.trim() || undefined : undefined,
    referenceAuthority: authority?.code(),
  };
}
