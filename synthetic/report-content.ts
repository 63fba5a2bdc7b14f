import type { ProjectionProcedure } from './catalogue.ts';
import { TC99M_HALF_LIFE_S } from './catalogue.ts';
import { Concept, Laterality, Nm, Unit, Value, Views, type Code } from './codes.ts';
import type { Room } from './model.ts';
import { code, container, datetime, num, optionalNum, text, uidref, type Dataset } from './sr-content.ts';
import type { SynthAdministration, SynthCtEvent, SynthExam, SynthProjectionEvent } from './types.ts';

/**
 * The content trees of the synthetic dose reports: PS3.16 TID 10011 (CT Radiation Dose), TID 10001
 * (Projection X-Ray Radiation Dose, for fluoroscopy, radiography and mammography) and TID 10021
 * (Radiopharmaceutical Radiation Dose), with the rows Kerma's extractors and dcmtk read.
 * `dt` turns a UTC instant into the modality's local DT.
 */
export type LocalDateTime = (utcMs: number) => string;

const OBS = 'HAS OBS CONTEXT';
const MOD = 'HAS CONCEPT MOD';
const PROP = 'HAS PROPERTIES';

/** DAP is carried in Gy·m² in RDSRs (PS3.16 TID 10003 row "Dose Area Product", UCUM Gy.m2). */
const gyM2 = (dapGyCm2: number): number => dapGyCm2 / 10_000;

/** TID 1002 / 1004 device observer: the room's identity as Kerma fingerprints it. */
function deviceObserver(room: Room): Dataset[] {
  return [
    code(Concept.observerType, Value.device, OBS),
    uidref(Concept.deviceObserverUid, room.deviceObserverUid, OBS),
    text(Concept.deviceObserverName, room.stationName, OBS),
    text(Concept.deviceObserverManufacturer, room.manufacturer, OBS),
    text(Concept.deviceObserverModel, room.model, OBS),
    text(Concept.deviceObserverSerial, room.serialNumber, OBS),
  ];
}

function irradiationSpan(exam: SynthExam, dt: LocalDateTime): Dataset[] {
  const end = exam.events.reduce((latest, e) => Math.max(latest, e.startUtcMs), exam.startUtcMs) + 60_000;
  return [datetime(Concept.startOfXray, dt(exam.startUtcMs)), datetime(Concept.endOfXray, dt(end))];
}

function studyScope(exam: SynthExam): Dataset {
  return code(Concept.scope, Value.study, OBS, [uidref(Concept.studyUid, exam.studyUid, PROP)]);
}

function ctAcquisition(e: SynthCtEvent, dt: LocalDateTime): Dataset {
  const type =
    e.acquisition === 'localiser' ? Value.constantAngle : e.acquisition === 'spiral' ? Value.spiral : Value.sequenced;
  const parameters = [
    num(Concept.exposureTime, e.exposureTimeS, Unit.s),
    num(Concept.scanningLength, e.scanningLengthMm, Unit.mm),
    num(Concept.singleCollimation, 0.625, Unit.mm),
    num(Concept.totalCollimation, e.acquisition === 'localiser' ? 0.625 : 40, Unit.mm),
    ...(e.acquisition === 'localiser' ? [] : [num(Concept.pitch, e.pitchFactor, Unit.ratio)]),
    num(Concept.sources, 1, Unit.sources),
    container(Concept.sourceParameters, [
      text(Concept.sourceId, 'A'),
      num(Concept.kvp, e.kvp, Unit.kV),
      num(Concept.maxCurrent, Math.max(e.tubeCurrentMa, 40), Unit.mA),
      num(Concept.current, e.tubeCurrentMa, Unit.mA),
      num(Concept.rotation, e.headPhantom ? 1 : 0.5, Unit.s),
    ]),
  ];
  return container(Concept.ctAcquisition, [
    text(Concept.acquisitionProtocol, e.protocol),
    code(Concept.targetRegion, e.target),
    code(Concept.ctAcquisitionType, type),
    uidref(Concept.eventUid, e.uid),
    datetime(Concept.dateTimeStarted, dt(e.startUtcMs)),
    container(Concept.ctParameters, parameters),
    container(Concept.ctDose, [
      num(Concept.ctdivol, e.ctdiVolMgy, Unit.mGy),
      code(Concept.phantom, e.headPhantom ? Value.headPhantom : Value.bodyPhantom),
      num(Concept.dlp, e.dlpMgyCm, Unit.mGyCm),
    ]),
  ]);
}

