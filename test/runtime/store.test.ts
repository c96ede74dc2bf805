import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { setClients } from '../../src/runtime/clients';
import { Store, utcDay } from '../../src/runtime/store';
import { functionStateKey, intentKey, lockKey, RepairIntent, RollbackIntent, TABLE_TTL_ATTRIBUTE } from '../../src/workflow/contract';
import { MANAGED_SETTINGS_KEY } from '../../src/workflow/setup-contract';
import { awsError, clearTable, Db, startDb, TABLE, useTestWorld } from '../handlers/support';

let db: Db;
beforeAll(async () => {
  db = await startDb();
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  await clearTable(db);
  useTestWorld(db);
});

describe('the per-function lock', () => {
  const at = new Date('2026-11-20T10:48:30.000Z');

  test('only its owner releases it: another execution\'s release leaves it held', async () => {
    // GIVEN execution A holds the lock of orders
    const store = new Store(TABLE);
    expect((await store.acquireLock('orders', 'exec-a', at, 3600)).acquired).toBe(true);

    // WHEN execution B releases it
    const released = await store.releaseLock('orders', 'exec-b');

    // THEN nothing is released, A still holds it, and B cannot take it
    expect(released).toBe(false);
    const lock = (await db.items()).find((i) => i.pk === lockKey('orders').pk);
    expect(lock?.owner).toBe('exec-a');
    expect(await store.acquireLock('orders', 'exec-b', at, 3600)).toEqual({ acquired: false, heldBy: 'exec-a' });
    expect(await store.releaseLock('orders', 'exec-a')).toBe(true);
    expect((await db.items()).some((i) => i.pk === lockKey('orders').pk)).toBe(false);
  });

  test('releasing a lock that is gone is not an error', async () => {
    expect(await new Store(TABLE).releaseLock('orders', 'exec-a')).toBe(false);
  });
});

/**
 * Route the store's DynamoDB calls to the test table, except that `fail` may answer a call with an
 * error instead (a throttle, a failed condition); `sent` counts the calls by command name.
 */
function faultyDynamo(fail: (command: object) => Error | undefined): { sent: Record<string, number> } {
  const sent: Record<string, number> = {};
  setClients({
    dynamo: {
      send: async (command: object) => {
        const name = command.constructor.name;
        sent[name] = (sent[name] ?? 0) + 1;
        const err = fail(command);
        if (err) throw err;
        return db.doc.send(command as never);
      },
    } as never,
  }, { region: 'us-east-1' });
  return { sent };
}

describe('taking the lock', () => {
  const at = new Date('2026-11-20T10:48:30.000Z');
  const atSec = Math.floor(at.getTime() / 1000);
  const later = (seconds: number) => new Date(at.getTime() + seconds * 1000);

  test('the lock records its owner, when it was taken and when it expires', async () => {
    const taken = await new Store(TABLE).acquireLock('orders', 'exec-a', at, 600);
    expect(taken).toEqual({ acquired: true, lock: { functionName: 'orders', owner: 'exec-a', acquiredAt: at.toISOString(), expiresAt: atSec + 600 } });
    const item = (await db.items()).find((i) => i.pk === lockKey('orders').pk);
    expect(item).toMatchObject({ ...lockKey('orders'), recordType: 'LOCK', owner: 'exec-a', acquiredAt: at.toISOString(), [TABLE_TTL_ATTRIBUTE]: atSec + 600 });
  });

  test('its owner takes it again (a retried normalize); a lock of another function does not stand in the way', async () => {
    const store = new Store(TABLE);
    expect((await store.acquireLock('orders', 'exec-a', at, 600)).acquired).toBe(true);
    expect((await store.acquireLock('orders', 'exec-a', later(5), 600)).acquired).toBe(true);
    expect((await store.acquireLock('payments', 'exec-b', at, 600)).acquired).toBe(true);
  });

  test('another execution takes it only once it has expired: not in its last second, from the next one', async () => {
    const store = new Store(TABLE);
    await store.acquireLock('orders', 'exec-a', at, 60);
    expect(await store.acquireLock('orders', 'exec-b', later(60), 60)).toEqual({ acquired: false, heldBy: 'exec-a' });
    expect((await store.acquireLock('orders', 'exec-b', later(61), 60)).acquired).toBe(true);
  });

  test('a failed write is a named error naming the lock, never "held by someone"', async () => {
    faultyDynamo((c) => (c instanceof PutCommand ? awsError('ProvisionedThroughputExceededException', 'slow down') : undefined));
    await expect(new Store(TABLE).acquireLock('orders', 'exec-a', at, 600))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('dynamodb:PutItem lock for orders failed') });
  });
});

