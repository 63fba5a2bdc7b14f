import type { DoseReport, ObserverContext, RadiopharmaceuticalAdministration } from '../../ingest/index.ts';
import { codeView as code } from './openrem-view.ts';

/**
 * Peer-shaped view of radiopharmaceutical reports and PET series (the paths of
 * ../shared/corpus/more-paths.json). Units follow the peer: activity MBq, half-life s, volume cm³
 * (= ml), height m (Kerma keeps cm), organ dose mGy.
 */
type View = Record<string, unknown>;

function observer(o: ObserverContext, isPre: boolean): View {
  return { observerType: code(o.observerType), radiopharmaceuticalAdministrationIsPreObserver: isPre };
}

function administration(a: RadiopharmaceuticalAdministration): View {
  return {
    radiopharmaceuticalAdministrationEventUid: a.radiopharmaceuticalAdministrationEventUid,
    radiopharmaceuticalAgent: code(a.radiopharmaceuticalAgent),
    radiopharmaceuticalAgentString: a.radiopharmaceuticalAgentString,
    radionuclide: code(a.radionuclide),
    radionuclideHalfLife: a.radionuclideHalfLifeS,
    // The peer keeps the SR's Bq/mmol; Kerma stores Bq/mol.
    radiopharmaceuticalSpecificActivity:
      a.radiopharmaceuticalSpecificActivityBqPerMol === undefined
        ? undefined
        : a.radiopharmaceuticalSpecificActivityBqPerMol / 1000,
    radiopharmaceuticalStartDatetime: a.radiopharmaceuticalStartDatetime,
    radiopharmaceuticalStopDatetime: a.radiopharmaceuticalStopDatetime,
    administeredActivity: a.administeredActivityMbq,
    effectiveDose: a.effectiveDoseMsv,
    radiopharmaceuticalVolume: a.radiopharmaceuticalVolumeMl,
    preAdministrationMeasuredActivity: a.preAdministrationMeasuredActivityMbq,
    preActivityMeasurementDevice: code(a.preActivityMeasurementDevice),
    postAdministrationMeasuredActivity: a.postAdministrationMeasuredActivityMbq,
    postActivityMeasurementDevice: code(a.postActivityMeasurementDevice),
    routeOfAdministration: code(a.routeOfAdministration),
    siteOf: code(a.siteOf),
    estimatedExtravasationActivity: a.estimatedExtravasationActivity,
    extravasationSymptoms: a.extravasationSymptoms.map((s) => ({ intravenousExtravasationSymptoms: code(s) })),
    brandName: a.brandName,
    radiopharmaceuticalDispenseUnitIdentifier: a.radiopharmaceuticalDispenseUnitIdentifier,
    prescriptionIdentifier: a.prescriptionIdentifier,
    lotIdentifier: { radiopharmaceuticalLotIdentifier: a.lotIdentifiers[0] },
    reagentVialIdentifier: { reagentVialIdentifier: a.reagentVialIdentifiers[0] },
    radionuclideIdentifier: { radionuclideIdentifier: a.radionuclideIdentifiers[0] },
    drugProductIdentifier: { drugProductIdentifier: code(a.drugProductIdentifier) },
    billingCode: { billingCode: code(a.billingCode) },
    comment: a.comment,
    personParticipant: a.personParticipant
      ? {
          personName: a.personParticipant.personName,
          personRoleInProcedureCid: code(a.personParticipant.personRoleInProcedure),
        }
      : undefined,
    organDoses: a.organDoses.map((d) => ({
      findingSite: code(d.findingSite),
      laterality: code(d.laterality),
      organDose: d.organDoseMgy,
      referenceAuthorityText: d.referenceAuthorityText,
    })),
    observer: [
      ...a.preAdministrationObservers.map((o) => observer(o, true)),
      ...a.postAdministrationObservers.map((o) => observer(o, false)),
    ],
  };
}

export function nmView(report: DoseReport): View {
  const r = report.radiopharmaceutical;
  const first = r?.administrations[0];
  const p = r?.patientCharacteristics;
  const gfr = p?.glomerularFiltrationRates[0];
  return {
    administration: first ? administration(first) : undefined,
    language: {
      languageOfContentitemAndDescendants: code(report.doseReport?.language?.language),
      countryOfLanguage: code(report.doseReport?.language?.country),
    },
    patientCharacteristics: p
      ? {
          subjectAge: p.subjectAgeYears,
          subjectSex: code(p.subjectSex),
          patientHeight: p.patientHeightCm === undefined ? undefined : p.patientHeightCm / 100,
          patientWeight: p.patientWeightKg,
          bodySurfaceArea: p.bodySurfaceAreaM2,
          bodySurfaceAreaFormula: code(p.bodySurfaceAreaFormula),
          bodyMassIndex: p.bodyMassIndexKgPerM2,
          equation: code(p.equation),
          glucose: p.glucoseMmolPerL,
          fastingDuration: p.fastingDurationH,
          hydrationVolume: p.hydrationVolumeMl,
          recentPhysicalActivity: p.recentPhysicalActivity,
          serumCreatinine: p.serumCreatinineMgPerDl,
          patientState: { patientState: code(p.patientState[0]) },
          glomerularFiltrationRate: {
            glomerularFiltrationRate: gfr?.valueMlPerMinPer173M2,
            measurementMethod: code(gfr?.measurementMethod),
            equivalentMeaningOfConceptName: code(gfr?.equivalentMeaningOfConceptName),
          },
        }
      : undefined,
    petSeries: (r?.imageSeries ?? []).map((s) => ({
      seriesDatetime: s.seriesDatetime,
      seriesTypes: s.seriesTypes.map((t) => ({ seriesType: t })),
      numberOfSlices: s.numberOfSlices,
      reconstructionMethod: s.reconstructionMethod,
      coincidenceWindowWidth: s.coincidenceWindowWidthNs,
      energyWindowLowerLimit: s.energyWindowLowerLimitKev,
      energyWindowUpperLimit: s.energyWindowUpperLimitKev,
      scanProgressionDirection: s.scanProgressionDirection,
      numberOfRrIntervals: s.numberOfRrIntervals,
      numberOfTimeSlots: s.numberOfTimeSlots,
      numberOfTimeSlices: s.numberOfTimeSlices,
      corrections: s.corrections.map((c) => ({ correctedImage: c })),
    })),
  };
}
