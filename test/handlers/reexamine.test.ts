/**
 * Finalize's side of the lock: it releases the lock and, when alarms arrived while it was held,
 * starts one re-examination of the function, in an order that loses no alarm when it crashes
 * (issue 10 items 4 and 7). Also the intake outcomes finalize reports: SUPPRESSED (quiet) and
 * unknown thresholds and values (said to be unknown, never 0).
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { alarmEvent, awsError, clearTable, Db, documentedEvent, initialState, setEnv, startDb, STATE_MACHINE_ARN, TABLE, useTestWorld } from './support';
import { setClients } from '../../src/runtime/clients';
import { executionReexamineKey } from '../../src/runtime/lock-followup';
import { handler as finalize } from '../../src/verification/finalize.lambda';
import { LOCK_PENDING_ATTRIBUTE, lockKey, WorkflowState } from '../../src/workflow/contract';
import { handler as normalize } from '../../src/workflow/normalize.lambda';

const sns = mockClient(SNSClient);
const events = mockClient(EventBridgeClient);
const sfn = mockClient(SFNClient);
const cw = mockClient(CloudWatchClient);

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
  for (const m of [sns, events, sfn, cw]) m.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:started', startDate: new Date() });
});
afterEach(() => restoreEnv());

const HOLDER = 'arn:aws:states:us-east-1:123456789012:execution:remediation:holder';

function stateOf(event: unknown, executionId: string): WorkflowState {
  return { ...initialState(event, executionId), stateMachineArn: STATE_MACHINE_ARN };
}

/** The holder took the lock on orders; two more alarms arrived meanwhile (one of them twice). */
async function heldWithPendingAlarms(): Promise<WorkflowState> {
  const s = stateOf(alarmEvent(), HOLDER);
  const holder = { ...s, alarm: await normalize(s) };
  expect(holder.alarm.status).toBe('ACCEPTED');
  for (const [n, name] of [[1, 'orders-errors-alarm'], [2, 'orders-duration-alarm'], [3, 'orders-duration-alarm']] as const) {
    const late = await normalize(stateOf(alarmEvent({ alarmName: name }), `late-${n}`));
    expect(late).toMatchObject({ status: 'ALREADY_IN_PROGRESS', recordedOnLock: true });
  }
  // The holder ends: nothing to do (the alarm went away), so finalize is next.
  return { ...holder, diagnosis: undefined };
}

function started(): Array<{ name: string; input: any; stateMachineArn: string }> {
  return sfn.commandCalls(StartExecutionCommand).map((c) => {
    const i = c.args[0].input;
    return { name: i.name!, input: JSON.parse(i.input!), stateMachineArn: i.stateMachineArn! };
  });
}

/** A DynamoDB client that can act before forwarding a call to dynalite. */
function intercepting(before: (command: unknown) => Promise<void>): never {
  return {
    send: async (command: unknown) => {
      await before(command);
      return db.doc.send(command as never);
    },
  } as never;
}