describe('cooldown and daily budget state', () => {
  test('a function never repaired has no last repair and none on the day', async () => {
    expect(await new Store(TABLE).functionState('orders', '2026-11-20')).toEqual({ lastRepairAt: undefined, repairsOnDay: 0 });
  });

  test('a repair is counted on the UTC day it started, and sets the cooldown start', async () => {
    const store = new Store(TABLE);
    // 23:30 at UTC-2 is 01:30 the next day in UTC
    expect(utcDay('2026-11-20T23:30:00-02:00')).toBe('2026-11-21');
    expect(await store.noteRepair('orders', '2026-11-20T23:59:00.000Z', 'exec-a')).toBe(true);
    expect(await store.noteRepair('orders', '2026-11-21T00:10:00.000Z', 'exec-b', '2026-11-20')).toBe(true);
    expect(await store.functionState('orders', '2026-11-20')).toEqual({ lastRepairAt: '2026-11-21T00:10:00.000Z', repairsOnDay: 2 });
    expect(await store.functionState('orders', '2026-11-21')).toEqual({ lastRepairAt: '2026-11-21T00:10:00.000Z', repairsOnDay: 0 });
    expect((await db.items()).find((i) => i.pk === functionStateKey('orders').pk)).toMatchObject({ recordType: 'FUNCTION_STATE' });
  });

  test('failed reads and writes of the state are named errors, never "not counted"', async () => {
    faultyDynamo(() => awsError('ProvisionedThroughputExceededException', 'slow down'));
    const store = new Store(TABLE);
    await expect(store.noteRepair('orders', '2026-11-20T10:00:00.000Z', 'exec-a'))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('dynamodb:UpdateItem state of orders failed') });
    await expect(store.functionState('orders', '2026-11-20'))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('dynamodb:GetItem state of orders failed') });
  });
});

