import { invocationLogLines, reportText } from '../../../src/simulation/account/log-format';
import { Invocation } from '../../../src/simulation/account/workload';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);
const base: Invocation = {
  requestId: 'b02e3d8d-ccb1-451d-8eba-0ea84770a087',
  start: START,
  durationMs: 1144.53,
  billedDurationMs: 1145,
  memorySizeMb: 256,
  maxMemoryUsedMb: 256,
  outcome: 'oom-killed',
  memoryNeedMb: 400,
};

describe('lambda log formats', () => {
  test('GIVEN an OOM kill WHEN text format THEN START, kill line, END and a tab-separated REPORT as Lambda writes them', () => {
    const lines = invocationLogLines(base, 'python3.12', 'text').map((l) => l.message);
    expect(lines[0]).toBe('START RequestId: b02e3d8d-ccb1-451d-8eba-0ea84770a087 Version: $LATEST');
    expect(lines).toContain('RequestId: b02e3d8d-ccb1-451d-8eba-0ea84770a087 Error: Runtime exited with error: signal: killed\nRuntime.ExitError');
    expect(lines).toContain('END RequestId: b02e3d8d-ccb1-451d-8eba-0ea84770a087');
    expect(lines[lines.length - 1]).toBe(
      'REPORT RequestId: b02e3d8d-ccb1-451d-8eba-0ea84770a087\tDuration: 1144.53 ms\tBilled Duration: 1145 ms\tMemory Size: 256 MB\tMax Memory Used: 256 MB\tStatus: error\tError Type: Runtime.ExitError\t',
    );
  });

  test('GIVEN a successful cold start WHEN text REPORT THEN Init Duration and no status', () => {
    expect(reportText({ ...base, outcome: 'success', maxMemoryUsedMb: 180, initDurationMs: 231.4 })).toBe(
      'REPORT RequestId: b02e3d8d-ccb1-451d-8eba-0ea84770a087\tDuration: 1144.53 ms\tBilled Duration: 1145 ms\tMemory Size: 256 MB\tMax Memory Used: 180 MB\tInit Duration: 231.40 ms\t',
    );
  });

  test('GIVEN Runtime.OutOfMemory WHEN JSON format THEN platform.report carries metrics, status and errorType', () => {
    const lines = invocationLogLines({ ...base, outcome: 'runtime-oom' }, 'nodejs22.x', 'json').map((l) => JSON.parse(l.message));
    const report = lines.find((l) => l.type === 'platform.report');
    expect(report.record).toEqual({
      requestId: base.requestId,
      metrics: { durationMs: 1144.53, billedDurationMs: 1145, memorySizeMB: 256, maxMemoryUsedMB: 256 },
      status: 'error',
      errorType: 'Runtime.OutOfMemory',
    });
    expect(lines[0]).toEqual({ time: '2026-11-28T12:00:00.000Z', type: 'platform.start', record: { requestId: base.requestId, version: '$LATEST' } });
  });

  test('GIVEN language OOMs WHEN each runtime THEN its own error text', () => {
    const text = (runtime: string) => invocationLogLines({ ...base, outcome: 'language-oom' }, runtime, 'text').map((l) => l.message).join('\n');
    expect(text('nodejs22.x')).toContain('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory');
    expect(text('python3.12')).toContain('[ERROR] MemoryError');
    expect(text('java21')).toContain('java.lang.OutOfMemoryError: Java heap space');
  });

  test('GIVEN a timeout WHEN text format THEN Task timed out with seconds and REPORT Status: timeout', () => {
    const lines = invocationLogLines({ ...base, outcome: 'timeout', durationMs: 15015.2, billedDurationMs: 15000, maxMemoryUsedMb: 90 }, 'python3.12', 'text').map((l) => l.message);
    expect(lines).toContain(`2026-11-28T12:00:15.015Z ${base.requestId} Task timed out after 15.02 seconds`);
    expect(lines[lines.length - 1]).toMatch(/\tStatus: timeout\t$/);
  });

  test('GIVEN a throttled request THEN no log lines at all', () => {
    expect(invocationLogLines({ ...base, outcome: 'throttled' }, 'python3.12', 'text')).toEqual([]);
  });
});
