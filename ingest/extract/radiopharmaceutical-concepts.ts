import { concept } from '../dicom/sr.ts';

/**
 * Concept names of the Radiopharmaceutical Radiation Dose SR (PS3.16 TID 10021 root, TID 10022
 * Radiopharmaceutical Administration Event Data, TID 10023 Organ Dose, TID 10024 Imaging Agent
 * Administration Patient Characteristics). SNOMED concepts carry their SCT code first and the SRT
 * code of pre-2019 editions (still sent by Siemens in 2022) as the alternate. Observer, person and
 * language rows (TID 1002, 1020, 1204) are shared with the X-ray templates in concepts.ts.
 */
export const R = {
  // TID 10021
  radiopharmaceuticalRadiationDoseReport: concept('113500', 'DCM', 'Radiopharmaceutical Radiation Dose Report'),
  associatedProcedure: concept('363589002', 'SCT', 'Associated Procedure', ['G-C2D0', 'SRT']),
  hasIntent: concept('363703001', 'SCT', 'Has Intent', ['G-C0E8', 'SRT']),
  radiopharmaceuticalAdministration: concept('113502', 'DCM', 'Radiopharmaceutical Administration'),
  patientCharacteristics: concept('121118', 'DCM', 'Patient Characteristics'),

  // TID 10022 rows 2-12
  radiopharmaceuticalAgent: concept('349358000', 'SCT', 'Radiopharmaceutical agent', ['F-61FDB', 'SRT']),
  radionuclide: concept('89457008', 'SCT', 'Radionuclide', ['C-10072', 'SRT']),
  radionuclideHalfLife: concept('304283002', 'SCT', 'Radionuclide Half Life', ['R-42806', 'SRT']),
  specificActivity: concept('123007', 'DCM', 'Radiopharmaceutical Specific Activity'),
  administrationEventUid: concept('113503', 'DCM', 'Radiopharmaceutical Administration Event UID'),
  extravasationSymptoms: concept('113505', 'DCM', 'Intravenous Extravasation Symptoms'),
  estimatedExtravasationActivity: concept('113506', 'DCM', 'Estimated Extravasation Activity'),
  startDateTime: concept('123003', 'DCM', 'Radiopharmaceutical Start DateTime'),
  stopDateTime: concept('123004', 'DCM', 'Radiopharmaceutical Stop DateTime'),
  administeredActivity: concept('113507', 'DCM', 'Administered activity'),
  volume: concept('123005', 'DCM', 'Radiopharmaceutical Volume'),

  // TID 10022 rows 13-18: assay before and after administration, with the device (CID 10041)
  preAdministrationMeasuredActivity: concept('113508', 'DCM', 'Pre-Administration Measured Activity'),
  postAdministrationMeasuredActivity: concept('113509', 'DCM', 'Post-Administration Measured Activity'),
  activityMeasurementDevice: concept('113540', 'DCM', 'Activity Measurement Device'),

  // TID 10022 route, site and laterality
  routeOfAdministration: concept('410675002', 'SCT', 'Route of administration', ['G-C340', 'SRT']),
  siteOf: concept('272737002', 'SCT', 'Site of', ['G-C581', 'SRT']),
  laterality: concept('272741003', 'SCT', 'Laterality', ['G-C171', 'SRT']),

  // TID 10022 product identification (PS3.17 Annex OOO.3 for the identifier hierarchy)
  brandName: concept('111529', 'DCM', 'Brand Name'),
  dispenseUnitIdentifier: concept('113511', 'DCM', 'Radiopharmaceutical Dispense Unit Identifier'),
  lotIdentifier: concept('113512', 'DCM', 'Radiopharmaceutical Lot Identifier'),
  reagentVialIdentifier: concept('113513', 'DCM', 'Reagent Vial Identifier'),
  radionuclideIdentifier: concept('113514', 'DCM', 'Radionuclide Vial Identifier'),
  prescriptionIdentifier: concept('113516', 'DCM', 'Prescription Identifier'),
  drugProductIdentifier: concept('113510', 'DCM', 'Drug Product Identifier'),
  billingCode: concept('121147', 'DCM', 'Billing Code(s)'),

  // Effective dose: not a TID 10022 row, but Siemens sends it in a private container
  // (220001, 99SHS, "Effective Dose Information") inside the administration.
  effectiveDose: concept('113839', 'DCM', 'Effective Dose'),

  // TID 10023 Organ Dose
  organDoseInformation: concept('113517', 'DCM', 'Organ Dose Information'),
  findingSite: concept('363698007', 'SCT', 'Finding Site', ['G-C0E3', 'SRT']),
  mass: concept('118538004', 'SCT', 'Mass', ['G-D701', 'SRT']),
  measurementMethod: concept('370129005', 'SCT', 'Measurement Method', ['G-C036', 'SRT']),
  organDose: concept('113518', 'DCM', 'Organ Dose'),
  referenceAuthority: concept('121406', 'DCM', 'Reference Authority'),

  // TID 10024 Imaging Agent Administration Patient Characteristics
  subjectAge: concept('121033', 'DCM', 'Subject Age'),
  subjectSex: concept('121032', 'DCM', 'Subject Sex'),
  patientHeight: concept('8302-2', 'LN', 'Patient Height'),
  patientWeight: concept('29463-7', 'LN', 'Patient Weight'),
  bodySurfaceArea: concept('8277-6', 'LN', 'Body Surface Area'),
  bodySurfaceAreaFormula: concept('8278-4', 'LN', 'Body Surface Area Formula'),
  bodyMassIndex: concept('60621009', 'SCT', 'Body Mass Index', ['F-01860', 'SRT']),
  equation: concept('121420', 'DCM', 'Equation'),
  glucose: concept('14749-6', 'LN', 'Glucose'),
  fastingDuration: concept('113550', 'DCM', 'Fasting Duration'),
  hydrationVolume: concept('113551', 'DCM', 'Hydration Volume'),
  recentPhysicalActivity: concept('113552', 'DCM', 'Recent Physical Activity'),
  serumCreatinine: concept('2160-0', 'LN', 'Serum Creatinine'),
  patientState: concept('109054', 'DCM', 'Patient state'),
  glomerularFiltrationRate: concept('80274001', 'SCT', 'Glomerular Filtration Rate', ['F-70210', 'SRT']),
  // Siemens labels this DCM code with scheme SCT; the meaning still matches.
  equivalentMeaningOfConceptName: concept('121050', 'DCM', 'Equivalent meaning of concept name'),
} as const;
