import { procedureById, type Procedure } from './catalogue.ts';
import type { RegionModel, Trust } from './model.ts';
import type { Random } from './random.ts';
import type { MinHeap } from './schedule.ts';
import { DAY_MS, type ZonedClock } from './time.ts';
import type { Scenario, SynthExam, SynthOrder } from './types.ts';

/**
 * Orders for the pre-scan duplicate check: exams requested but not yet performed when the period
 * ends. Three kinds, so a check has both cases to tell apart: planned follow-ups still pending
 * (restaging, booked transfers), requests that repeat a CT the patient had days before at any trust
 * (the duplicates to warn about), and routine requests (no warning expected).
 */
export interface Pending {
  readonly dueLocalMs: number;
  readonly patientIndex: number;
  readonly procedureId: string;
  readonly trustIndex: number;
  readonly scenario: Scenario;
  readonly remaining: number;
}

export interface OrderContext {
  readonly model: RegionModel;
  readonly random: Random;
  readonly clock: ZonedClock;
  readonly pending: MinHeap<Pending>;
  readonly recentCt: readonly SynthExam[];
  otherTrust(trust: Trust): Trust;
  freshDraft(dayLocalMs: number): { procedure: Procedure; trust: Trust; patientIndex: number };
}

/** Follow-ups due within this horizon after the period are already booked. */
const BOOKED_HORIZON_DAYS = 180;
/** Routine requests: 0.4% of the period's exams, booked over the next four weeks. SYNTHETIC. */
const ROUTINE_RATE = 0.004;
/** Repeat requests of a recent CT: 0.1% of the period's exams. SYNTHETIC. */
const REPEAT_RATE = 0.001;
/** Share of routine orders cancelled before being performed. SYNTHETIC. */
const CANCEL_RATE = 0.05;

function order(
  ctx: OrderContext,
  sequence: number,
  fields: Pick<SynthOrder, 'trust' | 'patientIndex' | 'procedure' | 'reason'> & { scheduledLocalMs: number },
  status: SynthOrder['status'] = 'scheduled',
): SynthOrder {
  const local = ctx.clock.unambiguous(fields.scheduledLocalMs);
  return {
    sequence,
    trust: fields.trust,
    patientIndex: fields.patientIndex,
    procedure: fields.procedure,
    placerOrderNumber: `${fields.trust.code}P${String(sequence).padStart(8, '0')}`,
    fillerOrderNumber: `${fields.trust.code}F${String(sequence).padStart(8, '0')}`,
    scheduledUtcMs: ctx.clock.utcOf(local),
    status,
    reason: fields.reason,
  };
}

function bookedFollowUps(ctx: OrderContext, endLocalMs: number, orders: SynthOrder[]): void {
  while ((ctx.pending.peekKey() ?? Infinity) < endLocalMs + BOOKED_HORIZON_DAYS * DAY_MS) {
    const item = ctx.pending.pop() as Pending;
    const fields = {
      trust: ctx.model.trusts[item.trustIndex] as Trust,
      patientIndex: item.patientIndex,
      procedure: procedureById(item.procedureId),
      reason: 'follow-up' as const,
      scheduledLocalMs: Math.max(item.dueLocalMs, endLocalMs + 3_600_000),
    };
    orders.push(order(ctx, orders.length, fields));
  }
}

function repeatRequests(ctx: OrderContext, endLocalMs: number, orders: SynthOrder[]): void {
  const count = ctx.recentCt.length === 0 ? 0 : Math.max(1, Math.ceil(ctx.model.options.exams * REPEAT_RATE));
  for (let i = 0; i < count; i += 1) {
    const prior = ctx.random.pick(ctx.recentCt);
    const fields = {
      trust: ctx.random.chance(0.7) ? ctx.otherTrust(prior.trust) : prior.trust,
      patientIndex: prior.patientIndex,
      procedure: prior.procedure,
      reason: 'recent-duplicate' as const,
      scheduledLocalMs: endLocalMs + Math.round((0.2 + ctx.random.next() * 2.8) * 86_400) * 1000,
    };
    orders.push(order(ctx, orders.length, fields));
  }
}

function routineRequests(ctx: OrderContext, endLocalMs: number, orders: SynthOrder[]): void {
  const count = Math.max(2, Math.ceil(ctx.model.options.exams * ROUTINE_RATE));
  for (let i = 0; i < count; i += 1) {
    const day = endLocalMs - (endLocalMs % DAY_MS) + ctx.random.int(1, 28) * DAY_MS;
    const { trust, patientIndex, procedure } = ctx.freshDraft(day);
    const scheduledLocalMs = day + ctx.random.int(8, 17) * 3_600_000;
    const status = ctx.random.chance(CANCEL_RATE) ? 'cancelled' : 'scheduled';
    orders.push(
      order(ctx, orders.length, { trust, patientIndex, procedure, reason: 'routine', scheduledLocalMs }, status),
    );
  }
}

export function buildOrders(ctx: OrderContext, endLocalMs: number): SynthOrder[] {
  const orders: SynthOrder[] = [];
  bookedFollowUps(ctx, endLocalMs, orders);
  repeatRequests(ctx, endLocalMs, orders);
  routineRequests(ctx, endLocalMs, orders);
  return orders;
}
