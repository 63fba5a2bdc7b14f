// analytics: dose quantities, DRL comparison, local DRLs, cumulative exposure, trends, procedure
// standardisation. Other folders and the composition root import only from here.
export * from './procedures/index.ts';
