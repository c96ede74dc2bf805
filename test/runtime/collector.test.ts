import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand, FilterLogEventsCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { diagnose } from '../../src/core/engine';
import { LogRecord } from '../../src/core/model';
import { collectEvidence, collectLogs, LOG_FILTER_PATTERN } from '../../src/runtime/collector';
import { compileFilterPattern } from '../../src/simulation/account/filter-pattern';
import { LambdaLog, Rng } from '../corpus/lambda-logs';
import { awsError, functionConfigOf, sample } from '../handlers/support';

const logs = mockClient(CloudWatchLogsClient);
const lambda = mockClient(LambdaClient);
const cw = mockClient(CloudWatchClient);

const WINDOW_START = Date.parse('2026-11-20T10:18:00.000Z');
const WINDOW_END = Date.parse('2026-11-20T10:48:30.000Z');
const MAX_EVENTS = 500;
const MAX_BYTES = 131072;

/** A log group as FilterLogEvents serves it: oldest first in the asked range, pages of `limit` events or 1 MB. */
function serve(records: readonly LogRecord[]) {
  const events = records.map((r, i) => ({ eventId: String(i), timestamp: Date.parse(r.timestamp), message: `${r.message}\n`, logStreamName: 's' }));
  const calls: FilterLogEventsCommandInput[] = [];
  logs.on(FilterLogEventsCommand).callsFake((input: FilterLogEventsCommandInput) => {
    calls.push(input);
    const pattern = compileFilterPattern(input.filterPattern);
    const limit = Math.min(input.limit ?? 10000, 10000);
    let i = input.nextToken ? Number(input.nextToken) : events.findIndex((e) => e.timestamp >= (input.startTime ?? 0));
    if (i < 0) i = events.length;
    const page: typeof events = [];
    let bytes = 0;
    for (; i < events.length && events[i].timestamp <= (input.endTime ?? Infinity) && page.length < limit && bytes < 1048576; i++) {
      if (pattern.matches(events[i].message)) {
        page.push(events[i]);
        bytes += events[i].message.length;
      }
    }
    const more = i < events.length && events[i].timestamp <= (input.endTime ?? Infinity);
    return { events: page, ...(more ? { nextToken: String(i) } : {}) };
  });
  return calls;
}

/**
 * A Node.js function at 512 MB: `perMinute` invocations a minute through the window, each one
 * killed for memory from `killsFromMinute` on (minutes from the window start).
 */
function busyFunction(perMinute: number, killsFromMinute: number): LogRecord[] {
  const log = new LambdaLog(new Rng(7), { name: 'orders', runtime: 'nodejs22.x', architecture: 'x86_64', memorySize: 512, timeout: 30, format: 'text' }, WINDOW_START);
  const gap = Math.floor(60000 / perMinute);
  while (log.now < WINDOW_END - 2000) {
    const minute = (log.now - WINDOW_START) / 60000;
    const killed = minute >= killsFromMinute;
    log.invoke({
      usedMb: killed ? 512 : 300 + log.rng.int(0, 20),
      durationMs: killed ? 40 : 120,
      gapMs: Math.max(1, gap - (killed ? 40 : 120)),
      ...(killed ? { outcome: { kind: 'oom-kill' as const } } : {}),
    });
  }
  return log.records;
}

beforeEach(() => logs.reset());

