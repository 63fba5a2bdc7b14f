import { rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { embeddedLayout, locateBinaries } from '../../app/db/embedded-layout.ts';

/**
 * Removes a temporary Kerma data directory and, as root, the embedded cluster kept apart from it
 * under /var/lib/kerma (app/db/embedded-layout.ts): otherwise every test run would leave its
 * clusters there.
 */
export async function removeEmbeddedData(dataDir: string): Promise<void> {
  const { runtimeDir } = embeddedLayout({ dataDir, uid: userInfo().uid, binaries: await locateBinaries() });
  await rm(dataDir, { recursive: true, force: true });
  if (runtimeDir) await rm(runtimeDir, { recursive: true, force: true });
}
