import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { createEmptyDatabase, databaseUrl, dropDatabase } from '../support/test-database.ts';

function kerma(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/kerma.js', ...args], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('kerma CLI', function () {
  this.timeout(60_000);

  it('prints every configuration problem at once and exits non-zero', () => {
    const result = kerma(['serve'], { KERMA_HTTP_PORT: 'abc', KERMA_LOG_LEVEL: 'loud', KERMA_TIMESCALEDB: 'maybe' });
    expect(result.status).to.equal(2);
    expect(result.stderr).to.include('Invalid configuration');
    for (const name of ['KERMA_HTTP_PORT', 'KERMA_LOG_LEVEL', 'KERMA_TIMESCALEDB'])
      expect(result.stderr).to.include(name);
    expect(result.stderr).not.to.match(/\n\s+at /);
  });

  it('migrates a database with `kerma migrate`, once', async () => {
    const name = await createEmptyDatabase();
    try {
      const first = kerma(['migrate'], { DATABASE_URL: databaseUrl(name), KERMA_LOG_LEVEL: 'silent' });
      expect(first.status, first.stderr).to.equal(0);
      const summary = JSON.parse(first.stdout.trim().split('\n').at(-1)!) as { applied: number[]; latest: number };
      expect(summary.applied).to.have.length.greaterThan(0);
      expect(summary.applied.at(-1)).to.equal(summary.latest);
      const second = kerma(['migrate'], { DATABASE_URL: databaseUrl(name), KERMA_LOG_LEVEL: 'silent' });
      expect((JSON.parse(second.stdout.trim().split('\n').at(-1)!) as { applied: number[] }).applied).to.deep.equal([]);
    } finally {
      await dropDatabase(name);
    }
  });

  it('explains an unreachable database instead of hanging', () => {
    const result = kerma(['migrate'], {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      KERMA_LOG_LEVEL: 'silent',
      KERMA_DB_CONNECT_TIMEOUT_MS: '2000',
    });
    expect(result.status).to.equal(1);
    expect(result.stderr).to.match(/kerma: .*(ECONNREFUSED|connect)/);
  });
});
