/**
 * A stream consumer falling behind while it is short of memory: `IteratorAge` (how old the last
 * record of a batch was when the function finished it) rising to a minute or more, and the
 * function's REPORT lines show Max Memory Used at or above 90 % of Memory Size on a large share of
 * its completed invocations, or out-of-memory ends. A garbage-collected consumer near its limit
 * takes longer per batch, so fewer records a minute leave the stream than arrive.
 *
 * Corroboration only: a consumer also falls behind for a slow downstream, a small batch or too
 * little parallelism, so the lag alone says nothing about memory (not applicable).
 */
import { MEMORY_PRESSURE, STREAM_LAG } from '../calibration';
import { formatDuration } from '../format';
import { clampWeight, DiagnosisRule, memoryCorroboration, memorySigns, notApplicable } from './types';

export const streamLagRule: DiagnosisRule = {
  id: 'stream-lag',
  description: 'IteratorAge rising to a minute or more while invocations run near their memory limit',
  evaluate(ctx) {
    const age = ctx.metrics.series.IteratorAge;
    const latest = age?.after.max ?? age?.before.max;
    if (!age || age.direction !== 'rising' || latest === undefined || latest < STREAM_LAG.minAgeMs) return notApplicable(this.id);
    const signs = memorySigns(ctx, MEMORY_PRESSURE.minReports, MEMORY_PRESSURE.minShare);
    if (!signs.short) return notApplicable(this.id);
    const before = age.before.mean;
    const memory = memoryCorroboration(signs);
    return {
      ruleId: this.id,
      answer: 'memory',
      weight: clampWeight(STREAM_LAG.withMemory),
      category: memory.category,
      sizing: memory.sizing,
      evidence: {
        type: 'STREAM_LAG',
        description: `the stream consumer falls behind: IteratorAge reached ${formatDuration(latest)}`
          + `${before !== undefined ? ` (a mean of ${formatDuration(before)} before the alarm)` : ''}, while ${memory.clause}`,
      },
    };
  },
};
