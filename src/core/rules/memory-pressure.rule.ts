/**
 * Memory pressure without a kill: Max Memory Used at or above 90 % of Memory Size on a large share
 * of the invocations that completed. Garbage-collected runtimes slow down long before they fail,
 * so a rising duration on top of it strengthens the evidence. The highest completed invocation is
 * the function's measured need, so sizing uses it.
 *
 * Invocations cut short (killed, out of memory, timed out) are left to their own rules: their
 * figure is the limit at which they stopped, and counting them here again would report one kill
 * twice. With too few completed REPORTs for a share, a completed invocation at the limit (a single
 * pasted REPORT at 100 %) still says memory is likely short: weak evidence, for a person to review.
 */
import { MEMORY_PRESSURE, USE_RATIO } from '../calibration';
import { formatShare } from '../format';
import { wasCutShort } from '../logs';
import { clampWeight, DiagnosisRule, notApplicable, saturate, usedRatio } from './types';

export const memoryPressureRule: DiagnosisRule = {
  id: 'memory-pressure',
  description: 'Max Memory Used at or above 90 % of Memory Size on many completed invocations',
  evaluate(ctx) {
    let completed = 0;
    let highUse = 0;
    let atLimit = 0;
    let peakMb = 0;
    let sizeMb: number | undefined;
    for (const inv of ctx.logs.invocations) {
      const ratio = usedRatio(inv);
      if (ratio === undefined || wasCutShort(inv)) continue;
      completed++;
      if (ratio >= USE_RATIO.high) highUse++;
      if (ratio >= USE_RATIO.atLimit) atLimit++;
      if (inv.maxMemoryUsedMb! >= peakMb) {
        peakMb = inv.maxMemoryUsedMb!;
        sizeMb = inv.memorySizeMb;
      }
    }
    const share = completed > 0 ? highUse / completed : 0;
    if (completed >= MEMORY_PRESSURE.minReports && share >= MEMORY_PRESSURE.minShare) {
      const metricRising = ctx.metrics.series.Duration?.direction === 'rising';
      const reportRising = reportDurationGrowth(ctx.logs.invocations) >= MEMORY_PRESSURE.risingDuration;
      const rising = metricRising || reportRising;
      const weight = clampWeight(MEMORY_PRESSURE.base
        + MEMORY_PRESSURE.shareGain * saturate(share - MEMORY_PRESSURE.minShare, MEMORY_PRESSURE.shareFull)
        + (rising ? MEMORY_PRESSURE.risingBonus : 0));
      return {
        ruleId: this.id,
        answer: 'memory',
        weight,
        category: 'MEMORY_PRESSURE',
        sizing: 'known-peak',
        evidence: {
          type: 'MEMORY_PRESSURE',
          description: `Max Memory Used was at or above ${Math.round(USE_RATIO.high * 100)} % of Memory Size in ${formatShare(highUse, completed, 'completed invocations')}`
            + ` (highest ${peakMb} MB of ${sizeMb} MB)${rising ? ', and duration is rising' : ''}`,
        },
      };
    }
    // Only when nothing failed for memory: next to a kill, "not yet shown to fail" would contradict it.
    const failures = ctx.logs.counts.platformOom + ctx.logs.counts.killed + ctx.logs.counts.languageOom;
    if (atLimit > 0 && failures === 0) {
      return {
        ruleId: this.id,
        answer: 'memory',
        weight: clampWeight(MEMORY_PRESSURE.atLimitOnly),
        category: 'MEMORY_PRESSURE',
        // It completed at the limit: what it would have used with more memory is unknown.
        sizing: 'unknown-need',
        evidence: {
          type: 'MEMORY_AT_LIMIT',
          description: `Max Memory Used reached Memory Size (${peakMb} MB of ${sizeMb} MB) in ${formatShare(atLimit, completed, 'completed invocations')}`
            + ' without a kill: memory is likely short, not yet shown to fail',
        },
      };
    }
    return notApplicable(this.id);
  },
};

/** Mean duration of the second half of the REPORTs over the first half (1 when unknown). */
export function reportDurationGrowth(invocations: ReadonlyArray<{ readonly durationMs?: number; readonly hasReport: boolean }>): number {
  const d: number[] = [];
  for (const inv of invocations) if (inv.hasReport && inv.durationMs !== undefined) d.push(inv.durationMs);
  if (d.length < 4) return 1;
  const half = Math.floor(d.length / 2);
  let a = 0, b = 0;
  for (let i = 0; i < half; i++) a += d[i];
  for (let i = d.length - half; i < d.length; i++) b += d[i];
  return a > 0 ? b / a : 1;
}
