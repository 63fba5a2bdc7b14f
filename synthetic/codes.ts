/**
 * Coded concepts the synthetic reports carry (PS3.16 context groups as real devices send them; the
 * codes were checked against the vendor corpus in ../shared/corpus where it has them). Where no
 * standard code was verified, the concept is coded in the private scheme 99SYNKERMA, so nothing
 * made up here passes for a SNOMED or DICOM code.
 */
export type Code = readonly [value: string, scheme: string, meaning: string];

const DCM = (value: string, meaning: string): Code => [value, 'DCM', meaning];
const SRT = (value: string, meaning: string): Code => [value, 'SRT', meaning];
const SNM3 = (value: string, meaning: string): Code => [value, 'SNM3', meaning];
/** Private coding scheme of this generator (PS3.16 8.2: "99" prefix = local scheme). */
export const LOCAL_SCHEME = '99SYNKERMA';
export const local = (value: string, meaning: string): Code => [value, LOCAL_SCHEME, meaning];

/** Anatomy (CID 4030 / 4031 / 4009) used as Target Region and Anatomical Structure. */
export const Anatomy = {
  head: SRT('T-D1100', 'Head'),
  sinus: SRT('T-22000', 'Paranasal sinus'),
  cervicalSpine: SRT('T-11501', 'Cervical spine'),
  lumbarSpine: SRT('T-11503', 'Lumbar spine'),
  chest: SRT('T-D3000', 'Chest'),
  abdomen: SRT('T-D4000', 'Abdomen'),
  pelvis: SRT('T-D6000', 'Pelvis'),
  chestAbdomenPelvis: SRT('R-FAB56', 'Chest, Abdomen and Pelvis'),
  heart: SRT('T-32000', 'Heart'),
  breast: SRT('T-04000', 'Breast'),
  hip: SNM3('T-15710', 'Hip joint'),
  knee: SRT('T-15750', 'Knee joint'),
  wrist: SRT('T-15460', 'Wrist joint'),
  ankle: SRT('T-15770', 'Ankle joint'),
  hand: SRT('T-D8700', 'Hand'),
  foot: SRT('T-D9700', 'Foot'),
  entireBody: SRT('T-D0010', 'Entire body'),
  lowerLimb: local('LOWERLIMB', 'Lower limb'),
  oesophagus: local('OESOPHAGUS', 'Oesophagus'),
  kidney: local('KIDNEY', 'Kidney'),
} as const satisfies Record<string, Code>;

export const Laterality = {
  right: SRT('G-A100', 'Right'),
  left: SRT('G-A101', 'Left'),
  rightBreast: SRT('T-04020', 'Right breast'),
  leftBreast: SRT('T-04030', 'Left breast'),
} as const;

export const Views = {
  cc: SNM3('R-10242', 'cranio-caudal'),
  mlo: SNM3('R-10226', 'medio-lateral oblique'),
  ap: SNM3('R-10206', 'antero-posterior'),
  pa: SNM3('R-10214', 'postero-anterior'),
} as const;

