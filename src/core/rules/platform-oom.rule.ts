/**
 * The platform itself said the function ran out of memory: `Error Type: Runtime.OutOfMemory` on a
 * REPORT line or `"errorType": "Runtime.OutOfMemory"` in a platform.report / runtimeDone record.
 * The strongest evidence there is, and as strong for one kill in 500 invocations as for one in
 * three: how often it happens sets the urgency of the repair, not the doubt about the cause
 * (issue 11 item 5). Typical use near the limit, or memory already climbing near it on the
 * invocation before (a leak or a growing working set), make the undersizing more evident still.
 */
import { PLATFORM_OOM } from '../calibration';
import { clampWeight, countApproached, DiagnosisRule, notApplicable, shareText } from './types';

export const platformOomRule: DiagnosisRule = {
  id: 'platform-oom',
  description: 'the Lambda platform reported Runtime.OutOfMemory',
  evaluate(ctx) {
    const count = ctx.logs.counts.platformOom;
    if (count === 0) return notApplicable(this.id);
    const typical = ctx.logs.memory.medianUsedRatio ?? 0;
    const approached = countApproached(ctx.logs.invocations, inv => inv.platformOom);
    const climbing = approached > 0 && approached * 2 >= count;
    const weight = clampWeight(PLATFORM_OOM.base + (typical >= PLATFORM_OOM.typicalRatio || climbing ? PLATFORM_OOM.corroboratedBonus : 0));
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
