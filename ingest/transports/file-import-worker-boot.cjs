// Entry point of the bulk importer's worker threads. Plain JavaScript because workers do not inherit
// a TypeScript loader registered in-process (bin/kerma.js calls tsx's register()), and a
// `--import tsx` in the worker's execArgv comes too late for a .ts entry point: so register tsx here,
// resolved from this file's location (not the working directory), then load the TypeScript worker.
// CommonJS only so that the linter, which type-checks every .js/.mjs file, leaves it alone.
'use strict';

void import('tsx/esm/api').then(({ register }) => {
  register();
  return import('./file-import-worker.ts');
});
