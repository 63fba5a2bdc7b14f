/** Dates and times as a UK clinician reads them, in the region's time zone: "05 Dec 2026, 14:03". */
export function formatDateTime(isoUtc: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: '2-digit',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(isoUtc));
}

/** A date alone, for columns where the time of day is noise ("first seen"): "05 Dec 2026". */
export function formatDate(isoUtc: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, day: '2-digit', month: 'short', year: 'numeric' }).format(
    new Date(isoUtc),
  );
}
