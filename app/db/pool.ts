import pg from 'pg';
import type { QueryResultRow } from 'pg';
import { loggableError, type Logger, type QueryRunner, type SqlQuery } from '../../core/index.ts';

// node-postgres returns int8 and numeric as strings by default; Kerma's counts and identity keys
// stay far below 2^53, and dose values are numeric columns we want as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number.parseFloat(value));

export type Pool = pg.Pool;

export interface PoolOptions {
  readonly url: string;
  readonly max: number;
  readonly connectTimeoutMs: number;
  readonly logger: Logger;
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max,
    connectionTimeoutMillis: options.connectTimeoutMs,
    application_name: 'kerma',
  });
  // An idle client losing its connection (server restart, 57P01) must not crash the process.
  pool.on('error', (error) => options.logger.warn({ err: loggableError(error) }, 'idle database connection lost'));
  // The pool's own listener is removed while a client is checked out (pg-pool), and a client emits
  // 'error' on a lost connection even when its query under way rejects too: without a listener of
  // its own, a restart during a transaction or a migration crashes the process. The query's caller
  // sees the failure; the broken client is dropped at release (no longer queryable).
  pool.on('connect', (client) => {
    client.on('error', (error) => options.logger.warn({ err: loggableError(error) }, 'database connection lost'));
  });
  return pool;
}

/** Adapts a pool or client to the QueryRunner interface features depend on. */
export function queryRunner(target: pg.Pool | pg.PoolClient | pg.Client): QueryRunner {
  return {
    query: async <R extends QueryResultRow>(query: SqlQuery) => {
      const result = await target.query<R>({
        text: query.text,
        values: query.values as unknown[] | undefined,
        ...(query.name ? { name: query.name } : {}),
      });
      return { rows: result.rows, rowCount: result.rowCount };
    },
  };
}

/** Runs `work` in one transaction on a dedicated client; rolls back on any error. */
export async function withTransaction<T>(pool: pg.Pool, work: (runner: QueryRunner) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(queryRunner(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
