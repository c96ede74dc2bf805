/**
 * Make `Date` read the virtual clock while a simulation runs: `new Date()` and `Date.now()` are
 * virtual time, so anything that stamps times (the handlers, Step Functions' `$$.Execution.StartTime`,
 * the SDK) agrees with the simulated metrics and logs. `performance.now()` stays real.
 */
import { VirtualClock } from './clock';

/** Install; returns the function that restores the real `Date`. */
export function installVirtualDate(clock: VirtualClock): () => void {
  const RealDate = Date;
  function VirtualDate(this: unknown, ...args: unknown[]): unknown {
    if (!new.target) return new RealDate(clock.now()).toString();
    // Returning an object from a constructor makes it the result of `new`: a real Date.
    return args.length === 0 ? new RealDate(clock.now()) : new (RealDate as any)(...args);
  }
  VirtualDate.prototype = RealDate.prototype;
  VirtualDate.now = () => clock.now();
  VirtualDate.parse = RealDate.parse;
  VirtualDate.UTC = RealDate.UTC;
  const g = globalThis as { Date: DateConstructor };
  g.Date = VirtualDate as unknown as DateConstructor;
  return () => {
    g.Date = RealDate;
  };
}
