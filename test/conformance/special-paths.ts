import type { Resolution } from './resolve.ts';
import { splitPath, walk } from './resolve.ts';

/**
 * Paths that select events by content or aggregate them, as the peer's exports and views do
 * (expected.json `derivedFrom` assertions). Each rule names the export it stands for.
 */
type View = Record<string, unknown>;
type Events = View[];

const SYMBOLS: Record<string, string> = {
  aluminum: 'Al',
  copper: 'Cu',
  silver: 'Ag',
  rhodium: 'Rh',
  molybdenum: 'Mo',
  tin: 'Sn',
  lead: 'Pb',
  niobium: 'Nb',
  europium: 'Eu',
  tungsten: 'W',
};

/** A view field as text ('' when absent): view values are strings, numbers or nested views. */
function textOf(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function filterSymbol(filter: View): string | undefined {
  const meaning = textOf((filter.xrayFilterMaterial as View | undefined)?.codeMeaning).toLowerCase();
  return Object.entries(SYMBOLS).find(([name]) => meaning.startsWith(name))?.[1];
}

/** RF XLSX export "Filters" cell: symbols and mean thicknesses (mm, 4 decimals). */
function filtersCell(event: View | undefined): string | undefined {
  const filters = ((event?.source as View | undefined)?.filters as Events | undefined) ?? [];
  if (filters.length === 0) return undefined;
  const symbols = filters.map((f) => filterSymbol(f) ?? '?');
  const means = filters.map((f) =>
    ((Number(f.xrayFilterThicknessMinimum) + Number(f.xrayFilterThicknessMaximum)) / 2).toFixed(4),
  );
  return filters.length === 1
    ? `${symbols[0]}, mean thickness ${means[0]} mm`
    : `${symbols.join(' | ')} with mean thicknesses ${means.join(' | ')} mm`;
}

const VIEW_CODES: Array<[RegExp, string]> = [
  [/cranio-caudal/i, 'CC'],
  [/medio-lateral oblique/i, 'OB'],
  [/medio-lateral/i, 'ML'],
  [/latero-medial/i, 'LM'],
];

/** NHSBSP export "View code": laterality letter + view, numbered from the second repeat (RCC, RCC2…). */
function nhsbspViewCodes(events: Events): string[] {
  const seen = new Map<string, number>();
  return events.map((e) => {
    const side = textOf((e.laterality as View | undefined)?.codeMeaning)
      .charAt(0)
      .toUpperCase();
    const meaning = textOf((e.imageView as View | undefined)?.codeMeaning);
    const base = `${side}${VIEW_CODES.find(([re]) => re.test(meaning))?.[1] ?? '?'}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}${n}`;
  });
}

function field(event: View, path: string): unknown {
  return walk(event, splitPath(path)).value;
}

function numbers(values: unknown): number[] {
  return (Array.isArray(values) ? values : [values]).filter((v): v is number => typeof v === 'number');
}

function aggregate(events: Events, expression: string): Resolution | undefined {
  const fn = /^(mean|sum)\((.+)\)$/.exec(expression);
  if (!fn) return undefined;
  // `source.kvp[*]` names the per-pulse child table, kept as `kvpAll` in the view.
  const inner = (fn[2] ?? '').replace(/^source\.(kvp|xrayTubeCurrent|pulseWidth)\[\*\]$/, 'source.$1All');
  // The export averages pulses that exposed: a pulse row of zeros (Eurocolumbus sends one) is not one.
  const values = events.flatMap((e) => numbers(field(e, inner))).filter((v) => fn[1] === 'sum' || v !== 0);
  if (values.length === 0) return { mapped: true, value: undefined };
  const total = values.reduce((a, b) => a + b, 0);
  return { mapped: true, value: fn[1] === 'sum' ? total : total / values.length };
}

function selectEvents(events: Events, selector: string): Events | undefined {
  let m = /^nonLocalizer (\d+)$/.exec(selector);
  if (m) {
    const chosen = events.filter(
      (e) => (e.ctAcquisitionType as View | undefined)?.codeMeaning !== 'Constant Angle Acquisition',
    )[Number(m[1])];
    return chosen ? [chosen] : [];
  }
  m = /^time=(.+)$/.exec(selector);
  if (m) return events.filter((e) => textOf(e.dateTimeStarted).startsWith(m?.[1] ?? '\0'));
  m = /^irradiationEventType=(.+)$/.exec(selector);
  if (m) return events.filter((e) => (e.irradiationEventType as View | undefined)?.codeMeaning === m?.[1]);
  m = /^first in protocol '(.+)'$/.exec(selector);
  // The export names its sheets after the protocol in lower case.
  if (m) return events.filter((e) => textOf(e.acquisitionProtocol).toLowerCase() === m?.[1]?.toLowerCase()).slice(0, 1);
  return undefined;
}

export function resolveSpecial(path: string, events: Events): Resolution | undefined {
  if (path === 'events[*].source.filters[0].xrayFilterMaterial (as export symbol)') {
    return {
      mapped: true,
      value: events.map((e) => filterSymbol(((e.source as View).filters as Events)[0] ?? {})),
    };
  }
  if (path === 'events[*].imageView (as NHSBSP view code, numbered)')
    return { mapped: true, value: nhsbspViewCodes(events) };
  const m = /^events\[([^\]]+)\]\.(.+)$/.exec(path);
  if (!m || /^(\d+|\*|first|last)$/.test(m[1] ?? '')) return undefined;
  const selected = selectEvents(events, m[1] ?? '');
  if (!selected) return { mapped: false, value: undefined, missing: `events[${m[1]}]` };
  const rest = m[2] ?? '';
  if (rest === 'source.filters') return { mapped: true, value: filtersCell(selected[0]) };
  return aggregate(selected, rest) ?? walk(selected[0], splitPath(rest));
}
