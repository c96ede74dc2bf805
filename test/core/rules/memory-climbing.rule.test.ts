import { LogRecord, memoryClimbingRule } from '../../../src/core';
import { contextFor, healthy, rid, textInvocation } from '../support';

let next = 1;
/** One execution environment: a cold start, then `n` warm invocations from `fromMb` by `stepMb`, ending in an OOM kill when `killed`. */
function environment(sizeMb: number, n: number, fromMb: number, stepMb: number, killed: boolean): LogRecord[] {
  const out: LogRecord[] = [];
  for (let i = 0; i < n; i++) {
    out.push(...textInvocation({
      id: rid(next++),
      memorySizeMb: sizeMb,
      maxMemoryUsedMb: Math.min(sizeMb, Math.round(fromMb + i * stepMb + (i % 3))),
      ...(i === 0 ? { initDurationMs: 300 } : {}),
    }));
  }
  if (killed) out.push(...textInvocation({ id: rid(next++), memorySizeMb: sizeMb, maxMemoryUsedMb: sizeMb, status: 'error', errorType: 'Runtime.OutOfMemory' }));
  return out;
}

describe('memory-climbing rule', () => {
  test('GIVEN memory climbing by ~6 MB per warm invocation until a kill, in three environments WHEN evaluated THEN the need is climbing', () => {
    const logs = [...environment(512, 55, 160, 6, true), ...environment(512, 55, 170, 6, true), ...environment(512, 40, 150, 6, false)];
    const v = memoryClimbingRule.evaluate(contextFor(logs, {}, 512));
    // Its figures are completed invocations, so the peak is measured; the kills have their own rules.
    expect(v).toMatchObject({ answer: 'memory', category: 'MEMORY_PRESSURE', sizing: 'known-peak', weight: 0.55 });
    expect(v.evidence?.type).toBe('MEMORY_CLIMBING');
    expect(v.evidence?.description).toMatch(/^memory need climbing: Max Memory Used rose by about 6\.\d MB per warm invocation .* in 3 of 3 environments: a leak or an unbounded cache$/);
    expect(v.holdRaise).toBeUndefined();
  });

  test('GIVEN memory raised once in the window and the need climbing on at the new size WHEN evaluated THEN it holds a second raise', () => {
    const logs = [...environment(512, 55, 160, 6, true), ...environment(768, 60, 170, 6, false)];
    const v = memoryClimbingRule.evaluate(contextFor(logs, {}, 768));
    expect(v.answer).toBe('memory');
    expect(v.evidence?.description).toContain('still climbing after memory was raised from 512 MB to 768 MB');
    expect(v.holdRaise).toContain('memory was already raised from 512 MB to 768 MB in this window');
  });

  test('GIVEN warm-up growth that levels off WHEN evaluated THEN it is not applicable', () => {
    const logs: LogRecord[] = [];
    for (let i = 0; i < 30; i++) {
      const used = i < 5 ? 150 + i * 30 : 290 + (i % 4);
      logs.push(...textInvocation({ id: rid(5000 + i), memorySizeMb: 512, maxMemoryUsedMb: used, ...(i === 0 ? { initDurationMs: 300 } : {}) }));
    }
    expect(memoryClimbingRule.evaluate(contextFor(logs, {}, 512)).answer).toBe('not-applicable');
  });

  test('GIVEN steady use WHEN evaluated THEN it is not applicable', () => {
    expect(memoryClimbingRule.evaluate(contextFor(healthy(40, 512, 400), {}, 512)).answer).toBe('not-applicable');
  });

  test('GIVEN too few invocations per environment WHEN evaluated THEN it is not applicable', () => {
    expect(memoryClimbingRule.evaluate(contextFor(environment(512, 6, 160, 40, false), {}, 512)).answer).toBe('not-applicable');
  });

  /** Invocations of one environment (cold start first) at the given figures. */
  function figures(sizeMb: number, used: readonly number[]): LogRecord[] {
    return used.flatMap((mb, i) => textInvocation({
      id: rid(next++), memorySizeMb: sizeMb, maxMemoryUsedMb: mb, ...(i === 0 ? { initDurationMs: 300 } : {}),
    }));
  }
  /** `n` figures around `levelMb`, +-10 MB in a fixed pattern (invocations never need exactly the same). */
  const level = (n: number, levelMb: number) => Array.from({ length: n }, (_, i) => levelMb + ((i * 7) % 11) * 2 - 10);

  test('GIVEN every invocation stepping from ~500 to ~940 MB and staying there WHEN evaluated THEN it is a step in the need, not a climb', () => {
    // The simulation's memory-pressure incident: the step falls inside the first environment,
    // the second starts after it, already at the new level.
    const logs = [...figures(1024, [...level(60, 500), ...level(27, 940)]), ...figures(1024, level(32, 940))];
    expect(memoryClimbingRule.evaluate(contextFor(logs, {}, 1024)).answer).toBe('not-applicable');
  });

  test('GIVEN a step in the need followed by a climb WHEN evaluated THEN the climb after the step is found', () => {
    const climb = Array.from({ length: 40 }, (_, i) => 600 + i * 6 + (i % 3));
    const v = memoryClimbingRule.evaluate(contextFor(figures(1024, [...level(20, 300), ...climb]), {}, 1024));
    expect(v.answer).toBe('memory');
    expect(v.evidence?.description).toMatch(/rose by about 6\.\d MB per warm invocation \(600 MB to \d+ MB over 40 invocations of one execution environment\) in 1 of 1 environments/);
  });
});
