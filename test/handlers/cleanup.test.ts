/**
 * The cleanup after an execution that failed, timed out or was aborted, fed the documented
 * `Step Functions Execution Status Change` events (test/fixtures/sfn-events, from
 * https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html) with the execution ARN
 * of the execution that took the lock.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { alarmEvent, awsError, clearTable, Db, documentedExecutionEvent, initialState, setEnv, startDb, TABLE, TOPIC_ARN, useTestWorld } from './support';
import { HUB_ENV } from '../../src/hub/hub-contract';
import { executionReexamineKey, LockFollowUp } from '../../src/runtime/lock-followup';
import { Store } from '../../src/runtime/store';
import { inTarget } from '../../src/runtime/target-account';
import { handler as cleanup, memorySentence } from '../../src/workflow/cleanup.lambda';
import { executionCleanupKey, lockKey } from '../../src/workflow/contract';
import { COORDINATOR_WAKE_SOURCE, coordinatorExecutionId } from '../../src/workflow/coordinator-contract';
import { handler as normalize } from '../../src/workflow/normalize.lambda';

const sns = mockClient(SNSClient);
const events = mockClient(EventBridgeClient);
const sfn = mockClient(SFNClient);

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
  for (const m of [sns, events, sfn]) m.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:started', startDate: new Date() });
});
afterEach(() => restoreEnv());

/** The documented event's execution: it is the one that takes the lock below. */
const EXECUTION = documentedExecutionEvent('failed').detail.executionArn as string;
const MACHINE = documentedExecutionEvent('failed').detail.stateMachineArn as string;

/** The execution took the lock on orders (normalize ran) and then stopped. */
async function lockTaken(): Promise<void> {
  const out = await normalize({ ...initialState(alarmEvent({ functionName: 'orders' }), EXECUTION), stateMachineArn: MACHINE });
  expect(out.status).toBe('ACCEPTED');
}

/** The repair record the execution's repair step wrote. */
async function repairRecorded(status: string, originalMemory = 512, newMemory = 768): Promise<void> {
  await db.doc.send(new PutCommand({
    TableName: TABLE,
    Item: { pk: 'FUNCTION#orders', sk: 'REPAIR#2026-11-20T10:50:00.000Z#r-1', recordType: 'REPAIR', executionId: EXECUTION, originalMemory, newMemory, status },
  }));
}

/** The last publish: one message per protocol (MessageStructure json), the JSON for machines under `default`. */
function message(): { subject: string; body: any; email: string } {
  const calls = sns.commandCalls(PublishCommand);
  const input = calls[calls.length - 1].args[0].input as PublishCommandInput;
  expect(input.MessageStructure).toBe('json');
  const messages = JSON.parse(input.Message!) as Record<string, string>;
  return { subject: input.Subject!, body: JSON.parse(messages.default), email: messages.email };
}

async function lockHeld(): Promise<boolean> {
  return (await db.items()).some((i) => i.pk === lockKey('orders').pk);
}

