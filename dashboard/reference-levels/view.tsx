import {
  KIND_LABELS,
  QUANTITIES,
  VERIFY_AGAINST_PRIMARY,
  type Quantity,
  type ReferenceSetSummary,
  type ReferenceStatus,
} from '../../reference-levels/index.ts';
import { formatDate, formatDateTime } from '../format.ts';
import { PAGES } from '../pages.ts';

// Pieces both reference-level pages show the same way.

export const setPath = (referenceSetId: number): string =>
  PAGES.referenceSet.path.replace(':referenceSetId', String(referenceSetId));

/** A publication day (no time of day, no time zone): "20 Nov 2024". */
export const day = (date: string | null): string => (date ? formatDate(`${date}T00:00:00Z`, 'UTC') : '—');

export const kindLabel = (set: Pick<ReferenceSetSummary, 'kind'>): string => KIND_LABELS[set.kind] ?? set.kind;

export function quantityLabel(quantity: Quantity): string {
  const spec = QUANTITIES[quantity];
  return spec.unit ? `${spec.label} (${spec.unit})` : spec.label;
}

/** A figure with its unit, as read aloud: "790 mGy·cm"; a pure number stays bare. */
export function withUnit(value: number, quantity: Quantity): string {
  const unit = QUANTITIES[quantity].unit;
  const number = value.toLocaleString('en-GB', { maximumSignificantDigits: 10 });
  if (!unit) return number;
  return unit === '×' ? `${number} ×` : `${number} ${unit}`;
}

/** C plainly; S with the flag every secondary figure carries wherever it is shown. */
export function StatusFlag(props: { status: ReferenceStatus }) {
  return props.status === 'S' ? (
    <span class="flag-secondary" title="Secondary source: not read in the primary text">
      S: {VERIFY_AGAINST_PRIMARY}
    </span>
  ) : (
    <span title="Confirmed in the primary text">C</span>
  );
}

export function loadedText(set: ReferenceSetSummary, timeZone: string): string {
  const when = formatDateTime(set.loadedAt, timeZone);
  return set.builtin ? `Shipped with Kerma, ${when}` : `${set.loadedBy ?? 'unknown'}, ${when}`;
}

export function SourceLink(props: { set: ReferenceSetSummary }) {
  const { set } = props;
  return set.sourceUrl ? (
    <a href={set.sourceUrl} rel="noopener noreferrer">
      {set.sourceTitle}
    </a>
  ) : (
    <>{set.sourceTitle}</>
  );
}
