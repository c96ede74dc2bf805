/**
 * The lock's companion items (intake, pending alarms, re-examination and cleanup records) and the
 * release that loses no alarm, against a real DynamoDB implementation (dynalite).
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { setClients } from '../../src/runtime/clients';
import { executionReexamineKey, LockFollowUp, pendingElement, releaseAndReexamine } from '../../src/runtime/lock-followup';
import { Store } from '../../src/runtime/store';
import {
  executionCleanupKey, executionIntakeKey, LOCK_PENDING_ATTRIBUTE, lockKey, TABLE_TTL_ATTRIBUTE,
} from '../../src/workflow/contract';
import { awsError, clearTable, Db, startDb, STATE_MACHINE_ARN, TABLE, useTestWorld } from '../handlers/support';

const sfn = mockClient(SFNClient);
let db: Db;
const at = new Date('2026-11-20T10:48:30.000Z');
const atSec = Math.floor(at.getTime() / 1000);

beforeAll(async () => {
  db = await startDb();
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  await clearTable(db);
  useTestWorld(db);
  sfn.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:started', startDate: new Date() });
});

async function item(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
  return (await db.items()).find((i) => i.pk === key.pk && i.sk === key.sk);
}

/** The store's calls go to dynalite, except those `fail` answers with an error. */
function failing(fail: (command: object) => Error | undefined): void {
  setClients({
    dynamo: {
      send: async (command: object) => {
        const err = fail(command);
        if (err) throw err;
        return db.doc.send(command as never);
      },
    } as never,
  }, { region: 'us-east-1' });
}
const throttle = () => awsError('ProvisionedThroughputExceededException', 'slow down');

describe('the intake record', () => {
  test('names the function whose lock the execution takes, kept as long as the lock', async () => {
    const follow = new LockFollowUp(TABLE);
    await follow.recordIntake('exec-a', 'orders', at, 600);
    expect(await item(executionIntakeKey('exec-a'))).toMatchObject({
      recordType: 'INTAKE', executionId: 'exec-a', functionName: 'orders', at: at.toISOString(), [TABLE_TTL_ATTRIBUTE]: atSec + 600,
    });
    expect(await follow.intakeOf('exec-a')).toBe('orders');
    expect(await follow.intakeOf('exec-b')).toBeUndefined();
  });

  test('failed writes and reads are named errors', async () => {
    failing(throttle);
    const follow = new LockFollowUp(TABLE);
    await expect(follow.recordIntake('exec-a', 'orders', at, 600)).rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('dynamodb:PutItem intake record of exec-a failed') });
    await expect(follow.intakeOf('exec-a')).rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('dynamodb:GetItem intake record of exec-a failed') });
  });
});

