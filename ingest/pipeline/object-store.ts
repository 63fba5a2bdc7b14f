import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { UnavailableError } from '../../core/index.ts';

/**
 * Raw received bytes, content-addressed under `<dataDir>/objects/ab/abcdef…` (SHA-256), so that
 * `kerma reprocess` can re-extract everything after an extractor upgrade and identical objects are
 * stored once. A write is durable when this resolves: data and directory entry are fsynced.
 */
export interface ObjectStore {
  /** Writes the bytes if absent; returns the path relative to the store root. */
  put(sha256: string, bytes: Uint8Array): Promise<string>;
  read(relativePath: string): Promise<Buffer>;
  /** The store's directory. */
  readonly root: string;
  absolute(relativePath: string): string;
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function createObjectStore(root: string): ObjectStore {
  const absolute = (relativePath: string): string => path.join(root, relativePath);
  /** Fan-out directories known to exist: they are never removed. */
  const madeDirectories = new Set<string>();
  return {
    root,
    absolute,
    async put(sha256, bytes) {
      const relative = path.join('objects', sha256.slice(0, 2), sha256);
      const target = absolute(relative);
      const exists = await stat(target).then(
        (s) => s.size === bytes.length,
        () => false,
      );
      if (exists) return relative;
      const dir = path.dirname(target);
      const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        if (!madeDirectories.has(dir)) {
          await mkdir(dir, { recursive: true });
          madeDirectories.add(dir);
        }
        const handle = await open(temporary, 'w', 0o640);
        try {
          await handle.writeFile(bytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
        // rename is atomic: a crash leaves either no object or the whole object, never half of one.
        await rename(temporary, target);
        await fsyncDirectory(dir);
        return relative;
      } catch (error) {
        await rm(temporary, { force: true });
        throw new UnavailableError(`cannot store received object: ${(error as Error).message}`, undefined, {
          cause: error,
        });
      }
    },
    async read(relativePath) {
      return readFile(absolute(relativePath));
    },
  };
}
