import type { CtProcedure, NmProcedure, ProjectionProcedure, ProjectionView } from './catalogue.ts';
import { Anatomy } from './codes.ts';
import type { RegionModel, Room } from './model.ts';
import type { Random } from './random.ts';
import type { SynthAdministration, SynthCtEvent, SynthEvent, SynthProjectionEvent } from './types.ts';

/**
 * Irradiation events of one exam, drawn per room and protocol from log-normal distributions around
 * the procedure's median (catalogue.ts; CT medians from the NDRLs via model.ts), scaled by the
 * room's factor and by the exam's own factor (protocol change, rare outlier).
 */
export interface DoseContext {
  readonly model: RegionModel;
  readonly room: Room;
  readonly random: Random;
  readonly startUtcMs: number;
  /** Exam-level multiplier: protocol change, rare high-dose outlier. */
  readonly factor: number;
  readonly protocolSuffix: string;
  /** UID of the n-th event of this exam. */
  readonly eventUid: (n: number) => string;
}

const round = (value: number, digits: number): number => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

/** Significant-figure rounding: DS values stay short (16 characters) and exact in any unit. */
export const significant = (value: number, figures = 4): number => Number(value.toPrecision(figures));

/** Splits a total into n parts with some spread, summing to the total. */
function split(random: Random, total: number, n: number, spread = 0.6): number[] {
  const weights = Array.from({ length: n }, () => 1 - spread / 2 + spread * random.next());
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => (total * w) / sum);
}

function ctLocaliser(ctx: DoseContext, p: CtProcedure, n: number): SynthCtEvent {
  const lengthCm = p.sequences.reduce((max, s) => Math.max(max, s.lengthCm), 0) * 1.25 + 5;
  const ctdiVolMgy = round(ctx.random.clippedNormal(0.15, 0.04, 0.05, 0.4), 2);
  return {
    kind: 'ct',
    uid: ctx.eventUid(n),
    startUtcMs: ctx.startUtcMs,
    protocol: 'Topogram',
    acquisition: 'localiser',
    target: p.sequences[0]?.target ?? Anatomy.entireBody,
    ctdiVolMgy,
    dlpMgyCm: round(ctdiVolMgy * lengthCm, 2),
    scanningLengthMm: round(lengthCm * 10, 1),
    kvp: 120,
    tubeCurrentMa: 35,
    exposureTimeS: round(lengthCm / 10, 2),
    pitchFactor: 0,
    headPhantom: p.headPhantom,
  };
}

/** PS3.16 TID 10013 acquisitions of one CT exam: a localiser, then the protocol's sequences. */
export function ctEvents(ctx: DoseContext, p: CtProcedure): SynthCtEvent[] {
  const { random } = ctx;
  const median = (ctx.model.ctMedianDlpMgyCm.get(p.id) ?? 0) * ctx.room.doseFactor * ctx.factor;
  const examDlp = random.logNormal(median, p.sigmaLog);
  const localiser = ctLocaliser(ctx, p, 0);
  const remaining = Math.max(examDlp - localiser.dlpMgyCm, examDlp * 0.9);
  const shares = p.sequences.map((s) => s.share * (1 + 0.15 * random.normal()));
  const shareSum = shares.reduce((a, b) => a + Math.max(0.05, b), 0);
  let clockS = 30;
  const events: SynthCtEvent[] = [localiser];
  p.sequences.forEach((s, i) => {
    const lengthCm = s.lengthCm * random.clippedNormal(1, 0.08, 0.7, 1.3);
    const dlpMgyCm = round((remaining * Math.max(0.05, shares[i] ?? 0)) / shareSum, 2);
    const ctdiVolMgy = round(dlpMgyCm / lengthCm, 2);
    const pitchFactor = s.type === 'sequenced' ? 1 : round(random.clippedNormal(0.95, 0.15, 0.5, 1.5), 3);
    const rotationS = p.headPhantom ? 1 : 0.5;
    const exposureTimeS = round(((lengthCm * 10) / (pitchFactor * 40)) * rotationS, 2);
    clockS += random.int(20, 240);
    events.push({
      kind: 'ct',
      uid: ctx.eventUid(i + 1),
      startUtcMs: ctx.startUtcMs + clockS * 1000,
      protocol: `${s.label}${ctx.protocolSuffix}`,
      acquisition: s.type,
      target: s.target,
      ctdiVolMgy,
      dlpMgyCm,
      scanningLengthMm: round(lengthCm * 10, 1),
      kvp: p.kvp,
      // Tube current loosely follows CTDIvol (a 32 cm body phantom needs far more mAs than the 16 cm head one).
      tubeCurrentMa: Math.round(Math.min(800, Math.max(20, ctdiVolMgy * (p.headPhantom ? 5 : 22)))),
      exposureTimeS,
      pitchFactor,
      headPhantom: p.headPhantom,
    });
  });
  return events;
}

/** The catalogue's SYNTHETIC median unless the options override it. */
function syntheticMedian(ctx: DoseContext, p: ProjectionProcedure): number {
  return ctx.model.options.syntheticMedians[p.id] ?? p.median;
}

/** Which views an exam takes: limbs on one side drawn per exam; symptomatic mammograms sometimes one breast. */
function viewsOf(random: Random, p: ProjectionProcedure): readonly ProjectionView[] {
  if (p.id === 'mg-symptomatic' && random.chance(0.5)) {
    const side = random.chance(0.5) ? 'right' : 'left';
    return p.views.filter((v) => v.laterality === side);
  }
  if (p.modality !== 'DX' || !p.views.some((v) => v.laterality)) return p.views;
  const side = random.chance(0.5) ? 'right' : 'left';
  return p.views.map((v) => ({ ...v, laterality: side }));
}

