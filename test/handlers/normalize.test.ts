import { CloudWatchClient, DescribeAlarmContributorsCommand, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { LambdaClient, ListTagsCommand } from '@aws-sdk/client-lambda';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  alarmEvent, awsError, clearTable, Db, documentedEvent, initialState, setEnv, startDb, STATE_MACHINE_ARN, TABLE, useTestWorld,
} from './support';
import { DEFAULT_SPOKE_ALARM_PREFIX, DEFAULT_SPOKE_TAG_KEY, HUB_ENV } from '../../src/hub/hub-contract';
import { setClients } from '../../src/runtime/clients';
import { forgetManagedSettings, isManagedFunction, managedSettings, parseMembership } from '../../src/runtime/membership';
import { logger } from '../../src/runtime/powertools';
import { executionIntakeKey, followUpMarkerKey, functionStateKey, lockKey, WorkflowState } from '../../src/workflow/contract';
import { handler } from '../../src/workflow/normalize.lambda';
import { MANAGED_SETTINGS_KEY } from '../../src/workflow/setup-contract';

const cw = mockClient(CloudWatchClient);
const sfn = mockClient(SFNClient);
const lambda = mockClient(LambdaClient);

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
  cw.reset();
  sfn.reset();
  lambda.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
});
afterEach(() => restoreEnv());

/** The state the Init state builds, with the state machine's own ARN. */
function stateOf(event: unknown, executionId = 'arn:aws:states:us-east-1:123456789012:execution:remediation:exec-1'): WorkflowState {
  return { ...initialState(event, executionId), stateMachineArn: STATE_MACHINE_ARN };
}

/** A documented event with the dimensions of its metrics changed to a Lambda function. */
function lambdaVariant(name: string, dims: Record<string, string> = { FunctionName: 'orders' }): any {
  const e = documentedEvent(name);
  for (const m of e.detail.configuration.metrics) if (m.metricStat) m.metricStat.metric.dimensions = { ...dims };
  return e;
}

async function itemsWith(pk: string) {
  return (await db.items()).filter((i) => i.pk === pk);
}

/** A DynamoDB client that fails the calls `fail` picks, and passes the rest to dynalite. */
function failing(fail: (command: unknown) => boolean): never {
  return {
    send: async (command: unknown) => {
      if (fail(command)) throw awsError('InternalServerError', 'injected', 500);
      return db.doc.send(command as never);
    },
  } as never;
}

describe('normalize handler: the seed behaviour', () => {
  test('accepts an ALARM transition of a managed function, writes the intake record and takes the lock', async () => {
    // GIVEN an Errors alarm on orders went to ALARM
    const state = stateOf(alarmEvent({ functionName: 'orders' }));

    // WHEN normalize runs
    const out = await handler(state);

    // THEN the seed alarm event is built and the lock is held by this execution
    expect(out.status).toBe('ACCEPTED');
    expect(out.functionName).toBe('orders');
    expect(out.alarmKind).toBe('METRIC');
    expect(out.alarmEvent).toEqual({
      alarmId: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-errors-alarm',
      alarmName: 'orders-errors-alarm',
      functionName: 'orders',
      metricName: 'Errors',
      threshold: 1,
      thresholdSource: 'reasonData',
      currentValue: 8,
      valueSource: 'reasonData',
      stateChangeTime: '2026-11-20T10:48:00.000Z',
      previousState: 'OK',
      currentState: 'ALARM',
      stateReason: expect.stringContaining('Threshold Crossed'),
    });
    expect(out.lock?.owner).toBe(state.executionId);
    const [lock] = await itemsWith(lockKey('orders').pk);
    expect(lock?.owner).toBe(state.executionId);
    expect(lock?.expiresAt).toBe(Math.floor(Date.parse('2026-11-20T10:48:30.000Z') / 1000) + 21600);
    // The intake record lets the cleanup find this lock from the execution id alone.
    const [intake] = await itemsWith(executionIntakeKey(state.executionId).pk);
    expect(intake).toMatchObject({ sk: 'INTAKE', functionName: 'orders' });
    expect(cw).not.toHaveReceivedAnyCommand();
  });

  test('ignores transitions to OK without taking a lock', async () => {
    const out = await handler(stateOf(alarmEvent({ state: 'OK' })));
    expect(out.status).toBe('IGNORED');
    expect(out.reason).toBe('alarm orders-errors-alarm went to OK, not ALARM');
    expect(await db.items()).toHaveLength(0);
  });

  test('ignores functions not under management', async () => {
    const out = await handler(stateOf(alarmEvent({ functionName: 'payments' })));
    expect(out.status).toBe('IGNORED');
    expect(out.reason).toBe('function payments is not under management');
  });

  test('ignores functions the policy excludes even when MANAGED_FUNCTIONS is *', async () => {
    restoreEnv();
    restoreEnv = setEnv({ MANAGED_FUNCTIONS: '*', REMEDIATION_POLICY: JSON.stringify({ excludedFunctions: ['orders'] }) });
    const out = await handler(stateOf(alarmEvent({ functionName: 'orders' })));
    expect(out.status).toBe('IGNORED');
    expect(out.reason).toContain('excluded by the policy');
  });

  test('concurrent alarms for one function: exactly one wins the conditional write', async () => {
    const outs = await Promise.all(Array.from({ length: 8 }, (_, n) => handler(stateOf(alarmEvent(), `race-${n}`))));
    expect(outs.filter((o) => o.status === 'ACCEPTED')).toHaveLength(1);
    expect(outs.filter((o) => o.status === 'ALREADY_IN_PROGRESS')).toHaveLength(7);
  });

  test('an expired lock counts as free', async () => {
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...lockKey('orders'), owner: 'stale', expiresAt: 1 } }));
    const out = await handler(stateOf(alarmEvent(), 'fresh'));
    expect(out.status).toBe('ACCEPTED');
  });

  test('refuses inside the cooldown, says why and releases the lock', async () => {
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...functionStateKey('orders'), lastRepairAt: '2026-11-20T10:38:30.000Z' } }));
    const out = await handler(stateOf(alarmEvent()));
    expect(out.status).toBe('COOLDOWN');
    expect(out.reason).toBe('function orders was repaired at 2026-11-20T10:38:30.000Z, 600 s ago; cooldown is 1800 s');
    expect(await itemsWith(lockKey('orders').pk)).toHaveLength(0);
  });

  test('refuses past the daily repair budget', async () => {
    await db.doc.send(new PutCommand({
      TableName: TABLE,
      Item: { ...functionStateKey('orders'), 'lastRepairAt': '2026-11-20T01:00:00.000Z', 'repairs#2026-11-20': 3 },
    }));
    const out = await handler(stateOf(alarmEvent()));
    expect(out.status).toBe('DAILY_BUDGET_EXHAUSTED');
    expect(out.reason).toBe('function orders had 3 repairs today; the daily budget is 3');
    expect(await itemsWith(lockKey('orders').pk)).toHaveLength(0);
  });

  test('the budget of yesterday does not count today', async () => {
    await db.doc.send(new PutCommand({
      TableName: TABLE,
      Item: { ...functionStateKey('orders'), 'lastRepairAt': '2026-11-19T01:00:00.000Z', 'repairs#2026-11-19': 3 },
    }));
    expect((await handler(stateOf(alarmEvent()))).status).toBe('ACCEPTED');
  });

  test('fails when the event is not an alarm state change (named error, never a silent drop)', async () => {
    await expect(handler(stateOf({ 'detail-type': 'EC2 Instance State-change Notification', 'detail': {} })))
      .rejects.toMatchObject({ name: 'MalformedEventError', message: expect.stringContaining("got 'EC2 Instance State-change Notification'") });
  });

  test('fails when TABLE_NAME is missing, naming it', async () => {
    restoreEnv();
    restoreEnv = setEnv({ TABLE_NAME: undefined });
    await expect(handler(stateOf(alarmEvent()))).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: 'missing required environment variable(s): TABLE_NAME',
    });
  });
});

