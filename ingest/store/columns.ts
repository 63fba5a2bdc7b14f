/**
 * The columns a store module writes, in one list per table: the order and the SQL types of its
 * statements (json_to_recordset reads each row as these types), and of the bulk loaders that COPY
 * the same rows (synthetic/direct-load.ts), so both write one definition of the row.
 */
export interface Column {
  readonly name: string;
  /** The PostgreSQL type of the value, e.g. `bigint`, `timestamptz`, `text[]`, `jsonb`. */
  readonly type: string;
}

/**
 * Columns from a `{ name: type }` map, in its key order. Typing the map as
 * `Record<keyof Row, string>` makes the compiler check it names every field of the row and no other.
 */
export function columnsOf(types: Readonly<Record<string, string>>): readonly Column[] {
  return Object.entries(types).map(([name, type]) => ({ name, type }));
}

/** `a, b, c`, or `t.a, t.b, t.c` with a prefix: an INSERT column list or the matching SELECT list. */
export function columnList(columns: readonly Column[], prefix = ''): string {
  return columns.map((c) => `${prefix}${c.name}`).join(', ');
}

/** `a bigint, b text`: the column definitions of a json_to_recordset. */
export function recordsetDefinition(columns: readonly Column[]): string {
  return columns.map((c) => `${c.name} ${c.type}`).join(', ');
}
