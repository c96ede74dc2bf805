/**
 * Permission errors (AccessDeniedException, `is not authorized to perform`): an IAM problem that
 * fails fast whatever the memory size.
 */
import { PERMISSION_ERROR } from '../calibration';
import { clampWeight, DiagnosisRule, notApplicable, saturate, shareText } from './types';

export const permissionErrorRule: DiagnosisRule = {
  id: 'permission-error',
  description: 'calls were denied for lack of permission',
  evaluate(ctx) {
    const count = ctx.logs.counts.permissionError;
    if (count === 0) return notApplicable(this.id);
    return {
      ruleId: this.id,
      answer: 'not-memory',
      weight: clampWeight(PERMISSION_ERROR.base
        + PERMISSION_ERROR.shareGain * saturate(count / Math.max(1, ctx.invocationCount), PERMISSION_ERROR.shareFull)),
      category: 'PERMISSION_ERROR',
      evidence: {
        type: 'PERMISSION_ERROR',
        description: `calls were denied for lack of permission (AccessDenied / not authorized) in ${shareText(count, ctx.invocationCount)}`,
      },
    };
  },
};