function radiographEvent(
  ctx: DoseContext,
  p: ProjectionProcedure,
  v: ProjectionView,
  n: number,
  dap: number,
): SynthProjectionEvent {
  const mammo = p.modality === 'MG';
  const thicknessMm = mammo ? Math.round(ctx.random.clippedNormal(60, 12, 20, 110)) : undefined;
  // Thicker breasts need more exposure: about +1.5% AGD per mm about a 60 mm reference.
  const agdMgy = thicknessMm === undefined ? undefined : significant(dap * Math.exp(0.015 * (thicknessMm - 60)));
  return {
    kind: 'projection',
    uid: ctx.eventUid(n),
    startUtcMs: ctx.startUtcMs + n * ctx.random.int(40, 120) * 1000,
    protocol: `${v.label}${ctx.protocolSuffix}`,
    eventType: 'stationary',
    target: v.target,
    laterality: v.laterality,
    view: v.view,
    dapGyCm2: mammo ? undefined : significant(dap),
    doseRpGy: undefined,
    agdMgy,
    compressionThicknessMm: thicknessMm,
    kvp: p.kvp + ctx.random.int(-2, 2),
    tubeCurrentMa: mammo ? 100 : ctx.random.int(200, 500),
    exposureTimeMs: mammo ? ctx.random.int(600, 1800) : ctx.random.int(5, 60),
    pulses: undefined,
  };
}

/** Radiography (one event per view) and mammography (one per view, AGD instead of DAP). */
export function radiographyEvents(ctx: DoseContext, p: ProjectionProcedure): SynthProjectionEvent[] {
  const views = viewsOf(ctx.random, p);
  const median = syntheticMedian(ctx, p) * ctx.room.doseFactor * ctx.factor;
  if (p.modality === 'MG')
    return views.map((v, i) => radiographEvent(ctx, p, v, i, ctx.random.logNormal(median, p.sigmaLog)));
  const parts = split(ctx.random, ctx.random.logNormal(median, p.sigmaLog), views.length, 0.4);
  return views.map((v, i) => radiographEvent(ctx, p, v, i, parts[i] ?? 0));
}

/** Fluoroscopy and interventional runs: pulsed fluoro runs and stationary acquisitions, interleaved. */
export function fluoroEvents(ctx: DoseContext, p: ProjectionProcedure): SynthProjectionEvent[] {
  const { random } = ctx;
  const plan = p.fluoro ?? { runs: [1, 1] as const, acquisitions: [1, 1] as const, timeS: 60 };
  const runs = random.int(plan.runs[0], plan.runs[1]);
  const acquisitions = random.int(plan.acquisitions[0], plan.acquisitions[1]);
  const totalDap = random.logNormal(syntheticMedian(ctx, p) * ctx.room.doseFactor * ctx.factor, p.sigmaLog);
  const fluoroShare = random.clippedNormal(0.45, 0.1, 0.2, 0.8);
  const doses = [
    ...split(random, totalDap * fluoroShare, runs),
    ...split(random, totalDap * (1 - fluoroShare), acquisitions),
  ];
  const fluoroTimes = split(random, random.logNormal(plan.timeS, 0.5), runs, 1.2);
  // Air kerma at the reference point per unit DAP: about 10-20 mGy per Gy·cm² for these field sizes.
  const kermaPerDap = random.clippedNormal(0.015, 0.003, 0.008, 0.025);
  let clockS = 0;
  return doses.map((dap, n) => {
    const fluoro = n < runs;
    const durationS = fluoro ? (fluoroTimes[n] ?? 10) : random.int(3, 12);
    clockS += random.int(15, 120) + Math.round(durationS);
    const pulseRate = fluoro ? 7.5 : 15;
    return {
      kind: 'projection',
      uid: ctx.eventUid(n),
      startUtcMs: ctx.startUtcMs + clockS * 1000,
      protocol: `${fluoro ? 'Fluoro' : 'Acquisition'} ${p.views[0]?.label ?? ''}${ctx.protocolSuffix}`,
      eventType: fluoro ? 'fluoroscopy' : 'stationary',
      target: p.views[0]?.target ?? Anatomy.entireBody,
      laterality: undefined,
      view: undefined,
      dapGyCm2: significant(dap),
      doseRpGy: significant(dap * kermaPerDap),
      agdMgy: undefined,
      compressionThicknessMm: undefined,
      kvp: p.kvp + random.int(-5, 15),
      tubeCurrentMa: random.int(fluoro ? 8 : 200, fluoro ? 40 : 700),
      exposureTimeMs: Math.round(durationS * 1000),
      pulses: Math.max(1, Math.round(durationS * pulseRate)),
    };
  });
}

/** TID 10022 administrations: one per activity of the procedure (two for a one-day MPI). */
export function nmAdministrations(ctx: DoseContext, p: NmProcedure): SynthAdministration[] {
  let clockMs = 0;
  return p.medianMbq.map((mbq, n) => {
    if (n > 0) clockMs += ctx.random.int(60, 180) * 60_000;
    return {
      kind: 'nm',
      uid: ctx.eventUid(n),
      startUtcMs: ctx.startUtcMs + clockMs,
      agent: p.agent,
      activityMbq: round(ctx.random.logNormal(mbq * ctx.room.doseFactor * ctx.factor, p.sigmaLog), 1),
    };
  });
}

export function examEvents(ctx: DoseContext, procedure: CtProcedure | ProjectionProcedure | NmProcedure): SynthEvent[] {
  switch (procedure.modality) {
    case 'CT':
      return ctEvents(ctx, procedure);
    case 'NM':
      return nmAdministrations(ctx, procedure);
    case 'RF':
      return fluoroEvents(ctx, procedure);
    case 'DX':
    case 'MG':
      return radiographyEvents(ctx, procedure);
  }
}