describe('cleanup after an execution ended without finalize', () => {
  test.each([
    ['timed-out', 'TIMED_OUT'],
    ['aborted', 'ABORTED'],
    ['failed', 'FAILED'],
  ] as const)('the documented execution-%s.json: releases the lock and says so, with the memory from the repair record', async (file, status) => {
    // GIVEN the execution raised orders from 512 to 768 MB, then ended without finalize
    await lockTaken();
    await repairRecorded('SUCCEEDED');
    // WHEN its status change arrives
    const out = await cleanup(documentedExecutionEvent(file));
    // THEN
    expect(out).toEqual({ executionArn: EXECUTION, status, functionName: 'orders', lockReleased: true, notified: true });
    expect(await lockHeld()).toBe(false);
    const { subject, body, email } = message();
    expect(subject).toBe(`[Lambda remediation] orders: execution ${status.toLowerCase().replace('_', ' ')}, lock released`);
    expect(body.reason).toBe(`execution ${EXECUTION} ended ${status}; the lock on orders was released; memory is 768 MB (was 512 MB before the repair)`);
    expect(body.actionRequired).toContain('memorySize: 768');
    // the e-mail: the summary first, the IaC change, the execution in the console
    const lines = email.split('\n');
    expect(lines[0]).toBe(`orders: EXECUTION_ENDED ${status}, memory 512 MB → 768 MB not verified; the lock was released because the execution ${status.toLowerCase().replace('_', ' ')} before it finished.`);
    expect(email).toContain('  - To keep it, set memorySize: 768 for orders; to undo it, set memorySize: 512 and deploy.');
    const region = EXECUTION.split(':')[3];
    expect(email).toContain(`  - Execution: https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${EXECUTION}`);
    expect(body.summary).toBe(lines[0]);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: TOPIC_ARN });
    const detail = JSON.parse((events.commandCalls(PutEventsCommand)[0].args[0].input as { Entries: Array<{ Detail: string }> }).Entries[0].Detail);
    expect(detail).toMatchObject({ executionId: EXECUTION, functionName: 'orders', outcome: 'FAILED', originalMemoryMb: 512, newMemoryMb: 768, notificationStatus: 'SENT' });
    expect((await db.items()).find((i) => i.step === 'cleanup')).toMatchObject({ action: `lock released after ${status}` });
  });

  test('idempotent: a second delivery of the same event neither releases again nor notifies twice', async () => {
    await lockTaken();
    const event = documentedExecutionEvent('timed-out');
    await cleanup(event);
    const again = await cleanup(event);
    expect(again).toMatchObject({ lockReleased: true, notified: true });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  test('every channel down: the invocation fails (Lambda retries it) and the retry notifies once', async () => {
    await lockTaken();
    sns.on(PublishCommand).rejects(awsError('InternalErrorException', 'sns down', 500));
    events.on(PutEventsCommand).rejects(awsError('InternalException', 'events down', 500));
    await expect(cleanup(documentedExecutionEvent('aborted'))).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
    expect(await lockHeld()).toBe(false);
    expect((await db.items()).find((i) => i.pk === executionCleanupKey(EXECUTION).pk && i.sk === 'CLEANUP')).toMatchObject({ notified: false });
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-2' }] });
    expect(await cleanup(documentedExecutionEvent('aborted'))).toMatchObject({ lockReleased: true, notified: true });
    expect(message().body.reason).toContain('ended ABORTED; the lock on orders was released');
  });

  test('no repair record: says so instead of inventing a memory size', async () => {
    await lockTaken();
    await cleanup(documentedExecutionEvent('timed-out'));
    expect(message().body.reason).toContain('no repair record exists for this execution');
    expect(message().email).toContain('From its repair record: no repair record exists for this execution.');
    expect(message().email).not.toContain('memorySize');
  });

  test('finalize had released the lock already: nothing to release, nothing to say', async () => {
    await lockTaken();
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...lockKey('orders'), owner: 'a-later-execution', expiresAt: 9999999999 } }));
    const out = await cleanup(documentedExecutionEvent('failed'));
    expect(out).toMatchObject({ lockReleased: false, notified: false, functionName: 'orders' });
    expect((await db.items()).find((i) => i.pk === lockKey('orders').pk)?.owner).toBe('a-later-execution');
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  test('an execution that never chose a function (no intake record): nothing to do', async () => {
    expect(await cleanup(documentedExecutionEvent('aborted'))).toEqual({ executionArn: EXECUTION, status: 'ABORTED', lockReleased: false, notified: false });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  test('a SUCCEEDED execution is not its business', async () => {
    await lockTaken();
    expect(await cleanup(documentedExecutionEvent('succeeded'))).toMatchObject({ lockReleased: false, notified: false });
    expect(await lockHeld()).toBe(true);
  });

  test('alarms that waited on the lock are re-examined, on the state machine the event names', async () => {
    await lockTaken();
    const late = await normalize({ ...initialState(alarmEvent({ alarmName: 'orders-duration-alarm' }), 'late'), stateMachineArn: MACHINE });
    expect(late.status).toBe('ALREADY_IN_PROGRESS');
    const out = await cleanup(documentedExecutionEvent('timed-out'));
    expect(out.reexamination).toMatch(/^reexamine-/);
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: MACHINE, name: out.reexamination });
  });

  test('finalize released the lock but died before starting the re-examination it promised: the cleanup starts it', async () => {
    await lockTaken();
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...executionReexamineKey(EXECUTION), functionName: 'orders', alarms: [{ alarmName: 'orders-duration-alarm' }] } }));
    await db.doc.send(new DeleteCommand({ TableName: TABLE, Key: lockKey('orders') }));
    const out = await cleanup(documentedExecutionEvent('failed'));
    expect(out).toMatchObject({ lockReleased: false, notified: false, reexamination: expect.stringMatching(/^reexamine-/) });
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!);
    expect(input.detail).toMatchObject({ functionName: 'orders', alarms: [{ alarmName: 'orders-duration-alarm' }], previousExecutionId: EXECUTION });
  });

  test('fails when the event lacks the execution ARN (named error)', async () => {
    const e = documentedExecutionEvent('failed');
    delete e.detail.executionArn;
    await expect(cleanup(e)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringContaining('detail.executionArn') });
  });
});

