import type pg from 'pg';

/**
 * Grants a service role what `kerma serve` needs on a schema it does not own (migration 0014's
 * kerma_grant_app_role): read and write Kerma's tables, but only SELECT and INSERT on the audit log.
 * Run by the owner after every migration, so tables added later are granted too.
 */
export async function grantAppRole(pool: pg.Pool, role: string): Promise<void> {
  await pool.query('SELECT kerma_grant_app_role($1)', [role]);
}
