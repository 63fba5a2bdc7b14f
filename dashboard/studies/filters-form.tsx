import { PAGES } from '../pages.ts';
import type { DeviceOption, NumberRange, StudyFilters } from './types.ts';

/** Modalities a dose report arrives with; CR sits with DX as the peer's radiography list does. */
const MODALITIES = [
  ['CT', 'CT'],
  ['DX', 'Radiography (DX)'],
  ['CR', 'Computed radiography (CR)'],
  ['MG', 'Mammography (MG)'],
  ['RF', 'Fluoroscopy (RF)'],
  ['XA', 'Angiography (XA)'],
  ['NM', 'Nuclear medicine (NM)'],
  ['PT', 'PET (PT)'],
] as const;

function TextInput(props: { name: string; label: string; value: string | undefined; type?: 'text' | 'date' }) {
  const id = `filter-${props.name}`;
  return (
    <div class="filter">
      <label for={id}>{props.label}</label>
      {props.type === 'date' ? (
        <input id={id} name={props.name} type="date" value={props.value ?? ''} />
      ) : (
        <input id={id} name={props.name} type="search" maxLength={200} value={props.value ?? ''} />
      )}
    </div>
  );
}

/** A min–max pair under one legend that carries the quantity and its unit. */
function RangeInputs(props: { stem: string; legend: string; range: NumberRange | undefined; integer?: boolean }) {
  const step = props.integer ? '1' : 'any';
  return (
    <fieldset class="filter range">
      <legend>{props.legend}</legend>
      <label for={`filter-${props.stem}Min`}>at least</label>
      <input
        id={`filter-${props.stem}Min`}
        name={`${props.stem}Min`}
        type="number"
        min="0"
        step={step}
        inputMode="decimal"
        value={props.range?.min ?? ''}
      />
      <label for={`filter-${props.stem}Max`}>at most</label>
      <input
        id={`filter-${props.stem}Max`}
        name={`${props.stem}Max`}
        type="number"
        min="0"
        step={step}
        inputMode="decimal"
        value={props.range?.max ?? ''}
      />
    </fieldset>
  );
}

function Select(props: {
  name: string;
  label: string;
  value: string | undefined;
  all: string;
  options: readonly (readonly [string, string])[];
}) {
  const id = `filter-${props.name}`;
  return (
    <div class="filter">
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name}>
        <option value="">{props.all}</option>
        {props.options.map(([value, label]) => (
          <option key={value} value={value} selected={value === props.value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

const hasAny = (f: StudyFilters) =>
  [
    f.ageYears,
    f.sex,
    f.weightKg,
    f.totalDlpMgyCm,
    f.maxCtdivolMgy,
    f.totalDapGyCm2,
    f.totalDoseRpGy,
    f.eventCount,
  ].some((v) => v !== undefined);

/**
 * The filters: a GET form, so every filtered list is a URL a physicist can bookmark or send. With
 * htmx only the results are swapped (and the URL pushed); without it the form still works.
 */
export function StudyFiltersForm(props: {
  filters: StudyFilters;
  devices: readonly DeviceOption[];
  trusts: readonly { code: string; name: string }[];
}) {
  const f = props.filters;
  const path = PAGES.studies.path;
  return (
    <form
      class="filters"
      method="get"
      action={path}
      role="search"
      aria-label="Study filters"
      hx-get={path}
      hx-target="#study-results"
      hx-push-url="true"
      hx-indicator="#study-loading"
    >
      <div class="filter-row">
        <TextInput name="from" label="From date" type="date" value={f.fromDate} />
        <TextInput name="to" label="To date" type="date" value={f.toDate} />
        <Select
          name="trust"
          label="Trust"
          value={f.trust}
          all="All my trusts"
          options={props.trusts.map((t) => [t.code, `${t.code} · ${t.name}`] as const)}
        />
        <Select
          name="device"
          label="Room / device"
          value={f.deviceId?.toString()}
          all="All rooms"
          options={props.devices.map((d) => [String(d.deviceId), `${d.trustCode} · ${d.label}`] as const)}
        />
        <Select name="modality" label="Modality" value={f.modalities?.[0]} all="All modalities" options={MODALITIES} />
        <TextInput name="description" label="Study description contains" value={f.description} />
        <TextInput name="protocol" label="Acquisition protocol contains" value={f.protocol} />
      </div>
      <details class="more-filters" open={hasAny(f)}>
        <summary>Patient and dose filters</summary>
        <div class="filter-row">
          <RangeInputs stem="age" legend="Age (years)" range={f.ageYears} />
          <Select
            name="sex"
            label="Sex"
            value={f.sex}
            all="Any"
            options={[
              ['F', 'Female'],
              ['M', 'Male'],
              ['O', 'Other'],
            ]}
          />
          <RangeInputs stem="weight" legend="Weight (kg)" range={f.weightKg} />
          <RangeInputs stem="dlp" legend="Total DLP (mGy·cm)" range={f.totalDlpMgyCm} />
          <RangeInputs stem="ctdi" legend="Max CTDIvol (mGy)" range={f.maxCtdivolMgy} />
          <RangeInputs stem="dap" legend="Total DAP (Gy·cm²)" range={f.totalDapGyCm2} />
          <RangeInputs stem="doseRp" legend="Ka,r (Gy)" range={f.totalDoseRpGy} />
          <RangeInputs stem="events" legend="Irradiation events" range={f.eventCount} integer />
        </div>
      </details>
      {/* Filters a link brings (a DRL compliance room's studies) that the form has no field for. */}
      {f.standardProcedure ? <input type="hidden" name="standardProcedure" value={f.standardProcedure} /> : null}
      {f.weightUnknown ? <input type="hidden" name="weightUnknown" value={f.weightUnknown} /> : null}
      {f.patientsOnly ? <input type="hidden" name="patientsOnly" value="true" /> : null}
      <div class="filter-actions">
        <button type="submit" class="primary">
          Apply filters
        </button>
        <a href={path}>Clear filters</a>
        <span id="study-loading" class="htmx-indicator" role="status">
          Loading…
        </span>
      </div>
    </form>
  );
}
