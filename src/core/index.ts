/**
 * The pure diagnosis core, for the Lambda handlers and the CLI. Not exported from `src/index.ts`
 * (it uses TypeScript unions and functions that jsii cannot express).
 */
export * from './model';
/** Every weight and threshold of the engine, with its reason (calibration.CPU_STARVED, ...). */
export * as calibration from './calibration';
export * from './format';
export * from './history';
export * from './policy';
export * from './request';
export * from './logs';
export * from './metrics/summary';
export * from './sizing';
export * from './rules';
export * from './engine';
