import { ALL_PROCEDURES, procedureById, ROOM_KIND_MIX, type Procedure, type RoomKind } from './catalogue.ts';
import { examEvents } from './dose.ts';
import { uid, type RegionModel, type Room, type Trust } from './model.ts';
import { patientAt } from './patients.ts';
import { Random, WeightedChoice } from './random.ts';
import { DailyQuota, isWeekend, MinHeap, timeOnDay } from './schedule.ts';
import { DAY_MS, ZonedClock } from './time.ts';
import type { Scenario, SynthExam, SynthOrder } from './types.ts';
import { buildOrders, type Pending } from './orders.ts';

/**
 * The exam stream of a region: exams in start-time order, produced day by day with constant memory
 * (one day's exams, the pending planned follow-ups and a small ring of recent CT exams), so ten
 * million studies stream through without being held. Repeat imaging is scheduled as follow-ups:
 * transfers repeating a CT within days at another trust, planned oncology restaging every ~3 months,
 * and near misses (another body region within days, or the same exam outside the window).
 */
export interface ExamStream {
  readonly exams: Iterable<SynthExam>;
  /** Scheduled orders after the period; complete once `exams` has been iterated to the end. */
  orders(): readonly SynthOrder[];
}

/** Rare high-dose outliers (repeated sequence, wrong protocol): about 1 exam in 500. SYNTHETIC. */
const OUTLIER_RATE = 0.002;
/** Share of exams a patient has at a trust other than their home trust. SYNTHETIC. */
const AWAY_RATE = 0.12;
/** Frequent attenders: 20% of exams go to 4% of the population. SYNTHETIC. */
const FREQUENT_SHARE = 0.2;
const FREQUENT_FRACTION = 0.04;
const RECENT_CT_RING = 256;

interface Draft {
  readonly procedure: Procedure;
  readonly trust: Trust;
  readonly room: Room;
  readonly patientIndex: number;
  readonly startUtcMs: number;
  readonly scenario: Scenario | undefined;
  readonly remaining: number;
}

interface GenState {
  readonly model: RegionModel;
  readonly random: Random;
  readonly clock: ZonedClock;
  readonly kinds: WeightedChoice<RoomKind>;
  readonly weekendKinds: WeightedChoice<RoomKind>;
  readonly procedures: ReadonlyMap<RoomKind, WeightedChoice<Procedure>>;
  readonly trustChoice: WeightedChoice<Trust>;
  readonly pending: MinHeap<Pending>;
  readonly recentCt: SynthExam[];
}

function setUp(model: RegionModel): GenState {
  const kindsOf = (filter: (k: RoomKind) => boolean): WeightedChoice<RoomKind> =>
    new WeightedChoice((Object.keys(ROOM_KIND_MIX) as RoomKind[]).filter(filter), (k) => ROOM_KIND_MIX[k]);
  const procedures = new Map<RoomKind, WeightedChoice<Procedure>>();
  for (const kind of Object.keys(ROOM_KIND_MIX) as RoomKind[]) {
    procedures.set(
      kind,
      new WeightedChoice(
        ALL_PROCEDURES.filter((p) => p.roomKind === kind),
        (p) => p.mixWeight,
      ),
    );
  }
  return {
    model,
    random: new Random(model.options.seed, 'exams'),
    clock: new ZonedClock(model.options.timeZone),
    kinds: kindsOf(() => true),
    weekendKinds: kindsOf((k) => k === 'ct' || k === 'radiography' || k === 'interventional'),
    procedures,
    trustChoice: new WeightedChoice(model.trusts, (t) => t.weight),
    pending: new MinHeap<Pending>(),
    recentCt: [],
  };
}

function roomIn(g: GenState, trust: Trust, kind: RoomKind): Room {
  const rooms = trust.rooms.filter((r) => r.kind === kind);
  return g.random.pick(rooms.length > 0 ? rooms : g.model.rooms.filter((r) => r.kind === kind));
}

