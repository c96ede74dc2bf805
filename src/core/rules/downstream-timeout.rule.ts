/**
 * Calls to other services timed out or lost their connection (ETIMEDOUT, ECONNRESET,
 * ReadTimeoutError, `Connect timeout on endpoint URL`, `socket hang up`, TimeoutError,
 * `SdkClientException: Unable to execute HTTP request`). More memory does not make another
 * service answer faster.
 */
import { DOWNSTREAM_TIMEOUT } from '../calibration';
import { clampWeight, DiagnosisRule, notApplicable, saturate, shareText } from './types';

export const downstreamTimeoutRule: DiagnosisRule = {
  id: 'downstream-timeout',
  description: 'calls to other services timed out or lost their connection',
  evaluate(ctx) {
    const count = ctx.logs.counts.downstreamTimeout;
    if (count === 0) return notApplicable(this.id);
    return {
      ruleId: this.id,
      answer: 'not-memory',
      weight: clampWeight(DOWNSTREAM_TIMEOUT.base
        + DOWNSTREAM_TIMEOUT.shareGain * saturate(count / Math.max(1, ctx.invocationCount), DOWNSTREAM_TIMEOUT.shareFull)),
      category: 'DOWNSTREAM_TIMEOUT',
      evidence: {
        type: 'DOWNSTREAM_TIMEOUT',
        description: `calls to other services timed out or lost their connection in ${shareText(count, ctx.invocationCount)}`,
      },
    };
  },
};
