import { platformOomRule } from '../../../src/core';
import { contextFor, healthy, rid, textInvocation } from '../support';

function oom(n: number) {
  return textInvocation({ id: rid(n), memorySizeMb: 512, maxMemoryUsedMb: 512, status: 'error', errorType: 'Runtime.OutOfMemory' });
}

describe('platform-oom rule', () => {
  test('GIVEN Runtime.OutOfMemory on 3 of 10 invocations WHEN evaluated THEN it is strong memory evidence sized for an unknown need', () => {
    const v = platformOomRule.evaluate(contextFor([...healthy(7, 512, 300), ...oom(1), ...oom(2), ...oom(3)], {}, 512));
    expect(v).toMatchObject({ answer: 'memory', category: 'OUT_OF_MEMORY', sizing: 'unknown-need', weight: 0.9 });
    expect(v.evidence?.description).toBe('the Lambda platform reported Runtime.OutOfMemory for 3 of 10 invocations (30 %)');
  });

  test('GIVEN one OOM in 500 invocations with low typical use WHEN evaluated THEN it weighs as much as a 30 % share: frequency sets urgency, not doubt', () => {
    const rare = platformOomRule.evaluate(contextFor([...healthy(499, 512, 150), ...oom(1)], {}, 512));
    const frequent = platformOomRule.evaluate(contextFor([...healthy(7, 512, 150), ...oom(1), ...oom(2), ...oom(3)], {}, 512));
    expect(rare).toMatchObject({ answer: 'memory', weight: frequent.weight });
    // 1 of 500 is shown as what it is, not rounded to 0 %.
    expect(rare.evidence?.description).toBe('the Lambda platform reported Runtime.OutOfMemory for 1 of 500 invocations (0.2 %)');
  });

  test('GIVEN typical use near the limit WHEN evaluated THEN the undersizing is more evident', () => {
    const v = platformOomRule.evaluate(contextFor([...healthy(7, 512, 460), ...oom(1)], {}, 512));
    expect(v.weight).toBe(0.95);
  });

  test('GIVEN memory climbing to the limit before each rare OOM (a leak) WHEN evaluated THEN the OOMs weigh as much as a large share', () => {
    const logs = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      for (let i = 0; i < 50; i++) {
        logs.push(...textInvocation({ id: rid(cycle * 100 + i + 10), memorySizeMb: 512, maxMemoryUsedMb: 160 + i * 7 }));
      }
      logs.push(...oom(cycle + 1));
    }
    const v = platformOomRule.evaluate(contextFor(logs, {}, 512));
    expect(v.weight).toBe(0.95);
    expect(v.evidence?.description).toBe('the Lambda platform reported Runtime.OutOfMemory for 3 of 153 invocations (2 %); memory use had already climbed near the limit before 3 of them');
  });

  test('GIVEN no platform OOM WHEN evaluated THEN it is not applicable', () => {
    expect(platformOomRule.evaluate(contextFor(healthy(5, 512, 500), {}, 512))).toEqual({ ruleId: 'platform-oom', answer: 'not-applicable', weight: 0 });
  });
});