describe('normalize handler: the documented events', () => {
  test.each([
    ['single-metric.json', 'names no Lambda function'],
    ['metric-math.json', 'names no Lambda function'],
    ['anomaly-detection.json', 'watches no Lambda function'],
    ['metrics-insights-alarm.json', 'alarm-level event of the multi-time-series alarm'],
    ['metrics-insights-contributor.json', 'names no Lambda function (attributes: TableName)'],
  ])('the documented %s (EC2 / DynamoDB) is IGNORED with a reason, without a lock or a CloudWatch call', async (file, reason) => {
    const out = await handler(stateOf(documentedEvent(file)));
    expect(out.status).toBe('IGNORED');
    expect(out.reason).toContain(reason);
    expect(await db.items()).toHaveLength(0);
    expect(cw).not.toHaveReceivedAnyCommand();
  });

  test('the documented composite.json is SUPPRESSED (actionsSuppressedBy): no lock, no change', async () => {
    const out = await handler(stateOf(documentedEvent('composite.json')));
    expect(out).toMatchObject({ status: 'SUPPRESSED', alarmKind: 'COMPOSITE', reason: expect.stringContaining('suppressed (WaitPeriod') });
    expect(await db.items()).toHaveLength(0);
  });

  test('metric-math.json with the dimensions changed to a Lambda FunctionName: ACCEPTED under the expression label', async () => {
    const out = await handler(stateOf(lambdaVariant('metric-math.json')));
    expect(out).toMatchObject({ status: 'ACCEPTED', alarmKind: 'METRIC_MATH', alarmEvent: { metricName: 'Total Network Traffic', threshold: 10000, currentValue: 45628 } });
  });

  test('anomaly-detection.json with the dimension changed to a Lambda FunctionName and the metric to Duration: below the band is IGNORED', async () => {
    const e = lambdaVariant('anomaly-detection.json');
    e.detail.configuration.metrics[0].metricStat.metric.name = 'Duration';
    const out = await handler(stateOf(e));
    expect(out).toMatchObject({ status: 'IGNORED', reason: expect.stringContaining('below the expected band') });
    expect(await db.items()).toHaveLength(0);
  });

  test('single-metric.json with the dimension changed to a Lambda FunctionName and the state change inside its mute window: SUPPRESSED, no lock', async () => {
    const e = lambdaVariant('single-metric.json');
    e.detail.state.timestamp = '2026-01-01T11:30:00.000+0000';
    const out = await handler(stateOf(e));
    expect(out).toMatchObject({ status: 'SUPPRESSED', functionName: 'orders', reason: expect.stringContaining('muted by arn:aws:cloudwatch') });
    expect(await db.items()).toHaveLength(0);
  });
});

describe('normalize handler: contributor events carry no threshold, value or previous state', () => {
  function contributorFor(fn: string, reason?: string): any {
    const e = documentedEvent('metrics-insights-contributor.json');
    e.detail.alarmContributor.attributes = { FunctionName: fn };
    if (reason !== undefined) e.detail.state.reason = reason;
    return e;
  }

  test('metrics-insights-contributor.json with the attribute changed to a Lambda FunctionName: threshold from DescribeAlarms, value from the state reason', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'DynamoDBInsightsAlarm', Threshold: 1, Metrics: [] }] });
    const out = await handler(stateOf(contributorFor('orders')));
    expect(out.status).toBe('ACCEPTED');
    expect(out.alarmEvent).toMatchObject({ threshold: 1, thresholdSource: 'alarm', currentValue: 0, valueSource: 'stateReason', previousState: 'UNKNOWN' });
    // "If you omit this parameter, only metric alarms are returned" (DescribeAlarms AlarmTypes).
    expect(cw).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['DynamoDBInsightsAlarm'], AlarmTypes: ['MetricAlarm', 'LogAlarm'] });
    expect(cw).not.toHaveReceivedCommand(GetMetricDataCommand);
  });

  test('with no datapoint in the reason: GetMetricData gives the value', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'DynamoDBInsightsAlarm', Threshold: 1 }] });
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'value', Timestamps: [new Date('2025-12-01T13:40:00Z'), new Date('2025-12-01T13:41:00Z')], Values: [3, 7] }] });
    const out = await handler(stateOf(contributorFor('orders', 'Threshold Crossed')));
    expect(out.alarmEvent).toMatchObject({ currentValue: 7, valueSource: 'metricData' });
    expect(cw).toHaveReceivedCommandWith(GetMetricDataCommand, {
      MetricDataQueries: [expect.objectContaining({ MetricStat: expect.objectContaining({ Metric: { Namespace: 'AWS/DynamoDB', MetricName: 'ConsumedWriteCapacityUnits', Dimensions: [{ Name: 'FunctionName', Value: 'orders' }] }, Stat: 'Average' }) })],
    });
  });

  test('when neither the alarm nor the metric answers: threshold from the reason text, value unknown (never 0), still ACCEPTED', async () => {
    cw.on(DescribeAlarmsCommand).resolves({});
    cw.on(GetMetricDataCommand).rejects(awsError('InternalServiceError', 'down', 500));
    const out = await handler(stateOf(contributorFor('orders', 'Threshold Crossed: 1 datapoint was greater than the threshold (5.0).')));
    expect(out.status).toBe('ACCEPTED');
    expect(out.alarmEvent).toMatchObject({ threshold: 5, thresholdSource: 'stateReason', valueSource: 'unknown' });
    expect(out.alarmEvent).not.toHaveProperty('currentValue');
  });
});

