/**
 * The init phase failed (INIT_REPORT / platform.initReport with status error or timeout,
 * Runtime.ImportModuleError, Runtime.HandlerNotFound, Runtime.UserCodeSyntaxError): broken
 * packaging or configuration. An init that ran out of memory is reported by the platform as
 * Runtime.OutOfMemory and handled by the platform-oom rule instead.
 */
import { INIT_FAILURE } from '../calibration';
import { clampWeight, DiagnosisRule, notApplicable } from './types';

const ERROR_TYPE_NAME = /^(?:[A-Z]\w{0,40}(?:\.[A-Z]\w{0,40}){1,3}|init (?:error|timeout))$/;

export const initFailureRule: DiagnosisRule = {
  id: 'init-failure',
  description: 'the init phase failed (import error, missing handler, init error or timeout)',
  evaluate(ctx) {
    const failures = Math.max(ctx.logs.init.failures, ctx.logs.counts.initFailure);
    if (failures === 0) return notApplicable(this.id);
    // Only names shaped like Lambda error types are repeated (INIT_REPORT lines are text, and
    // text from the logs never reaches the reasoning verbatim).
    const types = ctx.logs.init.errorTypes.filter(t => ERROR_TYPE_NAME.test(t));
    return {
      ruleId: this.id,
      answer: 'not-memory',
      // A SIGKILL next to a failed init may be an out-of-memory kill during init: weigh less.
      weight: clampWeight((ctx.logs.counts.killed > 0 ? INIT_FAILURE.withKillBase : INIT_FAILURE.base)
        + INIT_FAILURE.perFailure * Math.min(failures, INIT_FAILURE.maxCountedFailures)),
      category: 'INIT_FAILURE',
      evidence: {
        type: 'INIT_FAILURE',
        description: `the init phase failed ${failures} time(s)${types.length > 0 ? ` (${types.join(', ')})` : ''}`,
      },
    };
  },
};
