import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { alarmEvent, clearTable, Db, initialState, setEnv, startDb, TABLE, useTestWorld } from './support';
import { functionStateKey, lockKey } from '../../src/workflow/contract';
import { handler } from '../../src/workflow/normalize.lambda';

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
});
afterEach(() => restoreEnv());

describe('normalize handler', () => {
  test('accepts an ALARM transition of a managed function and takes the lock', async () => {
    // GIVEN an Errors alarm on orders went to ALARM
    const state = initialState(alarmEvent({ functionName: 'orders' }));

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
      currentValue: 8,
      stateChangeTime: '2026-11-20T10:48:00.000Z',
      previousState: 'OK',
      currentState: 'ALARM',
      stateReason: expect.stringContaining('Threshold Crossed'),
    });
    expect(out.lock?.owner).toBe(state.executionId);
    const items = await db.items();
    const lock = items.find((i) => i.pk === lockKey('orders').pk);
    expect(lock?.owner).toBe(state.executionId);
    expect(lock?.expiresAt).toBe(Math.floor(Date.parse('2026-11-20T10:48:30.000Z') / 1000) + 21600);
  });

  test('ignores transitions to OK without taking a lock', async () => {
    const out = await handler(initialState(alarmEvent({ state: 'OK' })));
    expect(out.status).toBe('IGNORED');
    expect(out.reason).toBe('alarm orders-errors-alarm went to OK, not ALARM');
    expect(await db.items()).toHaveLength(0);
  });

  test('ignores functions not under management', async () => {
    const out = await handler(initialState(alarmEvent({ functionName: 'payments' })));
    expect(out.status).toBe('IGNORED');
    expect(out.reason).toBe('function payments is not under management');
  });

  test('ignores functions the policy excludes even when MANAGED_FUNCTIONS is *', async () => {
    restoreEnv();
    restoreEnv = setEnv({ MANAGED_FUNCTIONS: '*', REMEDIATION_POLICY: JSON.stringify({ excludedFunctions: ['orders'] }) });
    const out = await handler(initialState(alarmEvent({ functionName: 'orders' })));
    expect(out.status).toBe('IGNORED');
    expect(out.reason).toContain('excluded by the policy');
  });

  test('a second alarm for a function being handled ends ALREADY_IN_PROGRESS (lock contention)', async () => {
    // GIVEN execution 1 holds the lock
    const first = await handler(initialState(alarmEvent(), 'exec-1'));
    expect(first.status).toBe('ACCEPTED');

    // WHEN five more alarms for the same function arrive at once
    const others = await Promise.all([2, 3, 4, 5, 6].map((n) => handler(initialState(alarmEvent(), `exec-${n}`))));

    // THEN none of them gets the lock, and each names the holder
    expect(others.map((o) => o.status)).toEqual(Array(5).fill('ALREADY_IN_PROGRESS'));
    expect(others[0].reason).toBe('function orders is already being handled by execution exec-1');
  });

  test('concurrent alarms for one function: exactly one wins the conditional write', async () => {
    const outs = await Promise.all(Array.from({ length: 8 }, (_, n) => handler(initialState(alarmEvent(), `race-${n}`))));
    expect(outs.filter((o) => o.status === 'ACCEPTED')).toHaveLength(1);
    expect(outs.filter((o) => o.status === 'ALREADY_IN_PROGRESS')).toHaveLength(7);
  });

  test('an expired lock counts as free', async () => {
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...lockKey('orders'), owner: 'stale', expiresAt: 1 } }));
    const out = await handler(initialState(alarmEvent(), 'fresh'));
    expect(out.status).toBe('ACCEPTED');
  });

  test('refuses inside the cooldown, says why and releases the lock', async () => {
    // GIVEN orders was repaired 10 minutes ago and the cooldown is 30 minutes
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...functionStateKey('orders'), lastRepairAt: '2026-11-20T10:38:30.000Z' } }));

    const out = await handler(initialState(alarmEvent()));

    expect(out.status).toBe('COOLDOWN');
    expect(out.reason).toBe('function orders was repaired at 2026-11-20T10:38:30.000Z, 600 s ago; cooldown is 1800 s');
    expect((await db.items()).some((i) => i.pk === lockKey('orders').pk)).toBe(false);
  });

  test('refuses past the daily repair budget', async () => {
    await db.doc.send(new PutCommand({
      TableName: TABLE,
      Item: { ...functionStateKey('orders'), 'lastRepairAt': '2026-11-20T01:00:00.000Z', 'repairs#2026-11-20': 3 },
    }));
    const out = await handler(initialState(alarmEvent()));
    expect(out.status).toBe('DAILY_BUDGET_EXHAUSTED');
    expect(out.reason).toBe('function orders had 3 repairs today; the daily budget is 3');
  });

  test('the budget of yesterday does not count today', async () => {
    await db.doc.send(new PutCommand({
      TableName: TABLE,
      Item: { ...functionStateKey('orders'), 'lastRepairAt': '2026-11-19T01:00:00.000Z', 'repairs#2026-11-19': 3 },
    }));
    expect((await handler(initialState(alarmEvent()))).status).toBe('ACCEPTED');
  });

  test('fails when the event is not an alarm state change (named error, never a silent drop)', async () => {
    await expect(handler(initialState({ 'detail-type': 'EC2 Instance State-change Notification', 'detail': {} })))
      .rejects.toMatchObject({ name: 'MalformedEventError', message: expect.stringContaining("got 'EC2 Instance State-change Notification'") });
  });

  test('fails when the alarm event lacks its state', async () => {
    await expect(handler(initialState({ 'detail-type': 'CloudWatch Alarm State Change', 'detail': { alarmName: 'x' } })))
      .rejects.toMatchObject({ name: 'MalformedEventError' });
  });

  test('fails when TABLE_NAME is missing, naming it', async () => {
    restoreEnv();
    restoreEnv = setEnv({ TABLE_NAME: undefined });
    await expect(handler(initialState(alarmEvent()))).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: 'missing required environment variable(s): TABLE_NAME',
    });
  });
});
