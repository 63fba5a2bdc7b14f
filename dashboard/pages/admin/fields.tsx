import type { ComponentChildren } from 'preact';

/** Form controls the shared FormField does not cover: a choice of one (select) and of several (checkboxes). */
export interface Choice {
  readonly value: string;
  readonly label: string;
}

export function SelectField(props: {
  label: string;
  name: string;
  choices: readonly Choice[];
  hint?: string;
  selected?: string;
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
      <select id={id} name={props.name} required aria-describedby={props.hint ? `${id}-hint` : undefined}>
        {props.choices.map((choice) => (
          <option key={choice.value} value={choice.value} selected={choice.value === props.selected}>
            {choice.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function CheckboxGroup(props: {
  legend: string;
  name: string;
  choices: readonly Choice[];
  hint?: string;
  checked?: readonly string[];
}) {
  return (
    <fieldset class="field checkbox-group">
      <legend>{props.legend}</legend>
      {props.hint ? <p class="field-hint">{props.hint}</p> : null}
      {props.choices.map((choice) => {
        const id = `field-${props.name}-${choice.value}`;
        return (
          <div class="checkbox" key={choice.value}>
            <input
              type="checkbox"
              id={id}
              name={props.name}
              value={choice.value}
              checked={props.checked?.includes(choice.value)}
            />
            <label for={id}>{choice.label}</label>
          </div>
        );
      })}
    </fieldset>
  );
}

/** A one-button form that posts an action on one row (disable, revoke, remove). */
export function RowAction(props: { action: string; csrfToken: string; label: string; accessibleName: string }) {
  return (
    <form method="post" action={props.action} class="inline-form">
      <input type="hidden" name="_csrf" value={props.csrfToken} />
      <button type="submit" class="row-action" aria-label={props.accessibleName}>
        {props.label}
      </button>
    </form>
  );
}

/** A secret shown once (a new password or API key), in a box that says so. */
export function OneTimeSecret(props: { label: string; secret: string; children?: ComponentChildren }) {
  return (
    <div class="notice one-time" role="status">
      <p>{props.children}</p>
      <p>
        <span class="one-time-label">{props.label}: </span>
        <code class="one-time-secret">{props.secret}</code>
      </p>
      <p class="muted">It is shown only now: Kerma keeps only a hash of it.</p>
    </div>
  );
}