describe('normalize handler: composite alarms', () => {
  function composite(): any {
    const e = documentedEvent('composite.json');
    delete e.detail.state.actionsSuppressedBy;
    delete e.detail.state.actionsSuppressedReason;
    return e;
  }

  test('composite.json without actionsSuppressedBy: the child named in triggeringAlarms is an EC2 alarm, so IGNORED with the reason', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'ServerCpuTooHigh', Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'InstanceId', Value: 'i-1' }], Threshold: 50 }] });
    const out = await handler(stateOf(composite()));
    expect(out).toMatchObject({ status: 'IGNORED', alarmKind: 'COMPOSITE', reason: expect.stringContaining('no triggering child is a metric alarm on a managed Lambda function') });
    expect(cw).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['ServerCpuTooHigh'] });
  });

  test('composite.json without actionsSuppressedBy, its child a Lambda alarm: ACCEPTED for the child\'s function', async () => {
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{
        AlarmName: 'ServerCpuTooHigh',
        AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh',
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: 'orders' }],
        Statistic: 'Sum',
        Period: 60,
        Threshold: 2,
        StateValue: 'ALARM',
        StateReasonData: JSON.stringify({ recentDatapoints: [4], threshold: 2 }),
      }],
    });
    const out = await handler(stateOf(composite()));
    expect(out).toMatchObject({
      status: 'ACCEPTED',
      functionName: 'orders',
      alarmKind: 'COMPOSITE',
      alarmEvent: { alarmName: 'ServiceAggregatedAlarm', metricName: 'Errors', threshold: 2, currentValue: 4 },
    });
  });

  test('a child on a function not under management is passed over: IGNORED, the reason says why', async () => {
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{
        AlarmName: 'ServerCpuTooHigh', Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'payments' }], Threshold: 2, StateValue: 'ALARM',
      }],
    });
    const out = await handler(stateOf(composite()));
    expect(out).toMatchObject({ status: 'IGNORED', alarmKind: 'COMPOSITE', reason: expect.stringContaining('(function payments is not under management)') });
    expect(await db.items()).toHaveLength(0);
  });

  test('when the children may not be read: IGNORED, saying which permission is missing', async () => {
    cw.on(DescribeAlarmsCommand).rejects(awsError('AccessDenied', 'not authorized', 403));
    const out = await handler(stateOf(composite()));
    expect(out).toMatchObject({ status: 'IGNORED', reason: expect.stringContaining('cannot read its children ServerCpuTooHigh') });
  });
});

