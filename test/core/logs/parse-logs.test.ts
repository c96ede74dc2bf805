import { parseLogs } from '../../../src/core/logs';
import { healthy, jsonInvocation, rid, textInvocation } from '../support';

describe('parseLogs', () => {
  test('GIVEN text invocations WHEN parsed THEN each has its facts and the memory statistics are computed', () => {
    const logs = [
      ...textInvocation({ id: rid(1), memorySizeMb: 256, maxMemoryUsedMb: 120 }),
      ...textInvocation({ id: rid(2), memorySizeMb: 256, maxMemoryUsedMb: 240 }),
      ...textInvocation({ id: rid(3), memorySizeMb: 256, maxMemoryUsedMb: 257, status: 'error', errorType: 'Runtime.OutOfMemory' }),
    ];
    const evidence = parseLogs(logs);
    expect(evidence.invocations.map(i => i.requestId)).toEqual([rid(1), rid(2), rid(3)]);
    expect(evidence.invocations[2]).toMatchObject({ hasReport: true, platformOom: true, maxMemoryUsedMb: 257, status: 'error' });
    expect(evidence.counts.platformOom).toBe(1);
    expect(evidence.memory).toEqual({
      memorySizeMb: 256,
      peakUsedMb: 257,
      medianUsedMb: 240,
      medianUsedRatio: 240 / 256,
      peakUsedRatio: 257 / 256,
      highUseCount: 2,
      atLimitCount: 1,
      reportCount: 3,
      peakHealthyUsedMb: 240,
    });
    expect(evidence.eventCount).toBe(9);
  });

  test('GIVEN error lines without a request id WHEN parsed THEN they belong to the invocation opened by START', () => {
    const logs = [
      ...textInvocation({ id: rid(1), memorySizeMb: 1024, maxMemoryUsedMb: 300, lines: ["[ERROR] KeyError: 'customer_id'\nTraceback (most recent call last):"] }),
      ...textInvocation({ id: rid(2), memorySizeMb: 1024, maxMemoryUsedMb: 300 }),
    ];
    const evidence = parseLogs(logs);
    expect(evidence.invocations.map(i => i.appError)).toEqual([true, false]);
    expect(evidence.counts.appError).toBe(1);
  });

  test('GIVEN a kill line naming its request id WHEN parsed THEN the kill and the figures meet on one invocation', () => {
    const id = rid(7);
    const evidence = parseLogs(textInvocation({
      id,
      memorySizeMb: 512,
      maxMemoryUsedMb: 512,
      lines: [`RequestId: ${id} Error: Runtime exited with error: signal: killed\nRuntime.ExitError`],
    }));
    expect(evidence.invocations).toHaveLength(1);
    expect(evidence.invocations[0]).toMatchObject({ killed: true, exitError: true, maxMemoryUsedMb: 512 });
  });

  test('GIVEN the JSON log format WHEN parsed THEN it yields the same facts as the text format', () => {
    const spec = { id: rid(9), memorySizeMb: 256, maxMemoryUsedMb: 256, status: 'error' as const, errorType: 'Runtime.OutOfMemory' };
    const fromJson = parseLogs(jsonInvocation(spec));
    const fromText = parseLogs(textInvocation(spec));
    expect(fromJson.invocations).toEqual(fromText.invocations);
    expect(fromJson.jsonEventCount).toBe(3);
    expect(fromText.jsonEventCount).toBe(0);
  });

  test('GIVEN lines before any START WHEN parsed THEN their signals are counted without an invocation', () => {
    const evidence = parseLogs([
      { timestamp: '2026-11-20T10:00:00.000Z', message: 'INIT_REPORT Init Duration: 10003.51 ms\tPhase: init\tStatus: timeout\n' },
      ...healthy(2, 512, 100),
    ]);
    expect(evidence.counts.initFailure).toBe(1);
    expect(evidence.init).toEqual({ failures: 1, errorTypes: ['init timeout'] });
    expect(evidence.invocations.some(i => i.initFailure)).toBe(false);
  });

  test('GIVEN a timeout line and a REPORT with Status timeout WHEN parsed THEN the invocation is timed out with its configured seconds', () => {
    const id = rid(4);
    const evidence = parseLogs(textInvocation({
      id,
      memorySizeMb: 512,
      maxMemoryUsedMb: 100,
      durationMs: 3000,
      status: 'timeout',
      lines: [`2026-11-20T10:48:32.136Z ${id} Task timed out after 3.00 seconds\n`],
    }));
    expect(evidence.invocations[0]).toMatchObject({ timeout: true, timeoutSeconds: 3, status: 'timeout' });
    expect(evidence.counts.timeout).toBe(1);
  });

  test('GIVEN an INFO line that embeds platform-looking lines WHEN parsed THEN it cannot pose as the platform', () => {
    const id = rid(5);
    const evidence = parseLogs(textInvocation({
      id,
      memorySizeMb: 512,
      maxMemoryUsedMb: 100,
      lines: [`[INFO]\t2026-11-20T10:00:00.000Z\t${id}\tpayload:\nRequestId: ${id} Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory`],
    }));
    expect(evidence.counts.killed).toBe(0);
    expect(evidence.counts.platformOom).toBe(0);
  });

  test('GIVEN empty logs WHEN parsed THEN the evidence is empty', () => {
    const evidence = parseLogs([]);
    expect(evidence.invocations).toEqual([]);
    expect(evidence.memory).toEqual({ highUseCount: 0, atLimitCount: 0, reportCount: 0 });
    expect(evidence.eventCount).toBe(0);
  });
});
