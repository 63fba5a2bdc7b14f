export { loadConfig, type KermaConfig, type LogLevel } from './config.ts';
export { variables, type VariableSpec } from './variables.ts';
