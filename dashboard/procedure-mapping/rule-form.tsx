import type { ProcedureRule, StandardProcedure } from '../../analytics/index.ts';
import { Page, type PageContext } from '../components/index.ts';
import type { RuleInput } from './schemas.ts';
import { BASE, EXCLUDE, procedureOptions, Select, Text, trustOptions, type TrustOption } from './views.tsx';

/**
 * Adding and changing a rule: one form, its fields named as the API's (description and protocol as
 * a pattern and how it matches). The form's strings become the API's object (formRule) and are
 * checked by the API's schema, so the page accepts exactly what the API accepts.
 */
export interface RuleFormValues {
  readonly trustCode: string;
  readonly modalities: string;
  readonly description: string;
  readonly descriptionMatch: string;
  readonly protocol: string;
  readonly protocolMatch: string;
  readonly bodyPart: string;
  readonly procedureCode: string;
  readonly standardProcedureCode: string;
  readonly note: string;
  readonly enabled: boolean;
}

export function valuesOf(rule: ProcedureRule): RuleFormValues {
  return {
    trustCode: rule.trustCode ?? '',
    modalities: rule.modalities?.join(', ') ?? '',
    description: rule.description?.pattern ?? '',
    descriptionMatch: rule.description?.match ?? 'exact',
    protocol: rule.protocol?.pattern ?? '',
    protocolMatch: rule.protocol?.match ?? 'exact',
    bodyPart: rule.bodyPart ?? '',
    procedureCode: rule.procedureCode ?? '',
    standardProcedureCode: rule.standardProcedureCode ?? EXCLUDE,
    note: rule.note ?? '',
    enabled: rule.enabled,
  };
}

/** A new rule, optionally started from an unmapped description (exact match, its modality). */
export function newValues(query: Record<string, unknown>): RuleFormValues {
  const text = (name: string) => (typeof query[name] === 'string' ? query[name].slice(0, 500) : '');
  return {
    trustCode: text('trust'),
    modalities: text('modality'),
    description: text('description'),
    descriptionMatch: 'exact',
    protocol: '',
    protocolMatch: 'exact',
    bodyPart: '',
    procedureCode: '',
    standardProcedureCode: text('standardProcedureCode'),
    note: '',
    enabled: true,
  };
}

export function formValues(body: Record<string, unknown>): RuleFormValues {
  const text = (name: string) => (typeof body[name] === 'string' ? body[name] : '');
  return {
    trustCode: text('trustCode'),
    modalities: text('modalities'),
    description: text('description'),
    descriptionMatch: text('descriptionMatch'),
    protocol: text('protocol'),
    protocolMatch: text('protocolMatch'),
    bodyPart: text('bodyPart'),
    procedureCode: text('procedureCode'),
    standardProcedureCode: text('standardProcedureCode'),
    note: text('note'),
    enabled: body.enabled === 'on' || body.enabled === 'true',
  };
}

/** The API's rule object from the form: an empty field is "not a condition". */
export function formRule(v: RuleFormValues): Record<string, unknown> {
  const orNull = (value: string) => (value.trim() === '' ? null : value.trim());
  const criterion = (pattern: string, match: string) =>
    pattern.trim() === '' ? null : { pattern: pattern.trim(), match };
  const modalities = v.modalities
    .split(/[\s,]+/)
    .map((m) => m.toUpperCase())
    .filter(Boolean);
  return {
    trustCode: orNull(v.trustCode),
    modalities: modalities.length > 0 ? modalities : null,
    description: criterion(v.description, v.descriptionMatch),
    protocol: criterion(v.protocol, v.protocolMatch),
    bodyPart: orNull(v.bodyPart),
    procedureCode: orNull(v.procedureCode),
    // Unchosen: left out, so the schema names the field as required.
    ...(v.standardProcedureCode === ''
      ? {}
      : { standardProcedureCode: v.standardProcedureCode === EXCLUDE ? null : v.standardProcedureCode }),
    note: orNull(v.note),
    enabled: v.enabled,
  } satisfies Partial<Record<keyof RuleInput, unknown>>;
}

const MATCHES = [
  { value: 'exact', label: 'Exactly (ignoring case)' },
  { value: 'regex', label: 'Regular expression (PostgreSQL)' },
];

export function RuleFormPage(props: {
  context: PageContext;
  rule?: ProcedureRule;
  values: RuleFormValues;
  trusts: readonly TrustOption[];
  procedures: readonly StandardProcedure[];
  problem?: string;
}) {
  const { values: v, rule } = props;
  const action = rule ? `${BASE}/rules/${rule.ruleId}` : `${BASE}/rules`;
  return (
    <Page context={props.context} title={rule ? `Change rule ${rule.ruleId}` : 'Add a rule'}>
      <p>
        <a href={BASE}>Back to procedure mapping</a>
      </p>
      <p class="muted">
        Every condition you fill in must hold; empty ones are not conditions. A new rule goes after every other rule, so
        it only decides studies no rule decided before; move it up on the rule table to let it win.
      </p>
      {props.problem ? (
        <p class="field-error" role="alert">
          {props.problem}
        </p>
      ) : null}
      <form method="post" action={action} class="stacked-form rule-form">
        <input type="hidden" name="_csrf" value={props.context.csrfToken} />
        <Text
          name="description"
          label="Study description"
          value={v.description}
          hint="Matched against the study description, or the requested procedure when there is none."
        />
        <Select name="descriptionMatch" label="Description matches" value={v.descriptionMatch} options={MATCHES} />
        <Text
          name="modalities"
          label="Modalities"
          value={v.modalities}
          hint="For example CT, or DX, CR. Empty: any modality."
        />
        <Select
          name="trustCode"
          label="Applies to"
          value={v.trustCode}
          options={trustOptions(props.trusts, 'All trusts (consortium-wide)')}
        />
        <Text
          name="protocol"
          label="Protocol name"
          value={v.protocol}
          hint="Any irradiation event's acquisition protocol."
        />
        <Select name="protocolMatch" label="Protocol matches" value={v.protocolMatch} options={MATCHES} />
        <Text
          name="bodyPart"
          label="Body part"
          value={v.bodyPart}
          hint="Any event's target region, as stored (e.g. Chest)."
        />
        <Text name="procedureCode" label="Procedure code" value={v.procedureCode} hint="The code value, e.g. CCHAPC." />
        <Select
          name="standardProcedureCode"
          label="Standard procedure"
          value={v.standardProcedureCode}
          options={procedureOptions(props.procedures)}
        />
        <Text name="note" label="Note" value={v.note} />
        <div class="field checkbox-field">
          <input type="checkbox" id="field-enabled" name="enabled" checked={v.enabled} />
          <label for="field-enabled">Enabled</label>
        </div>
        <button type="submit" class="primary">
          {rule ? 'Save rule' : 'Add rule'}
        </button>
      </form>
    </Page>
  );
}