describe('cleanup on a hub, for a spoke\'s function', () => {
  const SPOKE = { account: '222222222222', region: 'eu-west-1' };

  test('GIVEN a run that took the lock of a spoke\'s orders (keyed by account and region) WHEN it fails before finalize THEN the cleanup releases that lock and says so', async () => {
    restoreEnv();
    restoreEnv = setEnv({ [HUB_ENV.HOME_ACCOUNT]: '123456789012', [HUB_ENV.ADMITTED_ACCOUNTS]: SPOKE.account, AWS_REGION: 'us-east-1' });
    const at = new Date('2026-11-20T10:50:00.000Z');
    // what normalize does for a spoke's alarm: the intake, then the lock, in the spoke's scope
    await inTarget(SPOKE, async () => {
      await new LockFollowUp(TABLE).recordIntake(EXECUTION, 'orders', at, 3600);
      expect((await new Store(TABLE).acquireLock('orders', EXECUTION, at, 3600)).acquired).toBe(true);
    });
    const spokeLock = `LOCK#${SPOKE.account}/${SPOKE.region}/orders`;
    expect((await db.items()).some((i) => i.pk === spokeLock)).toBe(true);

    const out = await cleanup(documentedExecutionEvent('failed'));

    expect(out).toMatchObject({ status: 'FAILED', lockReleased: true, notified: true, functionName: 'orders' });
    expect((await db.items()).some((i) => i.pk === spokeLock)).toBe(false);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });
});

describe('the memory sentence', () => {
  test('rolled back, dry run and failed repairs say what the memory is now', () => {
    expect(memorySentence({ originalMemory: 512, newMemory: 768, status: 'ROLLED_BACK' })).toBe('memory is 512 MB (the repair to 768 MB was rolled back)');
    expect(memorySentence({ originalMemory: 512, newMemory: 768, status: 'DRY_RUN' })).toBe('memory is 512 MB (the repair to 768 MB did not change it: DRY_RUN)');
    expect(memorySentence(undefined)).toBe('no repair record exists for this execution');
  });
});

describe('cleanup as the Lambda coordinator\'s on-failure destination', () => {
  const COORDINATOR = 'arn:aws:lambda:us-east-1:123456789012:function:remediation-coordinator';
  const EVENT = alarmEvent({ functionName: 'orders' });
  const RUN = coordinatorExecutionId(COORDINATOR, EVENT);

  /** The record Lambda sends once it gives up on an event (invocation-async-retain-records.html). */
  const gaveUp = (payload: unknown) => ({
    version: '1.0',
    timestamp: '2026-11-20T11:02:00.000Z',
    requestContext: { requestId: 'r-1', functionArn: `${COORDINATOR}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    requestPayload: payload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'Error', errorMessage: 'record write failed' },
  });

  test('the run that took the lock is named from the event Lambda gave up on: the lock is released and the raised size told', async () => {
    // GIVEN the coordinator's run (named by its event) took the lock and raised orders to 768 MB
    const out = await normalize({ ...initialState(EVENT, RUN), stateMachineArn: COORDINATOR });
    expect(out.status).toBe('ACCEPTED');
    await db.doc.send(new PutCommand({
      TableName: TABLE,
      Item: { pk: 'FUNCTION#orders', sk: 'REPAIR#2026-11-20T10:50:00.000Z#r-1', recordType: 'REPAIR', executionId: RUN, originalMemory: 512, newMemory: 768, status: 'SUCCEEDED' },
    }));
    // WHEN Lambda gives up on its verification wake-up
    const result = await cleanup(gaveUp({ source: COORDINATOR_WAKE_SOURCE, executionId: RUN, wake: 'VERIFY-1' }) as any);
    // THEN
    expect(result).toEqual({ executionArn: RUN, status: 'FAILED', functionName: 'orders', lockReleased: true, notified: true });
    expect(await lockHeld()).toBe(false);
    expect(message().body.reason).toBe(`execution ${RUN} ended FAILED; the lock on orders was released; memory is 768 MB (was 512 MB before the repair)`);
  });

  test('a start event Lambda gave up on names the same run as the coordinator did', async () => {
    await normalize({ ...initialState(EVENT, RUN), stateMachineArn: COORDINATOR });
    expect(await cleanup(gaveUp(EVENT) as any)).toMatchObject({ executionArn: RUN, lockReleased: true });
  });
});
