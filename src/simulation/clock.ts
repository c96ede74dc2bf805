/**
 * The simulation's virtual clock. Nothing in the simulation waits in real time: a 10-minute
 * verification window is one `advance()` call.
 */
export class VirtualClock {
  private current: number;

  /** @param start epoch milliseconds the simulation starts at */
  constructor(start: number) {
    if (!Number.isFinite(start)) throw new ClockError(`clock start must be a finite epoch ms, got ${start}`);
    this.current = start;
  }

  /** Current virtual time, epoch milliseconds. */
  public now(): number {
    return this.current;
  }

  /** Current virtual time as an ISO-8601 string. */
  public nowIso(): string {
    return new Date(this.current).toISOString();
  }

  /** Move the clock forward by `ms` (never backwards). Returns the new time. */
  public advance(ms: number): number {
    if (!(ms >= 0)) throw new ClockError(`cannot advance the clock by ${ms} ms`);
    this.current += ms;
    return this.current;
  }

  /** Move the clock forward to `t` when `t` is later than now; earlier times are ignored. */
  public advanceTo(t: number): number {
    if (t > this.current) this.current = t;
    return this.current;
  }
}

export class ClockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClockError';
  }
}
