/**
 * Time as the handlers see it. Real by default; the local simulation and tests swap in a
 * virtual clock so a 10-minute wait or a backoff costs nothing.
 */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

let current: Clock = realClock;

/** The current time. */
export function now(): Date {
  return current.now();
}

/** Wait `ms` milliseconds (virtual under a test clock). */
export function sleep(ms: number): Promise<void> {
  return current.sleep(ms);
}

/**
 * A cancellable delay for time budgets: a real timer under the real clock (cancelled so it never
 * keeps the process alive), the virtual clock's sleep otherwise (so a simulated slow answer
 * times out in virtual time).
 */
export function delay(ms: number): { promise: Promise<void>; cancel: () => void } {
  if (current === realClock) {
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    return { promise, cancel: () => clearTimeout(timer) };
  }
  return { promise: current.sleep(ms), cancel: () => undefined };
}

/** Replace the clock; call with no argument to restore the real one. */
export function setClock(clock?: Clock): void {
  current = clock ?? realClock;
}
