import { createHash } from 'node:crypto';
import type { QueryRunner } from '../../core/index.ts';
import { createStudyBrowser, parseStudyQuery, type StudyBrowserActor } from '../../dashboard/studies/index.ts';
import type { Resolution } from './resolve.ts';

/**
 * The peer's summary-list filter steps (`ctSummaryList[…]`, `dxSummaryList[…]`…) on Kerma's study
 * browser: each selector becomes the query string the /studies page and /api/v1/studies take, parsed
 * by the same parser and answered by the same service, then every page is walked and each study is
 * named by the file it was imported from.
 *
 * Where Kerma deliberately offers no such filter the step resolves as unmapped with a reason
 * starting "deliberate:", so it counts as failed and the test lists it by name.
 */

/** The modalities of each of the peer's lists: its radiography list holds CR and DX, fluoroscopy RF and XA. */
const LIST_MODALITIES: Record<string, readonly string[]> = {
  ct: ['CT'],
  dx: ['DX', 'CR'],
  mg: ['MG'],
  rf: ['RF', 'XA'],
};

export const DELIBERATE = 'deliberate:';

/** Selectors the browser has no filter for, with why Kerma leaves them out. */
const NOT_OFFERED: ReadonlyArray<[RegExp, string]> = [
  [
    /^num_\w+_events/,
    `${DELIBERATE} counts of CT events by acquisition type (spiral, axial, stationary, localiser) are not a study-list filter in Kerma; it filters on the total event count, and the study page lists each event's type`,
  ],
  [
    /^procedure_code_meaning /,
    `${DELIBERATE} Kerma keeps the procedure code as scheme:value, not its meaning; the study-list text filters are the study description, requested procedure and acquisition protocol`,
  ],
  [
    /compression_thickness/,
    `${DELIBERATE} compression thickness is an event detail shown on the study page, not a study-list filter`,
  ],
  [
    /^event exposure_control_mode /,
    `${DELIBERATE} the exposure control mode is an event detail shown on the study page, not a study-list filter`,
  ],
  [
    /^event image_view /,
    `${DELIBERATE} the image view is an event detail shown on the study page, not a study-list filter`,
  ],
];

/** Steps the browser answers, where Kerma's data deliberately differs from the peer's. */
const DIFFERENT_DATA: Readonly<Record<string, string>> = {
  "ctSummaryList[study_description icontains 'abdomen']": `${DELIBERATE} the peer's Philips dose-info importer stores the protocol name ("Abdomen/IH_KUB_2mm") as the study description; Kerma keeps the object's own Study Description (0008,1030), "CT Thorax & abdo & pelvis with contrast", which does not contain "abdomen"`,
};

const TEXT_FILTERS: Record<string, string> = {
  study_description: 'description',
  requested_procedure_code_meaning: 'procedure',
  'event acquisition_protocol': 'protocol',
};

/** The study browser's query parameters for one selector, or the reason there are none. */
export function summaryListQuery(selector: string): URLSearchParams | string {
  const params = new URLSearchParams();
  if (selector === '(none)') return params;
  for (const [pattern, reason] of NOT_OFFERED) if (pattern.test(selector)) return reason;
  const text = /^(.+?) icontains '(.*)'$/.exec(selector);
  if (text) {
    const name = TEXT_FILTERS[text[1] ?? ''];
    if (!name) return `no study-browser filter for ${text[1]}`;
    params.set(name, text[2] ?? '');
    return params;
  }
  const between = /^(\d+(?:\.\d+)?) <= patient_weight <= (\d+(?:\.\d+)?) kg$/.exec(selector);
  if (between) {
    params.set('weightMin', between[1]!);
    params.set('weightMax', between[2]!);
    return params;
  }
  const bound = /^patient_weight (>=|<=) (\d+(?:\.\d+)?) kg$/.exec(selector);
  if (bound) {
    params.set(bound[1] === '>=' ? 'weightMin' : 'weightMax', bound[2]!);
    return params;
  }
  return `no study-browser filter for ${selector}`;
}

/** Which file each study came from: the first imported file whose bytes made it. */
export class ImportedFiles {
  private readonly bySha = new Map<string, string>();
  add(file: string, bytes: Buffer): void {
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (!this.bySha.has(sha)) this.bySha.set(sha, file);
  }
  async byStudy(db: QueryRunner): Promise<Map<number, string>> {
    const { rows } = await db.query<{ study_id: string; sha256: string }>({
      text: 'SELECT study_id, sha256 FROM source_objects WHERE study_id IS NOT NULL ORDER BY source_object_id',
    });
    const files = new Map<number, string>();
    for (const r of rows) {
      const file = this.bySha.get(r.sha256);
      if (file && !files.has(Number(r.study_id))) files.set(Number(r.study_id), file);
    }
    return files;
  }
}

const LIST_PATH = /^(ct|dx|mg|rf)SummaryList\[(.+)\](\.count)?$/;

/** Resolves a summary-list path, or undefined when the path is not one. */
export async function resolveSummaryList(
  db: QueryRunner,
  assertionPath: string,
  files: ImportedFiles,
): Promise<Resolution | undefined> {
  const m = LIST_PATH.exec(assertionPath);
  if (!m) return undefined;
  const selector = (m[2] ?? '').replace(/=some \(>=1\)$/, '=some');
  const params = summaryListQuery(selector);
  if (typeof params === 'string') return { mapped: false, value: undefined, missing: params };
  for (const modality of LIST_MODALITIES[m[1] ?? ''] ?? []) params.append('modality', modality);
  params.set('limit', '200');
  // The scenarios import everything into the trust the harness names; a user of that trust asks.
  const { rows } = await db.query<{ trust_id: string }>({ text: `SELECT trust_id FROM trusts` });
  const actor: StudyBrowserActor = { trustIds: rows.map((r) => Number(r.trust_id)) };
  const browser = createStudyBrowser({ db, timeZone: 'Europe/London' });
  const byStudy = await files.byStudy(db);
  const names: string[] = [];
  let query = parseStudyQuery(Object.fromEntries(groupParams(params)));
  for (;;) {
    const page = await browser.browse(actor, query, { actorKind: 'system', actorName: 'conformance' });
    names.push(...page.rows.map((r) => byStudy.get(r.studyId) ?? `study ${r.studyId}`));
    if (!page.next) break;
    query = { ...query, after: page.next };
  }
  const value = m[3] ? names.length : names.sort();
  const difference = DIFFERENT_DATA[assertionPath];
  return difference ? { mapped: false, value, missing: difference } : { mapped: true, value };
}

/** URLSearchParams as express hands them to the parser: a repeated name becomes an array. */
function groupParams(params: URLSearchParams): Map<string, string | string[]> {
  const grouped = new Map<string, string | string[]>();
  for (const [name, value] of params) {
    const seen = grouped.get(name);
    grouped.set(name, seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value]);
  }
  return grouped;
}