describe('repair and rollback intents', () => {
  const now = new Date('2026-11-20T10:50:00.000Z');
  const intent: RepairIntent = {
    executionId: 'exec-a', functionName: 'orders', repairId: 'r-1', startedAt: now.toISOString(), fromMb: 256, toMb: 384, fromRevisionId: 'rev-1',
  };
  const rollbackIntent: RollbackIntent = { executionId: 'exec-a', functionName: 'orders', startedAt: now.toISOString(), fromMb: 384, toMb: 256 };

  test('the first intent of an execution is recorded and kept 30 days; a racing second one gets the first back', async () => {
    const store = new Store(TABLE);
    expect(await store.getIntent('REPAIR', 'exec-a')).toBeUndefined();
    expect(await store.createIntent('REPAIR', intent, now)).toEqual({ created: true, intent });
    expect(await store.getIntent('REPAIR', 'exec-a')).toEqual(intent);
    expect(await store.createIntent('REPAIR', { ...intent, toMb: 512 }, now)).toEqual({ created: false, intent });
    const item = (await db.items()).find((i) => i.pk === intentKey('REPAIR', 'exec-a').pk && i.sk === intentKey('REPAIR', 'exec-a').sk);
    expect(item).toMatchObject({ recordType: 'REPAIR_INTENT', functionName: 'orders', [TABLE_TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + 30 * 86400 });
    // a rollback intent of the same execution is its own
    expect(await store.getIntent('ROLLBACK', 'exec-a')).toBeUndefined();
    expect(await store.createIntent('ROLLBACK', rollbackIntent, now)).toEqual({ created: true, intent: rollbackIntent });
  });

  test('a failed intent read is a named error naming the kind of intent', async () => {
    faultyDynamo(() => awsError('ProvisionedThroughputExceededException', 'slow down'));
    await expect(new Store(TABLE).getIntent('ROLLBACK', 'exec-a'))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('dynamodb:GetItem rollback intent failed') });
  });

  test('a failed intent write is a named error, never taken as recorded', async () => {
    faultyDynamo((c) => (c instanceof PutCommand ? awsError('ProvisionedThroughputExceededException', 'slow down') : undefined));
    await expect(new Store(TABLE).createIntent('ROLLBACK', rollbackIntent, now))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('dynamodb:PutItem rollback intent of orders failed') });
  });

  test('a failed condition with no intent to read back is an error, not a silent success', async () => {
    faultyDynamo((c) => (c instanceof PutCommand ? awsError('ConditionalCheckFailedException', 'The conditional request failed') : undefined));
    await expect(new Store(TABLE).createIntent('REPAIR', intent, now))
      .rejects.toMatchObject({ message: expect.stringContaining('dynamodb:PutItem repair intent of orders failed: ConditionalCheckFailedException') });
  });

  test('progress is written into the intent, only the fields given; nothing given writes nothing', async () => {
    const store = new Store(TABLE);
    await store.createIntent('REPAIR', intent, now);
    await store.updateRepairIntent('exec-a', { appliedRevisionId: 'rev-2' });
    await store.updateRepairIntent('exec-a', { publishedVersion: '8', appliedRevisionId: undefined });
    expect(await store.getIntent('REPAIR', 'exec-a')).toEqual({ ...intent, appliedRevisionId: 'rev-2', publishedVersion: '8' });
    const { sent } = faultyDynamo(() => undefined);
    await store.updateRepairIntent('exec-a', {});
    expect(sent).toEqual({});
  });

  test('a failed intent write is an error even when the execution already has an intent (a retry must not take a throttled write for a race it lost)', async () => {
    const store = new Store(TABLE);
    await store.createIntent('REPAIR', intent, now);
    faultyDynamo((c) => (c instanceof PutCommand ? awsError('ProvisionedThroughputExceededException', 'slow down') : undefined));
    await expect(store.createIntent('REPAIR', intent, now)).rejects.toMatchObject({ name: 'ThrottledError' });
  });

  test('two progress fields written at once are both recorded', async () => {
    const store = new Store(TABLE);
    await store.createIntent('REPAIR', intent, now);
    await store.updateRepairIntent('exec-a', { appliedRevisionId: 'rev-2', publishedVersion: '8' });
    expect(await store.getIntent('REPAIR', 'exec-a')).toEqual({ ...intent, appliedRevisionId: 'rev-2', publishedVersion: '8' });
  });

  test('progress on an execution that recorded no intent is an error naming it', async () => {
    await expect(new Store(TABLE).updateRepairIntent('exec-none', { appliedRevisionId: 'rev-2' }))
      .rejects.toMatchObject({ message: expect.stringContaining('dynamodb:UpdateItem repair intent of exec-none failed: ConditionalCheckFailedException') });
    faultyDynamo((c) => (c instanceof UpdateCommand ? awsError('ProvisionedThroughputExceededException', 'slow down') : undefined));
    await expect(new Store(TABLE).updateRepairIntent('exec-a', { appliedRevisionId: 'rev-2' })).rejects.toMatchObject({ name: 'ThrottledError' });
  });
});