describe('normalize handler: log alarms (DescribeAlarmContributors decides, not the event)', () => {
  const LOG_ALARM = 'team-mem-1';
  function logAlarmEvent(contributorId?: string): any {
    const e = contributorId ? documentedEvent('hypothetical/log-alarm-contributor.json') : documentedEvent('hypothetical/log-alarm-parent.json');
    e.detail.alarmName = LOG_ALARM;
    e.resources = [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${LOG_ALARM}`];
    if (contributorId) e.detail.alarmContributor = { id: contributorId, attributes: { whatever: 'the event says' } };
    return e;
  }
  const page1 = {
    AlarmContributors: [
      { ContributorId: 'c-orders', ContributorAttributes: { logGroup: '/aws/lambda/orders' }, StateReason: 'Threshold Crossed: 1 datapoint was greater than the threshold (90.0). The most recent datapoint which crossed the threshold: [97.5 (20/11/26 10:45:00)].' },
    ],
    NextToken: 'page-2',
  };
  const page2 = {
    AlarmContributors: [
      { ContributorId: 'c-ingest', ContributorAttributes: { logGroup: '/custom/ingest' }, StateReason: 'The most recent datapoint which crossed the threshold: [99.0 (20/11/26 10:45:00)].' },
      { ContributorId: 'c-other', ContributorAttributes: { logGroup: '/aws/lambda/not-managed' }, StateReason: 'x' },
    ],
  };

  beforeEach(() => {
    restoreEnv();
    restoreEnv = setEnv({ LOG_ALARM_NAME_PREFIX: 'team-mem-', LOG_GROUP_FUNCTIONS: JSON.stringify([['/custom/ingest', 'ingest-2']]) });
    cw.on(DescribeAlarmsCommand).resolves({ LogAlarms: [{ AlarmName: LOG_ALARM, AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${LOG_ALARM}`, Threshold: 90 }] });
    cw.on(DescribeAlarmContributorsCommand).callsFake((input: { NextToken?: string }) => (input.NextToken === 'page-2' ? page2 : page1));
  });

  test('an alarm-level event handles the first managed function in ALARM and starts one execution per further one', async () => {
    const out = await handler(stateOf(logAlarmEvent()));
    expect(out).toMatchObject({
      status: 'ACCEPTED',
      functionName: 'orders',
      alarmKind: 'LOG',
      contributorId: 'c-orders',
      alarmEvent: { threshold: 90, thresholdSource: 'alarm', currentValue: 97.5, valueSource: 'stateReason' },
    });
    // Every page of contributors was read ("NextToken ... for the next page").
    expect(cw).toHaveReceivedCommandTimes(DescribeAlarmContributorsCommand, 2);
    expect(cw.commandCalls(DescribeAlarmContributorsCommand).map((c) => c.args[0].input)).toEqual([
      { AlarmName: LOG_ALARM }, { AlarmName: LOG_ALARM, NextToken: 'page-2' },
    ]);
    // ingest-2 (custom log group, mapped) gets its own execution; not-managed gets none.
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const start = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(start.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(start.name).toMatch(/^contributor-[0-9a-f]{40}$/);
    expect(JSON.parse(start.input!)).toEqual({
      'source': 'lambda-auto-remediation',
      'detail-type': 'Lambda Remediation Contributor',
      'detail': { alarmName: LOG_ALARM, functionName: 'ingest-2', contributorId: 'c-ingest', reason: expect.stringContaining('99.0'), stateTimestamp: '2025-12-01T13:42:04.919Z' },
    });
    expect(out.startedExecutions).toEqual([start.name]);
  });

  test('a retried normalize starts nothing twice: same name, and ExecutionAlreadyExists counts as done', async () => {
    const first = await handler(stateOf(logAlarmEvent()));
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    const again = await handler(stateOf(logAlarmEvent()));
    expect(again.status).toBe('ACCEPTED');
    expect(again.startedExecutions).toEqual(first.startedExecutions);
  });

  test('a contributor event handles its own contributor when it is still in ALARM', async () => {
    const out = await handler(stateOf(logAlarmEvent('c-ingest')));
    expect(out).toMatchObject({ status: 'ACCEPTED', functionName: 'ingest-2', contributorId: 'c-ingest' });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  test('a contributor event whose contributor is no longer in ALARM is IGNORED', async () => {
    const out = await handler(stateOf(logAlarmEvent('c-gone')));
    expect(out).toMatchObject({ status: 'IGNORED', reason: `contributor c-gone of alarm ${LOG_ALARM} is no longer in ALARM` });
    expect(await db.items()).toHaveLength(0);
  });

  test('the workflow\'s own contributor input is re-checked with DescribeAlarmContributors', async () => {
    const input = { 'source': 'lambda-auto-remediation', 'detail-type': 'Lambda Remediation Contributor', 'detail': { alarmName: LOG_ALARM, functionName: 'ingest-2', contributorId: 'c-ingest', reason: 'r', stateTimestamp: '2026-11-20T10:45:00.000Z' } };
    expect(await handler(stateOf(input))).toMatchObject({ status: 'ACCEPTED', functionName: 'ingest-2', alarmKind: 'LOG', alarmEvent: { currentValue: 99 } });
    cw.on(DescribeAlarmContributorsCommand).resolves({ AlarmContributors: [] });
    expect(await handler(stateOf(input, 'exec-2'))).toMatchObject({ status: 'IGNORED', reason: expect.stringContaining('no longer in ALARM') });
  });

  test('an input claiming another function than the contributor stands for is IGNORED', async () => {
    const input = { 'source': 'lambda-auto-remediation', 'detail-type': 'Lambda Remediation Contributor', 'detail': { alarmName: LOG_ALARM, functionName: 'orders', contributorId: 'c-ingest', reason: 'r', stateTimestamp: 't' } };
    expect(await handler(stateOf(input))).toMatchObject({ status: 'IGNORED', reason: expect.stringContaining('stands for ingest-2, not orders') });
  });
  test('two contributors in ALARM for one function: that function is handled once, no execution is started for the second', async () => {
    cw.on(DescribeAlarmContributorsCommand).resolves({
      AlarmContributors: [
        { ContributorId: 'c-orders-a', ContributorAttributes: { logGroup: '/aws/lambda/orders' }, StateReason: 'a' },
        { ContributorId: 'c-orders-b', ContributorAttributes: { logGroup: '/aws/lambda/orders' }, StateReason: 'b' },
      ],
    });
    const out = await handler(stateOf(logAlarmEvent()));
    expect(out).toMatchObject({ status: 'ACCEPTED', functionName: 'orders', contributorId: 'c-orders-a' });
    expect(out.startedExecutions).toBeUndefined();
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  test('a contributor whose attributes name no function: IGNORED, the reason names the contributor and its attributes', async () => {
    cw.on(DescribeAlarmContributorsCommand).resolves({ AlarmContributors: [{ ContributorId: 'c-x', ContributorAttributes: { host: 'web-1' }, StateReason: 'x' }] });
    const out = await handler(stateOf(logAlarmEvent()));
    expect(out).toMatchObject({
      status: 'IGNORED',
      reason: `alarm ${LOG_ALARM}: no managed function to handle (contributor c-x ({"host":"web-1"}) maps to no function)`,
    });
  });

  test('the workflow\'s contributor input whose contributor now stands for no function is IGNORED, naming the function it claimed', async () => {
    cw.on(DescribeAlarmContributorsCommand).resolves({ AlarmContributors: [{ ContributorId: 'c-x', ContributorAttributes: { host: 'web-1' }, StateReason: 'x' }] });
    const input = { 'source': 'lambda-auto-remediation', 'detail-type': 'Lambda Remediation Contributor', 'detail': { alarmName: LOG_ALARM, functionName: 'orders', contributorId: 'c-x', reason: 'r', stateTimestamp: 't' } };
    expect(await handler(stateOf(input))).toEqual({
      status: 'IGNORED',
      reason: `contributor c-x of alarm ${LOG_ALARM} stands for no function, not orders`,
      functionName: 'orders',
    });
  });

  test('the workflow\'s contributor input for a function not under management is IGNORED, naming the function', async () => {
    const input = { 'source': 'lambda-auto-remediation', 'detail-type': 'Lambda Remediation Contributor', 'detail': { alarmName: LOG_ALARM, functionName: 'not-managed', contributorId: 'c-other', reason: 'r', stateTimestamp: 't' } };
    expect(await handler(stateOf(input))).toEqual({ status: 'IGNORED', reason: 'function not-managed is not under management', functionName: 'not-managed' });
  });

  test('the workflow\'s contributor input is held to the managed alarm prefix too', async () => {
    restoreEnv();
    restoreEnv = setEnv({ ALARM_NAME_PREFIX: 'orders-', LOG_GROUP_FUNCTIONS: JSON.stringify([['/custom/ingest', 'ingest-2']]) });
    const input = { 'source': 'lambda-auto-remediation', 'detail-type': 'Lambda Remediation Contributor', 'detail': { alarmName: LOG_ALARM, functionName: 'ingest-2', contributorId: 'c-ingest', reason: 'r', stateTimestamp: 't' } };
    expect(await handler(stateOf(input))).toMatchObject({ status: 'IGNORED', reason: `alarm ${LOG_ALARM} does not start with the managed prefix orders-` });
    expect(cw).not.toHaveReceivedAnyCommand();
    expect(await db.items()).toHaveLength(0);
  });

  test('a contributor event while the function\'s lock is held: the alarm and its contributor are recorded on the lock', async () => {
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...lockKey('ingest-2'), owner: 'holder', expiresAt: 4102444800 } }));
    const out = await handler(stateOf(logAlarmEvent('c-ingest')));
    expect(out).toMatchObject({ status: 'ALREADY_IN_PROGRESS', functionName: 'ingest-2', recordedOnLock: true });
    const [lock] = await itemsWith(lockKey('ingest-2').pk);
    expect([...(lock.pendingAlarms as Set<string>)]).toEqual([JSON.stringify({ alarmName: LOG_ALARM, contributorId: 'c-ingest' })]);
  });
});

