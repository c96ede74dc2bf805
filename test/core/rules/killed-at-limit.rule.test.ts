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
    expect(v.weight).toBeCloseTo(0.9, 3);
    expect(v.evidence?.description).toContain('2 of 8 invocations (25 %)');
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
