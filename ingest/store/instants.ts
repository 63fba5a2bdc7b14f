/**
 * Device-local DICOM times turned into instants (docs/adr/0005-times-and-event-identity.md). DA, TM
 * and unsuffixed DT values are local; the object may state its offset (a DT suffix, or Timezone Offset
 * From UTC (0008,0201)); otherwise the sending trust's zone applies, and without one the deployment's
 * (KERMA_TIMEZONE). The instant is computed here, once, as ISO text with an explicit offset, so the
 * row written and the partition made for it can never disagree about its month.
 */
export type TimeBasis = 'object-offset' | 'trust-zone' | 'default-zone';

/** How one object's local times are read: by a fixed offset (`±HH:MM`) or an IANA zone. */
export interface TimeFrame {
  readonly basis: TimeBasis;
  /** `±HH:MM` for 'object-offset', an IANA name otherwise. */
  readonly zone: string;
}

export interface ZoneSettings {
  /** The sending trust's IANA zone, when its entry in the trusts file names one. */
  readonly trustZone: string | undefined;
  /** KERMA_TIMEZONE. */
  readonly defaultZone: string;
}

/** The frame of an object: its own offset when it has one, else the trust's zone, else the default. */
export function timeFrame(objectOffset: string | undefined, zones: ZoneSettings): TimeFrame {
  if (objectOffset) return { basis: 'object-offset', zone: objectOffset };
  if (zones.trustZone) return { basis: 'trust-zone', zone: zones.trustZone };
  return { basis: 'default-zone', zone: zones.defaultZone };
}

const formats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(zone, format);
  }
  return format;
}

/** The zone's offset (local minus UTC) in minutes at a UTC instant, asked of Intl (about 5 µs). */
function offsetMinutesFromIntl(zone: string, utcMs: number): number {
  const seconds = Math.floor(utcMs / 1000) * 1000;
  const p = Object.fromEntries(
    zoneFormat(zone)
      .formatToParts(seconds)
      .map((part) => [part.type, part.value]),
  );
  const wall = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
  return Math.round((wall - seconds) / 60_000);
}

const HOUR_MS = 3_600_000;

/**
 * The offset of each UTC hour of a zone, or null for an hour in which it changes. Every instant is
 * read three or four times through Intl otherwise, which made instants the largest cost of a bulk
 * load (about 60 µs of each synthetic exam). Not keyed by the hour alone: some zones change off the
 * UTC hour (Australia/Adelaide at 16:30 UTC), so an hour that starts and ends on different offsets
 * is asked about instant by instant. Two changes within one hour would be missed; no zone has them.
 */
const hourOffsets = new Map<string, Map<number, number | null>>();
/** Bounds the cache: hostile objects with dates spread over centuries must not grow it without end. */
const MAX_CACHED_HOURS = 100_000;

function offsetMinutesAt(zone: string, utcMs: number): number {
  let hours = hourOffsets.get(zone);
  if (!hours) hourOffsets.set(zone, (hours = new Map<number, number | null>()));
  const hour = Math.floor(utcMs / HOUR_MS);
  let offset = hours.get(hour);
  if (offset === undefined) {
    const first = offsetMinutesFromIntl(zone, hour * HOUR_MS);
    const last = offsetMinutesFromIntl(zone, (hour + 1) * HOUR_MS - 1000);
    offset = first === last ? first : null;
    if (hours.size >= MAX_CACHED_HOURS) hours.clear();
    hours.set(hour, offset);
  }
  return offset ?? offsetMinutesFromIntl(zone, utcMs);
}

/**
 * The zone's offset, in minutes, for a local wall-clock time (given as if it were UTC). A repeated
 * hour (clocks going back) takes the later instant and a skipped hour (clocks going forward) the
 * offset before the change, as PostgreSQL's `AT TIME ZONE` does, which stored these times before.
 */
function offsetMinutesOfLocal(zone: string, wallMs: number): number {
  const before = offsetMinutesAt(zone, wallMs - 12 * HOUR_MS);
  const after = offsetMinutesAt(zone, wallMs + 12 * HOUR_MS);
  const valid = (offset: number): boolean => offsetMinutesAt(zone, wallMs - offset * 60_000) === offset;
  if (valid(after)) return after;
  if (valid(before)) return before;
  return before;
}

const pad = (n: number): string => String(n).padStart(2, '0');

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const LOCAL_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?$/;

/**
 * A local ISO datetime (`YYYY-MM-DDTHH:MM:SS[.ffffff]`, as the extractors produce) read in a frame:
 * the same text with its offset appended, e.g. `2024-07-01T00:30:00+01:00`. Microseconds are kept.
 */
export function instantOf(localIso: string, frame: TimeFrame): string {
  const m = LOCAL_ISO.exec(localIso);
  if (!m) throw new Error(`not a local ISO datetime: ${JSON.stringify(localIso)}`);
  if (frame.basis === 'object-offset') return `${localIso}${frame.zone}`;
  const wallMs = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return `${localIso}${offsetText(offsetMinutesOfLocal(frame.zone, wallMs))}`;
}

/** The UTC month (`YYYY-MM`) of an instant from `instantOf`: the month partition its row lands in. */
export function utcMonth(instant: string): string {
  const ms = Date.parse(instant.replace(/(\.\d{3})\d+/, '$1'));
  if (Number.isNaN(ms)) throw new Error(`not an instant: ${JSON.stringify(instant)}`);
  return new Date(ms).toISOString().slice(0, 7);
}