describe('normalize handler: membership by tag', () => {
  beforeEach(() => {
    restoreEnv();
    restoreEnv = setEnv({ MANAGED_FUNCTIONS: 'tag:team=payments' });
  });

  test('a function with the tag and exactly that value is managed (ListTags takes the function ARN)', async () => {
    lambda.on(ListTagsCommand).resolves({ Tags: { team: 'payments' } });
    expect((await handler(stateOf(alarmEvent({ functionName: 'orders' })))).status).toBe('ACCEPTED');
    expect(lambda).toHaveReceivedCommandWith(ListTagsCommand, { Resource: 'arn:aws:lambda:us-east-1:123456789012:function:orders' });
  });

  test('a tag value that differs only in case is not the tag', async () => {
    lambda.on(ListTagsCommand).resolves({ Tags: { team: 'Payments' } });
    expect(await handler(stateOf(alarmEvent({ functionName: 'orders' })))).toMatchObject({ status: 'IGNORED', reason: 'function orders is not under management' });
  });

  test('fails when the tag selector has no key, naming the value', async () => {
    restoreEnv();
    restoreEnv = setEnv({ MANAGED_FUNCTIONS: 'tag:=x' });
    await expect(handler(stateOf(alarmEvent()))).rejects.toMatchObject({ name: 'ConfigurationError', message: expect.stringContaining("got 'tag:=x'") });
  });
});

describe('normalize handler: membership from the settings item (MANAGED_FUNCTIONS=table)', () => {
  beforeEach(() => {
    forgetManagedSettings();
    restoreEnv();
    restoreEnv = setEnv({ MANAGED_FUNCTIONS: 'table' });
  });
  afterEach(() => forgetManagedSettings());

  const putSettings = (functions: string[], logGroupFunctions: Record<string, string> = {}) =>
    db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...MANAGED_SETTINGS_KEY, recordType: 'CONFIG', functions, logGroupFunctions } }));

  test('a function the setup listed is managed; one it did not list is not', async () => {
    await putSettings(['svc-1', 'orders', 'svc-3']);
    expect((await handler(stateOf(alarmEvent({ functionName: 'orders' })))).status).toBe('ACCEPTED');
    expect(await handler(stateOf(alarmEvent({ functionName: 'payments' })))).toMatchObject({ status: 'IGNORED', reason: 'function payments is not under management' });
  });

  test('the name "table" itself is not a managed function', async () => {
    await putSettings(['orders']);
    expect(await handler(stateOf(alarmEvent({ functionName: 'table' })))).toMatchObject({ status: 'IGNORED' });
  });

  test('without the settings item it fails closed, naming the table and the missing setup', async () => {
    await expect(handler(stateOf(alarmEvent()))).rejects.toMatchObject({ name: 'ConfigurationError', message: expect.stringContaining('settings item is missing') });
    expect(await itemsWith(lockKey('orders').pk)).toHaveLength(0);
  });

  test('a malformed settings item is an error naming what is wrong, not an empty list', async () => {
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...MANAGED_SETTINGS_KEY, functions: 'orders' } }));
    await expect(handler(stateOf(alarmEvent()))).rejects.toMatchObject({ message: expect.stringContaining('functions must be a list of names') });
  });

  test('a warm container re-reads the item after a minute (a redeploy adds functions without changing the environment)', async () => {
    await putSettings(['svc-1']);
    const t0 = Date.now();
    expect((await managedSettings(TABLE, t0)).functions).toEqual(['svc-1']);
    await putSettings(['svc-1', 'orders']);
    expect((await managedSettings(TABLE, t0 + 30_000)).functions).toEqual(['svc-1']);
    expect((await managedSettings(TABLE, t0 + 61_000)).functions).toEqual(['svc-1', 'orders']);
  });

  test('GIVEN settings read exactly a minute ago THEN they are read again', async () => {
    await putSettings(['svc-1']);
    const t0 = Date.now();
    expect((await managedSettings(TABLE, t0)).functions).toEqual(['svc-1']);
    await putSettings(['svc-1', 'orders']);
    expect((await managedSettings(TABLE, t0 + 59_999)).functions).toEqual(['svc-1']);
    expect((await managedSettings(TABLE, t0 + 60_000)).functions).toEqual(['svc-1', 'orders']);
  });
});

describe('normalize handler: the lock is never left held by a normalize failure', () => {
  test('a failure after the lock was taken releases it; the original error propagates', async () => {
    // GIVEN the guardrail state cannot be read (after the lock was taken)
    setClients({ dynamo: failing((c) => c instanceof GetCommand && String((c.input.Key as { pk: string }).pk).startsWith('FUNCTION#')) }, { region: 'us-east-1' });
    // WHEN normalize runs THEN it fails with the read error
    await expect(handler(stateOf(alarmEvent()))).rejects.toMatchObject({ name: 'ServiceUnavailableError', message: expect.stringContaining('state of orders') });
    // AND the lock it took is gone
    expect(await itemsWith(lockKey('orders').pk)).toHaveLength(0);
  });

  test('when the release fails too: it is logged and the original error is the one raised', async () => {
    const logged = jest.spyOn(logger, 'error');
    setClients({ dynamo: failing((c) => (c instanceof GetCommand && String((c.input.Key as { pk: string }).pk).startsWith('FUNCTION#')) || c instanceof DeleteCommand) }, { region: 'us-east-1' });
    await expect(handler(stateOf(alarmEvent()))).rejects.toMatchObject({ message: expect.stringContaining('dynamodb:GetItem state of orders') });
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('lock release after a normalize failure failed'), expect.objectContaining({ functionName: 'orders' }));
    // The intake record stays, so the cleanup after this execution can still release it.
    expect(await itemsWith(executionIntakeKey('arn:aws:states:us-east-1:123456789012:execution:remediation:exec-1').pk)).toHaveLength(1);
    logged.mockRestore();
  });
});