describe('alarms waiting on the lock', () => {
  test('are added to the lock, once per alarm and contributor, and read back in a fixed order', async () => {
    const follow = new LockFollowUp(TABLE);
    await new Store(TABLE).acquireLock('orders', 'exec-a', at, 600);
    expect(await follow.recordPendingAlarm('orders', { alarmName: 'z-alarm' })).toBe(true);
    expect(await follow.recordPendingAlarm('orders', { alarmName: 'a-alarm', contributorId: 'c-1' })).toBe(true);
    expect(await follow.recordPendingAlarm('orders', { alarmName: 'z-alarm' })).toBe(true);
    expect(await follow.lockOf('orders')).toEqual({
      owner: 'exec-a', expiresAt: atSec + 600, pending: [{ alarmName: 'a-alarm', contributorId: 'c-1' }, { alarmName: 'z-alarm' }],
    });
    expect(pendingElement({ alarmName: 'z-alarm' })).toBe('{"alarmName":"z-alarm"}');
  });

  test('no lock: nothing is recorded (the caller may take it) and no lock-less item is left', async () => {
    const follow = new LockFollowUp(TABLE);
    expect(await follow.lockOf('orders')).toBeUndefined();
    expect(await follow.recordPendingAlarm('orders', { alarmName: 'a-alarm' })).toBe(false);
    expect(await item(lockKey('orders'))).toBeUndefined();
  });

  test('a full lock keeps its twenty alarms and still counts as held', async () => {
    const follow = new LockFollowUp(TABLE);
    await new Store(TABLE).acquireLock('orders', 'exec-a', at, 600);
    for (let i = 0; i < 20; i++) expect(await follow.recordPendingAlarm('orders', { alarmName: `alarm-${String(i).padStart(2, '0')}` })).toBe(true);
    expect(await follow.recordPendingAlarm('orders', { alarmName: 'alarm-20' })).toBe(true);
    const lock = await follow.lockOf('orders');
    expect(lock?.pending).toHaveLength(20);
    expect(lock?.pending.map((p) => p.alarmName)).not.toContain('alarm-20');
  });

  test('entries that are not alarms are skipped, and a lock without a TTL has no expiry', async () => {
    await db.doc.send(new PutCommand({
      TableName: TABLE,
      Item: { ...lockKey('orders'), owner: 'exec-a', [LOCK_PENDING_ATTRIBUTE]: new Set(['not json', '{"other":1}', '{"alarmName":"b","contributorId":7}', '{"alarmName":"a"}']) },
    }));
    expect(await new LockFollowUp(TABLE).lockOf('orders')).toEqual({ owner: 'exec-a', pending: [{ alarmName: 'a' }, { alarmName: 'b' }] });
  });

  test('a failed write is a named error naming the lock', async () => {
    failing((c) => (c instanceof UpdateCommand ? throttle() : undefined));
    await expect(new LockFollowUp(TABLE).recordPendingAlarm('orders', { alarmName: 'a' }))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('dynamodb:UpdateItem pending alarm on the lock for orders failed') });
  });
});

describe('releasing only an unchanged lock', () => {
  test('its owner releases it; another execution does not', async () => {
    const follow = new LockFollowUp(TABLE);
    await new Store(TABLE).acquireLock('orders', 'exec-a', at, 600);
    expect(await follow.releaseIfUnchanged('orders', 'exec-b', 0)).toBe('NOT_OWNER');
    expect(await follow.lockOf('orders')).toBeDefined();
    expect(await follow.releaseIfUnchanged('orders', 'exec-a', 0)).toBe('RELEASED');
    expect(await follow.lockOf('orders')).toBeUndefined();
    expect(await follow.releaseIfUnchanged('orders', 'exec-a', 0)).toBe('NOT_OWNER');
  });

  test('an alarm added since the pending alarms were read keeps it: CHANGED; with the count seen, RELEASED', async () => {
    const follow = new LockFollowUp(TABLE);
    await new Store(TABLE).acquireLock('orders', 'exec-a', at, 600);
    await follow.recordPendingAlarm('orders', { alarmName: 'a' });
    expect(await follow.releaseIfUnchanged('orders', 'exec-a', 0)).toBe('CHANGED');
    await follow.recordPendingAlarm('orders', { alarmName: 'b' });
    expect(await follow.releaseIfUnchanged('orders', 'exec-a', 1)).toBe('CHANGED');
    expect(await follow.releaseIfUnchanged('orders', 'exec-a', 2)).toBe('RELEASED');
  });

  test('a failed delete is a named error', async () => {
    failing((c) => (c instanceof DeleteCommand ? throttle() : undefined));
    await expect(new LockFollowUp(TABLE).releaseIfUnchanged('orders', 'exec-a', 0))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('dynamodb:DeleteItem lock for orders failed') });
  });
});

