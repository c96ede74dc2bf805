/**
 * Ordinary application errors (unhandled exceptions, ERROR-level lines, stack traces, a platform
 * status `error` with no other explanation) on invocations that showed no memory signal: a bug,
 * which more memory does not fix. A bare platform error near the memory limit (no error text) is
 * left alone, since memory may have caused it; an error with its own text near the limit still
 * counts, with less weight.
 */
import { CODE_ERROR } from '../calibration';
import { formatPercent } from '../format';
import { HIGH_USE_RATIO } from '../logs';
import { clampWeight, DiagnosisRule, notApplicable, saturate, shareText, usedRatio } from './types';
import { InvocationFacts } from '../logs/types';

export const codeErrorRule: DiagnosisRule = {
  id: 'code-error',
  description: 'application errors on invocations with no memory signal',
  evaluate(ctx) {
    let codeErrors = 0;
    let nearLimit = 0;
    let failed = 0;
    for (const inv of ctx.logs.invocations) {
      const memory = hasMemorySignal(inv);
      const error = inv.appError || inv.status === 'error' || memory || inv.timeout || inv.initFailure
        || inv.permissionError || inv.downstreamTimeout || inv.throttling;
      if (!error) continue;
      failed++;
      if (memory || inv.timeout || inv.initFailure || inv.permissionError || inv.downstreamTimeout || inv.throttling) continue;
      const ratio = usedRatio(inv);
      if (ratio !== undefined && ratio >= HIGH_USE_RATIO) {
        if (!inv.appError) continue;
        nearLimit++;
      }
      codeErrors++;
    }
    // Error lines that could not be tied to an invocation still show a code error, unless they
    // are the out-of-memory errors that could not be tied to one either (an ERROR-level MemoryError).
    const unattributedOom = Math.max(0, ctx.logs.counts.languageOom - count(ctx.logs.invocations, inv => inv.languageOom));
    const unattributed = Math.max(0, ctx.logs.counts.appError - count(ctx.logs.invocations, inv => inv.appError) - unattributedOom);
    if (codeErrors === 0 && (unattributed === 0 || failed > 0)) return notApplicable(this.id);
    const errors = codeErrors > 0 ? codeErrors : unattributed;
    const shareOfFailures = failed > 0 ? codeErrors / failed : 1;
    return {
      ruleId: this.id,
      answer: 'not-memory',
      weight: clampWeight((CODE_ERROR.base + CODE_ERROR.shareOfFailuresGain * saturate(shareOfFailures, CODE_ERROR.shareOfFailuresFull))
        * (1 - CODE_ERROR.nearLimitPenalty * (codeErrors > 0 ? nearLimit / codeErrors : 0))),
      category: 'CODE_ERROR',
      evidence: {
        type: 'CODE_ERROR',
        description: `application errors with no memory signal in ${shareText(errors, ctx.invocationCount)}`
          + (failed > 0 ? `, ${formatPercent(shareOfFailures)} of the failed invocations` : '')
          + (nearLimit > 0 ? ` (${nearLimit} of them near the memory limit)` : ''),
      },
    };
  },
};

/** Any sign that the invocation ran out of memory. */
export function hasMemorySignal(inv: InvocationFacts): boolean {
  if (inv.platformOom || inv.languageOom || inv.killed) return true;
  // exit status 137 is an exit like any other unless the figure is near the limit.
  const ratio = usedRatio(inv);
  return inv.exitError && ratio !== undefined && ratio >= HIGH_USE_RATIO;
}

function count(invocations: readonly InvocationFacts[], pick: (inv: InvocationFacts) => boolean): number {
  let c = 0;
  for (const inv of invocations) if (pick(inv)) c++;
  return c;
}
