import type {
  ProbeResult,
  ProcedureRule,
  StandardProcedure,
  TextCriterion,
  UnmappedList,
} from '../../analytics/index.ts';
import { Table, type Column } from '../components/index.ts';
import { formatDate } from '../format.ts';
import { PAGES } from '../pages.ts';

/** The parts of the Procedure mapping page: the test form and its answer, the unmapped list, the rule table. */
export const BASE = PAGES.procedureMapping.path;
export const MODALITIES = ['CT', 'DX', 'CR', 'RF', 'XA', 'MG', 'NM', 'PT'] as const;
const count = (n: number) => n.toLocaleString('en-GB');

export interface TrustOption {
  readonly code: string;
  readonly name: string;
}

export function newRuleHref(item: { description: string | null; modality: string; trustCode?: string }): string {
  const query = new URLSearchParams({
    modality: item.modality,
    ...(item.description ? { description: item.description } : {}),
  });
  return `${BASE}/rules/new?${query.toString()}`;
}

function Pattern(props: { label: string; criterion: TextCriterion | null }) {
  if (!props.criterion) return null;
  return (
    <span class="criterion">
      {props.label} {props.criterion.match === 'regex' ? 'matches' : 'is'} <code>{props.criterion.pattern}</code>
    </span>
  );
}

/** The conditions of a rule in words: "Description matches head|brain; modality CT". */
export function Criteria(props: { rule: ProcedureRule }) {
  const r = props.rule;
  return (
    <>
      <Pattern label="Description" criterion={r.description} />
      <Pattern label="Protocol" criterion={r.protocol} />
      {r.bodyPart ? (
        <span class="criterion">
          Body part is <code>{r.bodyPart}</code>
        </span>
      ) : null}
      {r.procedureCode ? (
        <span class="criterion">
          Procedure code is <code>{r.procedureCode}</code>
        </span>
      ) : null}
    </>
  );
}

export function ProcedureName(props: { rule: Pick<ProcedureRule, 'standardProcedureName' | 'standardProcedureCode'> }) {
  return props.rule.standardProcedureCode ? (
    <>
      {props.rule.standardProcedureName}
      <span class="sub">{props.rule.standardProcedureCode}</span>
    </>
  ) : (
    <em>Excluded: never compared</em>
  );
}

export function ProbeAnswer(props: { result: ProbeResult | undefined }) {
  const { result } = props;
  return (
    <div id="probe-result" role="status" aria-live="polite">
      {!result ? null : !result.rule ? (
        <p class="probe-answer">No rule matches: such a study stays unmapped and is never compared with a DRL.</p>
      ) : (
        <div class="probe-answer">
          <p>
            Rule {result.rule.ruleId} (position {result.rule.position}) decides:{' '}
            <strong>
              {result.standardProcedure
                ? `${result.standardProcedure.name} (${result.standardProcedure.code})`
                : 'excluded, never compared'}
            </strong>
            {result.standardProcedure
              ? result.standardProcedure.drlCategory
                ? `, compared under DRL category ${result.standardProcedure.drlCategory}.`
                : ', which is never compared with a DRL.'
              : '.'}
          </p>
          {result.alsoMatching.length > 0 ? (
            <p class="muted">
              Later rules that also match (not used): {result.alsoMatching.map((r) => `rule ${r.ruleId}`).join(', ')}.
            </p>
          ) : null}
        </div>
      )}
    </div>
  );
}

export interface ProbeFormValues {
  readonly description?: string;
  readonly modality?: string;
  readonly trustCode?: string;
  readonly protocol?: string;
  readonly bodyPart?: string;
  readonly procedureCode?: string;
}

function Select(props: {
  name: string;
  label: string;
  value: string | undefined;
  options: ReadonlyArray<{ value: string; label: string }>;
  hint?: string;
}) {
  const id = `field-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="field-hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <select id={id} name={props.name} aria-describedby={props.hint ? `${id}-hint` : undefined}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value} selected={o.value === (props.value ?? '')}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function Text(props: { name: string; label: string; value: string | undefined; hint?: string }) {
  const id = `field-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="field-hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <input
        type="text"
        id={id}
        name={props.name}
        value={props.value ?? ''}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
      />
    </div>
  );
}

export const trustOptions = (trusts: readonly TrustOption[], anyLabel: string) => [
  { value: '', label: anyLabel },
  ...trusts.map((t) => ({ value: t.code, label: `${t.code} · ${t.name}` })),
];

export function ProbeForm(props: { csrfToken: string; values: ProbeFormValues; trusts: readonly TrustOption[] }) {
  const v = props.values;
  const action = `${BASE}/test`;
  return (
    <form
      method="post"
      action={action}
      class="probe-form"
      hx-post={action}
      hx-target="#probe-result"
      hx-select="#probe-result"
      hx-swap="outerHTML"
    >
      <input type="hidden" name="_csrf" value={props.csrfToken} />
      <Text name="probeDescription" label="Study description" value={v.description} />
      <Select
        name="probeModality"
        label="Modality"
        value={v.modality ?? 'CT'}
        options={MODALITIES.map((m) => ({ value: m, label: m }))}
      />
      <Select
        name="probeTrust"
        label="Trust"
        value={v.trustCode}
        options={trustOptions(props.trusts, 'Any (consortium-wide rules only)')}
      />
      <Text name="probeProtocol" label="Protocol name" value={v.protocol} />
      <Text name="probeBodyPart" label="Body part" value={v.bodyPart} />
      <Text name="probeProcedureCode" label="Procedure code" value={v.procedureCode} />
      <button type="submit" class="primary">
        Test
      </button>
    </form>
  );
}

