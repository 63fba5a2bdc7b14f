// analytics: dose quantities, DRL comparison, local DRLs, cumulative exposure, trends, procedure
// standardisation and patient size. Other folders and the composition root import only from here.
export * from './patient-size/index.ts';
export * from './procedures/index.ts';
