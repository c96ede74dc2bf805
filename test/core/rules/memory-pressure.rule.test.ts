import { memoryPressureRule, buildRuleContext, DEFAULT_POLICY } from '../../../src/core';
import { contextFor, fixture, healthy, rid, textInvocation } from '../support';

describe('memory-pressure rule', () => {
  test('GIVEN the gc-pressure sample WHEN evaluated THEN it is memory pressure sized from the known peak, strengthened by rising duration', () => {
    const v = memoryPressureRule.evaluate(buildRuleContext(fixture('gc-pressure-duration'), DEFAULT_POLICY));
    expect(v).toMatchObject({ answer: 'memory', category: 'MEMORY_PRESSURE', sizing: 'known-peak', weight: 0.95 });
    expect(v.evidence?.description).toContain('13 of 13 completed invocations (100 %) (highest 2017 MB of 2048 MB), and duration is rising');
  });

  test('GIVEN high use on half the invocations and flat duration WHEN evaluated THEN it is weaker memory evidence', () => {
    const logs = [...healthy(5, 1024, 600, 1), ...healthy(5, 1024, 960, 100)];
    const v = memoryPressureRule.evaluate(contextFor(logs));
    expect(v.answer).toBe('memory');
    expect(v.weight).toBeCloseTo(0.65, 3);
  });

  test('GIVEN use around 80 % WHEN evaluated THEN it is not applicable', () => {
    expect(memoryPressureRule.evaluate(contextFor(healthy(10, 1024, 830))).answer).toBe('not-applicable');
  });

  test('GIVEN fewer than three REPORTs below the limit WHEN evaluated THEN it is not applicable', () => {
    const logs = textInvocation({ id: rid(1), memorySizeMb: 1024, maxMemoryUsedMb: 960 });
    expect(memoryPressureRule.evaluate(contextFor(logs)).answer).toBe('not-applicable');
  });

  test('GIVEN a single REPORT at 100 % of memory WHEN evaluated THEN memory is likely, weak evidence sized for an unknown need', () => {
    const v = memoryPressureRule.evaluate(contextFor(textInvocation({ id: rid(1), memorySizeMb: 128, maxMemoryUsedMb: 128 }), {}, 128));
    expect(v).toMatchObject({ answer: 'memory', category: 'MEMORY_PRESSURE', sizing: 'unknown-need', weight: 0.5 });
    expect(v.evidence?.description).toBe('Max Memory Used reached Memory Size (128 MB of 128 MB) in 1 of 1 completed invocations (100 %) without a kill: memory is likely short, not yet shown to fail');
  });

  test('GIVEN kills at the limit WHEN evaluated THEN they are not counted again as pressure', () => {
    const kills = [1, 2, 3, 4].flatMap(n => textInvocation({ id: rid(n), memorySizeMb: 512, maxMemoryUsedMb: 512, status: 'error', errorType: 'Runtime.OutOfMemory' }));
    const v = memoryPressureRule.evaluate(contextFor([...healthy(6, 512, 300, 50), ...kills], {}, 512));
    expect(v.answer).toBe('not-applicable');
  });
});
