import { streamLagRule } from '../../../src/core';
import { contextFor, healthy, rid, series, textInvocation } from '../support';

/** A consumer falling behind: the age of the last record processed, ms, one point a minute. */
const falling = series([4000, 9000, 20000, 70000, 125000]);

describe('stream-lag rule', () => {
  test('GIVEN IteratorAge rising past a minute and most invocations at 94 % of memory WHEN evaluated THEN it corroborates memory pressure, sized from the peak', () => {
    const v = streamLagRule.evaluate(contextFor(healthy(8, 1024, 965), { metricSeries: { IteratorAge: falling } }));
    expect(v).toMatchObject({ answer: 'memory', category: 'MEMORY_PRESSURE', sizing: 'known-peak', weight: 0.35 });
    expect(v.evidence).toEqual({
      type: 'STREAM_LAG',
      description: 'the stream consumer falls behind: IteratorAge reached 125 s (a mean of 11 s before the alarm), while Max Memory Used was at or above 90 % of Memory Size in 8 of 8 completed invocations (100 %)',
    });
  });

  test('GIVEN IteratorAge rising and out-of-memory kills WHEN evaluated THEN it corroborates an out-of-memory issue of unknown need', () => {
    const kills = [1, 2].flatMap((n) => textInvocation({ id: rid(n), memorySizeMb: 512, maxMemoryUsedMb: 512, status: 'error', errorType: 'Runtime.OutOfMemory' }));
    const v = streamLagRule.evaluate(contextFor([...healthy(6, 512, 300, 50), ...kills], { metricSeries: { IteratorAge: falling } }, 512));
    expect(v).toMatchObject({ answer: 'memory', category: 'OUT_OF_MEMORY', sizing: 'unknown-need' });
    expect(v.evidence?.description).toContain('while 2 invocations ran out of memory');
  });

  test('GIVEN IteratorAge rising but memory at 45 % WHEN evaluated THEN the lag says nothing about memory (a slow downstream lags as well)', () => {
    expect(streamLagRule.evaluate(contextFor(healthy(8, 1024, 460), { metricSeries: { IteratorAge: falling } })).answer).toBe('not-applicable');
  });

  test('GIVEN memory pressure but a consumer that keeps up (age under a minute, or flat) WHEN evaluated THEN it is not applicable', () => {
    expect(streamLagRule.evaluate(contextFor(healthy(8, 1024, 965), { metricSeries: { IteratorAge: series([1000, 2000, 4000, 9000, 30000]) } })).answer).toBe('not-applicable');
    expect(streamLagRule.evaluate(contextFor(healthy(8, 1024, 965), { metricSeries: { IteratorAge: series([90000, 91000, 90000, 89000, 90000]) } })).answer).toBe('not-applicable');
  });

  test('GIVEN no IteratorAge series (not a stream consumer) WHEN evaluated THEN it is not applicable', () => {
    expect(streamLagRule.evaluate(contextFor(healthy(8, 1024, 965))).answer).toBe('not-applicable');
  });
});
