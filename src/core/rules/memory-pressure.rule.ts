/**
 * Memory pressure without a kill: Max Memory Used at or above 90 % of Memory Size on a large share
 * of invocations. Garbage-collected runtimes slow down long before they fail, so a rising
 * duration on top of it strengthens the evidence. The measured peak is the function's real need,
 * so sizing uses it.
 */
import { HIGH_USE_RATIO } from '../logs';
import { clampWeight, DiagnosisRule, notApplicable, saturate, shareText } from './types';

/** Fewest REPORTs for a share to mean anything. */
const MIN_REPORTS = 3;
/** Smallest share of high-use invocations that counts as pressure. */
const MIN_SHARE = 0.25;
/** Second-half mean REPORT duration over first-half mean above which duration is rising. */
const RISING_DURATION = 1.2;

export const memoryPressureRule: DiagnosisRule = {
  id: 'memory-pressure',
  description: 'Max Memory Used at or above 90 % of Memory Size on many invocations',
  evaluate(ctx) {
    const m = ctx.logs.memory;
    if (m.reportCount < MIN_REPORTS) return notApplicable(this.id);
    const share = m.highUseCount / m.reportCount;
    if (share < MIN_SHARE) return notApplicable(this.id);
    const metricRising = ctx.metrics.series.Duration?.direction === 'rising';
    const reportRising = reportDurationGrowth(ctx.logs.invocations) >= RISING_DURATION;
    const rising = metricRising || reportRising;
    const weight = clampWeight(0.5 + 0.3 * saturate(share - MIN_SHARE, 0.5) + (rising ? 0.15 : 0));
    const peak = m.peakHealthyUsedMb ?? m.peakUsedMb;
    return {
      ruleId: this.id,
      answer: 'memory',
      weight,
      category: 'MEMORY_PRESSURE',
      sizing: 'known-peak',
      evidence: {
        type: 'MEMORY_PRESSURE',
        description: `Max Memory Used was at or above ${Math.round(HIGH_USE_RATIO * 100)} % of Memory Size in ${shareText(m.highUseCount, m.reportCount)}`
          + ` (peak ${peak} MB of ${m.memorySizeMb} MB)${rising ? ', and duration is rising' : ''}`,
      },
    };
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