describe('the re-examination record', () => {
  test('keeps the alarms and the conclusion for a week; started once, it names the execution', async () => {
    const follow = new LockFollowUp(TABLE);
    await follow.putReexamine('exec-a', 'orders', [{ alarmName: 'a' }], at, 'CANNOT_INCREASE');
    expect(await item(executionReexamineKey('exec-a'))).toMatchObject({
      recordType: 'REEXAMINE', executionId: 'exec-a', functionName: 'orders', previousOutcome: 'CANNOT_INCREASE', at: at.toISOString(), [TABLE_TTL_ATTRIBUTE]: atSec + 7 * 86400,
    });
    expect(await follow.reexamineOf('exec-a')).toEqual({ functionName: 'orders', alarms: [{ alarmName: 'a' }], previousOutcome: 'CANNOT_INCREASE' });
    await follow.markReexamineStarted('exec-a', 'reexamine-1');
    expect(await follow.reexamineOf('exec-a')).toEqual({ functionName: 'orders', alarms: [{ alarmName: 'a' }], previousOutcome: 'CANNOT_INCREASE', startedAs: 'reexamine-1' });
  });

  test('without a conclusion none is kept; an unknown one is not read back; none at all is undefined', async () => {
    const follow = new LockFollowUp(TABLE);
    await follow.putReexamine('exec-a', 'orders', [{ alarmName: 'a' }], at);
    expect(await item(executionReexamineKey('exec-a'))).not.toHaveProperty('previousOutcome');
    expect(await follow.reexamineOf('exec-a')).toEqual({ functionName: 'orders', alarms: [{ alarmName: 'a' }] });
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...executionReexamineKey('exec-b'), functionName: 'orders', alarms: 'none', previousOutcome: 'MAYBE' } }));
    expect(await follow.reexamineOf('exec-b')).toEqual({ functionName: 'orders', alarms: [] });
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...executionReexamineKey('exec-c'), alarms: [] } }));
    expect(await follow.reexamineOf('exec-c')).toBeUndefined();
    expect(await follow.reexamineOf('exec-d')).toBeUndefined();
  });

  test('marking a record that is not there creates nothing; other failures are named errors', async () => {
    const follow = new LockFollowUp(TABLE);
    await follow.markReexamineStarted('exec-none', 'reexamine-1');
    expect(await item(executionReexamineKey('exec-none'))).toBeUndefined();
    failing((c) => (c instanceof UpdateCommand ? throttle() : undefined));
    await expect(follow.markReexamineStarted('exec-a', 'reexamine-1'))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('dynamodb:UpdateItem re-examination record of exec-a failed') });
  });
});

describe('the cleanup record and the repair record it reads', () => {
  test('is kept 30 days, read back as written, and marked notified', async () => {
    const follow = new LockFollowUp(TABLE);
    expect(await follow.cleanupOf('exec-a')).toBeUndefined();
    await follow.putCleanup('exec-a', { functionName: 'orders', status: 'FAILED', releasedAt: at.toISOString(), notified: false }, at);
    expect(await item(executionCleanupKey('exec-a'))).toMatchObject({ recordType: 'CLEANUP', executionId: 'exec-a', [TABLE_TTL_ATTRIBUTE]: atSec + 30 * 86400 });
    expect(await follow.cleanupOf('exec-a')).toEqual({ functionName: 'orders', status: 'FAILED', releasedAt: at.toISOString(), notified: false });
    await follow.markCleanupNotified('exec-a');
    expect((await follow.cleanupOf('exec-a'))?.notified).toBe(true);
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...executionCleanupKey('exec-b'), notified: 'yes' } }));
    expect(await follow.cleanupOf('exec-b')).toEqual({ functionName: '', status: '', releasedAt: '', notified: false });
    failing(throttle);
    await expect(follow.markCleanupNotified('exec-a'))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('dynamodb:UpdateItem cleanup record of exec-a failed') });
  });

  test('the newest repair record of the execution, only its numbers and status', async () => {
    const follow = new LockFollowUp(TABLE);
    const record = (sk: string, executionId: string, extra: Record<string, unknown>) => db.doc.send(new PutCommand({
      TableName: TABLE, Item: { pk: 'FUNCTION#orders', sk, executionId, ...extra },
    }));
    await record('REPAIR#2026-11-20T10:00:00Z#r1', 'exec-a', { originalMemory: 256, newMemory: 384, status: 'ROLLED_BACK' });
    await record('REPAIR#2026-11-20T11:00:00Z#r2', 'exec-a', { originalMemory: 384, newMemory: 512, status: 'SUCCEEDED' });
    await record('REPAIR#2026-11-20T12:00:00Z#r3', 'exec-b', { originalMemory: 512, newMemory: 768, status: 'SUCCEEDED' });
    await record('AUDIT#2026-11-20T13:00:00Z', 'exec-a', { status: 'x' });
    expect(await follow.repairRecordOf('orders', 'exec-a')).toEqual({ originalMemory: 384, newMemory: 512, status: 'SUCCEEDED' });
    await record('REPAIR#2026-11-20T14:00:00Z#r4', 'exec-c', { originalMemory: '256', status: 7 });
    expect(await follow.repairRecordOf('orders', 'exec-c')).toEqual({});
    expect(await follow.repairRecordOf('orders', 'exec-none')).toBeUndefined();
    failing((c) => (c instanceof QueryCommand ? throttle() : undefined));
    await expect(follow.repairRecordOf('orders', 'exec-a'))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('dynamodb:Query repair records of orders failed') });
  });
});

