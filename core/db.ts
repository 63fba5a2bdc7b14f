import type { QueryResultRow } from 'pg';

/** A parameterised query: every value travels as a `$n` parameter, never spliced into text. */
export interface SqlQuery {
  readonly text: string;
  readonly values?: readonly unknown[];
  /** Optional name: lets PostgreSQL reuse the plan for hot queries. */
  readonly name?: string;
}

/**
 * What a feature's store needs from the database: a pool, a client or a transaction all satisfy it,
 * so services can be rebuilt inside a transaction or a test.
 */
export interface QueryRunner {
  query<R extends QueryResultRow = QueryResultRow>(query: SqlQuery): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** Runs work in one database transaction (commit on success, rollback on any error). */
export type TransactionRunner = <T>(work: (runner: QueryRunner) => Promise<T>) => Promise<T>;

/** Tagged template that turns interpolations into `$n` parameters: sql`SELECT * FROM t WHERE id = ${id}`. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlQuery {
  let text = strings[0] ?? '';
  for (let i = 0; i < values.length; i += 1) {
    text += `$${i + 1}${strings[i + 1] ?? ''}`;
  }
  return { text, values };
}
