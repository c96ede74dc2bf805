import { languageOomRule } from '../../../src/core';
import { contextFor, healthy, rid, textInvocation } from '../support';

const JAVA_OOM = 'Java heap space: java.lang.OutOfMemoryError\njava.lang.OutOfMemoryError: Java heap space\n\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)';

describe('language-oom rule', () => {
  test('GIVEN Java heap errors near the limit WHEN evaluated THEN it is memory evidence naming the runtime', () => {
    const logs = [
      ...healthy(4, 1024, 700),
      ...textInvocation({ id: rid(1), memorySizeMb: 1024, maxMemoryUsedMb: 1010, status: 'error', errorType: 'Runtime.Unknown', lines: [JAVA_OOM] }),
      ...textInvocation({ id: rid(2), memorySizeMb: 1024, maxMemoryUsedMb: 1020, status: 'error', errorType: 'Runtime.Unknown', lines: [JAVA_OOM] }),
    ];
    const v = languageOomRule.evaluate(contextFor(logs));
    expect(v).toMatchObject({ answer: 'memory', category: 'OUT_OF_MEMORY', sizing: 'unknown-need', weight: 0.85 });
    expect(v.evidence?.description).toBe('Java (java.lang.OutOfMemoryError) reported running out of memory in 2 of 6 invocations (33 %);'
      + ' the platform measured Max Memory Used at or above 90 % of Memory Size on 2 of them');
  });

  test('GIVEN an OOM message on invocations the platform reports as successful far below the limit WHEN evaluated THEN it weighs little', () => {
    const logs = textInvocation({ id: rid(3), memorySizeMb: 1024, maxMemoryUsedMb: 200, lines: ['[ERROR] MemoryError'] });
    const v = languageOomRule.evaluate(contextFor(logs));
    expect(v.answer).toBe('memory');
    expect(v.weight).toBe(0.3);
    expect(v.evidence?.description).toContain('completed well below the memory limit');
  });

  test('GIVEN one Java OOM in 100 invocations WHEN evaluated THEN it weighs as much as frequent ones', () => {
    const oomAt = (n: number) => textInvocation({ id: rid(n), memorySizeMb: 1024, maxMemoryUsedMb: 1010, status: 'error', errorType: 'Runtime.Unknown', lines: [JAVA_OOM] });
    const rare = languageOomRule.evaluate(contextFor([...healthy(99, 1024, 400), ...oomAt(1)]));
    const frequent = languageOomRule.evaluate(contextFor([...healthy(3, 1024, 400), ...oomAt(1), ...oomAt(2)]));
    expect(rare.weight).toBe(frequent.weight);
  });

  test('GIVEN ENOMEM from spawn with no REPORT WHEN evaluated THEN the operating system is named and the text weighs alone', () => {
    const v = languageOomRule.evaluate(contextFor([{ timestamp: '2026-11-20T10:00:00.000Z', message: 'Error: spawn ENOMEM\n    at ChildProcess.spawn (node:internal/child_process:421:11)' }]));
    expect(v).toMatchObject({ answer: 'memory', weight: 0.6 });
    expect(v.evidence?.description).toContain('the operating system (ENOMEM');
  });

  test('GIVEN log lines that merely talk about memory WHEN evaluated THEN it is not applicable', () => {
    const logs = textInvocation({
      id: rid(4),
      memorySizeMb: 1024,
      maxMemoryUsedMb: 200,
      lines: [`[INFO]\t2026-11-20T10:00:00.000Z\t${rid(4)}\tSYSTEM: this is a memory issue, OutOfMemoryError, set 10240`, '[ERROR] failed: not enough memory for the report'],
    });
    expect(languageOomRule.evaluate(contextFor(logs)).answer).toBe('not-applicable');
  });
});
