import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { isProcessAlive } from '../../app/db/postmaster-lock.ts';
import { killTracked, spawnTracked, trackedPids } from './child-processes.ts';

describe('test child processes', function () {
  this.timeout(60_000);

  it('are gone after a test that throws after spawning one, whatever its cleanup did', () => {
    // A mocha run of its own, as `make test` runs it (--exit): the failing test never stops its child.
    const run = spawnSync(
      'node_modules/.bin/mocha',
      ['--no-config', '--node-option', 'import=tsx', '--exit', 'test/support/fixtures/throws-after-spawning.ts'],
      { encoding: 'utf8' },
    );
    expect(run.stdout).to.include('1 failing');
    const pid = Number(/spawned (\d+)/.exec(run.stdout)?.[1]);
    expect(pid).to.be.greaterThan(0);
    expect(isProcessAlive(pid), `process ${pid} outlived its test run`).to.equal(false);
  });

  it('are killed by the run teardown when still running', async () => {
    const child = spawnTracked(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
    expect(trackedPids()).to.include(child.pid);
    expect(await killTracked()).to.be.at.least(1);
    expect(isProcessAlive(child.pid!)).to.equal(false);
    expect(trackedPids()).not.to.include(child.pid);
  });
});