describe('normalize handler: alarms that arrive while the lock is held are re-examined later', () => {
  test('ALREADY_IN_PROGRESS records the alarm on the lock, once per alarm and contributor', async () => {
    await handler(stateOf(alarmEvent(), 'holder'));
    const second = await handler(stateOf(alarmEvent(), 'second'));
    await handler(stateOf(alarmEvent(), 'third'));
    await handler(stateOf(alarmEvent({ alarmName: 'orders-duration-alarm', metricName: 'Duration' }), 'fourth'));
    expect(second).toMatchObject({
      status: 'ALREADY_IN_PROGRESS',
      recordedOnLock: true,
      reason: 'function orders is already being handled by execution holder; this alarm is re-examined when it ends',
    });
    const [lock] = await itemsWith(lockKey('orders').pk);
    expect(lock.owner).toBe('holder');
    expect([...(lock.pendingAlarms as Set<string>)].sort()).toEqual([
      JSON.stringify({ alarmName: 'orders-duration-alarm' }),
      JSON.stringify({ alarmName: 'orders-errors-alarm' }),
    ]);
  });

  test('a re-examination proceeds when the alarm is still in ALARM', async () => {
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{
        AlarmName: 'orders-errors-alarm',
        AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-errors-alarm',
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: 'orders' }],
        Statistic: 'Sum',
        Period: 60,
        Threshold: 1,
        StateValue: 'ALARM',
        StateReason: 'Threshold Crossed',
        StateReasonData: JSON.stringify({ recentDatapoints: [6], threshold: 1 }),
        StateUpdatedTimestamp: new Date('2026-11-20T10:40:00Z'),
      }],
    });
    const out = await handler(stateOf({
      'source': 'lambda-auto-remediation',
      'detail-type': 'Lambda Remediation Re-examination',
      'detail': { functionName: 'orders', alarms: [{ alarmName: 'orders-errors-alarm' }], previousExecutionId: 'holder', reason: 'r' },
    }));
    expect(out).toMatchObject({ status: 'ACCEPTED', functionName: 'orders', alarmEvent: { currentValue: 6, threshold: 1, stateChangeTime: '2026-11-20T10:40:00.000Z' } });
  });

  test('a conclusion that stands covers the alarms that waited: IGNORED without a second look', async () => {
    for (const previousOutcome of ['CANNOT_INCREASE', 'REJECTED', 'HUMAN_REVIEW', 'NO_ACTION']) {
      const out = await handler(stateOf({
        'source': 'lambda-auto-remediation',
        'detail-type': 'Lambda Remediation Re-examination',
        'detail': { functionName: 'orders', alarms: [{ alarmName: 'orders-errors-alarm' }], previousExecutionId: 'holder', previousOutcome, reason: 'r' },
      }));
      expect(out).toMatchObject({ status: 'IGNORED', reason: `holder concluded ${previousOutcome} for orders while orders-errors-alarm waited on its lock: that conclusion stands for them (no second diagnosis)` });
    }
    expect(cw).not.toHaveReceivedCommand(DescribeAlarmsCommand);
    expect(await db.items()).toHaveLength(0);
  });

  test('after a repair or a failed execution the alarms that waited are looked at again', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'orders-errors-alarm', Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'orders' }], StateValue: 'OK' }] });
    for (const previousOutcome of ['REPAIRED', 'FAILED', 'ROLLED_BACK']) {
      const out = await handler(stateOf({
        'source': 'lambda-auto-remediation',
        'detail-type': 'Lambda Remediation Re-examination',
        'detail': { functionName: 'orders', alarms: [{ alarmName: 'orders-errors-alarm' }], previousExecutionId: 'holder', previousOutcome, reason: 'r' },
      }));
      expect(out).toMatchObject({ status: 'IGNORED', reason: expect.stringContaining('alarm no longer in ALARM') });
    }
    expect(cw).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 3);
  });

  test('a re-examination of an alarm no longer in ALARM is IGNORED', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'orders-errors-alarm', Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'orders' }], StateValue: 'OK' }] });
    const out = await handler(stateOf({
      'source': 'lambda-auto-remediation',
      'detail-type': 'Lambda Remediation Re-examination',
      'detail': { functionName: 'orders', alarms: [{ alarmName: 'orders-errors-alarm' }], previousExecutionId: 'holder', reason: 'r' },
    }));
    expect(out).toMatchObject({ status: 'IGNORED', reason: 'alarm no longer in ALARM: orders-errors-alarm for orders (re-examined after holder)' });
    expect(await db.items()).toHaveLength(0);
  });
});

describe('normalize handler: an alarm on an alias the alias option does not name (issue 10 item 12)', () => {
  test('the qualifier is kept and a person is asked, because raising $LATEST would not change the alias', async () => {
    const out = await handler(stateOf(alarmEvent({ resource: 'orders:live' })));
    expect(out).toMatchObject({ status: 'ACCEPTED', qualifier: 'live', humanReviewReason: expect.stringContaining('no alias is configured for it') });
  });

  test('the configured alias needs no person', async () => {
    restoreEnv();
    restoreEnv = setEnv({ REMEDIATION_POLICY: JSON.stringify({ functionOverrides: { orders: { aliases: ['live'] } } }) });
    const out = await handler(stateOf(alarmEvent({ resource: 'orders:live' })));
    expect(out.qualifier).toBe('live');
    expect(out.humanReviewReason).toBeUndefined();
  });

  test('another alias than the configured one, or a version, needs a person', async () => {
    restoreEnv();
    restoreEnv = setEnv({ REMEDIATION_POLICY: JSON.stringify({ functionOverrides: { orders: { aliases: ['live'] } } }) });
    expect((await handler(stateOf(alarmEvent({ resource: 'orders:canary' }), 'a'))).humanReviewReason).toContain('the alias option names live');
    await clearTable(db);
    expect((await handler(stateOf(alarmEvent({ resource: 'arn:aws:lambda:us-east-1:123456789012:function:orders:3' }), 'b'))).humanReviewReason)
      .toContain('version 3 of orders');
  });
});

