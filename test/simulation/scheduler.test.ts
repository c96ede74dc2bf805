import { VirtualClock } from '../../src/simulation/clock';
import { VirtualScheduler } from '../../src/simulation/scheduler';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

async function runToEnd(s: VirtualScheduler, done: () => boolean): Promise<void> {
  while (!done()) {
    await s.idle();
    const next = s.nextWake();
    if (next === undefined) break;
    s.wakeUntil(next);
  }
}

describe('virtual scheduler', () => {
  test('GIVEN work racing an uncancelled 20 s budget WHEN the work wins after 300 ms THEN the next step starts at +300 ms, not after the budget', async () => {
    const s = new VirtualScheduler(new VirtualClock(T0));
    const seen: number[] = [];
    let finished = false;
    void s.participate('exec', async () => {
      await Promise.race([s.sleep(300), s.sleep(20_000)]);
      seen.push(s.clock.now() - T0);
      await s.sleep(1000);
      seen.push(s.clock.now() - T0);
    }).then(() => (finished = true));
    await runToEnd(s, () => finished);
    expect(seen).toEqual([300, 1300]);
  });

  test('GIVEN two executions WHEN one does real I/O THEN time does not move until the I/O ends', async () => {
    const s = new VirtualScheduler(new VirtualClock(T0));
    let ioSawTime = -1;
    let finished = 0;
    void s.participate('sleeper', async () => {
      await s.sleep(60_000);
    }).then(() => finished++);
    void s.participate('io', async () => {
      const end = s.beginIo();
      await new Promise((r) => setTimeout(r, 50));
      ioSawTime = s.clock.now() - T0;
      end();
    }).then(() => finished++);
    await runToEnd(s, () => finished === 2);
    expect(ioSawTime).toBe(0);
    expect(s.clock.now() - T0).toBe(60_000);
  });
});
