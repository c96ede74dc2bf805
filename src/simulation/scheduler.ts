/**
 * Virtual-time scheduling for many concurrent workflow executions.
 *
 * Each execution runs in its own async context. It is *blocked* when it waits on at least one
 * virtual sleep (a Wait state, a retry interval, a handler's backoff, a slow Bedrock answer) and
 * has no real I/O in flight (DynamoDB on loopback). When every execution is blocked, virtual time
 * jumps to the earliest wake-up; real time is only spent on real work.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { VirtualClock } from './clock';

/** One participant (a workflow execution). */
export interface Participant {
  readonly name: string;
  pendingSleeps: number;
  inflight: number;
  done: boolean;
}

interface Sleeper {
  readonly wakeAt: number;
  readonly seq: number;
  readonly participant?: Participant;
  readonly resolve: () => void;
}

export class VirtualScheduler {
  private readonly als = new AsyncLocalStorage<Participant>();
  private readonly participants = new Set<Participant>();
  private sleepers: Sleeper[] = [];
  private seq = 0;

  constructor(public readonly clock: VirtualClock) {}

  /** Run `fn` as a participant: its sleeps and I/O are attributed to it until it settles. */
  public async participate<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const p: Participant = { name, pendingSleeps: 0, inflight: 0, done: false };
    this.participants.add(p);
    try {
      return await this.als.run(p, fn);
    } finally {
      p.done = true;
      this.participants.delete(p);
    }
  }

  /** The participant of the calling async context, if any. */
  public current(): Participant | undefined {
    return this.als.getStore();
  }

  /** Wait `ms` of virtual time. */
  public sleep(ms: number): Promise<void> {
    const p = this.als.getStore();
    const wakeAt = this.clock.now() + Math.max(0, ms);
    return new Promise<void>((resolve) => {
      if (p) p.pendingSleeps++;
      this.sleepers.push({
        wakeAt,
        seq: this.seq++,
        participant: p,
        resolve: () => {
          if (p) p.pendingSleeps--;
          resolve();
        },
      });
    });
  }

  /**
   * A wake-up at `ms` of virtual time from now that belongs to no participant (it neither blocks
   * nor keeps alive the execution that set it): for timeouts that end an execution from outside.
   * `cancel()` removes it.
   */
  public timer(ms: number): { readonly done: Promise<void>; cancel(): void } {
    const seq = this.seq++;
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    this.sleepers.push({ wakeAt: this.clock.now() + Math.max(0, ms), seq, resolve });
    return { done, cancel: () => { this.sleepers = this.sleepers.filter((s) => s.seq !== seq); } };
  }

  /** Mark real I/O of the current participant (returns the function that ends it). */
  public beginIo(): () => void {
    const p = this.als.getStore();
    if (!p) return () => undefined;
    p.inflight++;
    let ended = false;
    return () => {
      if (!ended) {
        ended = true;
        p.inflight--;
      }
    };
  }

  /** Number of participants still running. */
  public active(): number {
    return this.participants.size;
  }

  /** Earliest pending wake-up, or undefined. */
  public nextWake(): number | undefined {
    return this.sleepers.length ? Math.min(...this.sleepers.map((s) => s.wakeAt)) : undefined;
  }

  /** True when every participant waits on virtual time only. */
  public allBlocked(): boolean {
    for (const p of this.participants) {
      if (p.pendingSleeps === 0 || p.inflight > 0) return false;
    }
    return true;
  }

  /**
   * Resolve when every participant is blocked on virtual time (or none is left). Polls on the
   * macrotask queue, so microtasks and I/O callbacks of busy participants run first.
   * @param realTimeoutMs give up (SchedulerStallError) after this much real time
   */
  public async idle(realTimeoutMs = 120_000): Promise<void> {
    const started = performance.now();
    let spins = 0;
    // Always let the macrotask queue turn: a participant woken a moment ago still counts its
    // other, pending sleeps (say, an uncancelled time budget) but is runnable until its
    // continuation has run. Two quiet turns in a row mean everyone is really waiting.
    let quietTurns = 0;
    while (quietTurns < 2) {
      await new Promise<void>((r) => setImmediate(r));
      quietTurns = this.allBlocked() ? quietTurns + 1 : 0;
      if (++spins % 1000 === 0 && performance.now() - started > realTimeoutMs) {
        const busy = [...this.participants].filter((p) => p.pendingSleeps === 0 || p.inflight > 0).map((p) => p.name);
        throw new SchedulerStallError(`executions still busy after ${realTimeoutMs} ms of real time: ${busy.slice(0, 5).join(', ')}`);
      }
    }
  }

  /** Advance the clock to `t` and wake every sleeper due by then, earliest first. */
  public wakeUntil(t: number): number {
    this.clock.advanceTo(t);
    const due = this.sleepers.filter((s) => s.wakeAt <= this.clock.now()).sort((a, b) => a.wakeAt - b.wakeAt || a.seq - b.seq);
    this.sleepers = this.sleepers.filter((s) => s.wakeAt > this.clock.now());
    for (const s of due) s.resolve();
    return due.length;
  }
}

export class SchedulerStallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchedulerStallError';
  }
}
