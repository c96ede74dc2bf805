import { throttlingRule } from '../../../src/core';
import { contextFor, healthy, rid, series, textInvocation } from '../support';

describe('throttling rule', () => {
  test('GIVEN a Throttles metric at 10 % of requests WHEN evaluated THEN it is not memory', () => {
    const v = throttlingRule.evaluate(contextFor(healthy(4, 1024, 900), {
      metricSeries: { Invocations: series([100, 100, 90, 90, 90]), Throttles: series([0, 0, 10, 10, 10]) },
    }));
    expect(v).toMatchObject({ answer: 'not-memory', category: 'THROTTLING', weight: 0.85 });
  });

  test('GIVEN TooManyRequestsException in the logs WHEN evaluated THEN it is not memory', () => {
    const logs = [...healthy(3, 1024, 300), ...textInvocation({
      id: rid(1),
      memorySizeMb: 1024,
      maxMemoryUsedMb: 300,
      lines: ['[ERROR] TooManyRequestsException: An error occurred (TooManyRequestsException) when calling the Invoke operation: Rate Exceeded.'],
    })];
    expect(throttlingRule.evaluate(contextFor(logs))).toMatchObject({ answer: 'not-memory', category: 'THROTTLING' });
  });

  test('GIVEN no throttling anywhere WHEN evaluated THEN it is not applicable', () => {
    expect(throttlingRule.evaluate(contextFor(healthy(3, 1024, 300), { metricSeries: { Throttles: series([0, 0, 0]) } })).answer).toBe('not-applicable');
  });
});
