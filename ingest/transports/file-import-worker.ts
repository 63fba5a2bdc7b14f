import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { UnavailableError } from '../../core/index.ts';
import { createObjectStore } from '../pipeline/object-store.ts';
import { prepareObject } from '../pipeline/prepare.ts';
import { WORKER_READY, type PrepareReply, type PrepareRequest, type WorkerOptions } from './file-import-workers.ts';

/**
 * Worker thread of the bulk importer: reads one file, runs the CPU half of ingest (hash and extract)
 * on it and stores its raw bytes durably (content-addressed, fsynced), so that the main thread only
 * commits and the bytes never cross to it. The store's writes and fsyncs run in the thread pool
 * while the worker parses its next files: many fsyncs in flight share the file system's journal
 * commits, where one at a time would cost a commit each.
 */
const objects = createObjectStore((workerData as WorkerOptions).objectStoreRoot);
async function readWhole(
  file: string,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; size: number; mtimeMs: number }> {
  const handle = await open(file, 'r');
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error('not a regular file');
    if (stats.size > maxBytes) throw new Error(`larger than the import limit of ${maxBytes} bytes`);
    // Its own ArrayBuffer of exactly the file's size, so that it can be transferred whole; viewed as a
    // Buffer, not a plain Uint8Array, because the parser runs about 4 times faster on Buffers.
    const bytes = Buffer.from(new ArrayBuffer(stats.size));
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesRead } = await handle.read(bytes, offset, bytes.length - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    // A file that shrank while read keeps what was there; its changed mtime makes the journal miss it.
    return {
      bytes: offset === bytes.length ? bytes : Buffer.from(bytes.buffer, 0, offset),
      size: stats.size,
      mtimeMs: stats.mtimeMs,
    };
  } finally {
    await handle.close();
  }
}

async function handle(request: PrepareRequest): Promise<void> {
  try {
    const { bytes, size, mtimeMs } = await readWhole(request.path, request.maxBytes);
    const prepared = prepareObject(bytes);
    const storagePath = await objects.put(prepared.sha256, bytes);
    const reply: PrepareReply = { id: request.id, ok: true, prepared, storagePath, size, mtimeMs };
    parentPort?.postMessage(reply);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const reply: PrepareReply = {
      id: request.id,
      ok: false,
      // A store that cannot write (disk full, permissions) is an outage to wait out, not a bad file.
      unavailable: error instanceof UnavailableError,
      reason: e.code ? `${e.code}: ${e.message}` : String(e.message),
    };
    parentPort?.postMessage(reply);
  }
}

parentPort?.on('message', (request: PrepareRequest) => void handle(request));
parentPort?.postMessage(WORKER_READY);
