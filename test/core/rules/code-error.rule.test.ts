import { buildRuleContext, codeErrorRule, DEFAULT_POLICY } from '../../../src/core';
import { contextFor, fixture, healthy, rid, textInvocation } from '../support';

describe('code-error rule', () => {
  test('GIVEN the KeyError sample WHEN evaluated THEN it is a code error, not memory', () => {
    const v = codeErrorRule.evaluate(buildRuleContext(fixture('code-error-python'), DEFAULT_POLICY));
    expect(v).toMatchObject({ answer: 'not-memory', category: 'CODE_ERROR', weight: 0.8 });
  });

  test('GIVEN errors only on invocations that ran out of memory WHEN evaluated THEN it is not applicable', () => {
    const logs = [...healthy(3, 512, 300), ...textInvocation({
      id: rid(1),
      memorySizeMb: 512,
      maxMemoryUsedMb: 512,
      status: 'error',
      errorType: 'Runtime.Unknown',
      lines: ['[ERROR] MemoryError\nTraceback (most recent call last):'],
    })];
    expect(codeErrorRule.evaluate(contextFor(logs, {}, 512)).answer).toBe('not-applicable');
  });

  test('GIVEN typed exceptions on invocations near the memory limit WHEN evaluated THEN they still count as code errors, with less weight', () => {
    const logs = [...healthy(3, 512, 300), ...textInvocation({
      id: rid(1), memorySizeMb: 512, maxMemoryUsedMb: 490, lines: ["[ERROR] KeyError: 'id'\nTraceback (most recent call last):"],
    })];
    const v = codeErrorRule.evaluate(contextFor(logs, {}, 512));
    expect(v).toMatchObject({ answer: 'not-memory', category: 'CODE_ERROR', weight: 0.56 });
    expect(v.evidence?.description).toContain('(1 of them near the memory limit)');
  });

  test('GIVEN a bare platform error near the memory limit WHEN evaluated THEN it is not taken for a code error', () => {
    const logs = textInvocation({ id: rid(1), memorySizeMb: 512, maxMemoryUsedMb: 500, status: 'error', errorType: 'Runtime.Unknown' });
    expect(codeErrorRule.evaluate(contextFor(logs, {}, 512)).answer).toBe('not-applicable');
  });

  test('GIVEN errors half explained by memory WHEN evaluated THEN the code-error weight reflects its share', () => {
    const logs = [
      ...textInvocation({ id: rid(1), memorySizeMb: 512, maxMemoryUsedMb: 512, status: 'error', errorType: 'Runtime.OutOfMemory' }),
      ...textInvocation({ id: rid(2), memorySizeMb: 512, maxMemoryUsedMb: 200, lines: ["[ERROR] KeyError: 'id'"] }),
    ];
    const v = codeErrorRule.evaluate(contextFor(logs, {}, 512));
    expect(v.answer).toBe('not-memory');
    expect(v.weight).toBeCloseTo(0.669, 3);
  });
});
