import { downstreamTimeoutRule } from '../../../src/core';
import { contextFor, healthy, rid, textInvocation } from '../support';

describe('downstream-timeout rule', () => {
  test('GIVEN ETIMEDOUT errors on 2 of 10 invocations WHEN evaluated THEN it is not memory', () => {
    const failing = [1, 2].flatMap(n => textInvocation({
      id: rid(n),
      memorySizeMb: 1024,
      maxMemoryUsedMb: 880,
      lines: [`2026-11-20T10:00:01.000Z\t${rid(n)}\tERROR\tInvoke Error \t{"errorType":"Error","errorMessage":"connect ETIMEDOUT 10.0.3.17:443"}`],
    }));
    const v = downstreamTimeoutRule.evaluate(contextFor([...healthy(8, 1024, 850), ...failing]));
    expect(v).toMatchObject({ answer: 'not-memory', category: 'DOWNSTREAM_TIMEOUT', weight: 0.85 });
  });

  test('GIVEN no downstream error WHEN evaluated THEN it is not applicable', () => {
    expect(downstreamTimeoutRule.evaluate(contextFor(healthy(4, 1024, 300))).answer).toBe('not-applicable');
  });
});
