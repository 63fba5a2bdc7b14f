import type { Code } from '../dicom/sr.ts';

export type { Code };

/**
 * The normalised dose report every extractor produces, whatever the source object. Units are part of
 * every numeric field name. Storage units: CTDIvol mGy, DLP mGy·cm, DAP Gy·cm² (RDSRs carry Gy·m²,
 * converted ×10⁴ on extraction), dose at reference point Gy, AGD mGy, activity MBq, lengths mm,
 * CT exposure time s, projection exposure and pulse times ms, tube charge µAs.
 */
export interface DoseReport {
  readonly sourceKind: SourceKind;
  /** Kerma's modality for the study: CT, RF, DX, CR, MG, NM, PT, or 'RF,DX' until content decides. */
  readonly modality: StudyModality;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly templateId: string | undefined;
  readonly study: StudyInfo;
  readonly patient: PatientInfo;
  readonly device: DeviceInfo;
  readonly doseReport: ReportContext | undefined;
  readonly ct: CtDose | undefined;
  readonly projection: ProjectionDose | undefined;
  readonly radiopharmaceutical: RadiopharmaceuticalDose | undefined;
  /** Non-fatal findings (unit repaired, illegal multi-value ignored, truncated tail). */
  readonly warnings: readonly string[];
}

export type SourceKind =
  | 'ct-rdsr'
  | 'projection-rdsr'
  | 'radiopharmaceutical-rdsr'
  | 'ct-image'
  | 'dx-image'
  | 'mg-image'
  | 'nm-image'
  | 'pet-image'
  | 'philips-ct-dose-sc';

export type StudyModality = 'CT' | 'RF' | 'DX' | 'CR' | 'MG' | 'NM' | 'PT' | 'XA' | 'RF,DX';

export interface StudyInfo {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string | undefined;
  readonly studyId: string | undefined;
  readonly accessionNumber: string | undefined;
  /** YYYY-MM-DD */
  readonly studyDate: string | undefined;
  /** HH:MM:SS[.ffffff] */
  readonly studyTime: string | undefined;
  /** `±HH:MM` from Timezone Offset From UTC (0008,0201): the offset of every DA/TM (and unsuffixed DT) of the object. */
  readonly utcOffset?: string;
  readonly studyDescription: string | undefined;
  readonly seriesDescription: string | undefined;
  readonly procedureCode: Code | undefined;
  /** Procedure meaning (ProcedureCodeSequence or the source's fallback, e.g. ProtocolName). */
  readonly procedureCodeMeaning: string | undefined;
  readonly requestedProcedureCodeMeaning: string | undefined;
  readonly referringPhysicianName: string | undefined;
  readonly performingPhysicianName: string | undefined;
  readonly nameOfPhysicianReadingStudy: string | undefined;
  readonly operatorName: string | undefined;
}

/** Identifiers in clear: they exist only in memory; the store keeps keyed hashes (DESIGN.md). */
export interface PatientInfo {
  readonly patientName: string | undefined;
  readonly patientId: string | undefined;
  readonly issuerOfPatientId: string | undefined;
  readonly otherPatientIds: ReadonlyArray<{ readonly id: string; readonly issuer: string | undefined }>;
  /** YYYY-MM-DD */
  readonly patientBirthDate: string | undefined;
  readonly patientSex: string | undefined;
  /** As encoded, e.g. '067Y'. */
  readonly patientAge: string | undefined;
  /** Age in decimal years: from birth date and study date when both exist, else from the age string. */
  readonly patientAgeYears: number | undefined;
  readonly patientWeightKg: number | undefined;
  readonly patientSizeM: number | undefined;
}

export interface DeviceInfo {
  readonly manufacturer: string | undefined;
  readonly manufacturerModelName: string | undefined;
  readonly stationName: string | undefined;
  readonly deviceSerialNumber: string | undefined;
  readonly softwareVersions: string | undefined;
  readonly institutionName: string | undefined;
  readonly institutionAddress: string | undefined;
  readonly institutionalDepartmentName: string | undefined;
  /** Device Observer UID of the SR observer context, the most stable identity a device sends. */
  readonly deviceObserverUid: string | undefined;
}