/** PS3.16 TID 10011 CT Radiation Dose. */
export function ctContent(exam: SynthExam, events: readonly SynthCtEvent[], dt: LocalDateTime): Dataset[] {
  const totalDlpMgyCm = events.reduce((sum, e) => sum + e.dlpMgyCm, 0);
  return [
    code(Concept.procedureReported, Value.ctProcedure, MOD, [code(Concept.hasIntent, Value.diagnosticIntent, MOD)]),
    ...deviceObserver(exam.room),
    ...irradiationSpan(exam, dt),
    studyScope(exam),
    container(Concept.ctAccumulated, [
      num(Concept.totalEvents, events.length, Unit.events),
      num(Concept.dlpTotal, totalDlpMgyCm, Unit.mGyCm),
    ]),
    ...events.map((e) => ctAcquisition(e, dt)),
    code(Concept.sourceOfDose, Value.automated),
  ];
}

const sum = (values: ReadonlyArray<number | undefined>): number => values.reduce<number>((a, v) => a + (v ?? 0), 0);

function fluoroTotals(events: readonly SynthProjectionEvent[]): Dataset[] {
  const fluoro = events.filter((e) => e.eventType === 'fluoroscopy');
  const acquired = events.filter((e) => e.eventType !== 'fluoroscopy');
  return [
    num(Concept.fluoroDapTotal, gyM2(sum(fluoro.map((e) => e.dapGyCm2))), Unit.GyM2),
    num(Concept.fluoroRpTotal, sum(fluoro.map((e) => e.doseRpGy)), Unit.Gy),
    num(Concept.fluoroTime, sum(fluoro.map((e) => e.exposureTimeMs)) / 1000, Unit.s),
    num(Concept.acquisitionDapTotal, gyM2(sum(acquired.map((e) => e.dapGyCm2))), Unit.GyM2),
    num(Concept.acquisitionRpTotal, sum(acquired.map((e) => e.doseRpGy)), Unit.Gy),
    num(Concept.acquisitionTime, sum(acquired.map((e) => e.exposureTimeMs)) / 1000, Unit.s),
    num(Concept.rpTotal, sum(events.map((e) => e.doseRpGy)), Unit.Gy),
    code(Concept.referencePoint, Value.interventionalReference),
  ];
}

/** TID 10002 Accumulated X-Ray Dose (one plane) with its TID 10004 / 10005 / 10007 rows. */
function accumulated(modality: ProjectionProcedure['modality'], events: readonly SynthProjectionEvent[]): Dataset {
  const rows: Dataset[] = [code(Concept.acquisitionPlane, Value.singlePlane, MOD)];
  if (modality === 'MG') {
    for (const [side, breast] of [
      ['left', Laterality.leftBreast],
      ['right', Laterality.rightBreast],
    ] as const) {
      const views = events.filter((e) => e.laterality === side);
      if (views.length === 0) continue;
      rows.push(
        num(Concept.accumulatedAgd, sum(views.map((e) => e.agdMgy)), Unit.mGy, 'CONTAINS', [
          code(Concept.laterality, breast, MOD),
        ]),
      );
    }
  } else {
    if (modality === 'RF') rows.push(...fluoroTotals(events));
    rows.push(num(Concept.dapTotal, gyM2(sum(events.map((e) => e.dapGyCm2))), Unit.GyM2));
  }
  rows.push(num(Concept.frames, events.filter((e) => e.eventType !== 'fluoroscopy').length, Unit.count));
  return container(Concept.accumulatedXray, rows);
}

function anatomy(e: SynthProjectionEvent): Dataset[] {
  if (!e.laterality) return [];
  const side = e.laterality === 'right' ? Laterality.right : Laterality.left;
  return [code(Concept.anatomicalStructure, e.target, 'CONTAINS', [code(Concept.laterality, side, MOD)])];
}

function sourceRows(e: SynthProjectionEvent): Dataset[] {
  const fluoro = e.eventType === 'fluoroscopy';
  return [
    ...(fluoro ? [code(Concept.fluoroMode, Value.pulsed), num(Concept.pulseRate, 7.5, Unit.pulseRate)] : []),
    ...(e.pulses === undefined ? [] : [num(Concept.pulses, e.pulses, Unit.count)]),
    num(Concept.kvp, e.kvp, Unit.kV),
    num(Concept.current, e.tubeCurrentMa, Unit.mA),
    num(Concept.exposureTimeProjection, e.exposureTimeMs, Unit.ms),
    ...(e.compressionThicknessMm === undefined
      ? []
      : [num(Concept.compression, e.compressionThicknessMm, Unit.mm), code(Concept.anode, Value.tungsten)]),
  ];
}

