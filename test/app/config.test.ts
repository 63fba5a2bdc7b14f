import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../app/config/index.ts';
import { ConfigError } from '../../core/index.ts';

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env, '/srv/kerma');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig({}, '/srv/kerma');
    expect(config.http).to.deep.equal({
      host: '127.0.0.1',
      port: 8080,
      headersTimeoutMs: 20000,
      requestTimeoutMs: 600000,
      keepAliveTimeoutMs: 5000,
    });
    expect(config.dataDir).to.equal('/srv/kerma/.kerma');
    expect(config.databaseUrl).to.equal(undefined);
    expect(config.embeddedPgPort).to.equal(54329);
    expect(config.migrateOnStart).to.equal(true);
    expect(config.timescale).to.equal('auto');
  });

  it('coerces and validates typed values', () => {
    const config = loadConfig(
      { KERMA_HTTP_PORT: '9000', KERMA_MIGRATE_ON_START: 'false', DATABASE_URL: 'postgres://u@h/db' },
      '/srv',
    );
    expect(config.http.port).to.equal(9000);
    expect(config.migrateOnStart).to.equal(false);
    expect(config.databaseUrl).to.equal('postgres://u@h/db');
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      KERMA_HTTP_PORT: 'eighty',
      KERMA_LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://nope',
      KERMA_EMBEDDED_PG_PORT: '70000',
    });
    expect(problems).to.have.length(4);
    expect(problems.join('\n')).to.include('KERMA_HTTP_PORT').and.include('KERMA_LOG_LEVEL must be one of');
    expect(problems.join('\n')).to.include('KERMA_EMBEDDED_PG_PORT').and.include('DATABASE_URL');
  });

  it('never echoes a secret value in an error', () => {
    const problems = problemsOf({ KERMA_PATIENT_ID_KEY: 'short-secret' });
    expect(problems[0]).to.include('KERMA_PATIENT_ID_KEY').and.include('(hidden)');
    expect(problems[0]).not.to.include('short-secret');
  });

  it('reads secrets from *_FILE and rejects setting both forms', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kerma-config-'));
    const keyFile = path.join(dir, 'key');
    writeFileSync(keyFile, 'k'.repeat(40) + '\n');
    expect(loadConfig({ KERMA_PATIENT_ID_KEY_FILE: keyFile }, dir).patientIdKey).to.equal('k'.repeat(40));
    const problems = problemsOf({ KERMA_PATIENT_ID_KEY_FILE: keyFile, KERMA_PATIENT_ID_KEY: 'x'.repeat(40) });
    expect(problems[0]).to.include('both set');
    expect(problemsOf({ DATABASE_URL_FILE: path.join(dir, 'missing') })[0]).to.include('cannot read');
  });
});

describe('README', () => {
  it('documents every configuration variable', async () => {
    const { readFileSync } = await import('node:fs');
    const { variables } = await import('../../app/config/index.ts');
    const readme = readFileSync('README.md', 'utf8');
    for (const variable of variables) expect(readme, variable.name).to.include(`\`${variable.name}\``);
  });
});