describe('membership: parsing MANAGED_FUNCTIONS', () => {
  test('GIVEN a name list with spaces and empty entries THEN the names are trimmed and the empty ones dropped', () => {
    expect(parseMembership(' orders , ,payments ,')).toEqual({ mode: 'names', names: new Set(['orders', 'payments']) });
  });

  test('GIVEN "table" with surrounding spaces THEN the list is in the table', () => {
    expect(parseMembership('  table\n', TABLE)).toEqual({ mode: 'table', tableName: TABLE });
  });

  test('GIVEN "table" without a table name THEN it fails naming TABLE_NAME', () => {
    expect(() => parseMembership('table')).toThrow(expect.objectContaining({ name: 'ConfigurationError', message: expect.stringContaining('TABLE_NAME is not set') }));
  });

  test('GIVEN a tag selector with spaces around the key THEN the key is trimmed and the value kept as written', () => {
    expect(parseMembership('tag: team =pay ments')).toEqual({ mode: 'tag', key: 'team', value: 'pay ments' });
  });

  test('GIVEN a tag selector whose key is only spaces THEN it fails naming the value', () => {
    expect(() => parseMembership('tag:  =x')).toThrow(expect.objectContaining({ name: 'ConfigurationError', message: expect.stringContaining("got 'tag:  =x'") }));
  });

  test('GIVEN a tag value running over a line break THEN it is not a tag selector (the whole value must match)', () => {
    expect(() => parseMembership('tag:team=pay\nments')).toThrow(expect.objectContaining({ name: 'ConfigurationError' }));
  });
});

describe('membership: tag mode lookups', () => {
  const membership = { mode: 'tag', key: 'team', value: 'payments' } as const;
  const arn = 'arn:aws:lambda:us-east-1:123456789012:function:orders';

  test('GIVEN the function no longer exists WHEN its tags are read THEN it is not managed', async () => {
    lambda.on(ListTagsCommand).rejects(awsError('ResourceNotFoundException', 'Function not found', 404));
    expect(await isManagedFunction(membership, 'orders', arn)).toBe(false);
  });

  test('GIVEN reading the tags fails otherwise THEN it is a named error naming the call and the ARN', async () => {
    lambda.on(ListTagsCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(isManagedFunction(membership, 'orders', arn))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining(`lambda:ListTags on ${arn}`) });
  });
});

describe('normalize handler: what the lock-group guards say and do', () => {
  const reexamination = (detail: Record<string, unknown>) => ({ 'source': 'lambda-auto-remediation', 'detail-type': 'Lambda Remediation Re-examination', 'detail': detail });
  const followUp = (round: number) => ({
    'source': 'lambda-auto-remediation',
    'detail-type': 'Lambda Remediation Follow-up',
    'detail': {
      functionName: 'orders',
      alarms: [{ alarmName: 'orders-errors-alarm' }],
      previousExecutionId: 'review-1',
      round,
      waitSeconds: 600,
      baseline: { at: '2026-11-20T10:38:30.000Z', action: 'HUMAN_REVIEW' },
    },
  });

  test('an accepted alarm says which alarm, of which kind, on which function', async () => {
    const out = await handler(stateOf(alarmEvent()));
    expect(out).toMatchObject({ status: 'ACCEPTED', reason: 'alarm orders-errors-alarm (METRIC) on orders' });
  });

  test('a function not under management is IGNORED with what the event said about it (function and alarm kind)', async () => {
    expect(await handler(stateOf(alarmEvent({ functionName: 'payments' })))).toEqual({
      status: 'IGNORED', reason: 'function payments is not under management', functionName: 'payments', alarmKind: 'METRIC',
    });
  });

  test('exactly the cooldown after the last repair: the cooldown is over, ACCEPTED', async () => {
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...functionStateKey('orders'), lastRepairAt: '2026-11-20T10:18:30.000Z' } }));
    expect((await handler(stateOf(alarmEvent()))).status).toBe('ACCEPTED');
  });

  test('a lock that names no owner: ALREADY_IN_PROGRESS says the holder is unknown', async () => {
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...lockKey('orders'), expiresAt: 4102444800 } }));
    const out = await handler(stateOf(alarmEvent()));
    expect(out).toMatchObject({
      status: 'ALREADY_IN_PROGRESS',
      reason: 'function orders is already being handled by execution unknown; this alarm is re-examined when it ends',
    });
  });

  test('a lock that is taken and gone again three times in a row: a named error after exactly three attempts, nothing reported as in progress', async () => {
    let lockPuts = 0;
    const isLock = (c: { input: { Key?: { pk?: string }; Item?: { pk?: string } } }) => String(c.input.Key?.pk ?? c.input.Item?.pk ?? '').startsWith('LOCK#');
    setClients({
      dynamo: {
        send: async (command: any) => {
          if (command instanceof PutCommand && isLock(command)) {
            lockPuts++;
            // Bound the loop, so a test of a wrong loop ends instead of hanging.
            if (lockPuts > 6) throw awsError('InternalServerError', 'too many attempts', 500);
            throw awsError('ConditionalCheckFailedException', 'held');
          }
          if (command instanceof UpdateCommand && isLock(command)) throw awsError('ConditionalCheckFailedException', 'gone');
          return db.doc.send(command as never);
        },
      } as never,
    }, { region: 'us-east-1' });
    await expect(handler(stateOf(alarmEvent()))).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message: 'the lock on orders changed hands three times in a row while arn:aws:states:us-east-1:123456789012:execution:remediation:exec-1 tried to take it',
    });
    expect(lockPuts).toBe(3);
  });

  test('a re-examination of a function no longer under management is IGNORED, naming the function', async () => {
    const out = await handler(stateOf(reexamination({ functionName: 'payments', alarms: [{ alarmName: 'payments-errors-alarm' }], previousExecutionId: 'holder', reason: 'r' })));
    expect(out).toEqual({ status: 'IGNORED', reason: 'function payments is not under management', functionName: 'payments' });
  });

  test('a conclusion that stands names every alarm that waited, and the function', async () => {
    const out = await handler(stateOf(reexamination({
      functionName: 'orders', alarms: [{ alarmName: 'orders-errors-alarm' }, { alarmName: 'orders-duration-alarm' }], previousExecutionId: 'holder', previousOutcome: 'NO_ACTION', reason: 'r',
    })));
    expect(out).toEqual({
      status: 'IGNORED',
      reason: 'holder concluded NO_ACTION for orders while orders-errors-alarm, orders-duration-alarm waited on its lock: that conclusion stands for them (no second diagnosis)',
      functionName: 'orders',
    });
  });

  test('a conclusion that stands for many waiting alarms: the reason is cut at 1000 characters', async () => {
    const alarms = Array.from({ length: 40 }, (_, n) => ({ alarmName: `orders-alarm-with-a-rather-long-name-${n}` }));
    const out = await handler(stateOf(reexamination({ functionName: 'orders', alarms, previousExecutionId: 'holder', previousOutcome: 'REJECTED', reason: 'r' })));
    expect(out.status).toBe('IGNORED');
    expect(out.reason).toHaveLength(1000);
    expect(out.reason.startsWith('holder concluded REJECTED for orders while orders-alarm-with-a-rather-long-name-0, orders-alarm-')).toBe(true);
  });

  test('a follow-up superseded by an execution that scheduled none ends, saying so', async () => {
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...followUpMarkerKey('orders'), execution: '' } }));
    expect(await handler(stateOf(followUp(2)))).toEqual({
      status: 'IGNORED',
      reason: 'follow-up 2 of orders ends: superseded by a later execution that scheduled none (a repair, or the last round)',
      functionName: 'orders',
    });
  });

  test('a follow-up superseded by a later follow-up ends, naming it', async () => {
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...followUpMarkerKey('orders'), execution: 'followup-later' } }));
    expect(await handler(stateOf(followUp(1)))).toEqual({
      status: 'IGNORED', reason: 'follow-up 1 of orders ends: superseded by the later follow-up followup-later', functionName: 'orders',
    });
    expect(cw).not.toHaveReceivedAnyCommand();
  });
});

