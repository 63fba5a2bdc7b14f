import { expect } from 'chai';
import type { QueryRunner } from '../../core/index.ts';
import { openCallingAeDirectory } from '../../ingest/index.ts';
import { silentLogger } from '../support/logger.ts';

/** A database that answers with `rows`, or fails while `down` is set. */
function fakeDatabase(rows: Array<{ aeTitle: string; trustCode: string; trustName: string }>) {
  const state = { rows, down: false };
  const db: QueryRunner = {
    query: <R>() =>
      state.down
        ? Promise.reject(new Error('terminating connection due to administrator command'))
        : Promise.resolve({ rows: state.rows as R[], rowCount: state.rows.length }),
  };
  return { db, state };
}

describe('calling AE title directory of the DICOM listener', () => {
  it('replaces its map in place on refresh, so the listener holding it sees the change', async () => {
    const { db, state } = fakeDatabase([{ aeTitle: 'CT1', trustCode: 'RXA', trustName: 'A' }]);
    const directory = await openCallingAeDirectory(db, silentLogger, 60_000);
    try {
      const held = directory.titles;
      state.rows = [{ aeTitle: 'MR1', trustCode: 'RXB', trustName: 'B' }];
      await directory.refresh();
      expect([...held]).to.deep.equal([['MR1', 'RXB']]);
    } finally {
      directory.close();
    }
  });

  it('keeps the last map when the database cannot be read: an empty map would accept every caller', async () => {
    const { db, state } = fakeDatabase([{ aeTitle: 'CT1', trustCode: 'RXA', trustName: 'A' }]);
    const directory = await openCallingAeDirectory(db, silentLogger, 60_000);
    try {
      state.down = true;
      const failed = await directory.refresh().then(
        () => false,
        () => true,
      );
      expect(failed).to.equal(true);
      expect([...directory.titles]).to.deep.equal([['CT1', 'RXA']]);
    } finally {
      directory.close();
    }
  });
});
