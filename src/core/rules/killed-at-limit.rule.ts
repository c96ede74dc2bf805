/**
 * The runtime process was killed (`Runtime exited with error: signal: killed`) or exited before
 * completing the request (`Runtime.ExitError`, `Process exited before completing request`) while
 * Max Memory Used was at the limit: the sandbox's out-of-memory kill. An exit with memory use well
 * below the limit is a crash of the code itself, not a memory issue.
 */
import { AT_LIMIT_RATIO, HIGH_USE_RATIO } from '../logs';
import { clampWeight, countApproached, DiagnosisRule, notApplicable, saturate, shareText, usedRatio } from './types';

/** Below this use ratio an exit is taken as a crash of the code. */
const CRASH_RATIO = 0.8;

export const killedAtLimitRule: DiagnosisRule = {
  id: 'killed-at-limit',
  description: 'the runtime was killed or exited while memory use was at the limit',
  evaluate(ctx) {
    let atLimit = 0;
    let killedUnmeasured = 0;
    let crashed = 0;
    for (const inv of ctx.logs.invocations) {
      if (!(inv.killed || inv.exitError) || inv.platformOom) continue;
      const ratio = usedRatio(inv);
      if (ratio === undefined) {
        if (inv.killed) killedUnmeasured++;
      } else if (ratio >= AT_LIMIT_RATIO || (inv.killed && ratio >= HIGH_USE_RATIO)) {
        // Max Memory Used is sampled, so a SIGKILL can show a figure a little under the limit.
        atLimit++;
      } else if (ratio < CRASH_RATIO && !inv.killed && !inv.languageOom) {
        crashed++;
      }
    }
    // Kill lines that named no invocation still count, as unmeasured kills.
    killedUnmeasured += Math.max(0, ctx.logs.counts.killed - countKilled(ctx.logs.invocations));
    const n = Math.max(1, ctx.invocationCount);
    if (atLimit > 0) {
      const typical = ctx.logs.memory.medianUsedRatio ?? 0;
      // Memory that climbed to the limit before the kill will be killed again (see platform-oom).
      const approached = countApproached(ctx.logs.invocations, inv => (inv.killed || inv.exitError) && !inv.platformOom);
      const climbing = approached * 2 >= atLimit;
      return {
        ruleId: this.id,
        answer: 'memory',
        weight: clampWeight(0.55 + 0.35 * saturate(atLimit / n, 0.2) + (typical >= 0.8 ? 0.1 : 0) + (climbing ? 0.15 : 0)),
        category: 'OUT_OF_MEMORY',
        sizing: 'unknown-need',
        evidence: {
          type: 'PROCESS_KILLED_AT_MEMORY_LIMIT',
          description: `the runtime process was killed or exited with Max Memory Used at the memory limit in ${shareText(atLimit, ctx.invocationCount)}`,
        },
      };
    }
    if (killedUnmeasured > 0) {
      return {
        ruleId: this.id,
        answer: 'memory',
        weight: clampWeight(0.4 + 0.2 * saturate(killedUnmeasured / n, 0.2)),
        category: 'OUT_OF_MEMORY',
        sizing: 'unknown-need',
        evidence: {
          type: 'PROCESS_KILLED',
          description: `the runtime process was killed (signal: killed) ${killedUnmeasured} time(s) without a REPORT showing its memory use`,
        },
      };
    }
    if (crashed > 0) {
      return {
        ruleId: this.id,
        answer: 'not-memory',
        weight: clampWeight(0.5 + 0.2 * saturate(crashed / n, 0.2)),
        category: 'CODE_ERROR',
        evidence: {
          type: 'PROCESS_EXITED_BELOW_LIMIT',
          description: `the runtime process exited with memory use below ${Math.round(CRASH_RATIO * 100)} % of the limit in ${shareText(crashed, ctx.invocationCount)}: a crash, not an out-of-memory kill`,
        },
      };
    }
    return notApplicable(this.id);
  },
};

function countKilled(invocations: ReadonlyArray<{ readonly killed: boolean }>): number {
  let c = 0;
  for (const inv of invocations) if (inv.killed) c++;
  return c;
}
