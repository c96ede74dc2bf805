import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchOptions, CloudWatchService } from '../../../src/simulation/account/cloudwatch-service';
import { MetricStore } from '../../../src/simulation/account/metrics';
import { VirtualClock } from '../../../src/simulation/clock';
import { SeededRandom } from '../../../src/simulation/random';

export const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
export const MIN = 60_000;

export function cloudwatch(options: CloudWatchOptions = {}, start = T0) {
  const clock = new VirtualClock(start);
  const store = new MetricStore();
  const cw = new CloudWatchService(clock, new SeededRandom(1), store, options);
  /** Advance minute by minute to `minutes` after the start, evaluating alarms at each minute's end. */
  const runTo = (minutes: number) => {
    const out = [];
    while (clock.now() < start + minutes * MIN) {
      clock.advanceTo(Math.floor(clock.now() / MIN) * MIN + MIN);
      out.push(...cw.evaluateAlarms(clock.now()));
    }
    return out;
  };
  return { clock, store, cw, runTo };
}

/** A documented event from /work/shared/aws-events. */
export function documentedEvent(file: string): any {
  return JSON.parse(readFileSync(join('/work/shared/aws-events', file), 'utf8'));
}

/**
 * The shape of a value: object keys (recursively), the distinct shapes of array elements, and the keys of JSON
 * strings held in `reasonData`. Values themselves are not compared.
 */
export function shape(v: unknown, key = ''): unknown {
  if (key === 'reasonData' && typeof v === 'string') return { json: shape(JSON.parse(v)) };
  // Arrays: the set of distinct element shapes (lengths and order are values, not shape).
  if (Array.isArray(v)) return [...new Set(v.map((x) => JSON.stringify(shape(x))))].sort().map((x) => JSON.parse(x));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).filter((k) => k !== '_note').sort().map((k) => [k, shape((v as Record<string, unknown>)[k], k)]));
  }
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? typeof v : v;
}
