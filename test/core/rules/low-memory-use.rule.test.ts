import { lowMemoryUseRule } from '../../../src/core';
import { contextFor, healthy } from '../support';

describe('low-memory-use rule', () => {
  test('GIVEN a peak of 25 % of Memory Size WHEN evaluated THEN it weighs against memory', () => {
    const v = lowMemoryUseRule.evaluate(contextFor(healthy(5, 1024, 256)));
    expect(v).toMatchObject({ answer: 'not-memory', weight: 0.6 });
    expect(v.evidence?.description).toBe('Max Memory Used peaked at 256 MB of 1024 MB (25 %) over 5 measured invocations');
  });

  test('GIVEN kill lines without a REPORT next to low measured use WHEN evaluated THEN the peak says it covers the measured invocations only', () => {
    const v = lowMemoryUseRule.evaluate(contextFor([
      ...healthy(5, 1024, 256),
      { timestamp: '2026-11-20T10:00:00.000Z', message: 'Runtime exited with error: signal: killed' },
    ]));
    expect(v.evidence?.description).toContain('(the killed invocations have no REPORT, so no figure)');
  });

  test('GIVEN a peak at 85 % WHEN evaluated THEN it is not applicable', () => {
    expect(lowMemoryUseRule.evaluate(contextFor(healthy(5, 1024, 870))).answer).toBe('not-applicable');
  });
});
