/**
 * Resolves an expected.json path against a peer-shaped view. `mapped: false` means Kerma has no
 * counterpart for some segment of the path: the assertion counts as failed and is listed as unmapped.
 */
export interface Resolution {
  readonly mapped: boolean;
  readonly value: unknown;
  readonly missing?: string;
}

type View = Record<string, unknown>;

const SEGMENT = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]+)\])?$/;

function isRecord(value: unknown): value is View {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Splits on dots outside brackets and parentheses. */
export function splitPath(path: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of path) {
    if (ch === '[' || ch === '(') depth += 1;
    if (ch === ']' || ch === ')') depth -= 1;
    if (ch === '.' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function pick(list: unknown[], index: string): unknown {
  if (index === 'first') return list[0];
  if (index === 'last') return list.at(-1);
  return list[Number(index)];
}

/** Generic walk: `name`, `name[n]`, `name[*]` (maps the rest over the list) and `.count`. */
export function walk(value: unknown, segments: readonly string[]): Resolution {
  if (segments.length === 0) return { mapped: true, value };
  const [head = '', ...rest] = segments;
  if (head === 'count' && Array.isArray(value)) return { mapped: true, value: value.length };
  const match = SEGMENT.exec(head);
  if (!match) return { mapped: false, value: undefined, missing: head };
  const [, name = '', index] = match;
  if (value === undefined || value === null) return { mapped: true, value: undefined };
  if (!isRecord(value) || !(name in value)) return { mapped: false, value: undefined, missing: name };
  const next = value[name];
  if (index === undefined) return walk(next, rest);
  if (!Array.isArray(next)) return { mapped: true, value: undefined };
  if (index === '*') {
    const results = next.map((item) => walk(item, rest));
    const unmapped = results.find((r) => !r.mapped);
    return unmapped ?? { mapped: true, value: results.map((r) => r.value) };
  }
  return walk(pick(next, index), rest);
}
