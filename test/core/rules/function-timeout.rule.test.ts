import { functionTimeoutRule } from '../../../src/core';
import { contextFor, healthy, rid, textInvocation } from '../support';

function timedOut(n: number, used: number, extra: string[] = []) {
  const id = rid(n);
  return textInvocation({
    id,
    memorySizeMb: 1024,
    maxMemoryUsedMb: used,
    durationMs: 30000,
    status: 'timeout',
    lines: [...extra, `2026-11-20T10:48:32.136Z ${id} Task timed out after 30.00 seconds`],
  });
}

describe('function-timeout rule', () => {
  test('GIVEN timeouts with Max Memory Used near the limit WHEN evaluated THEN it is memory evidence', () => {
    const v = functionTimeoutRule.evaluate(contextFor([...healthy(6, 1024, 900), ...timedOut(1, 1010), ...timedOut(2, 1024)]));
    expect(v).toMatchObject({ answer: 'memory', category: 'MEMORY_PRESSURE', sizing: 'unknown-need' });
    expect(v.weight).toBeCloseTo(0.9, 3);
  });

  test('GIVEN timeouts with low memory use WHEN evaluated THEN it is a function timeout, not memory', () => {
    const v = functionTimeoutRule.evaluate(contextFor([...healthy(6, 1024, 200), ...timedOut(1, 210), ...timedOut(2, 220)]));
    expect(v).toMatchObject({ answer: 'not-memory', category: 'FUNCTION_TIMEOUT' });
    expect(v.evidence?.description).toBe('the function timed out in 2 of 8 invocations (25 %) with memory use below 75 % of the limit');
  });

  test('GIVEN timeouts alongside downstream timeouts WHEN evaluated THEN the category is a downstream timeout', () => {
    const err = '[ERROR] ReadTimeoutError: Read timeout on endpoint URL: "https://api.example.com/"';
    const v = functionTimeoutRule.evaluate(contextFor([...healthy(6, 1024, 200), ...timedOut(1, 210, [err])]));
    expect(v).toMatchObject({ answer: 'not-memory', category: 'DOWNSTREAM_TIMEOUT' });
  });

  test('GIVEN timeouts near the memory limit while waiting on a downstream call WHEN evaluated THEN the wait explains them', () => {
    const err = '[ERROR] ConnectTimeoutError: Connect timeout on endpoint URL: "https://api.example.com/"';
    const v = functionTimeoutRule.evaluate(contextFor([...healthy(6, 1024, 900), ...timedOut(1, 1000, [err]), ...timedOut(2, 990, [err])]));
    expect(v).toMatchObject({ answer: 'not-memory', category: 'DOWNSTREAM_TIMEOUT' });
  });

  test('GIVEN no timeout WHEN evaluated THEN it is not applicable', () => {
    expect(functionTimeoutRule.evaluate(contextFor(healthy(4, 1024, 1000))).answer).toBe('not-applicable');
  });
});