describe('finalize releases the lock and re-examines the alarms that waited on it', () => {
  test('one re-examination with the waiting alarms, after the lock is gone', async () => {
    const state = await heldWithPendingAlarms();
    const out = await finalize(state);
    expect(out.lockReleased).toBe(true);
    expect((await db.items()).some((i) => i.pk === lockKey('orders').pk)).toBe(false);
    const [start, ...more] = started();
    expect(more).toEqual([]);
    expect(start.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(start.name).toMatch(/^reexamine-[0-9a-f]{40}$/);
    expect(start.input).toEqual({
      'source': 'lambda-auto-remediation',
      'detail-type': 'Lambda Remediation Re-examination',
      'detail': {
        functionName: 'orders',
        alarms: [{ alarmName: 'orders-duration-alarm' }, { alarmName: 'orders-errors-alarm' }],
        previousExecutionId: HOLDER,
        // The holder's state has neither diagnosis nor error: finalize concludes FAILED.
        previousOutcome: 'FAILED',
        reason: `2 alarm(s) arrived while ${HOLDER} held the lock on orders`,
      },
    });
    const record = (await db.items()).find((i) => i.pk === executionReexamineKey(HOLDER).pk && i.sk === 'REEXAMINE');
    expect(record?.startedAs).toBe(start.name);
  });

  test('the holder’s conclusion travels with the re-examination (at its maximum: CANNOT_INCREASE)', async () => {
    const state = await heldWithPendingAlarms();
    const atMax = {
      ...state,
      diagnosis: {
        diagnosisId: 'd-1',
        action: 'CANNOT_INCREASE',
        reason: 'orders is at 10240 MB, the maximum',
        decidedBy: 'rules',
        originalMemoryMb: 10240,
        targetMemoryMb: 10240,
        dryRun: false,
        result: {
          functionName: 'orders',
          isMemoryIssue: true,
          confidence: 0.95,
          reasoning: 'killed at the limit',
          recommendedAction: 'INCREASE_MEMORY',
          recommendedMemoryIncrease: 0,
          recommendedMemorySize: 10240,
          evidencePoints: [],
          category: 'OUT_OF_MEMORY',
          decidedBy: 'rules',
        },
      },
    } as WorkflowState;
    const out = await finalize(atMax);
    expect(out.outcome).toBe('CANNOT_INCREASE');
    expect(started()[0].input.detail.previousOutcome).toBe('CANNOT_INCREASE');
  });

  test('no alarm waited: the lock is released and nothing is started', async () => {
    const s = stateOf(alarmEvent(), HOLDER);
    await finalize({ ...s, alarm: await normalize(s) });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect((await db.items()).some((i) => i.sk === 'REEXAMINE')).toBe(false);
  });

  test('a crash after the release, before the start: the retry still sees the alarms (the record) and starts them', async () => {
    const state = await heldWithPendingAlarms();
    sfn.on(StartExecutionCommand).rejectsOnce(awsError('ServiceUnavailable', 'states down', 500)).resolves({ executionArn: 'arn:started', startDate: new Date() });
    // First attempt: the lock is released, the start fails, finalize fails (Step Functions retries it).
    await expect(finalize(state)).rejects.toMatchObject({ name: 'ServiceUnavailableError', message: expect.stringContaining('lock release') });
    expect((await db.items()).some((i) => i.pk === lockKey('orders').pk)).toBe(false);
    // Retry: no lock of ours any more, but the record promises the re-examination.
    await finalize(state);
    const names = started().map((s) => s.name);
    expect(names).toHaveLength(2);
    expect(names[0]).toBe(names[1]);
    expect(started()[1].input.detail.alarms).toHaveLength(2);
  });

  test('a crash after the start, before it was noted: the retry starts the same name and ExecutionAlreadyExists counts as done', async () => {
    const state = await heldWithPendingAlarms();
    setClients({
      dynamo: intercepting(async (c) => {
        if (c instanceof UpdateCommand && (c.input.Key as { sk: string }).sk === 'REEXAMINE') throw awsError('InternalServerError', 'lost', 500);
      }),
    }, { region: 'us-east-1' });
    await expect(finalize(state)).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
    setClients({ dynamo: db.doc }, { region: 'us-east-1' });
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    const out = await finalize(state);
    expect(out.lockReleased).toBe(false); // released by the first attempt
    const names = started().map((s) => s.name);
    expect(new Set(names).size).toBe(1);
    expect((await db.items()).find((i) => i.sk === 'REEXAMINE')?.startedAs).toBe(names[0]);
  });

  test('an alarm that arrives between reading the lock and deleting it is not lost', async () => {
    const state = await heldWithPendingAlarms();
    let injected = false;
    setClients({
      dynamo: intercepting(async (c) => {
        if (!injected && c instanceof DeleteCommand && (c.input.Key as { pk: string }).pk === lockKey('orders').pk) {
          injected = true;
          // Another execution records its alarm on the lock right now.
          await db.doc.send(new UpdateCommand({
            TableName: TABLE,
            Key: lockKey('orders'),
            UpdateExpression: 'ADD #p :a',
            ExpressionAttributeNames: { '#p': LOCK_PENDING_ATTRIBUTE },
            ExpressionAttributeValues: { ':a': new Set([JSON.stringify({ alarmName: 'orders-throttles-alarm' })]) },
          }));
        }
      }),
    }, { region: 'us-east-1' });
    const out = await finalize(state);
    expect(out.lockReleased).toBe(true);
    expect(started()).toHaveLength(1);
    expect(started()[0].input.detail.alarms.map((a: { alarmName: string }) => a.alarmName))
      .toEqual(['orders-duration-alarm', 'orders-errors-alarm', 'orders-throttles-alarm']);
  });

  test('the re-examination then takes the free lock when its alarm is still in ALARM', async () => {
    await finalize(await heldWithPendingAlarms());
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{
        AlarmName: 'orders-duration-alarm',
        AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-duration-alarm',
        Namespace: 'AWS/Lambda',
        MetricName: 'Duration',
        Dimensions: [{ Name: 'FunctionName', Value: 'orders' }],
        Threshold: 2700,
        StateValue: 'ALARM',
        StateReasonData: JSON.stringify({ recentDatapoints: [2950], threshold: 2700 }),
      }],
    });
    const out = await normalize(stateOf(started()[0].input, 'arn:aws:states:us-east-1:123456789012:execution:remediation:reexamine'));
    expect(out).toMatchObject({ status: 'ACCEPTED', functionName: 'orders', alarmEvent: { alarmName: 'orders-duration-alarm', currentValue: 2950 } });
  });

  test('a normalize that took the lock but died before answering: finalize finds the lock from the intake record', async () => {
    const s = stateOf(alarmEvent(), HOLDER);
    await normalize(s);
    // The Catch sends the state without $.alarm (normalize never answered).
    const out = await finalize({ ...s, error: { Error: 'States.Timeout', Cause: 'normalize timed out' } });
    expect(out).toMatchObject({ outcome: 'FAILED', lockReleased: true });
    expect((await db.items()).some((i) => i.pk === lockKey('orders').pk)).toBe(false);
  });

  test('a lock another execution holds is never released by this one', async () => {
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...lockKey('orders'), owner: 'someone-else', expiresAt: 9999999999 } }));
    const s = stateOf(alarmEvent(), HOLDER);
    const out = await finalize({ ...s, alarm: await normalize(s) });
    expect(out.outcome).toBe('ALREADY_IN_PROGRESS');
    expect(out.lockReleased).toBe(false);
    expect((await db.items()).find((i) => i.pk === lockKey('orders').pk)?.owner).toBe('someone-else');
  });
});

