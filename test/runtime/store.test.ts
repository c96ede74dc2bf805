import { Store } from '../../src/runtime/store';
import { lockKey } from '../../src/workflow/contract';
import { clearTable, Db, startDb, TABLE, useTestWorld } from '../handlers/support';

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
