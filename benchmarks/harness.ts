/**
 * A tiny benchmark harness: benchmarks print figures, they never assert timings.
 */
import { performance } from 'perf_hooks';

/** One benchmark file's entry point, called by benchmarks/run.ts. */
export interface Benchmark {
  readonly name: string;
  /** Run and print the figures through `print` (one line per call). */
  run(print: (line: string) => void): Promise<void> | void;
}

export interface TimingOptions {
  /** Unmeasured runs first, so the JIT and file cache are warm. */
  readonly warmup: number;
  /** Measured runs; the median is reported. */
  readonly runs: number;
}

/**
 * Time several alternatives over the same number of runs, interleaved (a, b, a, b, ...) so slow
 * drift of the machine affects all of them alike. Returns the median milliseconds of each.
 */
export function medianMs(alternatives: Record<string, () => unknown>, options: TimingOptions): Record<string, number> {
  const names = Object.keys(alternatives);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  let sink = 0;
  for (let i = 0; i < options.warmup + options.runs; i++) {
    for (const name of names) {
      const start = performance.now();
      const value = alternatives[name]();
      const elapsed = performance.now() - start;
      // Keep the result alive so the work cannot be optimised away.
      sink += value === undefined ? 0 : 1;
      if (i >= options.warmup) samples[name].push(elapsed);
    }
  }
  if (sink < 0) throw new Error('unreachable');
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
