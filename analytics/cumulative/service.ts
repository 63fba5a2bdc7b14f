import { recordAudit, type AuditEntry } from '../../access/index.ts';
import { ValidationError, type QueryRunner } from '../../core/index.ts';
import { identifierKey } from './identifiers.ts';
import { patientTimeline } from './store.ts';
import type { DayWindow, DoseTotals, PatientDoseHistory, PatientIdentifier, TimelineExam } from './types.ts';

/** Who is looking, as the audit log names them. */
export type LookupAuditActor = Pick<
  AuditEntry,
  'actorKind' | 'actorId' | 'actorName' | 'trustCode' | 'address' | 'requestId'
>;

export interface PatientDoseDependencies {
  readonly db: QueryRunner;
  /** The deployment's patient-identifier secret (KERMA_PATIENT_ID_KEY): the same one ingest hashes with. */
  readonly patientIdSecret: string;
  readonly timeZone: string;
  readonly now?: () => Date;
}

export interface PatientDoseLookup {
  readonly identifier: PatientIdentifier;
  /** The window of the fluoroscopy and window sums; default the 12 months ending today. */
  readonly window?: Partial<DayWindow> | undefined;
  /** Where the look-up came from, for the audit log ('api' or 'page'). */
  readonly via: 'api' | 'page';
}

const FLUOROSCOPY_MODALITIES = new Set(['RF', 'XA']);

/**
 * Formatters per zone, made once: building an Intl.DateTimeFormat costs ~0.1 ms, which per exam
 * was most of a look-up's time (the 10 ms target of issue 11).
 */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

function dayOf(instant: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    // en-CA formats dates as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(instant);
}

/** The same day one year earlier, plus one: the first day of the 12 months ending on `to`. */
export function yearBefore(to: string): string {
  const [y, m, d] = to.split('-').map(Number) as [number, number, number];
  const start = new Date(Date.UTC(y - 1, m - 1, d + 1));
  return start.toISOString().slice(0, 10);
}

const sumKnown = (values: ReadonlyArray<number | null>): number | null => {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
};

export function totalsOf(exams: readonly TimelineExam[]): DoseTotals {
  const fluoroscopy = exams.filter((e) => FLUOROSCOPY_MODALITIES.has(e.modality) || e.karGy !== null);
  return {
    exams: exams.length,
    ctExams: exams.filter((e) => e.modality === 'CT').length,
    effectiveDoseMsv: sumKnown(exams.map((e) => e.effectiveDoseMsv)),
    examsWithoutEffectiveDose: exams.filter((e) => e.effectiveDoseMsv === null).length,
    fluoroscopyExams: fluoroscopy.length,
    fluoroscopyKarGy: sumKnown(fluoroscopy.map((e) => e.karGy)),
    fluoroscopyDapGyCm2: sumKnown(fluoroscopy.map((e) => e.totalDapGyCm2)),
  };
}

function within(exams: readonly TimelineExam[], window: DayWindow, timeZone: string): TimelineExam[] {
  return exams.filter((e) => {
    if (e.studyDateTime === null) return false;
    const day = dayOf(new Date(e.studyDateTime), timeZone);
    return day >= window.from && day <= window.to;
  });
}

function windowOf(requested: Partial<DayWindow> | undefined, today: string): DayWindow {
  const to = requested?.to ?? today;
  const from = requested?.from ?? yearBefore(to);
  if (from > to) throw new ValidationError('invalid body: field "window.from" must not be after window.to');
  return { from, to };
}

/**
 * A patient's exams across the caller's trusts, with lifetime, rolling 12-month and window sums.
 * Every look-up is audited, found or not, under the identifier's key (never the identifier), before
 * anything is returned: if the audit row cannot be written, nothing is shown.
 */
export async function patientDoseHistory(
  deps: PatientDoseDependencies,
  caller: { readonly trustIds: readonly number[]; readonly audit: LookupAuditActor },
  lookup: PatientDoseLookup,
): Promise<PatientDoseHistory> {
  const today = dayOf(deps.now?.() ?? new Date(), deps.timeZone);
  const window = windowOf(lookup.window, today);
  const key = await identifierKey(deps.db, lookup.identifier, caller.trustIds, deps.patientIdSecret);
  const timeline = await patientTimeline(deps.db, key, caller.trustIds);
  const trusts = [...new Set(timeline.map((e) => e.trustCode))].sort();
  await recordAudit(deps.db, {
    ...caller.audit,
    action: 'patient-dose.lookup',
    subjectKind: 'patient',
    subjectKey: key,
    detail: {
      identifier: lookup.identifier.kind,
      ...(lookup.identifier.kind === 'local' ? { localIdTrust: lookup.identifier.trust } : {}),
      found: timeline.length > 0,
      exams: timeline.length,
      trusts,
      window,
      via: lookup.via,
    },
  });
  if (timeline.length === 0) return { found: false, trusts: [], summary: null, timeline: [] };
  const rolling = { from: yearBefore(window.to), to: window.to };
  return {
    found: true,
    trusts,
    summary: {
      lifetime: totalsOf(timeline),
      rolling12Months: { ...rolling, ...totalsOf(within(timeline, rolling, deps.timeZone)) },
      window: { ...window, ...totalsOf(within(timeline, window, deps.timeZone)) },
    },
    timeline,
  };
}