describe('finalize reports what the intake decided', () => {
  test('SUPPRESSED (a muted alarm) is recorded and put on the bus, but nobody is paged', async () => {
    const e = documentedEvent('single-metric.json');
    e.detail.configuration.metrics[0].metricStat.metric.dimensions = { FunctionName: 'orders' };
    e.detail.state.timestamp = '2026-01-01T11:00:00.000+0000';
    const s = stateOf(e, HOLDER);
    const out = await finalize({ ...s, alarm: await normalize(s) });
    expect(out).toMatchObject({ outcome: 'SUPPRESSED', functionName: 'orders', eventPublished: true });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    const detail = JSON.parse((events.commandCalls(PutEventsCommand)[0].args[0].input as { Entries: Array<{ Detail: string }> }).Entries[0].Detail);
    expect(detail).toMatchObject({ outcome: 'SUPPRESSED', reason: expect.stringContaining('muted') });
    expect((await db.items()).find((i) => i.step === 'finalize')).toMatchObject({ action: 'outcome SUPPRESSED' });
  });

  test('an unknown threshold and value read "unknown" in the notification, never 0', async () => {
    const e = documentedEvent('metrics-insights-contributor.json');
    e.detail.alarmContributor.attributes = { FunctionName: 'orders' };
    e.detail.state.reason = 'Threshold Crossed';
    cw.on(DescribeAlarmsCommand).resolves({});
    const s = stateOf(e, HOLDER);
    const alarm = await normalize(s);
    await finalize({ ...s, alarm, error: { Error: 'States.Timeout' } });
    // One message per protocol (MessageStructure json): the seed's JSON is the default.
    const body = JSON.parse(JSON.parse((sns.commandCalls(PublishCommand)[0].args[0].input as PublishCommandInput).Message!).default);
    expect(body.issue.description).toContain('(value unknown, threshold unknown)');
  });
});
