// Entry point of the demo's generator-and-sender worker thread. Plain JavaScript because workers do
// not inherit the TypeScript loader registered in-process (bin/kerma.js calls tsx's register()): so
// register tsx here, then load the TypeScript worker (as ingest's file-import-worker-boot.cjs does).
'use strict';

void import('tsx/esm/api').then(({ register }) => {
  register();
  return import('./demo-worker.ts');
});
