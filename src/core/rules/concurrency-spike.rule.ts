/**
 * A concurrency surge that came with memory pressure: `ConcurrentExecutions` (Maximum per minute)
 * after the alarm at least twice its mean before, while Max Memory Used is at or above 90 % of
 * Memory Size on a large share of the completed invocations, or invocations ran out of memory.
 * Each execution environment has its own memory, so more of them use none of each other's; a
 * surge often brings other payloads, and pressure arriving with it points at the size one
 * invocation needs. Weak corroboration; the spike alone says nothing about memory.
 */
import { CONCURRENCY_SPIKE, MEMORY_PRESSURE } from '../calibration';
import { clampWeight, DiagnosisRule, memoryCorroboration, memorySigns, notApplicable } from './types';

export const concurrencySpikeRule: DiagnosisRule = {
  id: 'concurrency-spike',
  description: 'ConcurrentExecutions at least doubled after the alarm while invocations run near their memory limit',
  evaluate(ctx) {
    const c = ctx.metrics.series.ConcurrentExecutions;
    const base = c?.before.mean;
    const peak = c?.after.max;
    if (base === undefined || peak === undefined || base < CONCURRENCY_SPIKE.minBaseline || peak < CONCURRENCY_SPIKE.spikeRatio * base) {
      return notApplicable(this.id);
    }
    const signs = memorySigns(ctx, MEMORY_PRESSURE.minReports, MEMORY_PRESSURE.minShare);
    if (!signs.short) return notApplicable(this.id);
    const memory = memoryCorroboration(signs);
    return {
      ruleId: this.id,
      answer: 'memory',
      weight: clampWeight(CONCURRENCY_SPIKE.withMemory),
      category: memory.category,
      sizing: memory.sizing,
      evidence: {
        type: 'CONCURRENCY_SPIKE',
        description: `concurrent executions rose to ${Math.round(peak)} (a mean of ${Math.round(base * 10) / 10} before the alarm) while ${memory.clause}`,
      },
    };
  },
};
