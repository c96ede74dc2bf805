/**
 * The seed's metrics comparator: before / after a repair, per signal, and the verdict the
 * workflow acts on. Pure: no AWS SDK import.
 *
 * Every Lambda signal compared here is "lower is better" (the alarm metric on Errors, Duration or
 * Throttles, the error rate, out-of-memory and timeout rates, memory utilisation).
 */
import type { MetricsComparison } from '../model';

/** What one window (before or after the repair) showed. */
export interface WindowFacts {
  /** Mean of the alarm metric's datapoints in the window; undefined when there were none. */
  readonly alarmMetric?: number;
  readonly invocations: number;
  readonly errors: number;
  /** Invocations killed / out of memory (platform or language), from the logs. */
  readonly oomCount: number;
  /** Invocations that hit the function timeout, from the logs. */
  readonly timeoutCount: number;
  /** REPORT lines seen (the denominator of the log rates when Invocations is missing). */
  readonly reportCount: number;
  /** Highest Max Memory Used / Memory Size, 0..~1. */
  readonly memoryUtilization?: number;
}

/** Verdict. */
export type Verdict = 'SUCCEEDED' | 'FAILED' | 'INCONCLUSIVE';

/** Input of {@link compareWindows}. */
export interface ComparisonInput {
  readonly before: WindowFacts;
  readonly after: WindowFacts;
  /** Fewer invocations than this after the repair: INCONCLUSIVE. */
  readonly minInvocations: number;
}

/** Output of {@link compareWindows}. */
export interface ComparisonResult {
  readonly status: Verdict;
  readonly reason: string;
  /** The alarm metric (the seed's `metricsComparison`). */
  readonly metricsComparison: MetricsComparison;
  /** errorRate, oomRate, timeoutRate, memoryUtilization. */
  readonly details: Record<string, MetricsComparison>;
}

/** Relative change that counts as a real change (10 %). */
export const SIGNIFICANT_CHANGE = 0.1;