function projectionEvent(e: SynthProjectionEvent, dt: LocalDateTime): Dataset {
  const view = e.view ? [code(Concept.imageView, Views[e.view])] : [];
  return container(Concept.eventXray, [
    code(Concept.acquisitionPlane, Value.singlePlane, MOD),
    uidref(Concept.eventUid, e.uid),
    datetime(Concept.dateTimeStarted, dt(e.startUtcMs)),
    code(Concept.eventType, e.eventType === 'fluoroscopy' ? Value.fluoroscopy : Value.stationary),
    text(Concept.acquisitionProtocol, e.protocol),
    ...anatomy(e),
    ...view,
    code(Concept.targetRegion, e.target),
    ...optionalNum(Concept.dap, e.dapGyCm2 === undefined ? undefined : gyM2(e.dapGyCm2), Unit.GyM2),
    ...optionalNum(Concept.doseRp, e.doseRpGy, Unit.Gy),
    ...optionalNum(Concept.agd, e.agdMgy, Unit.mGy),
    ...sourceRows(e),
  ]);
}

function deviceType(modality: ProjectionProcedure['modality']): Dataset[] {
  if (modality === 'MG') return [];
  return [code(Concept.deviceType, modality === 'RF' ? Value.fluoroGuided : Value.integrated)];
}

/** PS3.16 TID 10001 Projection X-Ray Radiation Dose. */
export function projectionContent(
  exam: SynthExam,
  modality: ProjectionProcedure['modality'],
  events: readonly SynthProjectionEvent[],
  dt: LocalDateTime,
): Dataset[] {
  const procedure = modality === 'MG' ? Value.mammographyProcedure : Value.projectionProcedure;
  return [
    code(Concept.procedureReported, procedure, MOD, [code(Concept.hasIntent, Value.diagnosticIntent, MOD)]),
    ...deviceType(modality),
    ...deviceObserver(exam.room),
    ...irradiationSpan(exam, dt),
    studyScope(exam),
    accumulated(modality, events),
    ...events.map((e) => projectionEvent(e, dt)),
    code(Concept.sourceOfDose, Value.automated),
  ];
}

/**
 * TID 10022 rows 13-15: the assay before administration, with the department's dose calibrator as
 * TID 1002 device observer. dcmtk's Radiopharmaceutical Radiation Dose SR IOD rules allow observer
 * context there but not on the document root, so the room's identity travels with the assay.
 */
function assay(a: SynthAdministration, room: Room): Dataset {
  const observer = deviceObserver(room).map((item) => ({ ...item, RelationshipType: OBS }));
  return num(Nm.preActivity, a.activityMbq, Unit.MBq, 'CONTAINS', [
    code(Nm.measurementDevice, Nm.doseCalibrator, OBS),
    ...observer,
  ]);
}

function administration(a: SynthAdministration, room: Room, dt: LocalDateTime): Dataset {
  const agent: Code = a.agent;
  return container(Nm.administration, [
    code(Nm.agent, agent, 'CONTAINS', [
      code(Nm.radionuclide, Nm.technetium99m, PROP),
      num(Nm.halfLife, TC99M_HALF_LIFE_S, Unit.s, PROP),
    ]),
    uidref(Nm.eventUid, a.uid),
    datetime(Nm.start, dt(a.startUtcMs)),
    num(Nm.administeredActivity, a.activityMbq, Unit.MBq),
    assay(a, room),
    code(Nm.route, Nm.intravenous),
  ]);
}

/** PS3.16 TID 10021 Radiopharmaceutical Radiation Dose. */
export function radiopharmaceuticalContent(
  exam: SynthExam,
  administrations: readonly SynthAdministration[],
  dt: LocalDateTime,
): Dataset[] {
  return [
    code(Nm.associatedProcedure, Nm.nmProcedure, MOD, [code(Nm.hasIntent, Nm.diagnosticIntent, MOD)]),
    ...administrations.map((a) => administration(a, exam.room, dt)),
  ];
}