/** Document, container and row concept names of TID 10001 / 10011 / 10021 and TID 1002. */
export const Concept = {
  xrayReport: DCM('113701', 'X-Ray Radiation Dose Report'),
  procedureReported: DCM('121058', 'Procedure reported'),
  hasIntent: SRT('G-C0E8', 'Has Intent'),
  observerType: DCM('121005', 'Observer Type'),
  deviceObserverUid: DCM('121012', 'Device Observer UID'),
  deviceObserverName: DCM('121013', 'Device Observer Name'),
  deviceObserverManufacturer: DCM('121014', 'Device Observer Manufacturer'),
  deviceObserverModel: DCM('121015', 'Device Observer Model Name'),
  deviceObserverSerial: DCM('121016', 'Device Observer Serial Number'),
  deviceType: DCM('122142', 'Acquisition Device Type'),
  startOfXray: DCM('113809', 'Start of X-Ray Irradiation'),
  endOfXray: DCM('113810', 'End of X-Ray Irradiation'),
  scope: DCM('113705', 'Scope of Accumulation'),
  studyUid: DCM('110180', 'Study Instance UID'),
  sourceOfDose: DCM('113854', 'Source of Dose Information'),
  ctAccumulated: DCM('113811', 'CT Accumulated Dose Data'),
  totalEvents: DCM('113812', 'Total Number of Irradiation Events'),
  dlpTotal: DCM('113813', 'CT Dose Length Product Total'),
  ctAcquisition: DCM('113819', 'CT Acquisition'),
  acquisitionProtocol: DCM('125203', 'Acquisition Protocol'),
  targetRegion: DCM('123014', 'Target Region'),
  ctAcquisitionType: DCM('113820', 'CT Acquisition Type'),
  eventUid: DCM('113769', 'Irradiation Event UID'),
  dateTimeStarted: DCM('111526', 'DateTime Started'),
  ctParameters: DCM('113822', 'CT Acquisition Parameters'),
  exposureTime: DCM('113824', 'Exposure Time'),
  scanningLength: DCM('113825', 'Scanning Length'),
  singleCollimation: DCM('113826', 'Nominal Single Collimation Width'),
  totalCollimation: DCM('113827', 'Nominal Total Collimation Width'),
  pitch: DCM('113828', 'Pitch Factor'),
  sources: DCM('113823', 'Number of X-Ray Sources'),
  sourceParameters: DCM('113831', 'CT X-Ray Source Parameters'),
  sourceId: DCM('113832', 'Identification of the X-Ray Source'),
  kvp: DCM('113733', 'KVP'),
  maxCurrent: DCM('113833', 'Maximum X-Ray Tube Current'),
  current: DCM('113734', 'X-Ray Tube Current'),
  rotation: DCM('113834', 'Exposure Time per Rotation'),
  ctDose: DCM('113829', 'CT Dose'),
  ctdivol: DCM('113830', 'Mean CTDIvol'),
  phantom: DCM('113835', 'CTDIw Phantom Type'),
  dlp: DCM('113838', 'DLP'),
  accumulatedXray: DCM('113702', 'Accumulated X-Ray Dose Data'),
  acquisitionPlane: DCM('113764', 'Acquisition Plane'),
  fluoroDapTotal: DCM('113726', 'Fluoro Dose Area Product Total'),
  fluoroRpTotal: DCM('113728', 'Fluoro Dose (RP) Total'),
  fluoroTime: DCM('113730', 'Total Fluoro Time'),
  acquisitionDapTotal: DCM('113727', 'Acquisition Dose Area Product Total'),
  acquisitionRpTotal: DCM('113729', 'Acquisition Dose (RP) Total'),
  acquisitionTime: DCM('113855', 'Total Acquisition Time'),
  dapTotal: DCM('113722', 'Dose Area Product Total'),
  rpTotal: DCM('113725', 'Dose (RP) Total'),
  frames: DCM('113731', 'Total Number of Radiographic Frames'),
  referencePoint: DCM('113780', 'Reference Point Definition'),
  accumulatedAgd: DCM('111637', 'Accumulated Average Glandular Dose'),
  laterality: SRT('G-C171', 'Laterality'),
  eventXray: DCM('113706', 'Irradiation Event X-Ray Data'),
  eventType: DCM('113721', 'Irradiation Event Type'),
  anatomicalStructure: SRT('T-D0005', 'Anatomical structure'),
  imageView: DCM('111031', 'Image View'),
  dap: DCM('122130', 'Dose Area Product'),
  doseRp: DCM('113738', 'Dose (RP)'),
  entranceExposure: DCM('111636', 'Entrance Exposure at RP'),
  agd: DCM('111631', 'Average Glandular Dose'),
  fluoroMode: DCM('113732', 'Fluoro Mode'),
  pulseRate: DCM('113791', 'Pulse Rate'),
  pulses: DCM('113768', 'Number of Pulses'),
  pulseWidth: DCM('113793', 'Pulse Width'),
  exposureTimeProjection: DCM('113735', 'Exposure Time'),
  irradiationDuration: DCM('113742', 'Irradiation Duration'),
  compression: DCM('111633', 'Compression Thickness'),
  anode: DCM('111632', 'Anode Target Material'),
  exposureIndex: DCM('113845', 'Exposure Index'),
  sourceToDetector: DCM('113750', 'Distance Source to Detector'),
} as const satisfies Record<string, Code>;

