import { killedAtLimitRule } from '../../../src/core';
import { contextFor, healthy, rid, textInvocation } from '../support';

function exited(n: number, used: number, line: (id: string) => string) {
  const id = rid(n);
  return textInvocation({ id, memorySizeMb: 256, maxMemoryUsedMb: used, lines: [line(id)] });
}
const killed = (id: string) => `RequestId: ${id} Error: Runtime exited with error: signal: killed\nRuntime.ExitError`;
const processExited = (id: string) => `RequestId: ${id} Process exited before completing request`;

describe('killed-at-limit rule', () => {
  test('GIVEN kills and early exits at the memory limit WHEN evaluated THEN it is memory evidence for an unknown need', () => {
    const v = killedAtLimitRule.evaluate(contextFor([...healthy(6, 256, 200), ...exited(1, 256, killed), ...exited(2, 256, processExited)], {}, 256));
    expect(v).toMatchObject({ answer: 'memory', category: 'OUT_OF_MEMORY', sizing: 'unknown-need' });
    expect(v.weight).toBeCloseTo(0.85, 3);
    expect(v.evidence?.description).toContain('2 of 8 invocations (25 %)');
  });

  test('GIVEN one kill at the limit in 200 invocations WHEN evaluated THEN it weighs as much as frequent kills', () => {
    const rare = killedAtLimitRule.evaluate(contextFor([...healthy(199, 256, 120), ...exited(1, 256, killed)], {}, 256));
    const frequent = killedAtLimitRule.evaluate(contextFor([...healthy(6, 256, 120), ...exited(1, 256, killed), ...exited(2, 256, killed)], {}, 256));
    expect(rare).toMatchObject({ answer: 'memory', weight: frequent.weight });
    expect(rare.evidence?.description).toContain('1 of 200 invocations (0.5 %)');
  });

  test('GIVEN a kill line with no REPORT WHEN evaluated THEN memory is likely, below the acting threshold', () => {
    const v = killedAtLimitRule.evaluate(contextFor([{ timestamp: '2026-11-20T10:00:00.000Z', message: 'Error: Runtime exited with error: signal: killed Runtime.ExitError' }], {}, 256));
    expect(v).toMatchObject({ answer: 'memory', category: 'OUT_OF_MEMORY', weight: 0.55 });
    expect(v.evidence?.type).toBe('PROCESS_KILLED');
  });

  const exit137 = (id: string) => `RequestId: ${id} Error: Runtime exited with error: exit status 137\nRuntime.ExitError`;

  test('GIVEN exit status 137 with Max Memory Used near the limit WHEN evaluated THEN it is a kill at the limit', () => {
    const v = killedAtLimitRule.evaluate(contextFor([...healthy(4, 256, 200), ...exited(1, 240, exit137)], {}, 256));
    expect(v).toMatchObject({ answer: 'memory', weight: 0.85 });
    expect(v.evidence?.type).toBe('PROCESS_KILLED_AT_MEMORY_LIMIT');
  });

  test('GIVEN exit status 137 without any memory figure WHEN evaluated THEN it is only weak memory evidence', () => {
    const v = killedAtLimitRule.evaluate(contextFor([{ timestamp: '2026-11-20T10:00:00.000Z', message: 'Runtime exited with error: exit status 137' }], {}, 256));
    expect(v).toMatchObject({ answer: 'memory', weight: 0.35 });
    expect(v.evidence?.type).toBe('PROCESS_KILLED_UNCONFIRMED');
  });

  test('GIVEN exit status 137 far below the limit WHEN evaluated THEN it is not an out-of-memory kill', () => {
    const v = killedAtLimitRule.evaluate(contextFor([...healthy(4, 256, 60), ...exited(1, 70, exit137)], {}, 256));
    expect(v).toMatchObject({ answer: 'not-memory', category: 'CODE_ERROR' });
  });

  test('GIVEN a kill whose sampled Max Memory Used is a little under the limit WHEN evaluated THEN it still counts as at the limit', () => {
    expect(killedAtLimitRule.evaluate(contextFor(exited(1, 240, killed), {}, 256)).answer).toBe('memory');
  });

  test('GIVEN a process exit with low memory use WHEN evaluated THEN it is a crash, not memory', () => {
    const v = killedAtLimitRule.evaluate(contextFor([...healthy(4, 256, 80), ...exited(1, 90, processExited)], {}, 256));
    expect(v).toMatchObject({ answer: 'not-memory', category: 'CODE_ERROR' });
  });

  test('GIVEN healthy invocations only WHEN evaluated THEN it is not applicable', () => {
    expect(killedAtLimitRule.evaluate(contextFor(healthy(4, 256, 250), {}, 256)).answer).toBe('not-applicable');
  });
});
