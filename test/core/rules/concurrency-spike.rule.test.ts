import { concurrencySpikeRule } from '../../../src/core';
import { contextFor, healthy, series } from '../support';

describe('concurrency-spike rule', () => {
  test('GIVEN concurrency from about 4 to 15 with most invocations at 94 % of memory WHEN evaluated THEN it is weak corroboration of memory pressure', () => {
    const v = concurrencySpikeRule.evaluate(contextFor(healthy(8, 1024, 965), { metricSeries: { ConcurrentExecutions: series([4, 4, 5, 12, 15]) } }));
    expect(v).toMatchObject({ answer: 'memory', category: 'MEMORY_PRESSURE', sizing: 'known-peak', weight: 0.2 });
    expect(v.evidence).toEqual({
      type: 'CONCURRENCY_SPIKE',
      description: 'concurrent executions rose to 15 (a mean of 4.3 before the alarm) while Max Memory Used was at or above 90 % of Memory Size in 8 of 8 completed invocations (100 %)',
    });
  });

  test('GIVEN the same spike with memory at 45 % WHEN evaluated THEN it says nothing about memory', () => {
    expect(concurrencySpikeRule.evaluate(contextFor(healthy(8, 1024, 460), { metricSeries: { ConcurrentExecutions: series([4, 4, 5, 12, 15]) } })).answer).toBe('not-applicable');
  });

  test('GIVEN memory pressure and concurrency up by half (no spike), or an idle baseline WHEN evaluated THEN it is not applicable', () => {
    expect(concurrencySpikeRule.evaluate(contextFor(healthy(8, 1024, 965), { metricSeries: { ConcurrentExecutions: series([4, 4, 4, 6, 6]) } })).answer).toBe('not-applicable');
    expect(concurrencySpikeRule.evaluate(contextFor(healthy(8, 1024, 965), { metricSeries: { ConcurrentExecutions: series([0, 0, 0, 3, 4]) } })).answer).toBe('not-applicable');
  });
});
