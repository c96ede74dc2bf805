/**
 * The runtime process was killed (`Runtime exited with error: signal: killed`) or exited before
 * completing the request (`Runtime.ExitError`, `Process exited before completing request`) while
 * Max Memory Used was at the limit: the sandbox's out-of-memory kill. Confirmed by the platform's
 * own figure, it is memory evidence however rarely it happens (issue 11 item 5).
 *
 * `exit status 137` (a wrapper reporting that its child got SIGKILL) is a kill of unknown cause:
 * with Max Memory Used near the limit it counts like `signal: killed`, without a figure it is only
 * weak evidence, and far below the limit it is not memory. An exit with memory use well below the
 * limit is a crash of the code itself, not a memory issue.
 */
import { KILLED_AT_LIMIT, USE_RATIO } from '../calibration';
import { clampWeight, countApproached, DiagnosisRule, notApplicable, saturate, shareText, usedRatio } from './types';
import { InvocationFacts } from '../logs/types';

export const killedAtLimitRule: DiagnosisRule = {
  id: 'killed-at-limit',
  description: 'the runtime was killed or exited while memory use was at the limit',
  evaluate(ctx) {
    let atLimit = 0;
    let killedUnmeasured = 0;
    let exit137Unmeasured = 0;
    let crashed = 0;
    for (const inv of ctx.logs.invocations) {
      if (!(inv.killed || inv.exitError) || inv.platformOom) continue;
      const ratio = usedRatio(inv);
      if (ratio === undefined) {
        if (inv.killed) killedUnmeasured++;
        else if (inv.exitStatus137) exit137Unmeasured++;
      } else if (ratio >= USE_RATIO.atLimit || (isKillOrOom(inv) && ratio >= USE_RATIO.high)) {
        // Max Memory Used is sampled, so a SIGKILL can show a figure a little under the limit.
        atLimit++;
      } else if (ratio < USE_RATIO.crash && !inv.killed && !inv.languageOom) {
        crashed++;
      }
    }
    // Kill lines that named no invocation still count, as unmeasured kills.
    killedUnmeasured += Math.max(0, ctx.logs.counts.killed - count(ctx.logs.invocations, inv => inv.killed));
    exit137Unmeasured += Math.max(0, ctx.logs.counts.exitStatus137 - count(ctx.logs.invocations, inv => inv.exitStatus137));
    const n = Math.max(1, ctx.invocationCount);
    if (atLimit > 0) {
      const typical = ctx.logs.memory.medianUsedRatio ?? 0;
      // Memory that climbed to the limit before the kill will be killed again (see platform-oom).
      const approached = countApproached(ctx.logs.invocations, inv => (inv.killed || inv.exitError) && !inv.platformOom);
      const climbing = approached > 0 && approached * 2 >= atLimit;
      return {
        ruleId: this.id,
        answer: 'memory',
        weight: clampWeight(KILLED_AT_LIMIT.base + (typical >= KILLED_AT_LIMIT.typicalRatio || climbing ? KILLED_AT_LIMIT.corroboratedBonus : 0)),
        category: 'OUT_OF_MEMORY',
        sizing: 'unknown-need',
        evidence: {
          type: 'PROCESS_KILLED_AT_MEMORY_LIMIT',
          description: `the runtime process was killed or exited with Max Memory Used at (or, sampled, just under) the memory limit in ${shareText(atLimit, ctx.invocationCount)}`,
        },
      };
    }
    if (killedUnmeasured > 0) {
      return {
        ruleId: this.id,
        answer: 'memory',
        weight: clampWeight(KILLED_AT_LIMIT.unmeasured),
        category: 'OUT_OF_MEMORY',
        sizing: 'unknown-need',
        evidence: {
          type: 'PROCESS_KILLED',
          description: `the runtime process was killed (signal: killed) ${killedUnmeasured} time(s) without a REPORT showing its memory use: an out-of-memory kill is likely`,
        },
      };
    }
    if (exit137Unmeasured > 0) {
      return {
        ruleId: this.id,
        answer: 'memory',
        weight: clampWeight(KILLED_AT_LIMIT.unconfirmedExit137),
        category: 'OUT_OF_MEMORY',
        sizing: 'unknown-need',
        evidence: {
          type: 'PROCESS_KILLED_UNCONFIRMED',
          description: `a process was killed (exit status 137 = 128 + SIGKILL) ${exit137Unmeasured} time(s) with no REPORT showing its memory use: possibly an out-of-memory kill, which only Max Memory Used near the limit would confirm`,
        },
      };
    }
    if (crashed > 0) {
      return {
        ruleId: this.id,
        answer: 'not-memory',
        weight: clampWeight(KILLED_AT_LIMIT.crashBase + KILLED_AT_LIMIT.crashShareGain * saturate(crashed / n, KILLED_AT_LIMIT.crashShareFull)),
        category: 'CODE_ERROR',
        evidence: {
          type: 'PROCESS_EXITED_BELOW_LIMIT',
          description: `the runtime process exited with memory use below ${Math.round(USE_RATIO.crash * 100)} % of the limit in ${shareText(crashed, ctx.invocationCount)}: a crash, not an out-of-memory kill`,
        },
      };
    }
    return notApplicable(this.id);
  },
};

/** A kill, or an exit the runtime explained as out of memory: its figure may be sampled a little under the limit. */
function isKillOrOom(inv: InvocationFacts): boolean {
  return inv.killed || inv.exitStatus137 || inv.languageOom;
}

function count(invocations: readonly InvocationFacts[], pick: (inv: InvocationFacts) => boolean): number {
  let c = 0;
  for (const inv of invocations) if (pick(inv)) c++;
  return c;
}