describe('releaseAndReexamine', () => {
  test('no alarm waited: the lock goes, nothing is started', async () => {
    const follow = new LockFollowUp(TABLE);
    await new Store(TABLE).acquireLock('orders', 'exec-a', at, 600);
    expect(await releaseAndReexamine(follow, 'orders', 'exec-a', STATE_MACHINE_ARN, at)).toEqual({ released: true });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
    expect(await item(executionReexamineKey('exec-a'))).toBeUndefined();
  });

  test('alarms waited: one re-examination with them and the conclusion, started after the release and noted', async () => {
    const follow = new LockFollowUp(TABLE);
    await new Store(TABLE).acquireLock('orders', 'exec-a', at, 600);
    await follow.recordPendingAlarm('orders', { alarmName: 'b' });
    await follow.recordPendingAlarm('orders', { alarmName: 'a' });
    const out = await releaseAndReexamine(follow, 'orders', 'exec-a', STATE_MACHINE_ARN, at, 'HUMAN_REVIEW');
    expect(out.released).toBe(true);
    expect(out.reexamination).toMatch(/^reexamine-[0-9a-f]{40}$/);
    const start = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(start).toMatchObject({ stateMachineArn: STATE_MACHINE_ARN, name: out.reexamination });
    expect(JSON.parse(start.input!).detail).toEqual({
      functionName: 'orders',
      alarms: [{ alarmName: 'a' }, { alarmName: 'b' }],
      previousExecutionId: 'exec-a',
      previousOutcome: 'HUMAN_REVIEW',
      reason: '2 alarm(s) arrived while exec-a held the lock on orders',
    });
    expect((await follow.reexamineOf('exec-a'))?.startedAs).toBe(out.reexamination);
    // a second call (a retried finalize) starts nothing more
    expect(await releaseAndReexamine(follow, 'orders', 'exec-a', STATE_MACHINE_ARN, at)).toEqual({ released: false, reexamination: out.reexamination });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  test('without the state machine the alarms are not started (and the lock still goes)', async () => {
    const follow = new LockFollowUp(TABLE);
    await new Store(TABLE).acquireLock('orders', 'exec-a', at, 600);
    await follow.recordPendingAlarm('orders', { alarmName: 'a' });
    expect(await releaseAndReexamine(follow, 'orders', 'exec-a', undefined, at)).toEqual({ released: true });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  test('a lock another execution holds stays; the caller\'s own promise is still kept', async () => {
    const follow = new LockFollowUp(TABLE);
    await new Store(TABLE).acquireLock('orders', 'exec-b', at, 600);
    await follow.putReexamine('exec-a', 'orders', [{ alarmName: 'a' }], at);
    const out = await releaseAndReexamine(follow, 'orders', 'exec-a', STATE_MACHINE_ARN, at);
    expect(out.released).toBe(false);
    expect(out.reexamination).toBeDefined();
    expect((await follow.lockOf('orders'))?.owner).toBe('exec-b');
  });

  test('a lock that keeps changing is given up after five attempts with a named error', async () => {
    const follow = new LockFollowUp(TABLE);
    await new Store(TABLE).acquireLock('orders', 'exec-a', at, 600);
    let deletes = 0;
    failing((c) => {
      if (c instanceof DeleteCommand) {
        deletes++;
        return awsError('ConditionalCheckFailedException', 'The conditional request failed');
      }
      return undefined;
    });
    await expect(releaseAndReexamine(follow, 'orders', 'exec-a', STATE_MACHINE_ARN, at))
      .rejects.toMatchObject({ name: 'ServiceUnavailableError', message: 'the lock on orders kept changing while exec-a released it' });
    expect(deletes).toBe(5);
  });
});

describe('the follow-up records: failed writes and reads name the record', () => {
  test('GIVEN DynamoDB throttles WHEN a re-examination or cleanup record is written or read THEN the error names it', async () => {
    const follow = new LockFollowUp(TABLE);
    failing(throttle);
    await expect(follow.putReexamine('exec-a', 'orders', [], at))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('re-examination record of exec-a') });
    await expect(follow.reexamineOf('exec-a'))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('re-examination record of exec-a') });
    await expect(follow.putCleanup('exec-a', { functionName: 'orders', status: 'FAILED', releasedAt: at.toISOString(), notified: false }, at))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('cleanup record of exec-a') });
    await expect(follow.cleanupOf('exec-a'))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('dynamodb:GetItem cleanup record of exec-a failed') });
  });
});

