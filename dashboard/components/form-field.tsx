/** A labelled input with its hint and error tied to it for screen readers. */
export interface FormFieldProps {
  readonly label: string;
  readonly name: string;
  /** Text or password for now; preact types each input type apart, so a new type gets its own branch below. */
  readonly type?: 'text' | 'password';
  readonly value?: string;
  readonly autocomplete?: string;
  readonly required?: boolean;
  readonly autofocus?: boolean;
  readonly hint?: string;
  readonly error?: string;
}

export function FormField(props: FormFieldProps) {
  const id = `field-${props.name}`;
  const described = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const common = {
    id,
    name: props.name,
    autocomplete: props.autocomplete,
    required: props.required,
    autofocus: props.autofocus,
    'aria-invalid': props.error ? ('true' as const) : undefined,
    'aria-describedby': described || undefined,
  };
  return (
    <div class={props.error ? 'field field-invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="field-hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.type === 'password' ? (
        // A password is never written back into the page.
        <input type="password" {...common} />
      ) : (
        <input type="text" value={props.value} {...common} />
      )}
      {props.error ? (
        <p class="field-error" id={`${id}-error`}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
