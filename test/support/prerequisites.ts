import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';

/**
 * What some tests need from outside the repository: a Debian package (`make test` installs those it
 * can, see scripts/ensure-debian-packages.sh) or the conformance corpus beside the project. Missing
 * locally, the tests that need it skip with one line saying what to install. With CI=true they fail:
 * a green CI run that skipped them would prove nothing about what they check.
 */
export interface Prerequisite {
  readonly available: boolean;
  /** One line saying what is missing and how to get it. */
  readonly missing: string;
}

/** The conformance corpus (../shared/corpus), beside the project, not in it. */
export const CORPUS_DIR = path.resolve(import.meta.dirname, '../../../shared/corpus');

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** dcmtk's storescu, echoscu and dsrdump: the real DICOM peers of the interoperability tests. */
export function dcmtk(): Prerequisite {
  return {
    available: ['storescu', 'echoscu', 'dsrdump'].every(onPath),
    missing: 'dcmtk not installed (apt-get install dcmtk)',
  };
}

/** Debian's chromium, driven by playwright-core in the browser tests (test/support/browser.ts). */
export function chromium(): Prerequisite {
  return { available: existsSync('/usr/bin/chromium'), missing: 'chromium not installed (apt-get install chromium)' };
}

/** A file or folder of the conformance corpus, e.g. corpus('expected.json'). */
export function corpus(relative = ''): Prerequisite {
  const where = path.join(CORPUS_DIR, relative);
  return { available: existsSync(where), missing: `conformance corpus not found (${where})` };
}

export function isCi(): boolean {
  return ['true', '1'].includes((process.env.CI ?? '').toLowerCase());
}

const announced = new Set<string>();

/**
 * Call first in a test or in a suite's `before`: returns when the prerequisite is there; otherwise
 * fails (CI=true) or skips the test or the whole suite, printing its line once per run.
 */
export function requirePrerequisite(context: Mocha.Context, prerequisite: Prerequisite): void {
  if (prerequisite.available) return;
  if (isCi()) throw new Error(`required with CI=true: ${prerequisite.missing}`);
  if (!announced.has(prerequisite.missing)) {
    announced.add(prerequisite.missing);
    process.stdout.write(`    skipped: ${prerequisite.missing}\n`);
  }
  context.skip();
}