describe('normalize handler: which qualifiers need a person', () => {
  test('$LATEST is what a repair changes: no person needed', async () => {
    const out = await handler(stateOf(alarmEvent({ resource: 'orders:$LATEST' })));
    expect(out).toMatchObject({ status: 'ACCEPTED', qualifier: '$LATEST' });
    expect(out.humanReviewReason).toBeUndefined();
  });

  test.each([
    ['v1', 'alarm orders-errors-alarm watches alias v1 of orders'],
    ['1a', 'alarm orders-errors-alarm watches alias 1a of orders'],
    ['12', 'alarm orders-errors-alarm watches version 12 of orders'],
  ])('the qualifier %s is told apart as an alias or a version number', async (qualifier, said) => {
    const out = await handler(stateOf(alarmEvent({ resource: `orders:${qualifier}` })));
    expect(out.humanReviewReason).toContain(said);
  });

  test('aliases configured only for other functions: this one has none configured', async () => {
    restoreEnv();
    restoreEnv = setEnv({ REMEDIATION_POLICY: JSON.stringify({ functionOverrides: { payments: { aliases: ['live'] } } }) });
    const out = await handler(stateOf(alarmEvent({ resource: 'orders:live' })));
    expect(out.humanReviewReason).toContain('but no alias is configured for it');
  });

  test('several configured aliases are all named', async () => {
    restoreEnv();
    restoreEnv = setEnv({ REMEDIATION_POLICY: JSON.stringify({ functionOverrides: { orders: { aliases: ['live', 'blue'] } } }) });
    const out = await handler(stateOf(alarmEvent({ resource: 'orders:canary' })));
    expect(out.humanReviewReason).toContain('but the alias option names live, blue;');
  });
});

describe('normalize handler: a spoke\'s alarm on a hub is held to the spoke alarm prefix', () => {
  const SPOKE = { account: '111111111111', region: 'eu-west-1' };
  const fromSpoke = (alarmName: string) => ({ ...alarmEvent({ alarmName }), account: SPOKE.account, region: SPOKE.region });
  const hub = (more: Record<string, string> = {}) => {
    restoreEnv();
    restoreEnv = setEnv({ [HUB_ENV.HOME_ACCOUNT]: '123456789012', [HUB_ENV.ADMITTED_ACCOUNTS]: SPOKE.account, AWS_REGION: 'us-east-1', ...more });
    lambda.on(ListTagsCommand).resolves({ Tags: { [DEFAULT_SPOKE_TAG_KEY]: DEFAULT_SPOKE_ALARM_PREFIX } });
  };

  test('without a configured prefix: an alarm outside the default spoke prefix is IGNORED, naming the prefix and the spoke', async () => {
    hub();
    expect(await handler(stateOf(fromSpoke('orders-errors-alarm')))).toEqual({
      status: 'IGNORED',
      reason: `alarm orders-errors-alarm does not start with the managed prefix ${DEFAULT_SPOKE_ALARM_PREFIX}`,
      account: SPOKE.account,
      region: SPOKE.region,
    });
    expect(lambda).not.toHaveReceivedAnyCommand();
    expect(await db.items()).toHaveLength(0);
  });

  test('without a configured prefix: an alarm under the default spoke prefix is ACCEPTED for the spoke', async () => {
    hub();
    const out = await handler(stateOf(fromSpoke(`${DEFAULT_SPOKE_ALARM_PREFIX}-orders`)));
    expect(out).toMatchObject({ status: 'ACCEPTED', functionName: 'orders', account: SPOKE.account, region: SPOKE.region });
  });

  test('with a configured spoke prefix: that prefix decides, not the default', async () => {
    hub({ [HUB_ENV.SPOKE_ALARM_PREFIX]: 'team-' });
    expect(await handler(stateOf(fromSpoke('team-orders')))).toMatchObject({ status: 'ACCEPTED', functionName: 'orders', account: SPOKE.account });
    await clearTable(db);
    expect(await handler(stateOf(fromSpoke(`${DEFAULT_SPOKE_ALARM_PREFIX}-orders`)))).toMatchObject({
      status: 'IGNORED',
      reason: `alarm ${DEFAULT_SPOKE_ALARM_PREFIX}-orders does not start with the managed prefix team-`,
    });
  });
});