/** TID 1002 observer context (device or person). */
export interface ObserverContext {
  readonly observerType: Code | undefined;
  readonly deviceObserverUid: string | undefined;
  readonly deviceObserverName: string | undefined;
  readonly deviceObserverManufacturer: string | undefined;
  readonly deviceObserverModelName: string | undefined;
  readonly deviceObserverSerialNumber: string | undefined;
  readonly deviceObserverPhysicalLocationDuringObservation: string | undefined;
  readonly deviceRoleInProcedure: Code | undefined;
  readonly personObserverName: string | undefined;
}

/** Root-level context of an RDSR (TID 10001 / 10011 / 10021 rows before the accumulated data). */
export interface ReportContext {
  readonly procedureReported: Code | undefined;
  readonly hasIntent: Code | undefined;
  readonly acquisitionDeviceType: Code | undefined;
  readonly startOfXrayIrradiation: string | undefined;
  readonly endOfXrayIrradiation: string | undefined;
  readonly scopeOfAccumulation: Code | undefined;
  readonly scopeUid: string | undefined;
  readonly sourceOfDoseInformation: readonly Code[];
  readonly xraySourceDataAvailable: Code | undefined;
  readonly xrayDetectorDataAvailable: Code | undefined;
  readonly xrayMechanicalDataAvailable: Code | undefined;
  readonly associatedProcedure: Code | undefined;
  readonly comment: string | undefined;
  readonly observers: readonly ObserverContext[];
  readonly language: { readonly language: Code | undefined; readonly country: Code | undefined } | undefined;
}

export interface DeviceParticipant {
  readonly deviceRoleInProcedure: Code | undefined;
  readonly deviceName: string | undefined;
  readonly deviceManufacturer: string | undefined;
  readonly deviceModelName: string | undefined;
  readonly deviceSerialNumber: string | undefined;
  readonly deviceObserverUid: string | undefined;
}

export interface PersonParticipant {
  readonly personName: string | undefined;
  readonly personRoleInProcedure: Code | undefined;
  readonly personId: string | undefined;
}

// ---------- CT (PS3.16 TID 10011) ----------

export interface CtDose {
  readonly accumulated: CtAccumulated;
  readonly events: readonly CtEvent[];
}

/** TID 10012 CT Accumulated Dose Data. */
export interface CtAccumulated {
  readonly totalNumberOfIrradiationEvents: number | undefined;
  readonly ctDoseLengthProductTotalMgyCm: number | undefined;
  readonly ctEffectiveDoseTotalMsv: number | undefined;
  readonly comment: string | undefined;
}

/** TID 10013 CT Irradiation Event Data. */
export interface CtEvent {
  readonly irradiationEventUid: string | undefined;
  readonly dateTimeStarted: string | undefined;
  /** `±HH:MM`, the DT value's own offset suffix, when it has one. */
  readonly dateTimeStartedUtcOffset?: string;
  readonly acquisitionProtocol: string | undefined;
  readonly targetRegion: Code | undefined;
  readonly ctAcquisitionType: Code | undefined;
  readonly procedureContext: Code | undefined;
  readonly comment: string | undefined;
  readonly exposureTimeS: number | undefined;
  readonly scanningLengthMm: number | undefined;
  readonly lengthOfReconstructableVolumeMm: number | undefined;
  readonly exposedRangeMm: number | undefined;
  readonly topZLocationOfReconstructableVolumeMm: number | undefined;
  readonly bottomZLocationOfReconstructableVolumeMm: number | undefined;
  readonly topZLocationOfScanningLengthMm: number | undefined;
  readonly bottomZLocationOfScanningLengthMm: number | undefined;
  readonly frameOfReferenceUid: string | undefined;
  readonly nominalSingleCollimationWidthMm: number | undefined;
  readonly nominalTotalCollimationWidthMm: number | undefined;
  readonly pitchFactor: number | undefined;
  readonly numberOfXraySources: number | undefined;
  readonly xraySources: readonly CtXraySource[];
  readonly ctdiVolMgy: number | undefined;
  readonly ctdiwPhantomType: Code | undefined;
  readonly dlpMgyCm: number | undefined;
  readonly effectiveDoseMsv: number | undefined;
  readonly sizeSpecificDoseEstimateMgy: number | undefined;
  readonly waterEquivalentDiameterMm: number | undefined;
  readonly doseCheck: CtDoseCheck | undefined;
  readonly deviceParticipant: DeviceParticipant | undefined;
  readonly personParticipants: readonly PersonParticipant[];
}

