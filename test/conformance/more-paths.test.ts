import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { extractDoseReport } from '../../ingest/index.ts';
import { buildRrdsr } from '../support/fixtures/rrdsr.ts';
import { buildPetImage } from '../support/fixtures/radiopharmaceutical-images.ts';
import { DEFAULT_ID_SETTINGS } from './expected.ts';
import { peerView, resolve } from './run.ts';
import { corpus, requirePrerequisite } from '../support/prerequisites.ts';

const MORE_PATHS = path.resolve('../shared/corpus/more-paths.json');

/** Paths of other conformance sets that belong to features Kerma has not built yet (skin dose maps). */
const OUT_OF_SCOPE = /^(studies\[i\]\[i\]\.skinDoseMap|skinMapView)/;

describe('conformance mapping of nuclear-medicine paths (more-paths.json)', () => {
  it('maps every NM and PET path onto Kerma reports built from the standard', function () {
    requirePrerequisite(this, corpus('more-paths.json'));
    const paths = Object.keys(
      (JSON.parse(readFileSync(MORE_PATHS, 'utf8')) as { paths: Record<string, unknown> }).paths,
    );
    const rrdsr = peerView(extractDoseReport(buildRrdsr()).report, DEFAULT_ID_SETTINGS);
    const pet = peerView(extractDoseReport(buildPetImage()).report, DEFAULT_ID_SETTINGS);
    const unmapped = paths
      .filter((p) => !OUT_OF_SCOPE.test(p))
      .map((p) => p.replace(/\[i\]/g, '[0]'))
      .filter((p) => !resolve(p.startsWith('petSeries') ? pet : rrdsr, [], p).mapped);
    expect(unmapped).to.deep.equal([]);
  });

  it('reads NM values in the peer units', () => {
    const view = peerView(extractDoseReport(buildRrdsr()).report, DEFAULT_ID_SETTINGS);
    expect(resolve(view, [], 'administration.administeredActivity').value).to.equal(250);
    expect(
      resolve(view, [], 'administration.observer[0].radiopharmaceuticalAdministrationIsPreObserver').value,
    ).to.equal(true);
    expect(
      resolve(view, [], 'administration.observer[1].radiopharmaceuticalAdministrationIsPreObserver').value,
    ).to.equal(false);
  });
});