export const Value = {
  ctProcedure: SRT('P5-08000', 'Computed Tomography X-Ray'),
  projectionProcedure: DCM('113704', 'Projection X-Ray'),
  mammographyProcedure: SRT('P5-40010', 'Mammography'),
  diagnosticIntent: SRT('R-408C3', 'Diagnostic Intent'),
  device: DCM('121007', 'Device'),
  study: DCM('113014', 'Study'),
  automated: DCM('113856', 'Automated Data Collection'),
  fluoroGuided: DCM('113957', 'Fluoroscopy-Guided Projection Radiography System'),
  integrated: DCM('113958', 'Integrated Projection Radiography System'),
  singlePlane: DCM('113622', 'Single Plane'),
  spiral: SRT('P5-08001', 'Spiral Acquisition'),
  sequenced: DCM('113804', 'Sequenced Acquisition'),
  constantAngle: DCM('113805', 'Constant Angle Acquisition'),
  headPhantom: DCM('113690', 'IEC Head Dosimetry Phantom'),
  bodyPhantom: DCM('113691', 'IEC Body Dosimetry Phantom'),
  fluoroscopy: SRT('P5-06000', 'Fluoroscopy'),
  stationary: DCM('113611', 'Stationary Acquisition'),
  pulsed: DCM('113631', 'Pulsed'),
  interventionalReference: DCM('113860', '15cm from Isocenter toward Source'),
  tungsten: SRT('C-164F9', 'Tungsten or Tungsten compound'),
} as const satisfies Record<string, Code>;

/** TID 10021 / 10022 concept names (current SCT forms, as the extractor's first choice). */
export const Nm = {
  report: DCM('113500', 'Radiopharmaceutical Radiation Dose Report'),
  associatedProcedure: ['363589002', 'SCT', 'Associated Procedure'] as Code,
  hasIntent: ['363703001', 'SCT', 'Has Intent'] as Code,
  diagnosticIntent: ['261004008', 'SCT', 'Diagnostic intent'] as Code,
  administration: DCM('113502', 'Radiopharmaceutical Administration'),
  agent: ['349358000', 'SCT', 'Radiopharmaceutical agent'] as Code,
  radionuclide: ['89457008', 'SCT', 'Radionuclide'] as Code,
  halfLife: ['304283002', 'SCT', 'Radionuclide Half Life'] as Code,
  eventUid: DCM('113503', 'Radiopharmaceutical Administration Event UID'),
  start: DCM('123003', 'Radiopharmaceutical Start DateTime'),
  administeredActivity: DCM('113507', 'Administered activity'),
  preActivity: DCM('113508', 'Pre-Administration Measured Activity'),
  measurementDevice: DCM('113540', 'Activity Measurement Device'),
  doseCalibrator: DCM('113541', 'Dose Calibrator'),
  route: ['410675002', 'SCT', 'Route of administration'] as Code,
  intravenous: ['47625008', 'SCT', 'Intravenous route'] as Code,
  technetium99m: SRT('C-163A8', '^99m^Technetium'),
  medronate: SRT('C-B1039', 'Technetium Tc^99m^ medronate'),
  nmProcedure: local('NMIMAGING', 'Nuclear medicine imaging procedure'),
} as const;

/** UCUM units of the values written. */
export const Unit = {
  mGy: ['mGy', 'UCUM', 'mGy'],
  Gy: ['Gy', 'UCUM', 'Gy'],
  mGyCm: ['mGy.cm', 'UCUM', 'mGy.cm'],
  GyM2: ['Gy.m2', 'UCUM', 'Gy.m2'],
  s: ['s', 'UCUM', 's'],
  ms: ['ms', 'UCUM', 'ms'],
  mm: ['mm', 'UCUM', 'mm'],
  kV: ['kV', 'UCUM', 'kV'],
  mA: ['mA', 'UCUM', 'mA'],
  ratio: ['{ratio}', 'UCUM', 'ratio'],
  events: ['{events}', 'UCUM', 'events'],
  sources: ['{X-Ray sources}', 'UCUM', 'X-Ray sources'],
  count: ['1', 'UCUM', 'no units'],
  pulseRate: ['{pulse}/s', 'UCUM', 'pulse/s'],
  MBq: ['MBq', 'UCUM', 'MBq'],
} as const satisfies Record<string, Code>;
