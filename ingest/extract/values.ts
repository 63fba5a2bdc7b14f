/**
 * DICOM value formats (PS3.5 §6.2: DA, TM, DT, AS, PN) turned into ISO text and numbers. Invalid
 * values become undefined: a bad date must not fail the whole dose report.
 */

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/** DA `YYYYMMDD` (or the retired `YYYY.MM.DD`) → `YYYY-MM-DD`. */
export function formatDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const match = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(value.trim());
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return validDate(y, m, d) ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}

function fraction(digits: string | undefined): string {
  if (!digits) return '';
  const micros = Number(digits.slice(0, 6).padEnd(6, '0'));
  return micros === 0 ? '' : `.${pad(micros, 6)}`;
}

/** TM `HHMMSS.FFFFFF` (parts optional, retired `HH:MM:SS` accepted) → `HH:MM:SS[.ffffff]`. */
export function formatTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const match = /^(\d{2}):?(\d{2})?:?(\d{2})?(?:\.(\d{1,6}))?$/.exec(value.trim());
  if (!match) return undefined;
  const [h, m, s] = [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
  if (h > 23 || m > 59 || s > 60) return undefined;
  return `${pad(h)}:${pad(m)}:${pad(Math.min(s, 59))}${fraction(match[4])}`;
}

/**
 * DT `YYYYMMDDHHMMSS.FFFFFF&ZZXX` → ISO `YYYY-MM-DDTHH:MM:SS[.ffffff]` in the device's local time.
 * The offset is kept apart (`dateTimeUtcOffset`): reports compare local times, and the offset only
 * decides the instant stored. Date-only values give midnight.
 */
export function formatDateTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const withoutZone = value.trim().split(/[+-]/)[0] ?? '';
  const match = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})(?:\.(\d{1,6}))?)?$/.exec(withoutZone);
  if (!match) return undefined;
  const [y, mo, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (!validDate(y, mo, d)) return undefined;
  const [h, mi, s] = [Number(match[4] ?? 0), Number(match[5] ?? 0), Number(match[6] ?? 0)];
  if (h > 23 || mi > 59 || s > 59) return undefined;
  return `${match[1]}-${match[2]}-${match[3]}T${pad(h)}:${pad(mi)}:${pad(s)}${fraction(match[7])}`;
}

/**
 * A UTC offset `&ZZXX` (PS3.5 §6.2: the DT suffix, and the value of Timezone Offset From UTC
 * (0008,0201)) → `±HH:MM`, or undefined when absent or invalid (offsets run from -12:00 to +14:00).
 */
export function formatUtcOffset(value: string | undefined): string | undefined {
  const match = /^([+-])(\d{2})(\d{2})$/.exec(value?.trim() ?? '');
  if (!match) return undefined;
  const [h, m] = [Number(match[2]), Number(match[3])];
  const minutes = (h * 60 + m) * (match[1] === '-' ? -1 : 1);
  if (m > 59 || minutes < -12 * 60 || minutes > 14 * 60) return undefined;
  return `${match[1]}${match[2]}:${match[3]}`;
}

/** The offset suffix of a DT value (`…&ZZXX`) as `±HH:MM`, or undefined when it has none. */
export function dateTimeUtcOffset(value: string | undefined): string | undefined {
  const suffix = /[+-]\d{4}$/.exec(value?.trim() ?? '');
  return suffix ? formatUtcOffset(suffix[0]) : undefined;
}

/** A DT's offset as the `dateTimeStartedUtcOffset` of an event, a field only when present. */
export function dateTimeStartedOffset(value: string | undefined): { dateTimeStartedUtcOffset?: string } {
  const offset = dateTimeUtcOffset(value);
  return offset ? { dateTimeStartedUtcOffset: offset } : {};
}

/** Combines a DA and a TM into the ISO datetime `formatDateTime` produces. */
export function combineDateTime(date: string | undefined, time: string | undefined): string | undefined {
  const isoDate = formatDate(date);
  if (!isoDate) return undefined;
  return `${isoDate}T${formatTime(time) ?? '00:00:00'}`;
}

/** AS `nnnD|W|M|Y` → decimal years. */
export function ageStringToYears(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const match = /^(\d+)\s*([DWMY])?$/i.exec(value.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  switch ((match[2] ?? 'Y').toUpperCase()) {
    case 'D':
      return n / 365.25;
    case 'W':
      return (n * 7) / 365.25;
    case 'M':
      return n / 12;
    default:
      return n;
  }
}

/** Rounds to one decimal place, ties to even (as Decimal.quantize does), so ages agree with peers. */
export function roundTenthHalfEven(value: number): number {
  const scaled = value * 10;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  const epsilon = 1e-9;
  let rounded: number;
  if (Math.abs(diff - 0.5) < epsilon) rounded = floor % 2 === 0 ? floor : floor + 1;
  else rounded = Math.round(scaled);
  return rounded / 10;
}

/** Age at the study in decimal years (to 0.1): from birth and study dates, else from the AS string. */
export function patientAgeYears(
  birthDate: string | undefined,
  studyDate: string | undefined,
  ageString: string | undefined,
): number | undefined {
  let years: number | undefined;
  if (birthDate && studyDate) {
    const days = (Date.parse(`${studyDate}T00:00:00Z`) - Date.parse(`${birthDate}T00:00:00Z`)) / 86_400_000;
    years = days / 365.25;
  } else {
    years = ageStringToYears(ageString);
  }
  if (years === undefined || !Number.isFinite(years)) return undefined;
  return years === 0 ? 0 : roundTenthHalfEven(years);
}

/**
 * Person names as one string: a single name verbatim (all component groups kept); several names
 * each reduced to their alphabetic group without trailing empty components, joined with " | ".
 */
export function joinPersonNames(values: readonly string[]): string | undefined {
  const names = values.filter((v) => v !== '');
  if (names.length === 0) return undefined;
  if (names.length === 1) return names[0];
  return names.map((name) => (name.split('=')[0] ?? '').replace(/\^+$/, '')).join(' | ');
}
