import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SimulatedAccount } from '../../../src/simulation/account/account';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const MIN = 60_000;

function account(conflictingUpdates = 0) {
  return new SimulatedAccount({
    start: T0,
    seed: 7,
    lambda: { updateDelayMs: 3000, conflictingUpdates },
    functions: [{
      functionName: 'orders',
      runtime: 'python3.12',
      memorySizeMb: 256,
      timeoutSeconds: 30,
      environment: { DB_PASSWORD: 'hunter2-secret' },
      workload: { invocationsPerMinute: 30, memoryNeedMb: 180, cpuMsAt1Vcpu: 100 },
    }],
    changes: [{ functionName: 'orders', at: T0 + 5 * MIN, workload: { memoryNeedMb: 400 } }],
  });
}

describe('simulated account', () => {
  test('GIVEN an incident at minute 5 WHEN 10 minutes run THEN errors only from minute 5 and an Errors alarm goes to ALARM', () => {
    const acc = account();
    acc.addAlarm({
      alarmName: 'orders-errors',
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: 'orders' },
      statistic: 'Sum',
      period: 60,
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
    });
    const transitions = acc.runUntil(T0 + 10 * MIN);
    const tally = [...acc.tally.get('orders')!.values()];
    expect(tally.slice(0, 5).every((t) => t.errors === 0)).toBe(true);
    expect(tally.slice(5).every((t) => t.oom === t.invocations && t.invocations === 30)).toBe(true);
    expect(transitions.filter((t) => t.to === 'ALARM').map((t) => (t.at - T0) / MIN)).toEqual([7]);
    expect(acc.clock.now()).toBe(T0 + 10 * MIN);
  });

  test('GIVEN the SDK served by the account WHEN a handler-like caller updates memory THEN InProgress until the virtual delay, then the new size runs', async () => {
    const acc = account();
    const restore = acc.install();
    try {
      const lambda = new LambdaClient({ region: 'us-east-1' });
      const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders' }));
      expect(before.MemorySize).toBe(256);
      expect(before.Environment?.Variables?.DB_PASSWORD).toBe('hunter2-secret');
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', MemorySize: 512, RevisionId: before.RevisionId }));
      expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders' }))).LastUpdateStatus).toBe('InProgress');
      acc.clock.advance(3000);
      const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders' }));
      expect(after.LastUpdateStatus).toBe('Successful');
      expect(after.MemorySize).toBe(512);
      acc.runUntil(T0 + 8 * MIN);
      // The incident (need 400 MB) starts at minute 5 but 512 MB holds it: no errors.
      expect([...acc.tally.get('orders')!.values()].every((t) => t.errors === 0)).toBe(true);
      expect(acc.recorder.filter('Lambda', 'UpdateFunctionConfiguration')).toHaveLength(1);
      expect(acc.recorder.calls().map((c) => c.operation)).toEqual([
        'GetFunctionConfiguration', 'UpdateFunctionConfiguration', 'GetFunctionConfiguration', 'GetFunctionConfiguration',
      ]);
    } finally {
      restore();
    }
  });

  test('fails when the revision is stale or an update is in progress, as Lambda does', async () => {
    const acc = account(1);
    const restore = acc.install();
    try {
      const lambda = new LambdaClient({ region: 'us-east-1' });
      await expect(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', MemorySize: 512 }))).rejects.toMatchObject({ name: 'ResourceConflictException' });
      await expect(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', MemorySize: 512, RevisionId: 'stale' }))).rejects.toMatchObject({ name: 'PreconditionFailedException' });
      await expect(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', MemorySize: 20000 }))).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
      expect(acc.recorder.calls().map((c) => c.error)).toEqual(['ResourceConflictException', 'PreconditionFailedException', 'InvalidParameterValueException']);
    } finally {
      restore();
    }
  });

  test('GIVEN OOM minutes WHEN the logs client filters REPORT lines THEN REPORT lines at the memory limit; SNS publishes are recorded', async () => {
    const acc = account();
    acc.runUntil(T0 + 7 * MIN);
    const restore = acc.install();
    try {
      const logs = new CloudWatchLogsClient({ region: 'us-east-1' });
      const out = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/orders', startTime: T0 + 5 * MIN, filterPattern: '?"signal: killed" ?REPORT', limit: 4 }));
      expect(out.events).toHaveLength(4);
      expect(new Set(out.events?.map((e) => e.message?.split(/\s/)[0]))).toEqual(new Set(['RequestId:', 'REPORT']));
      const kill = out.events!.find((e) => e.message!.startsWith('RequestId:'))!;
      const requestId = kill.message!.split(' ')[1];
      const report = out.events!.find((e) => e.message!.startsWith(`REPORT RequestId: ${requestId}`));
      expect(report?.message).toMatch(/Memory Size: 256 MB\tMax Memory Used: 25[678] MB/);
      await new SNSClient({ region: 'us-east-1' }).send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Subject: 'hi', Message: '{"type":"X"}' }));
      expect(acc.messaging.messages).toEqual([{ time: '2026-11-28T12:07:00.000Z', topicArn: 'arn:aws:sns:us-east-1:123456789012:t', subject: 'hi', message: '{"type":"X"}', json: { type: 'X' }, attributes: {} }]);
    } finally {
      restore();
    }
  });

  test('GIVEN a function that never ran, with a custom log group THEN the group appears at its first invocation, streams named as Lambda names them', async () => {
    const acc = new SimulatedAccount({
      start: T0,
      seed: 3,
      functions: [
        { functionName: 'fresh', runtime: 'nodejs22.x', memorySizeMb: 256, timeoutSeconds: 30, logGroupName: '/custom/fresh', neverInvokedBefore: true, workload: { invocationsPerMinute: 0, memoryNeedMb: 100, cpuMsAt1Vcpu: 10 } },
        { functionName: 'old', runtime: 'nodejs22.x', memorySizeMb: 256, timeoutSeconds: 30, workload: { invocationsPerMinute: 0, memoryNeedMb: 100, cpuMsAt1Vcpu: 10 } },
      ],
      changes: [{ functionName: 'fresh', at: T0 + 3 * MIN, workload: { invocationsPerMinute: 5 } }],
    });
    expect(acc.logs.hasLogGroup('/custom/fresh')).toBe(false);
    expect(acc.logs.hasLogGroup('/aws/lambda/fresh')).toBe(false);
    // A function that has logged before has its group, invocations or not.
    expect(acc.logs.hasLogGroup('/aws/lambda/old')).toBe(true);
    acc.runUntil(T0 + 3 * MIN);
    expect(acc.logs.hasLogGroup('/custom/fresh')).toBe(false);
    const restore = acc.install();
    try {
      const logs = new CloudWatchLogsClient({ region: 'us-east-1' });
      await expect(logs.send(new FilterLogEventsCommand({ logGroupName: '/custom/fresh' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      acc.runUntil(T0 + 4 * MIN);
      const out = await logs.send(new FilterLogEventsCommand({ logGroupName: '/custom/fresh', filterPattern: 'REPORT' }));
      expect(out.events).toHaveLength(5);
      expect(out.events![0].logStreamName).toMatch(/^2026\/11\/28\/fresh\[\$LATEST\][0-9a-f]{32}$/);
    } finally {
      restore();
    }
    expect(acc.logs.hasLogGroup('/aws/lambda/fresh')).toBe(false);
  });
});
