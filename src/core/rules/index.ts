/**
 * The rule set, in evaluation order: platform memory evidence first, then application-level
 * memory evidence, then the other causes. Order only affects the order of evidence points; every
 * rule is always evaluated.
 */
import { codeErrorRule } from './code-error.rule';
import { concurrencySpikeRule } from './concurrency-spike.rule';
import { cpuStarvedRule } from './cpu-starved.rule';
import { downstreamTimeoutRule } from './downstream-timeout.rule';
import { functionTimeoutRule } from './function-timeout.rule';
import { initFailureRule } from './init-failure.rule';
import { killedAtLimitRule } from './killed-at-limit.rule';
import { languageOomRule } from './language-oom.rule';
import { lowMemoryUseRule } from './low-memory-use.rule';
import { memoryClimbingRule } from './memory-climbing.rule';
import { memoryPressureRule } from './memory-pressure.rule';
import { permissionErrorRule } from './permission-error.rule';
import { platformOomRule } from './platform-oom.rule';
import { streamLagRule } from './stream-lag.rule';
import { throttlingRule } from './throttling.rule';
import { DiagnosisRule } from './types';

export * from './types';
export {
  codeErrorRule, concurrencySpikeRule, cpuStarvedRule, downstreamTimeoutRule, functionTimeoutRule, initFailureRule, killedAtLimitRule,
  languageOomRule, lowMemoryUseRule, memoryClimbingRule, memoryPressureRule, permissionErrorRule, platformOomRule, streamLagRule, throttlingRule,
};

/** All rules, in evaluation order. */
export const RULES: readonly DiagnosisRule[] = [
  platformOomRule,
  killedAtLimitRule,
  languageOomRule,
  memoryPressureRule,
  memoryClimbingRule,
  streamLagRule,
  concurrencySpikeRule,
  functionTimeoutRule,
  cpuStarvedRule,
  initFailureRule,
  permissionErrorRule,
  downstreamTimeoutRule,
  throttlingRule,
  codeErrorRule,
  lowMemoryUseRule,
];
