/**
 * Throttling: the function's own Throttles metric, or another service answering
 * TooManyRequestsException / Rate exceeded. Concurrency and request quotas, not memory.
 */
import { THROTTLING } from '../calibration';
import { formatPercent } from '../format';
import { clampWeight, DiagnosisRule, notApplicable, saturate, shareText } from './types';

export const throttlingRule: DiagnosisRule = {
  id: 'throttling',
  description: 'the function or a service it calls was throttled',
  evaluate(ctx) {
    const logCount = ctx.logs.counts.throttling;
    const metricThrottles = ctx.metrics.totalThrottles;
    if (logCount === 0 && metricThrottles === 0) return notApplicable(this.id);
    const parts: string[] = [];
    let weight: number = THROTTLING.base;
    if (metricThrottles > 0) {
      const rate = ctx.metrics.throttleRateAfter ?? 0;
      weight += THROTTLING.metricBonus + THROTTLING.metricRateGain * saturate(rate, THROTTLING.metricRateFull);
      parts.push(`the Throttles metric counted ${metricThrottles} throttled invocation(s)`
        + (ctx.metrics.throttleRateAfter !== undefined ? ` (${formatPercent(rate)} of requests after the alarm)` : ''));
    }
    if (logCount > 0) {
      weight += THROTTLING.logBonus + THROTTLING.logShareGain * saturate(logCount / Math.max(1, ctx.invocationCount), THROTTLING.logShareFull);
      parts.push(`calls were throttled (TooManyRequestsException / Rate exceeded) in ${shareText(logCount, ctx.invocationCount)}`);
    }
    return {
      ruleId: this.id,
      answer: 'not-memory',
      weight: clampWeight(weight),
      category: 'THROTTLING',
      evidence: { type: 'THROTTLING', description: parts.join('; ') },
    };
  },
};