/** TID 10014-adjacent CT X-Ray Source Parameters (one per tube). */
export interface CtXraySource {
  readonly identificationOfXraySource: string | undefined;
  readonly kvp: number | undefined;
  readonly maximumXrayTubeCurrentMa: number | undefined;
  readonly xrayTubeCurrentMa: number | undefined;
  readonly exposureTimePerRotationS: number | undefined;
  readonly xrayFilterAluminumEquivalentMm: number | undefined;
}

/** TID 10015 CT Dose Check Details. */
export interface CtDoseCheck {
  readonly dlpAlertValueConfigured: boolean | undefined;
  readonly ctdivolAlertValueConfigured: boolean | undefined;
  readonly dlpAlertValueMgyCm: number | undefined;
  readonly ctdivolAlertValueMgy: number | undefined;
  readonly accumulatedDlpForwardEstimateMgyCm: number | undefined;
  readonly accumulatedCtdivolForwardEstimateMgy: number | undefined;
  readonly alertReasonForProceeding: string | undefined;
  readonly alertPersonParticipant: PersonParticipant | undefined;
  readonly dlpNotificationValueConfigured: boolean | undefined;
  readonly ctdivolNotificationValueConfigured: boolean | undefined;
  readonly dlpNotificationValueMgyCm: number | undefined;
  readonly ctdivolNotificationValueMgy: number | undefined;
  readonly dlpForwardEstimateMgyCm: number | undefined;
  readonly ctdivolForwardEstimateMgy: number | undefined;
  readonly notificationReasonForProceeding: string | undefined;
  readonly notificationPersonParticipant: PersonParticipant | undefined;
}

// ---------- Projection X-ray (PS3.16 TID 10001) ----------

export interface ProjectionDose {
  /** One per plane (TID 10002 Accumulated X-Ray Dose): plane A first, plane B for biplane systems. */
  readonly accumulated: readonly ProjectionAccumulated[];
  readonly events: readonly ProjectionEvent[];
}

/** TID 10002 with its TID 10004 (fluoro/acquisition), 10005 (mammography) and 10007 (projection) rows. */
export interface ProjectionAccumulated {
  readonly acquisitionPlane: Code | undefined;
  readonly fluoroDapTotalGyCm2: number | undefined;
  readonly fluoroDoseRpTotalGy: number | undefined;
  readonly totalFluoroTimeS: number | undefined;
  readonly acquisitionDapTotalGyCm2: number | undefined;
  readonly acquisitionDoseRpTotalGy: number | undefined;
  readonly totalAcquisitionTimeS: number | undefined;
  readonly dapTotalGyCm2: number | undefined;
  readonly doseRpTotalGy: number | undefined;
  readonly totalNumberOfRadiographicFrames: number | undefined;
  readonly referencePointDefinition: string | undefined;
  readonly referencePointDefinitionCode: Code | undefined;
  readonly mammography: ReadonlyArray<{
    readonly laterality: Code | undefined;
    readonly accumulatedAverageGlandularDoseMgy: number | undefined;
  }>;
}

/** TID 10003 Irradiation Event X-Ray Data with 10003A detector, 10003B source, 10003C mechanical. */
export interface ProjectionEvent {
  readonly irradiationEventUid: string | undefined;
  readonly dateTimeStarted: string | undefined;
  /** `±HH:MM`, the DT value's own offset suffix, when it has one. */
  readonly dateTimeStartedUtcOffset?: string;
  readonly acquisitionPlane: Code | undefined;
  readonly irradiationEventType: Code | undefined;
  readonly acquisitionProtocol: string | undefined;
  readonly anatomicalStructure: Code | undefined;
  readonly laterality: Code | undefined;
  readonly imageView: Code | undefined;
  readonly imageViewModifier: Code | undefined;
  readonly projectionEponymousName: Code | undefined;
  readonly patientTableRelationship: Code | undefined;
  readonly patientOrientation: Code | undefined;
  readonly patientOrientationModifier: Code | undefined;
  readonly targetRegion: Code | undefined;
  readonly dapGyCm2: number | undefined;
  readonly halfValueLayerMm: number | undefined;
  readonly doseRpGy: number | undefined;
  readonly entranceExposureAtRpMgy: number | undefined;
  readonly referencePointDefinition: string | undefined;
  readonly referencePointDefinitionCode: Code | undefined;
  readonly breastComposition: Code | undefined;
  readonly percentFibroglandularTissue: number | undefined;
  readonly comment: string | undefined;
  readonly source: ProjectionSource;
  readonly detector: ProjectionDetector;
  readonly mechanical: ProjectionMechanical;
  readonly personParticipants: readonly PersonParticipant[];
}