export function UnmappedTable(props: { list: UnmappedList; timeZone: string; editor: boolean }) {
  const columns: Column<UnmappedList['items'][number]>[] = [
    { header: 'Studies', numeric: true, cell: (i) => count(i.studies) },
    { header: 'Description', cell: (i) => i.description ?? <em>none</em> },
    { header: 'Modality', cell: (i) => i.modality },
    { header: 'Trust', cell: (i) => i.trustCode },
    { header: 'Last study', cell: (i) => (i.lastStudyAt ? formatDate(i.lastStudyAt, props.timeZone) : '—') },
  ];
  if (props.editor) {
    columns.push({
      header: 'Rule',
      cell: (i) => (
        <a href={newRuleHref(i)}>
          Make a rule
          <span class="visually-hidden">
            {' '}
            from {i.description ?? 'no description'} ({i.modality}, {i.trustCode})
          </span>
        </a>
      ),
    });
  }
  return (
    <Table
      caption="Descriptions no rule matches, most studies first"
      columns={columns}
      rows={props.list.items}
      rowKey={(i) => `${i.trustCode}|${i.modality}|${i.description ?? ''}`}
      empty={{
        title: 'Every study of your trusts is mapped or excluded.',
        hint: 'New descriptions appear here as they arrive.',
      }}
    />
  );
}

function RowAction(props: {
  csrfToken: string;
  action: string;
  label: string;
  hidden: string;
  fields?: Record<string, string>;
}) {
  return (
    <form
      method="post"
      action={props.action}
      class="inline-form"
      hx-post={props.action}
      hx-target="#rules"
      hx-select="#rules"
      hx-select-oob="#unmapped"
      hx-swap="outerHTML"
    >
      <input type="hidden" name="_csrf" value={props.csrfToken} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class="link-button">
        {props.label}
        <span class="visually-hidden"> {props.hidden}</span>
      </button>
    </form>
  );
}

export function RulesTable(props: { rules: readonly ProcedureRule[]; csrfToken: string; editor: boolean }) {
  const columns: Column<ProcedureRule>[] = [
    { header: 'Order', numeric: true, cell: (r) => String(r.position) },
    { header: 'Trust', cell: (r) => r.trustCode ?? 'All' },
    { header: 'Modality', cell: (r) => r.modalities?.join(', ') ?? 'Any' },
    { header: 'When', cell: (r) => <Criteria rule={r} /> },
    { header: 'Standard procedure', cell: (r) => <ProcedureName rule={r} /> },
    { header: 'Enabled', cell: (r) => (r.enabled ? 'Yes' : 'No') },
  ];
  if (props.editor) {
    columns.push({
      header: 'Change',
      cell: (r) => {
        const at = `${BASE}/rules/${r.ruleId}`;
        const name = `rule ${r.ruleId}`;
        return (
          <span class="rule-actions">
            <a href={at}>
              Edit<span class="visually-hidden"> {name}</span>
            </a>
            <RowAction
              csrfToken={props.csrfToken}
              action={`${at}/move`}
              label="Up"
              hidden={`move ${name} up`}
              fields={{ direction: 'up' }}
            />
            <RowAction
              csrfToken={props.csrfToken}
              action={`${at}/move`}
              label="Down"
              hidden={`move ${name} down`}
              fields={{ direction: 'down' }}
            />
            <RowAction
              csrfToken={props.csrfToken}
              action={`${at}/enabled`}
              label={r.enabled ? 'Disable' : 'Enable'}
              hidden={name}
              fields={{ enabled: r.enabled ? 'false' : 'true' }}
            />
            {r.builtin ? null : (
              <RowAction csrfToken={props.csrfToken} action={`${at}/delete`} label="Delete" hidden={name} />
            )}
          </span>
        );
      },
    });
  }
  return (
    <Table
      caption="Rules in the order they are tried: the first that matches decides"
      columns={columns}
      rows={props.rules}
      rowKey={(r) => String(r.ruleId)}
      empty={{ title: 'No rules yet.', hint: 'Every study stays unmapped until a rule matches it.' }}
    />
  );
}

/** The form's value for "no standard procedure": an exclusion. */
export const EXCLUDE = 'EXCLUDE';

export const procedureOptions = (procedures: readonly StandardProcedure[]) => [
  { value: '', label: 'Choose a standard procedure' },
  ...procedures.map((p) => ({
    value: p.code,
    label: `${p.name} (${p.code}${p.drlCategory ? `, ${p.drlCategory}` : ', not compared'})`,
  })),
  { value: EXCLUDE, label: 'None: exclude (quality control, radiotherapy planning; never compared)' },
];

export { Select, Text };
