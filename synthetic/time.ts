/**
 * Wall-clock time of the region's modalities. DICOM dates and times are local and carry no zone, and
 * ingest reads them in KERMA_TIMEZONE; the generator keeps instants in UTC milliseconds and converts
 * with the same zone, so a directly loaded study has the instant ingest would have stored.
 */
const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export class ZonedClock {
  private readonly format: Intl.DateTimeFormat;
  /** Offset (local minus UTC) per UTC hour: zone rules change on the hour, and Intl is slow. */
  private readonly offsets = new Map<number, number>();

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  /** Local wall-clock time minus UTC, in ms, at a UTC instant. */
  offsetAt(utcMs: number): number {
    const hour = Math.floor(utcMs / HOUR_MS);
    const cached = this.offsets.get(hour);
    if (cached !== undefined) return cached;
    const parts = Object.fromEntries(this.format.formatToParts(hour * HOUR_MS).map((p) => [p.type, p.value]));
    const wall = Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour),
      Number(parts.minute),
      Number(parts.second),
    );
    const offset = wall - hour * HOUR_MS;
    this.offsets.set(hour, offset);
    return offset;
  }

  /** Local wall-clock milliseconds (as if UTC) of a UTC instant. */
  localOf(utcMs: number): number {
    return utcMs + this.offsetAt(utcMs);
  }

  /**
   * The UTC instant of a local wall-clock time. The generator never places exams in the hour a
   * clock change skips or repeats (see exams.ts), so the answer is the one PostgreSQL gives too.
   */
  utcOf(localMs: number): number {
    const guess = localMs - this.offsetAt(localMs);
    return localMs - this.offsetAt(guess);
  }

  /**
   * The local time, moved one hour on when it falls in the hour a clock change skips or repeats:
   * there PostgreSQL and this clock could read the same wall-clock time as different instants.
   */
  unambiguous(localMs: number): number {
    const before = localMs - this.offsetAt(localMs - 12 * HOUR_MS);
    const after = localMs - this.offsetAt(localMs + 12 * HOUR_MS);
    if (before === after) return localMs;
    const fits = (utc: number): boolean => this.localOf(utc) === localMs;
    return fits(before) !== fits(after) ? localMs : this.unambiguous(localMs + HOUR_MS);
  }
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** DA (YYYYMMDD) of a local wall-clock time. */
export function dicomDate(localMs: number): string {
  const d = new Date(localMs);
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}`;
}

/** TM (HHMMSS) of a local wall-clock time. */
export function dicomTime(localMs: number): string {
  const d = new Date(localMs);
  return `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
}

/** DT (YYYYMMDDHHMMSS) of a local wall-clock time, without offset, as most modalities send it. */
export function dicomDateTime(localMs: number): string {
  return dicomDate(localMs) + dicomTime(localMs);
}

/** Midnight UTC of an ISO date (YYYY-MM-DD), validated. */
export function parseIsoDate(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) {
    throw new Error(`not a date (YYYY-MM-DD): ${text}`);
  }
  return ms;
}
