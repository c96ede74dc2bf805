/**
 * The function hit its own timeout (`Task timed out after N seconds`, status `timeout`).
 * Near the memory limit this is a memory issue (a runtime thrashing in garbage collection, or a
 * Node.js heap error surfacing as a timeout); with low memory use it is not: the time went
 * elsewhere (a slow downstream call when the logs show one, else the function's own work).
 */
import { FUNCTION_TIMEOUT, USE_RATIO } from '../calibration';
import { clampWeight, DiagnosisRule, notApplicable, saturate, shareText, usedRatio } from './types';

const HIGH_USE_RATIO = USE_RATIO.high;
/** Below this use ratio a timeout is not memory-bound. */
const LOW_RATIO = USE_RATIO.low;

export const functionTimeoutRule: DiagnosisRule = {
  id: 'function-timeout',
  description: 'function timeouts, split by memory use at the time',
  evaluate(ctx) {
    let timeouts = 0;
    let nearLimit = 0;
    let low = 0;
    let lowMemory = 0;
    let downstream = 0;
    for (const inv of ctx.logs.invocations) {
      if (!inv.timeout) continue;
      timeouts++;
      if (inv.downstreamTimeout) downstream++;
      const ratio = usedRatio(inv);
      if (ratio === undefined) continue;
      // A timeout whose invocation was waiting on another service is explained by that wait,
      // however much memory it used.
      if (ratio >= HIGH_USE_RATIO && !inv.downstreamTimeout) nearLimit++;
      else if (ratio < LOW_RATIO || inv.downstreamTimeout) low++;
      if (ratio < LOW_RATIO) lowMemory++;
    }
    timeouts = Math.max(timeouts, ctx.logs.counts.timeout);
    if (timeouts === 0) return notApplicable(this.id);
    const n = Math.max(1, ctx.invocationCount);
    if (nearLimit > 0 && nearLimit >= low) {
      return {
        ruleId: this.id,
        answer: 'memory',
        weight: clampWeight(FUNCTION_TIMEOUT.nearLimitBase
          + FUNCTION_TIMEOUT.nearLimitShareGain * saturate(nearLimit / n, FUNCTION_TIMEOUT.nearLimitShareFull)
          + (nearLimit === timeouts ? FUNCTION_TIMEOUT.allNearLimitBonus : 0)),
        category: 'MEMORY_PRESSURE',
        sizing: 'unknown-need',
        evidence: {
          type: 'TIMEOUT_NEAR_MEMORY_LIMIT',
          description: `the function timed out with Max Memory Used at or above ${Math.round(HIGH_USE_RATIO * 100)} % of Memory Size in ${shareText(nearLimit, ctx.invocationCount)}`,
        },
      };
    }
    const viaDownstream = downstream > 0 || ctx.logs.counts.downstreamTimeout > 0;
    const category = viaDownstream ? 'DOWNSTREAM_TIMEOUT' : 'FUNCTION_TIMEOUT';
    const measured = low > 0;
    const lowText = lowMemory === timeouts ? ` with memory use below ${Math.round(LOW_RATIO * 100)} % of the limit` : '';
    return {
      ruleId: this.id,
      answer: 'not-memory',
      weight: clampWeight((measured ? FUNCTION_TIMEOUT.lowUseBase : FUNCTION_TIMEOUT.unmeasuredBase)
        + FUNCTION_TIMEOUT.shareGain * saturate(timeouts / n, FUNCTION_TIMEOUT.shareFull)),
      category,
      evidence: {
        type: 'FUNCTION_TIMEOUT',
        description: `the function timed out in ${shareText(timeouts, ctx.invocationCount)}`
          + lowText
          + (viaDownstream ? ', while calls to other services timed out' : ''),
      },
    };
  },
};