describe('collectLogs on a busy function', () => {
  test('GIVEN 200 invocations a minute killed in the last minutes WHEN collected THEN the kills near the alarm are read', async () => {
    serve(busyFunction(200, 27));

    const out = await collectLogs('/aws/lambda/orders', new Date(WINDOW_START), new Date(WINDOW_END), MAX_EVENTS, MAX_BYTES);

    const kills = out.logs.filter((l) => l.message.includes('signal: killed'));
    expect(kills.length).toBeGreaterThan(20);
    expect(out.logs.length).toBeLessThanOrEqual(MAX_EVENTS);
    expect(out.logs.reduce((n, l) => n + Buffer.byteLength(l.message) + 32, 0)).toBeLessThanOrEqual(MAX_BYTES);
    // The newest line read is from the last seconds of the window.
    expect(Date.parse(out.logs[out.logs.length - 1].timestamp)).toBeGreaterThan(WINDOW_END - 10_000);
  });

  test('THEN the cut is marked: which part was read in full and what of the older part was sampled', async () => {
    serve(busyFunction(200, 27));

    const out = await collectLogs('/aws/lambda/orders', new Date(WINDOW_START), new Date(WINDOW_END), MAX_EVENTS, MAX_BYTES);

    expect(out.truncated).toBe(true);
    expect(out.problem).toBeUndefined();
    expect(out.cut).toMatch(/^logs cut to the bounds \(500 events, 131072 bytes\): the newest [\d.]+ of 30.5 minutes read in full \(\d+ events\); \d+ events sampled from 6 short spans of the older [\d.]+ minutes$/);
    const fullFrom = Date.parse(out.coverage.fullFrom!);
    expect(fullFrom).toBeGreaterThan(WINDOW_END - 5 * 60000);
    // The samples spread over the older part: some from its first third, some from its last.
    const older = out.logs.filter((l) => Date.parse(l.timestamp) < fullFrom).map((l) => Date.parse(l.timestamp));
    expect(older.length).toBe(out.coverage.sampledEvents);
    expect(older.some((t) => t < WINDOW_START + (fullFrom - WINDOW_START) / 3)).toBe(true);
    expect(older.some((t) => t > WINDOW_START + (2 * (fullFrom - WINDOW_START)) / 3)).toBe(true);
    // In time order, no line twice.
    const times = out.logs.map((l) => Date.parse(l.timestamp));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(out.logs.map((l) => `${l.timestamp}${l.message}`)).size).toBe(out.logs.length);
    expect(out.coverage.calls).toBeLessThanOrEqual(24);
  });

  test('THEN the diagnosis finds the kills, with the evidence marked incomplete, and still acts on them', async () => {
    serve(busyFunction(200, 27));
    const out = await collectLogs('/aws/lambda/orders', new Date(WINDOW_START), new Date(WINDOW_END), MAX_EVENTS, MAX_BYTES);

    const result = diagnose({
      functionName: 'orders',
      alarmDetails: { alarmName: 'orders-errors', metricName: 'Errors', threshold: 1, evaluationPeriods: 1 },
      metrics: [],
      logs: out.logs,
      functionConfig: { memorySize: 512, timeout: 30, runtime: 'nodejs22.x' },
      incomplete: true,
      incompleteReasons: [out.cut!],
    });

    expect(result).toMatchObject({ isMemoryIssue: true, category: 'OUT_OF_MEMORY', recommendedAction: 'INCREASE_MEMORY', incomplete: true });
    expect(result.evidencePoints).toContainEqual({ type: 'INCOMPLETE_DATA', description: expect.stringMatching(/^logs cut to the bounds/) });
  });

  test('a quiet window is read with one call, whole, and is not marked', async () => {
    const calls = serve(busyFunction(5, 25));

    const out = await collectLogs('/aws/lambda/orders', new Date(WINDOW_START), new Date(WINDOW_END), MAX_EVENTS, MAX_BYTES);

    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ startTime: WINDOW_START, endTime: WINDOW_END });
    expect(out.problem).toBeUndefined();
    expect(out.cut).toBeUndefined();
    expect(out.truncated).toBe(false);
    expect(out.coverage).toMatchObject({ fullFrom: new Date(WINDOW_START).toISOString(), sampledSpans: 0 });
    expect(out.logs.filter((l) => l.message.startsWith('REPORT')).length).toBeGreaterThan(140);
  });

  test('a window just over the bounds is read newest first to its start when the slices fit, sampling nothing', async () => {
    // 12 invocations a minute, 30 minutes: about 720 START/REPORT lines and 2 kills a minute at the end.
    serve(busyFunction(12, 29));

    const out = await collectLogs('/aws/lambda/orders', new Date(WINDOW_START), new Date(WINDOW_END), 2000, MAX_BYTES * 4);

    expect(out.cut).toBeUndefined();
    expect(out.logs.filter((l) => l.message.includes('signal: killed')).length).toBeGreaterThan(0);
  });

  test('a read that fails half-way keeps what it read and says why the rest is missing', async () => {
    const records = busyFunction(200, 27);
    const calls: FilterLogEventsCommandInput[] = [];
    // Fail from the fifth call on: throttled past the client's own retries.
    logs.on(FilterLogEventsCommand).callsFake((input: FilterLogEventsCommandInput) => {
      calls.push(input);
      if (calls.length > 4) throw awsError('ThrottlingException', 'Rate exceeded');
      const from = records.findIndex((r) => Date.parse(r.timestamp) >= (input.startTime ?? 0));
      const page = records.slice(from).filter((r) => Date.parse(r.timestamp) <= (input.endTime ?? Infinity)).slice(0, input.limit ?? 10000);
      return { events: page.map((r, i) => ({ eventId: `${from}-${i}-${r.timestamp}`, timestamp: Date.parse(r.timestamp), message: r.message })) };
    });

    const out = await collectLogs('/aws/lambda/orders', new Date(WINDOW_START), new Date(WINDOW_END), MAX_EVENTS, MAX_BYTES);

    expect(out.problem).toMatch(/^logs unavailable: ThrottledError: /);
    expect(out.logs.length).toBeGreaterThan(0);
    expect(out.logs.some((l) => l.message.includes('signal: killed'))).toBe(true);
  });
});

test('the filter pattern is what the reader asks for', async () => {
  const calls = serve(busyFunction(5, 25));
  await collectLogs('/aws/lambda/orders', new Date(WINDOW_START), new Date(WINDOW_END), MAX_EVENTS, MAX_BYTES);
  expect(calls.every((c) => c.filterPattern === LOG_FILTER_PATTERN && c.logGroupName === '/aws/lambda/orders')).toBe(true);
});

test('GIVEN a busy window WHEN the evidence is collected THEN it is marked incomplete with what was read', async () => {
  serve(busyFunction(200, 27));
  lambda.on(GetFunctionConfigurationCommand).resolves(functionConfigOf({ ...sample('oom-killed-python'), functionName: 'orders' }));
  cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

  const evidence = await collectEvidence({
    functionName: 'orders',
    alarmDetails: { alarmName: 'orders-errors', metricName: 'Errors', threshold: 1, evaluationPeriods: 1 },
    alarmTime: new Date(WINDOW_END - 30_000).toISOString(),
    windowStart: new Date(WINDOW_START),
    windowEnd: new Date(WINDOW_END),
    maxLogEvents: MAX_EVENTS,
    maxLogBytes: MAX_BYTES,
  });

  expect(evidence.request.incomplete).toBe(true);
  expect(evidence.request.incompleteReasons).toEqual([expect.stringMatching(/^logs cut to the bounds \(500 events, 131072 bytes\): the newest /)]);
  expect(evidence.logsTruncated).toBe(true);
  expect(evidence.logCoverage.sampledSpans).toBe(6);
});
