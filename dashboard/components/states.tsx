import type { ComponentChildren } from 'preact';

/** Nothing to show yet, and what would make something appear. */
export function EmptyState(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state state-empty" role="status">
      <p class="state-title">{props.title}</p>
      {props.children ? <p>{props.children}</p> : null}
    </div>
  );
}

/** Something went wrong: said plainly, with what the user can do about it. */
export function ErrorState(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state state-error" role="alert">
      <p class="state-title">{props.title}</p>
      {props.children ? <p>{props.children}</p> : null}
    </div>
  );
}
