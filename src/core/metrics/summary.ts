/**
 * Summary of the metric series of a diagnosis request: each series split at the alarm (before /
 * after), its means, its trend, and the error and throttle rates. Pure and linear in the number
 * of points.
 */
import { DiagnosisRequest, TimedValue } from '../model';

/** The Lambda metrics the summary always looks for. */
export const SUMMARY_METRICS = ['Invocations', 'Errors', 'Duration', 'Throttles', 'ConcurrentExecutions', 'IteratorAge'] as const;

/** Direction of a series over the whole window. */
export type TrendDirection = 'rising' | 'falling' | 'flat';

/** Relative change over the window above which a series counts as rising (or falling). */
export const TREND_THRESHOLD = 0.2;

/** One metric series, split at the alarm. */
export interface SeriesSummary {
  readonly name: string;
  readonly points: number;
  readonly before: WindowStats;
  readonly after: WindowStats;
  /** `after.mean / before.mean - 1`; undefined when either side is empty or before is 0. */
  readonly change?: number;
  /**
   * Least-squares slope over the whole series times its time span, relative to the series mean:
   * 1.0 means the fitted line rose by the mean over the window. 0 for fewer than 3 points.
   */
  readonly trend: number;
  readonly direction: TrendDirection;
}

/** Aggregates of the points on one side of the split. */
export interface WindowStats {
  readonly count: number;
  readonly sum: number;
  /** undefined when there are no points. */
  readonly mean?: number;
  readonly max?: number;
}

/** How the series were split into before / after. */
export type SplitSource = 'alarmTime' | 'firstBreach' | 'none';

/** Everything the rules need from the metric series. */
export interface MetricSummary {
  /** The split instant (ISO-8601); undefined when there is nothing to split at (all points are "after"). */
  readonly splitTime?: string;
  readonly splitSource: SplitSource;
  /** Points of the alarm metric at or above its threshold. */
  readonly alarmBreaches: number;
  /** By metric name: the six Lambda metrics when present, and the alarm metric. */
  readonly series: Record<string, SeriesSummary>;
  /** Errors / Invocations before and after the split (undefined without invocations). */
  readonly errorRateBefore?: number;
  readonly errorRateAfter?: number;
  /** Throttles / (Invocations + Throttles) before and after the split. */
  readonly throttleRateBefore?: number;
  readonly throttleRateAfter?: number;
  /** Total Throttles over the whole window. */
  readonly totalThrottles: number;
}

/**
 * Summarise the metric series of `request` around the alarm. The split is `alarmTime` when given,
 * else the first point of the alarm metric (`metrics`) at or above the alarm threshold.
 */
export function summarizeMetrics(request: DiagnosisRequest): MetricSummary {
  const alarmSeries = sortByTime(request.metrics);
  const threshold = request.alarmDetails.threshold;
  let alarmBreaches = 0;
  let firstBreach: number | undefined;
  for (const p of alarmSeries) {
    // An unknown threshold finds no breach; the split then needs the alarm time.
    if (threshold !== undefined && p.value >= threshold) {
      alarmBreaches++;
      if (firstBreach === undefined) firstBreach = p.t;
    }
  }
  const alarmTime = request.alarmTime !== undefined ? Date.parse(request.alarmTime) : NaN;
  const split = Number.isFinite(alarmTime) ? alarmTime : firstBreach;
  const splitSource: SplitSource = Number.isFinite(alarmTime) ? 'alarmTime' : firstBreach !== undefined ? 'firstBreach' : 'none';

  const series: Record<string, SeriesSummary> = {};
  const named = request.metricSeries ?? {};
  for (const [name, points] of Object.entries(named)) {
    series[name] = summarizeSeries(name, sortByTime(points), split);
  }
  const alarmMetric = request.alarmDetails.metricName;
  if (series[alarmMetric] === undefined && alarmSeries.length > 0) {
    series[alarmMetric] = summarizeSeries(alarmMetric, alarmSeries, split);
  }

  const inv = series.Invocations;
  const err = series.Errors;
  const thr = series.Throttles;
  return {
    splitTime: split !== undefined ? new Date(split).toISOString() : undefined,
    splitSource,
    alarmBreaches,
    series,
    errorRateBefore: rate(err?.before.sum, inv?.before.sum),
    errorRateAfter: rate(err?.after.sum, inv?.after.sum),
    throttleRateBefore: rate(thr?.before.sum, (inv?.before.sum ?? 0) + (thr?.before.sum ?? 0)),
    throttleRateAfter: rate(thr?.after.sum, (inv?.after.sum ?? 0) + (thr?.after.sum ?? 0)),
    totalThrottles: (thr?.before.sum ?? 0) + (thr?.after.sum ?? 0),
  };
}

interface TimedPoint {
  readonly t: number;
  readonly value: number;
}

function sortByTime(points: readonly TimedValue[]): TimedPoint[] {
  const out: TimedPoint[] = [];
  for (const p of points) {
    const t = Date.parse(p.timestamp);
    if (Number.isFinite(t) && Number.isFinite(p.value)) out.push({ t, value: p.value });
  }
  return out.sort((a, b) => a.t - b.t);
}

function summarizeSeries(name: string, points: readonly TimedPoint[], split: number | undefined): SeriesSummary {
  const before = accumulator();
  const after = accumulator();
  for (const p of points) add(split !== undefined && p.t < split ? before : after, p.value);
  const b = stats(before);
  const a = stats(after);
  const change = b.mean !== undefined && a.mean !== undefined && b.mean !== 0 ? a.mean / b.mean - 1 : undefined;
  const trend = relativeTrend(points);
  const direction: TrendDirection = trend >= TREND_THRESHOLD ? 'rising' : trend <= -TREND_THRESHOLD ? 'falling' : 'flat';
  return { name, points: points.length, before: b, after: a, change, trend, direction };
}

function relativeTrend(points: readonly TimedPoint[]): number {
  const n = points.length;
  if (n < 3) return 0;
  // Work in minutes from the first point to keep the numbers small.
  const t0 = points[0].t;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const p of points) {
    const x = (p.t - t0) / 60000;
    sx += x; sy += p.value; sxx += x * x; sxy += x * p.value;
  }
  const denom = n * sxx - sx * sx;
  const mean = sy / n;
  if (denom === 0 || mean === 0) return 0;
  const slope = (n * sxy - sx * sy) / denom;
  const span = (points[n - 1].t - t0) / 60000;
  return (slope * span) / Math.abs(mean);
}

interface Accumulator { count: number; sum: number; max: number }

function accumulator(): Accumulator {
  return { count: 0, sum: 0, max: -Infinity };
}

function add(acc: Accumulator, value: number): void {
  acc.count++;
  acc.sum += value;
  if (value > acc.max) acc.max = value;
}

function stats(acc: Accumulator): WindowStats {
  return acc.count === 0 ? { count: 0, sum: 0 } : { count: acc.count, sum: acc.sum, mean: acc.sum / acc.count, max: acc.max };
}

function rate(numerator: number | undefined, denominator: number | undefined): number | undefined {
  return numerator !== undefined && denominator !== undefined && denominator > 0 ? numerator / denominator : undefined;
}