/** `-85.0%` style improvement text; `n/a` when there is no baseline. */
export function improvementText(before: number, after: number): string {
  if (before === 0) return after === 0 ? '0.0%' : 'n/a';
  const pct = ((before - after) / before) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

function comparison(before: number, after: number): MetricsComparison {
  return { before: round(before), after: round(after), improvement: improvementText(before, after) };
}

function round(n: number): number {
  return Math.round(n * 10000) / 10000;
}

type Trend = 'better' | 'worse' | 'same' | 'none';

function trend(before: number, after: number): Trend {
  if (before === 0 && after === 0) return 'none';
  if (before === 0) return 'worse';
  if (after <= before * (1 - SIGNIFICANT_CHANGE)) return 'better';
  if (after >= before * (1 + SIGNIFICANT_CHANGE)) return 'worse';
  return 'same';
}

function rate(count: number, w: WindowFacts): number {
  const denom = Math.max(w.invocations, w.reportCount);
  return denom > 0 ? count / denom : 0;
}

/**
 * Compare the windows. Too few invocations after: INCONCLUSIVE. The alarm metric (or, when the
 * alarm metric had no baseline, the error rate) must improve by at least 10 %, and neither the
 * out-of-memory nor the timeout rate may get worse: otherwise FAILED ("worse or unchanged").
 */
export function compareWindows(input: ComparisonInput): ComparisonResult {
  const { before, after } = input;
  const errBefore = rate(before.errors, before);
  const errAfter = rate(after.errors, after);
  const details: Record<string, MetricsComparison> = {
    errorRate: comparison(errBefore, errAfter),
    oomRate: comparison(rate(before.oomCount, before), rate(after.oomCount, after)),
    timeoutRate: comparison(rate(before.timeoutCount, before), rate(after.timeoutCount, after)),
    invocations: comparison(before.invocations, after.invocations),
  };
  if (before.memoryUtilization !== undefined || after.memoryUtilization !== undefined) {
    details.memoryUtilization = comparison(before.memoryUtilization ?? 0, after.memoryUtilization ?? 0);
  }
  const alarmBefore = before.alarmMetric ?? 0;
  const alarmAfter = after.alarmMetric ?? 0;
  const metricsComparison = comparison(alarmBefore, alarmAfter);

  const afterCount = Math.max(after.invocations, after.reportCount);
  if (afterCount < input.minInvocations) {
    return {
      status: 'INCONCLUSIVE',
      reason: `only ${afterCount} invocations after the repair, fewer than the ${input.minInvocations} needed to judge`,
      metricsComparison,
      details,
    };
  }

  const oomTrend = trend(rate(before.oomCount, before), rate(after.oomCount, after));
  const timeoutTrend = trend(rate(before.timeoutCount, before), rate(after.timeoutCount, after));
  if (oomTrend === 'worse' || oomTrend === 'same') {
    return { status: 'FAILED', reason: `out-of-memory rate did not improve (${details.oomRate.before} -> ${details.oomRate.after})`, metricsComparison, details };
  }
  if (timeoutTrend === 'worse') {
    return { status: 'FAILED', reason: `timeout rate got worse (${details.timeoutRate.before} -> ${details.timeoutRate.after})`, metricsComparison, details };
  }

  const usesAlarm = before.alarmMetric !== undefined && alarmBefore > 0;
  const primaryName = usesAlarm ? 'alarm metric' : 'error rate';
  const primary = usesAlarm ? trend(alarmBefore, alarmAfter) : trend(errBefore, errAfter);
  const shown = usesAlarm ? metricsComparison : details.errorRate;
  if (primary === 'better') {
    return { status: 'SUCCEEDED', reason: `${primaryName} improved ${shown.improvement} (${shown.before} -> ${shown.after})`, metricsComparison, details };
  }
  if (primary === 'none') {
    // Nothing to improve on the primary signal: the OOM / timeout rates decide.
    if (oomTrend === 'better' || timeoutTrend === 'better') {
      return { status: 'SUCCEEDED', reason: 'out-of-memory or timeout rate improved and errors stayed at zero', metricsComparison, details };
    }
    return { status: 'INCONCLUSIVE', reason: `no ${primaryName} signal before or after the repair`, metricsComparison, details };
  }
  return {
    status: 'FAILED',
    reason: `${primaryName} ${primary === 'worse' ? 'got worse' : 'did not change'} (${shown.before} -> ${shown.after})`,
    metricsComparison,
    details,
  };
}

/** Input of {@link compareCanary}: both versions over the same bake time. */
export interface CanaryInput {
  /** The version the alias points at (the old memory size). */
  readonly baseline: { readonly version: string; readonly invocations: number; readonly errors: number };
  /** The canary (the new memory size). */
  readonly canary: { readonly version: string; readonly invocations: number; readonly errors: number };
  /** Fewer canary invocations than this: INCONCLUSIVE. */
  readonly minInvocations: number;
}

/**
 * Compare a canary with the version beside it, over the same minutes and the same callers. The
 * canary passes when its error rate is at least 10 % below the baseline's; an error rate as high
 * or higher fails. Too few canary invocations, or no error on either version: INCONCLUSIVE.
 */
export function compareCanary(input: CanaryInput): ComparisonResult {
  const { baseline, canary } = input;
  const rateOf = (s: { invocations: number; errors: number }) => (s.invocations > 0 ? s.errors / s.invocations : 0);
  const errorRate = comparison(rateOf(baseline), rateOf(canary));
  const details: Record<string, MetricsComparison> = {
    errorRate,
    invocations: comparison(baseline.invocations, canary.invocations),
    errors: comparison(baseline.errors, canary.errors),
  };
  const who = `canary version ${canary.version} against version ${baseline.version}`;
  if (canary.invocations < input.minInvocations) {
    return {
      status: 'INCONCLUSIVE',
      reason: `${who}: only ${canary.invocations} invocations on the canary, fewer than the ${input.minInvocations} needed to judge`,
      metricsComparison: errorRate,
      details,
    };
  }
  const t = trend(rateOf(baseline), rateOf(canary));
  if (t === 'better') {
    return { status: 'SUCCEEDED', reason: `${who}: error rate ${errorRate.before} -> ${errorRate.after} (${errorRate.improvement})`, metricsComparison: errorRate, details };
  }
  if (t === 'none') {
    // Nothing failed on either side: the canary cannot be shown to help.
    return { status: 'INCONCLUSIVE', reason: `${who}: no errors on either version over ${canary.invocations} canary invocations`, metricsComparison: errorRate, details };
  }
  return {
    status: 'FAILED',
    reason: `${who}: error rate ${t === 'worse' ? 'got worse' : 'did not improve'} (${errorRate.before} -> ${errorRate.after})`,
    metricsComparison: errorRate,
    details,
  };
}
