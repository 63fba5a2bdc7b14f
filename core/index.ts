export * from './errors.ts';
export * from './db.ts';
export type { Logger } from './logger.ts';
export * from './loggable-error.ts';
export * from './validation.ts';
export * from './http-errors.ts';
export type { ApiOperation } from './api-operation.ts';