describe('a lock item written without an owner or with a TTL that is not a number', () => {
  test('GIVEN such a lock item THEN it reads as owned by nobody ("") with no expiry', async () => {
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...lockKey('orders'), [TABLE_TTL_ATTRIBUTE]: 'soon' } }));
    expect(await new LockFollowUp(TABLE).lockOf('orders')).toEqual({ owner: '', pending: [] });
  });
});

describe('lock follow-up: what the lock group\'s mutation run found untested', () => {
  /** DynamoDB through dynalite, except that `answer` may answer a command itself (or throw). */
  function answering(answer: (command: object) => Promise<unknown> | undefined): void {
    setClients({
      dynamo: { send: async (command: object) => (await answer(command)) ?? db.doc.send(command as never) } as never,
    }, { region: 'us-east-1' });
  }

  test('every read of the lock and of the follow-up records is strongly consistent (an eventually consistent read may miss a write just made)', async () => {
    const reads: unknown[] = [];
    answering((c) => {
      if (c instanceof GetCommand) reads.push(c.input.ConsistentRead);
      return undefined;
    });
    const follow = new LockFollowUp(TABLE);
    await follow.lockOf('orders');
    await follow.reexamineOf('exec-a');
    await follow.cleanupOf('exec-a');
    await follow.intakeOf('exec-a');
    expect(reads).toEqual([true, true, true, true]);
  });

  test('GIVEN the read of the lock fails THEN the error names the lock of that function', async () => {
    failing((c) => (c instanceof GetCommand ? throttle() : undefined));
    await expect(new LockFollowUp(TABLE).lockOf('orders'))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('dynamodb:GetItem lock for orders failed') });
  });

  test('GIVEN the conditional delete fails without an error object THEN it is a named error, not a crash reading its name', async () => {
    await new Store(TABLE).acquireLock('orders', 'exec-a', at, 600);
    answering((c) => (c instanceof DeleteCommand ? Promise.reject(undefined) : undefined));
    await expect(new LockFollowUp(TABLE).releaseIfUnchanged('orders', 'exec-a', 0))
      .rejects.toMatchObject({ name: 'ServiceUnavailableError', message: expect.stringContaining('dynamodb:DeleteItem lock for orders failed') });
  });

  test('GIVEN the execution\'s repair record is on a later page THEN it is found; the query stops after twenty pages, or when the last page says so', async () => {
    const follow = new LockFollowUp(TABLE);
    await db.doc.send(new PutCommand({
      TableName: TABLE, Item: { pk: 'FUNCTION#orders', sk: 'REPAIR#2026-11-20T10:00:00Z#r1', executionId: 'exec-a', originalMemory: 256, newMemory: 384, status: 'SUCCEEDED' },
    }));
    // The first `empty` pages hold only other executions' records (DynamoDB pages at 1 MB before the filter).
    const pagesBefore = (empty: number) => {
      let queries = 0;
      answering((c) => {
        if (!(c instanceof QueryCommand)) return undefined;
        queries++;
        if (queries <= empty) return Promise.resolve({ Items: [], LastEvaluatedKey: { pk: 'FUNCTION#orders', sk: `REPAIR#page-${queries}` } });
        return db.doc.send(new QueryCommand({ ...c.input, ExclusiveStartKey: undefined }));
      });
      return () => queries;
    };
    let queries = pagesBefore(1);
    expect(await follow.repairRecordOf('orders', 'exec-a')).toEqual({ originalMemory: 256, newMemory: 384, status: 'SUCCEEDED' });
    expect(queries()).toBe(2);
    queries = pagesBefore(19);
    expect(await follow.repairRecordOf('orders', 'exec-a')).toEqual({ originalMemory: 256, newMemory: 384, status: 'SUCCEEDED' });
    expect(queries()).toBe(20);
    queries = pagesBefore(20);
    expect(await follow.repairRecordOf('orders', 'exec-a')).toBeUndefined();
    expect(queries()).toBe(20);
    // One page without the record and without a next page: one query.
    queries = pagesBefore(0);
    expect(await follow.repairRecordOf('orders', 'exec-none')).toBeUndefined();
    expect(queries()).toBe(1);
  });

  test('GIVEN another execution holds the lock with alarms waiting THEN releasing records no re-examination for the caller and starts nothing', async () => {
    const follow = new LockFollowUp(TABLE);
    await new Store(TABLE).acquireLock('orders', 'exec-b', at, 600);
    await follow.recordPendingAlarm('orders', { alarmName: 'a' });
    expect(await releaseAndReexamine(follow, 'orders', 'exec-a', STATE_MACHINE_ARN, at)).toEqual({ released: false });
    expect(await item(executionReexamineKey('exec-a'))).toBeUndefined();
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
    expect(await follow.lockOf('orders')).toEqual(expect.objectContaining({ owner: 'exec-b', pending: [{ alarmName: 'a' }] }));
  });

  test('GIVEN the lock changes four times and is then taken by another execution THEN the fifth attempt ends: not released, no error', async () => {
    const follow = new LockFollowUp(TABLE);
    await new Store(TABLE).acquireLock('orders', 'exec-a', at, 600);
    let deletes = 0;
    answering(async (c) => {
      if (!(c instanceof DeleteCommand)) return undefined;
      deletes++;
      if (deletes === 5) {
        await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...lockKey('orders'), owner: 'exec-b' } }));
      }
      throw awsError('ConditionalCheckFailedException', 'The conditional request failed');
    });
    expect(await releaseAndReexamine(follow, 'orders', 'exec-a', STATE_MACHINE_ARN, at)).toEqual({ released: false });
    expect(deletes).toBe(5);
    expect((await follow.lockOf('orders'))?.owner).toBe('exec-b');
  });

  test('the re-examination\'s execution name is made of the execution and its alarms: another execution with the same alarms starts its own', async () => {
    const follow = new LockFollowUp(TABLE);
    const names: (string | undefined)[] = [];
    for (const owner of ['exec-a', 'exec-b']) {
      await new Store(TABLE).acquireLock('orders', owner, at, 600);
      await follow.recordPendingAlarm('orders', { alarmName: 'a' });
      names.push((await releaseAndReexamine(follow, 'orders', owner, STATE_MACHINE_ARN, at)).reexamination);
    }
    await new Store(TABLE).acquireLock('orders', 'exec-c', at, 600);
    await follow.recordPendingAlarm('orders', { alarmName: 'b' });
    names.push((await releaseAndReexamine(follow, 'orders', 'exec-c', STATE_MACHINE_ARN, at)).reexamination);
    expect(new Set(names).size).toBe(3);
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toEqual(names);
  });
});
