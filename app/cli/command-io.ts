import type { QueryRunner } from '../../core/index.ts';

/** How a command reaches the database: opened per command, so `--help` never connects. */
export type OpenDatabase = () => Promise<{ db: QueryRunner; close(): Promise<void> }>;

/** Where commands print: the process streams, or a recorder in tests. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** Runs one command's work on a database connection that is closed whatever happens. */
export async function withDatabase(open: OpenDatabase, work: (db: QueryRunner) => Promise<void>): Promise<void> {
  const connection = await open();
  try {
    await work(connection.db);
  } finally {
    await connection.close();
  }
}