export interface XrayFilter {
  readonly xrayFilterType: Code | undefined;
  readonly xrayFilterMaterial: Code | undefined;
  readonly xrayFilterThicknessMinimumMm: number | undefined;
  readonly xrayFilterThicknessMaximumMm: number | undefined;
}

export interface ProjectionSource {
  readonly doseRpGy: number | undefined;
  readonly averageGlandularDoseMgy: number | undefined;
  readonly fluoroMode: Code | undefined;
  readonly pulseRatePerS: number | undefined;
  readonly numberOfPulses: number | undefined;
  /** Per-pulse values when the device sends several (Eurocolumbus), else one. */
  readonly kvp: readonly number[];
  readonly xrayTubeCurrentMa: readonly number[];
  readonly pulseWidthMs: readonly number[];
  readonly exposureUas: readonly number[];
  readonly averageXrayTubeCurrentMa: number | undefined;
  readonly exposureTimeMs: number | undefined;
  readonly irradiationDurationS: number | undefined;
  readonly focalSpotSizeMm: number | undefined;
  readonly filters: readonly XrayFilter[];
  readonly anodeTargetMaterial: Code | undefined;
  readonly collimatedFieldAreaM2: number | undefined;
  readonly collimatedFieldHeightMm: number | undefined;
  readonly collimatedFieldWidthMm: number | undefined;
  readonly iiFieldSizeMm: number | undefined;
  readonly grids: readonly Code[];
  readonly gridFocalDistanceMm: number | undefined;
  readonly exposureControlMode: string | undefined;
  readonly deviceParticipant: DeviceParticipant | undefined;
}

export interface ProjectionDetector {
  readonly exposureIndex: number | undefined;
  readonly targetExposureIndex: number | undefined;
  readonly deviationIndex: number | undefined;
  readonly relativeXrayExposure: number | undefined;
  readonly sensitivity: number | undefined;
}

export interface ProjectionMechanical {
  readonly positionerPrimaryAngleDeg: number | undefined;
  readonly positionerSecondaryAngleDeg: number | undefined;
  readonly positionerPrimaryEndAngleDeg: number | undefined;
  readonly positionerSecondaryEndAngleDeg: number | undefined;
  readonly columnAngulationDeg: number | undefined;
  readonly tableHeadTiltAngleDeg: number | undefined;
  readonly tableHorizontalRotationAngleDeg: number | undefined;
  readonly tableCradleTiltAngleDeg: number | undefined;
  readonly compressionThicknessMm: number | undefined;
  readonly compressionForceN: number | undefined;
  readonly magnificationFactor: number | undefined;
  readonly crdrMechanicalConfiguration: Code | undefined;
  readonly distances: ProjectionDistances;
}

export interface ProjectionDistances {
  readonly distanceSourceToIsocenterMm: number | undefined;
  readonly distanceSourceToReferencePointMm: number | undefined;
  readonly distanceSourceToDetectorMm: number | undefined;
  readonly tableLongitudinalPositionMm: number | undefined;
  readonly tableLateralPositionMm: number | undefined;
  readonly tableHeightPositionMm: number | undefined;
  readonly distanceSourceToTablePlaneMm: number | undefined;
  readonly distanceSourceToEntranceSurfaceMm: number | undefined;
}

// ---------- Radiopharmaceutical (PS3.16 TID 10021) ----------

export interface RadiopharmaceuticalDose {
  readonly administrations: readonly RadiopharmaceuticalAdministration[];
  readonly patientCharacteristics: PatientCharacteristics | undefined;
  /** PET/NM image series information, when the source is an image header. */
  readonly imageSeries: readonly NmImageSeries[];
}

