// analytics: dose quantities, DRL comparison and local DRLs (and, from other branches, procedure
// standardisation, cumulative exposure and trends). Other features import only from here.
export * from './dose-metrics/index.ts';
export * from './drl/index.ts';
