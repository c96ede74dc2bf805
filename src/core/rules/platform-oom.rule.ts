/**
 * The platform itself said the function ran out of memory: `Error Type: Runtime.OutOfMemory` on a
 * REPORT line or `"errorType": "Runtime.OutOfMemory"` in a platform.report / runtimeDone record.
 * The strongest evidence there is; its weight grows with the share of invocations affected and
 * with how close typical use is to the limit (one OOM in 500 invocations that otherwise use
 * little memory is an outlier input more than an undersized function), and when memory had
 * already climbed near the limit on the invocation before (a leak or a growing working set: the
 * kills will keep coming).
 */
import { clampWeight, countApproached, DiagnosisRule, notApplicable, saturate, shareText } from './types';

export const platformOomRule: DiagnosisRule = {
  id: 'platform-oom',
  description: 'the Lambda platform reported Runtime.OutOfMemory',
  evaluate(ctx) {
    const count = ctx.logs.counts.platformOom;
    if (count === 0) return notApplicable(this.id);
    const share = count / Math.max(1, ctx.invocationCount);
    const typical = ctx.logs.memory.medianUsedRatio ?? 0;
    const approached = countApproached(ctx.logs.invocations, inv => inv.platformOom);
    const climbing = approached * 2 >= count;
    const weight = clampWeight(0.6 + 0.37 * saturate(share, 0.2) + (typical >= 0.8 ? 0.15 : 0) + (climbing ? 0.2 : 0));
    return {
      ruleId: this.id,
      answer: 'memory',
      weight,
      category: 'OUT_OF_MEMORY',
      sizing: 'unknown-need',
      evidence: {
        type: 'PLATFORM_OUT_OF_MEMORY',
        description: `the Lambda platform reported Runtime.OutOfMemory for ${shareText(count, ctx.invocationCount)}`
          + (climbing ? `; memory use had already climbed near the limit before ${approached} of them` : ''),
      },
    };
  },
};
