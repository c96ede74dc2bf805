/**
 * The rule set, in evaluation order: platform memory evidence first, then application-level
 * memory evidence, then the other causes. Order only affects the order of evidence points; every
 * rule is always evaluated.
 */
import { codeErrorRule } from './code-error.rule';
import { downstreamTimeoutRule } from './downstream-timeout.rule';
import { functionTimeoutRule } from './function-timeout.rule';
import { initFailureRule } from './init-failure.rule';
import { killedAtLimitRule } from './killed-at-limit.rule';
import { languageOomRule } from './language-oom.rule';
import { lowMemoryUseRule } from './low-memory-use.rule';
import { memoryPressureRule } from './memory-pressure.rule';
import { permissionErrorRule } from './permission-error.rule';
import { platformOomRule } from './platform-oom.rule';
import { throttlingRule } from './throttling.rule';
import { DiagnosisRule } from './types';

export * from './types';
export {
  codeErrorRule, downstreamTimeoutRule, functionTimeoutRule, initFailureRule, killedAtLimitRule, languageOomRule,
  lowMemoryUseRule, memoryPressureRule, permissionErrorRule, platformOomRule, throttlingRule,
};

/** All rules, in evaluation order. */
export const RULES: readonly DiagnosisRule[] = [
  platformOomRule,
  killedAtLimitRule,
  languageOomRule,
  memoryPressureRule,
  functionTimeoutRule,
  initFailureRule,
  permissionErrorRule,
  downstreamTimeoutRule,
  throttlingRule,
  codeErrorRule,
  lowMemoryUseRule,
];