/** A patient fit for the procedure: mammography needs women (screening: aged 50-71). */
function drawPatient(g: GenState, procedure: Procedure, atLocalMs: number): number {
  const population = g.model.population;
  for (let attempt = 0; ; attempt += 1) {
    const frequent = g.random.chance(FREQUENT_SHARE);
    const index = Math.floor(g.random.next() * (frequent ? Math.max(1, population * FREQUENT_FRACTION) : population));
    if (procedure.modality !== 'MG' || attempt >= 50) return index;
    const patient = patientAt(g.model, index);
    const age = new Date(atLocalMs).getUTCFullYear() - Number(patient.birthDate.slice(0, 4));
    if (patient.sex === 'F' && (procedure.id !== 'mg-screening' || (age >= 50 && age <= 71))) return index;
  }
}

export function otherTrust(g: Pick<GenState, 'model' | 'random'>, trust: Trust): Trust {
  const trusts = g.model.trusts;
  if (trusts.length === 1) return trust;
  return trusts[(trust.index + 1 + g.random.int(0, trusts.length - 2)) % trusts.length] ?? trust;
}

function freshDraft(g: GenState, dayLocalMs: number): Draft {
  const kind = (isWeekend(dayLocalMs) ? g.weekendKinds : g.kinds).draw(g.random);
  const procedure = (g.procedures.get(kind) as WeightedChoice<Procedure>).draw(g.random);
  const local = g.clock.unambiguous(timeOnDay(g.random, dayLocalMs, kind));
  const patientIndex = drawPatient(g, procedure, local);
  const home = g.model.trusts[patientAt(g.model, patientIndex).homeTrustIndex] as Trust;
  const trust = g.random.chance(AWAY_RATE) ? g.trustChoice.draw(g.random) : home;
  const room = roomIn(g, trust, kind);
  return { procedure, trust, room, patientIndex, startUtcMs: g.clock.utcOf(local), scenario: undefined, remaining: 0 };
}

function followUpDraft(g: GenState, item: Pending, dayLocalMs: number): Draft {
  const procedure = procedureById(item.procedureId);
  const trust = g.model.trusts[item.trustIndex] as Trust;
  // A follow-up spawned late on the previous day cannot start before the day being generated.
  const local = g.clock.unambiguous(Math.max(item.dueLocalMs, dayLocalMs + g.random.int(0, 3600) * 1000));
  return {
    procedure,
    trust,
    room: roomIn(g, trust, procedure.roomKind),
    patientIndex: item.patientIndex,
    startUtcMs: g.clock.utcOf(local),
    scenario: item.scenario,
    remaining: item.remaining,
  };
}

function examFrom(g: GenState, draft: Draft, sequence: number): SynthExam {
  const change = g.model.protocolChange;
  const changed =
    draft.room.index === change.roomIndex &&
    draft.procedure.id === change.procedureId &&
    draft.startUtcMs >= change.atUtcMs;
  const outlier = g.random.chance(OUTLIER_RATE);
  const factor = (changed ? change.doseFactor : 1) * (outlier ? g.random.logNormal(3.5, 0.3) : 1);
  const patient = patientAt(g.model, draft.patientIndex);
  const events = examEvents(
    {
      model: g.model,
      room: draft.room,
      random: g.random,
      startUtcMs: draft.startUtcMs,
      factor,
      protocolSuffix: changed ? change.protocolSuffix : '',
      eventUid: (n) => uid(g.model, 3, sequence * 100 + n),
    },
    draft.procedure,
  );
  return {
    sequence,
    studyUid: uid(g.model, 2, sequence),
    accessionNumber: `${draft.trust.code}${String(sequence).padStart(9, '0')}`,
    trust: draft.trust,
    room: draft.room,
    patientIndex: draft.patientIndex,
    procedure: draft.procedure,
    startUtcMs: draft.startUtcMs,
    patientWeightKg: patient.weightKg,
    patientHeightM: patient.heightM,
    scenario: draft.scenario ?? (outlier ? 'dose-outlier' : undefined),
    events,
  };
}