/** TID 10022 Radiopharmaceutical Administration Event Data. */
export interface RadiopharmaceuticalAdministration {
  readonly radiopharmaceuticalAdministrationEventUid: string | undefined;
  readonly radiopharmaceuticalAgent: Code | undefined;
  readonly radiopharmaceuticalAgentString: string | undefined;
  readonly radionuclide: Code | undefined;
  readonly radionuclideHalfLifeS: number | undefined;
  readonly radiopharmaceuticalSpecificActivityBqPerMol: number | undefined;
  readonly radiopharmaceuticalStartDatetime: string | undefined;
  /** `±HH:MM`, the DT value's own offset suffix, when it has one. */
  readonly radiopharmaceuticalStartDatetimeUtcOffset?: string;
  readonly radiopharmaceuticalStopDatetime: string | undefined;
  readonly administeredActivityMbq: number | undefined;
  readonly effectiveDoseMsv: number | undefined;
  readonly radiopharmaceuticalVolumeMl: number | undefined;
  readonly preAdministrationMeasuredActivityMbq: number | undefined;
  readonly preActivityMeasurementDevice: Code | undefined;
  readonly postAdministrationMeasuredActivityMbq: number | undefined;
  readonly postActivityMeasurementDevice: Code | undefined;
  readonly routeOfAdministration: Code | undefined;
  readonly siteOf: Code | undefined;
  readonly laterality: Code | undefined;
  readonly estimatedExtravasationActivity: number | undefined;
  readonly extravasationSymptoms: readonly Code[];
  readonly brandName: string | undefined;
  readonly radiopharmaceuticalDispenseUnitIdentifier: string | undefined;
  readonly prescriptionIdentifier: string | undefined;
  readonly lotIdentifiers: readonly string[];
  readonly reagentVialIdentifiers: readonly string[];
  readonly radionuclideIdentifiers: readonly string[];
  readonly drugProductIdentifier: Code | undefined;
  readonly billingCode: Code | undefined;
  readonly comment: string | undefined;
  readonly personParticipant: PersonParticipant | undefined;
  readonly organDoses: readonly OrganDose[];
  /** TID 1002 observers of the pre- and post-administration assays (who measured the activity). */
  readonly preAdministrationObservers: readonly ObserverContext[];
  readonly postAdministrationObservers: readonly ObserverContext[];
  /** Observers at the administration level itself. */
  readonly observers: readonly ObserverContext[];
}

/** TID 10023 Organ Dose. */
export interface OrganDose {
  readonly findingSite: Code | undefined;
  readonly laterality: Code | undefined;
  readonly organDoseMgy: number | undefined;
  readonly massG: number | undefined;
  readonly measurementMethod: string | undefined;
  readonly referenceAuthorityText: string | undefined;
  readonly referenceAuthority: Code | undefined;
}

/** TID 10024-style patient characteristics of an RRDSR. */
export interface PatientCharacteristics {
  readonly subjectAgeYears: number | undefined;
  readonly subjectSex: Code | undefined;
  readonly patientHeightCm: number | undefined;
  readonly patientWeightKg: number | undefined;
  readonly bodySurfaceAreaM2: number | undefined;
  readonly bodySurfaceAreaFormula: Code | undefined;
  readonly bodyMassIndexKgPerM2: number | undefined;
  readonly equation: Code | undefined;
  readonly glucoseMmolPerL: number | undefined;
  readonly fastingDurationH: number | undefined;
  readonly hydrationVolumeMl: number | undefined;
  readonly recentPhysicalActivity: string | undefined;
  readonly serumCreatinineMgPerDl: number | undefined;
  readonly patientState: readonly Code[];
  readonly glomerularFiltrationRates: ReadonlyArray<{
    readonly valueMlPerMinPer173M2: number | undefined;
    readonly measurementMethod: Code | undefined;
    readonly equivalentMeaningOfConceptName: Code | undefined;
  }>;
}

export interface NmImageSeries {
  readonly seriesDatetime: string | undefined;
  readonly seriesTypes: readonly string[];
  readonly numberOfSlices: number | undefined;
  readonly reconstructionMethod: string | undefined;
  readonly coincidenceWindowWidthNs: number | undefined;
  readonly energyWindowLowerLimitKev: number | undefined;
  readonly energyWindowUpperLimitKev: number | undefined;
  readonly scanProgressionDirection: string | undefined;
  readonly numberOfRrIntervals: number | undefined;
  readonly numberOfTimeSlots: number | undefined;
  readonly numberOfTimeSlices: number | undefined;
  readonly corrections: readonly string[];
}
