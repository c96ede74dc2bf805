import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  alarmEvent, awsError, clearTable, Db, functionConfigOf, initialState, logEventsOf, metricDataOf, sample, SECRET, setEnv, startDb, useTestWorld,
} from './support';
import { handler as collect } from '../../src/diagnosis/collect.lambda';
import { HandlerInputs } from '../../src/workflow/contract';
import { handler as normalize } from '../../src/workflow/normalize.lambda';

const lambda = mockClient(LambdaClient);
const cw = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);
const oom = sample('oom-killed-python');

let db: Db;
let restoreEnv: () => void;

beforeAll(async () => {
  db = await startDb();
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  await clearTable(db);
  useTestWorld(db);
  restoreEnv = setEnv();
  lambda.reset();
  cw.reset();
  logs.reset();
  lambda.on(GetFunctionConfigurationCommand).resolves(functionConfigOf(oom));
  cw.on(GetMetricDataCommand).resolves(metricDataOf(oom));
  logs.on(FilterLogEventsCommand).resolves(logEventsOf(oom.logs));
});
afterEach(() => restoreEnv());

async function acceptedState(): Promise<HandlerInputs['collect']> {
  const s = initialState(alarmEvent({ functionName: 'ingest-2', time: '2026-11-20T10:48:00Z' }));
  return { ...s, alarm: await normalize(s) };
}

describe('collect handler', () => {
  test('collects metrics, logs and the sanitized configuration and stores the evidence', async () => {
    // GIVEN an accepted alarm on ingest-2
    const state = await acceptedState();

    // WHEN collect runs
    const out = await collect(state);

    // THEN the summary is small and the evidence is in the table
    expect(out).toMatchObject({
      functionName: 'ingest-2',
      functionConfig: { memorySize: 256, timeout: 120, runtime: 'python3.12', architecture: 'arm64' },
      revisionId: 'rev-1',
      logGroup: '/aws/lambda/ingest-2',
      logEventCount: 40,
      incomplete: false,
      incompleteReasons: [],
      evidenceKey: { pk: `EXECUTION#${state.executionId}`, sk: 'EVIDENCE' },
    });
    expect(out.metricPointCount).toBe(oom.metrics.length + 5 * oom.metrics.length);
    expect(logs).toHaveReceivedCommandWith(FilterLogEventsCommand, {
      logGroupName: '/aws/lambda/ingest-2',
      startTime: Date.parse('2026-11-20T10:18:00.000Z'),
      endTime: Date.parse('2026-11-20T10:48:30.000Z'),
    });
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    const evidence = (await db.items()).find((i) => i.sk === 'EVIDENCE') as { request: { logs: unknown[]; metricSeries: Record<string, unknown[]>; functionConfig: unknown } };
    expect(evidence.request.logs).toHaveLength(40);
    expect(Object.keys(evidence.request.metricSeries).sort()).toEqual(['ConcurrentExecutions', 'Duration', 'Errors', 'Invocations', 'Throttles']);
    expect(JSON.stringify(evidence)).not.toContain(SECRET);
    expect(JSON.stringify(out)).not.toContain(SECRET);
  });

  test('continues when the logs are denied, marked incomplete with the reason (partial data)', async () => {
    logs.on(FilterLogEventsCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform logs:FilterLogEvents', 403));
    const out = await collect(await acceptedState());
    expect(out.incomplete).toBe(true);
    expect(out.logEventCount).toBe(0);
    expect(out.incompleteReasons).toEqual([
      'logs unavailable: AccessDeniedError: logs:FilterLogEvents on /aws/lambda/ingest-2 failed: AccessDeniedException: not authorized to perform logs:FilterLogEvents',
    ]);
  });

  test('continues when metrics are throttled, marked incomplete', async () => {
    cw.on(GetMetricDataCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    const out = await collect(await acceptedState());
    expect(out.incomplete).toBe(true);
    expect(out.incompleteReasons[0]).toMatch(/^metrics unavailable: ThrottledError: /);
    expect(out.logEventCount).toBe(40);
  });

  test('a function that never logged has no log group: no logs, marked incomplete', async () => {
    logs.on(FilterLogEventsCommand).rejects(awsError('ResourceNotFoundException', 'The specified log group does not exist.'));
    const out = await collect(await acceptedState());
    expect(out.incompleteReasons).toEqual(['log group /aws/lambda/ingest-2 does not exist']);
  });

  test('keeps the newest log lines within the bounds', async () => {
    restoreEnv();
    restoreEnv = setEnv({ MAX_LOG_EVENTS: '10' });
    const state = await acceptedState();
    await collect(state);
    const evidence = (await db.items()).find((i) => i.sk === 'EVIDENCE') as { request: { logs: Array<{ message: string }> } };
    expect(evidence.request.logs).toHaveLength(10);
    expect(evidence.request.logs[9].message).toBe(oom.logs[39].message);
  });

  test('fails when the configuration is denied (AccessDenied is fatal: nothing can be sized)', async () => {
    lambda.on(GetFunctionConfigurationCommand).rejects(awsError('AccessDeniedException', 'no', 403));
    await expect(collect(await acceptedState())).rejects.toMatchObject({ name: 'AccessDeniedError' });
  });

  test('fails with a transient ThrottledError when GetFunctionConfiguration is throttled', async () => {
    lambda.on(GetFunctionConfigurationCommand).rejects(awsError('TooManyRequestsException', 'Rate exceeded', 429));
    await expect(collect(await acceptedState())).rejects.toMatchObject({ name: 'ThrottledError' });
  });

  test('fails with FunctionNotFoundError when the function is gone', async () => {
    lambda.on(GetFunctionConfigurationCommand).rejects(awsError('ResourceNotFoundException', 'Function not found', 404));
    await expect(collect(await acceptedState())).rejects.toMatchObject({ name: 'FunctionNotFoundError' });
  });

  test('fails when the alarm was not accepted', async () => {
    const s = initialState(alarmEvent({ state: 'OK' }));
    const state = { ...s, alarm: await normalize(s) } as HandlerInputs['collect'];
    await expect(collect(state)).rejects.toMatchObject({ name: 'InvalidInputError' });
  });
});