function schedule(
  g: GenState,
  exam: SynthExam,
  days: [number, number],
  procedureId: string,
  trust: Trust,
  scenario: Scenario,
  remaining = 0,
): void {
  const startLocal = g.clock.localOf(exam.startUtcMs);
  // Whole seconds: DICOM TM and DT carry no milliseconds here, so neither may the model.
  const delayMs = Math.round(((days[0] + g.random.next() * (days[1] - days[0])) * DAY_MS) / 1000) * 1000;
  g.pending.push(startLocal + delayMs, {
    dueLocalMs: startLocal + delayMs,
    patientIndex: exam.patientIndex,
    procedureId,
    trustIndex: trust.index,
    scenario,
    remaining,
  });
}

/** Repeat imaging that follows from an exam (rates SYNTHETIC, of the order seen in regional audits). */
function spawnFollowUps(g: GenState, exam: SynthExam, draft: Draft): void {
  const id = exam.procedure.id;
  if (draft.scenario === 'planned-restaging' && draft.remaining > 0) {
    schedule(g, exam, [80, 100], id, exam.trust, 'planned-restaging', draft.remaining - 1);
    return;
  }
  if (draft.scenario !== undefined) return;
  const r = g.random.next();
  if (id === 'ct-head') {
    if (r < 0.04) schedule(g, exam, [0.3, 3], id, otherTrust(g, exam.trust), 'transfer-duplicate');
    else if (r < 0.06)
      schedule(g, exam, [0.5, 5], g.random.chance(0.5) ? 'ct-chest' : 'ct-cspine', exam.trust, 'near-miss-region');
    else if (r < 0.075) schedule(g, exam, [40, 150], id, otherTrust(g, exam.trust), 'near-miss-window');
  } else if ((id === 'ct-cspine' || id === 'ct-chest') && r < 0.02) {
    schedule(g, exam, [0.3, 3], id, otherTrust(g, exam.trust), 'transfer-duplicate');
  } else if (id === 'ct-cap' && r < 0.3) {
    schedule(g, exam, [80, 100], id, exam.trust, 'planned-restaging', g.random.int(1, 4));
  }
}

function dayDrafts(g: GenState, day: number, quota: number): Draft[] {
  const dayLocalMs = g.model.startLocalMs + day * DAY_MS;
  const drafts: Draft[] = [];
  while ((g.pending.peekKey() ?? Infinity) < dayLocalMs + DAY_MS) {
    drafts.push(followUpDraft(g, g.pending.pop() as Pending, dayLocalMs));
  }
  for (let i = drafts.length; i < quota; i += 1) drafts.push(freshDraft(g, dayLocalMs));
  // Stable sort: equal start times keep creation order, so the stream is reproducible.
  return drafts.sort((a, b) => a.startUtcMs - b.startUtcMs);
}

function* streamExams(g: GenState, done: (orders: SynthOrder[]) => void): Generator<SynthExam> {
  const { model } = g;
  const quota = new DailyQuota(model.options.exams, model.startLocalMs, model.days);
  let sequence = 0;
  let lastLocalMs = model.startLocalMs;
  for (let day = 0; day < model.days && sequence < model.options.exams; day += 1) {
    for (const draft of dayDrafts(g, day, quota.of(day))) {
      if (sequence >= model.options.exams) break;
      const exam = examFrom(g, draft, sequence);
      sequence += 1;
      lastLocalMs = g.clock.localOf(exam.startUtcMs);
      spawnFollowUps(g, exam, draft);
      if (exam.procedure.modality === 'CT') {
        g.recentCt.push(exam);
        if (g.recentCt.length > RECENT_CT_RING) g.recentCt.shift();
      }
      yield exam;
    }
  }
  done(buildOrders({ ...g, otherTrust: (t) => otherTrust(g, t), freshDraft: (d) => freshDraft(g, d) }, lastLocalMs));
}

export function createExamStream(model: RegionModel): ExamStream {
  let orders: SynthOrder[] | undefined;
  return {
    exams: {
      [Symbol.iterator]: () => streamExams(setUp(model), (result) => (orders = result)),
    },
    orders: () => {
      if (!orders) throw new Error('orders are known only after the exam stream has been read to its end');
      return orders;
    },
  };
}