describe('store: condition failures and what failed errors name (mutation-found gaps)', () => {
  const at = new Date('2026-11-20T10:48:30.000Z');

  test('GIVEN a repair already counted for an execution WHEN it is noted again THEN it is not counted twice', async () => {
    const store = new Store(TABLE);
    expect(await store.noteRepair('orders', '2026-11-20T10:00:00.000Z', 'exec-a')).toBe(true);
    expect(await store.noteRepair('orders', '2026-11-20T10:05:00.000Z', 'exec-a')).toBe(false);
    expect(await store.functionState('orders', '2026-11-20')).toEqual({ lastRepairAt: '2026-11-20T10:00:00.000Z', repairsOnDay: 1 });
  });

  test('GIVEN the lock is held WHEN reading its holder fails THEN the error names the lock read', async () => {
    await new Store(TABLE).acquireLock('orders', 'exec-a', at, 600);
    faultyDynamo((c) => (c instanceof GetCommand ? awsError('ProvisionedThroughputExceededException', 'slow down') : undefined));
    await expect(new Store(TABLE).acquireLock('orders', 'exec-b', at, 600))
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('dynamodb:GetItem lock for orders failed') });
  });

  test('a client that rejects with no error object still fails as a named error naming the lock', async () => {
    setClients({ dynamo: { send: async () => Promise.reject(undefined) } as never }, { region: 'us-east-1' });
    await expect(new Store(TABLE).acquireLock('orders', 'exec-a', new Date('2026-11-20T10:48:30.000Z'), 600))
      .rejects.toMatchObject({ message: expect.stringContaining('dynamodb:PutItem lock for orders') });
  });

  test('a failed audit write names the function, or "unknown function" when the entry has none', async () => {
    faultyDynamo(() => awsError('ProvisionedThroughputExceededException', 'slow down'));
    const entry = { executionId: 'exec-a', step: 'normalize', actor: 'me', action: 'ignore', why: 'test', at: at.toISOString() };
    await expect(new Store(TABLE).putAudit(entry)).rejects.toMatchObject({ message: expect.stringContaining('audit entry of unknown function') });
    await expect(new Store(TABLE).putAudit({ ...entry, functionName: 'orders' })).rejects.toMatchObject({ message: expect.stringContaining('audit entry of orders') });
  });
});

describe('store: the managed-function settings item', () => {
  const putItem = (extra: Record<string, unknown>) => db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...MANAGED_SETTINGS_KEY, recordType: 'CONFIG', ...extra } }));

  test('GIVEN an item without custom log groups THEN it has none (an empty map)', async () => {
    await putItem({ functions: ['orders'] });
    expect(await new Store(TABLE).managedSettings()).toEqual({ functions: ['orders'], logGroupFunctions: {} });
  });

  test('GIVEN a function list with a non-name in it THEN the item is malformed', async () => {
    await putItem({ functions: ['orders', 7], logGroupFunctions: {} });
    await expect(new Store(TABLE).managedSettings()).rejects.toThrow(/malformed/);
  });

  test('GIVEN log groups that do not map to names THEN the item is malformed', async () => {
    await putItem({ functions: ['orders'], logGroupFunctions: { '/custom/orders': 'orders', '/custom/x': 7 } });
    await expect(new Store(TABLE).managedSettings()).rejects.toThrow(/malformed/);
  });

  test('GIVEN log groups written as a string, not a map THEN the item is malformed', async () => {
    await putItem({ functions: ['orders'], logGroupFunctions: 'orders' });
    await expect(new Store(TABLE).managedSettings()).rejects.toThrow(/malformed/);
  });

  test('a failed read of the item is a named error naming the settings item', async () => {
    faultyDynamo(() => awsError('ProvisionedThroughputExceededException', 'slow down'));
    await expect(new Store(TABLE).managedSettings())
      .rejects.toMatchObject({ name: 'ThrottledError', message: expect.stringContaining('dynamodb:GetItem managed-function settings failed') });
  });

  test('GIVEN well-formed log groups THEN they are returned as written', async () => {
    await putItem({ functions: ['orders'], logGroupFunctions: { '/custom/orders': 'orders' } });
    expect(await new Store(TABLE).managedSettings()).toEqual({ functions: ['orders'], logGroupFunctions: { '/custom/orders': 'orders' } });
  });
});
