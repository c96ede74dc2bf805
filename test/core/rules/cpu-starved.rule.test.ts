import { cpuStarvedRule, LogRecord } from '../../../src/core';
import { contextFor, rid, textInvocation } from '../support';

/** `n` invocations of a function with `sizeMb` MB and a 3 s timeout: `slow` of them time out, the rest take 2.2-2.8 s. */
interface StarvedOptions { readonly fast?: boolean; readonly lines?: (id: string) => string[] }

function starved(n: number, sizeMb: number, usedMb: number, slow: number, opts: StarvedOptions = {}): LogRecord[] {
  const out: LogRecord[] = [];
  for (let i = 0; i < n; i++) {
    const id = rid(i + 1);
    const timedOut = i % Math.max(1, Math.floor(n / Math.max(1, slow))) === 0 && i / Math.max(1, Math.floor(n / Math.max(1, slow))) < slow;
    out.push(...textInvocation({
      id,
      memorySizeMb: sizeMb,
      maxMemoryUsedMb: usedMb + (i % 4),
      durationMs: timedOut ? 3000 : opts.fast ? 150 + (i % 5) * 20 : 2200 + (i % 7) * 90,
      status: timedOut ? 'timeout' : undefined,
      lines: [...(opts.lines?.(id) ?? []), ...(timedOut ? [`2026-11-20T10:00:03.000Z ${id} Task timed out after 3.00 seconds`] : [])],
    }));
  }
  return out;
}

const request = (memorySize: number) => ({ functionConfig: { memorySize, timeout: 3, runtime: 'python3.12' } });

describe('cpu-starved rule', () => {
  test('GIVEN a 128 MB function timing out with memory to spare and slow completed invocations WHEN evaluated THEN its time is compute at a small CPU share', () => {
    const v = cpuStarvedRule.evaluate(contextFor(starved(20, 128, 70, 4), request(128), 128));
    expect(v).toMatchObject({ answer: 'not-memory', category: 'CPU_BOUND' });
    expect(v.weight).toBeCloseTo(0.917, 3);
    expect(v.evidence?.description).toContain('at 128 MB the function has about 7 % of a vCPU (Lambda: 1,769 MB = one vCPU): it timed out in 4 of 20 invocations (20 %)');
    expect(v.evidence?.description).toContain('of the 3 s timeout');
  });

  test('GIVEN no timeout but most durations close to it WHEN evaluated THEN it is still CPU starvation', () => {
    const v = cpuStarvedRule.evaluate(contextFor(starved(12, 256, 100, 0).map(r => ({ ...r, message: r.message.replace(/Duration: 2[2-7]\d\d\.00 ms/, 'Duration: 2700.00 ms') })), request(256), 256));
    expect(v).toMatchObject({ answer: 'not-memory', category: 'CPU_BOUND' });
    expect(v.weight).toBeLessThan(0.917);
  });

  test('GIVEN the same timeouts at 512 MB WHEN evaluated THEN it is not applicable: above a quarter of a vCPU a timeout is the workload', () => {
    expect(cpuStarvedRule.evaluate(contextFor(starved(20, 512, 150, 4), request(512), 512)).answer).toBe('not-applicable');
  });

  test('GIVEN quick completed invocations and a few that hit the timeout (a hang) WHEN evaluated THEN it is not applicable', () => {
    expect(cpuStarvedRule.evaluate(contextFor(starved(20, 128, 70, 4, { fast: true }), request(128), 128)).answer).toBe('not-applicable');
  });

  test('GIVEN memory near the limit WHEN evaluated THEN it is not applicable: memory comes first', () => {
    expect(cpuStarvedRule.evaluate(contextFor(starved(20, 128, 110, 4), request(128), 128)).answer).toBe('not-applicable');
  });

  test('GIVEN calls to another service timing out WHEN evaluated THEN it is not applicable: the time went to waiting', () => {
    const logs = starved(20, 128, 70, 4, { lines: (id) => [`[ERROR]\t2026-11-20T10:00:01.000Z\t${id}\tReadTimeoutError: Read timed out. (read timeout=2)`] });
    expect(cpuStarvedRule.evaluate(contextFor(logs, request(128), 128)).answer).toBe('not-applicable');
  });

  test('GIVEN every invocation timing out WHEN evaluated THEN it is not applicable: compute cannot be told from a hang', () => {
    expect(cpuStarvedRule.evaluate(contextFor(starved(5, 128, 70, 5), request(128), 128)).answer).toBe('not-applicable');
  });
});
