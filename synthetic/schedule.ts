import type { RoomKind } from './catalogue.ts';
import type { Random } from './random.ts';
import { DAY_MS } from './time.ts';

/**
 * When exams happen: how many on each day of the period, and at what time of day per room kind.
 * SYNTHETIC activity pattern: weekdays full, Saturdays about 45%, Sundays about 35%, with only the
 * emergency-capable rooms (CT, radiography, interventional) working at weekends and at night.
 */
const WEEKDAY_WEIGHT = [0.35, 1, 1, 1, 1, 1, 0.45] as const;
const MINUTE_MS = 60_000;

export function isWeekend(localDayMs: number): boolean {
  const weekday = new Date(localDayMs).getUTCDay();
  return weekday === 0 || weekday === 6;
}

/**
 * Exact integer quotas per day that sum to `total`: day d gets floor(total × W(≤d) / W) minus the
 * same for d - 1, so rounding never accumulates and the period holds exactly `total` exams.
 */
export class DailyQuota {
  private readonly cumulative: Float64Array;

  constructor(
    private readonly total: number,
    startLocalMs: number,
    days: number,
  ) {
    this.cumulative = new Float64Array(days);
    let sum = 0;
    for (let d = 0; d < days; d += 1) {
      sum += WEEKDAY_WEIGHT[new Date(startLocalMs + d * DAY_MS).getUTCDay()] ?? 1;
      this.cumulative[d] = sum;
    }
  }

  of(day: number): number {
    const all = this.cumulative[this.cumulative.length - 1] ?? 1;
    const upTo = (d: number): number => (d < 0 ? 0 : Math.floor((this.total * (this.cumulative[d] ?? all)) / all));
    return upTo(day) - upTo(day - 1);
  }
}

/** Minutes after local midnight at which an exam in a room of this kind starts. */
export function minuteOfDay(random: Random, kind: RoomKind): number {
  const nightShare = kind === 'ct' || kind === 'radiography' ? 0.18 : kind === 'interventional' ? 0.1 : 0;
  if (random.chance(nightShare)) {
    // 18:00-08:00, wrapping midnight.
    const minute = 1080 + Math.floor(random.next() * 840);
    return minute % 1440;
  }
  // Elective lists run 08:30-17:00; acute rooms 08:00-18:00.
  return nightShare > 0 ? 480 + Math.floor(random.next() * 600) : 510 + Math.floor(random.next() * 510);
}

/** A local wall-clock time on the given local day, with seconds. */
export function timeOnDay(random: Random, localDayMs: number, kind: RoomKind): number {
  return localDayMs + minuteOfDay(random, kind) * MINUTE_MS + random.int(0, 59) * 1000;
}

/** Binary min-heap on a numeric key; ties leave in insertion order, so runs are reproducible. */
export class MinHeap<T> {
  private readonly items: Array<{ key: number; order: number; value: T }> = [];
  private counter = 0;

  get size(): number {
    return this.items.length;
  }

  push(key: number, value: T): void {
    this.items.push({ key, order: this.counter++, value });
    let i = this.items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  peekKey(): number | undefined {
    return this.items[0]?.key;
  }

  pop(): T | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (!top || !last) return undefined;
    if (this.items.length > 0) {
      this.items[0] = last;
      this.sink(0);
    }
    return top.value;
  }

  private sink(start: number): void {
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.items.length && this.less(left, smallest)) smallest = left;
      if (right < this.items.length && this.less(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private less(a: number, b: number): boolean {
    const x = this.items[a];
    const y = this.items[b];
    if (!x || !y) return false;
    return x.key < y.key || (x.key === y.key && x.order < y.order);
  }

  private swap(a: number, b: number): void {
    const x = this.items[a];
    const y = this.items[b];
    if (!x || !y) return;
    this.items[a] = y;
    this.items[b] = x;
  }
}
