/**
 * The simulated CloudWatch: `GetMetricData` (MetricStat, metric math, Metrics Insights) over the
 * metric store, `DescribeAlarms`, and alarms evaluated every minute with their real
 * configuration (period, evaluation periods, datapoints to alarm, missing-data treatment), which
 * emit "CloudWatch Alarm State Change" events (and "... Contributor State Change" for
 * multi-time-series Metrics Insights alarms) in the shape EventBridge delivers.
 */
import { InvalidParameterValueException } from '@aws-sdk/client-cloudwatch';
import { VirtualClock } from '../clock';
import { SeededRandom } from '../random';
import { SIM_ACCOUNT, SIM_REGION } from './lambda-service';
import { Dimensions, evaluateMathExpression, MetricStore, parseInsightsQuery, runInsightsQuery, Series } from './metrics';

/** One query of an alarm (the `Metrics` property of AWS::CloudWatch::Alarm). */
export interface AlarmMetricQuery {
  readonly id: string;
  readonly expression?: string;
  readonly metricStat?: {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Dimensions;
    readonly period: number;
    readonly stat: string;
  };
  readonly period?: number;
  readonly label?: string;
  readonly returnData?: boolean;
}

/** An alarm as configured (AWS::CloudWatch::Alarm properties, camel-cased). */
export interface AlarmSpec {
  readonly alarmName: string;
  readonly alarmDescription?: string;
  /** Single-metric form. */
  readonly namespace?: string;
  readonly metricName?: string;
  readonly dimensions?: Dimensions;
  readonly statistic?: string;
  readonly period?: number;
  /** Metric math / Metrics Insights form. */
  readonly metrics?: AlarmMetricQuery[];
  readonly threshold: number;
  readonly comparisonOperator: string;
  readonly evaluationPeriods: number;
  /** @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
  /** `missing` (default), `ignore`, `breaching`, `notBreaching`. */
  readonly treatMissingData?: string;
}

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** An alarm state change: what the alarm (or one contributor) went to and why. */
export interface AlarmTransition {
  readonly alarmName: string;
  readonly contributor?: Dimensions;
  readonly from: AlarmStateValue;
  readonly to: AlarmStateValue;
  readonly at: number;
  readonly reason: string;
  /** The EventBridge event as delivered. */
  readonly event: Record<string, unknown>;
}

interface AlarmState {
  value: AlarmStateValue;
  since: number;
  reason: string;
}

/** Result of evaluating one series against an alarm. */
export interface Evaluation {
  readonly state: AlarmStateValue | 'RETAIN';
  readonly breaching: number;
  readonly present: number;
  /** Values of the evaluation range, oldest first; undefined where data is missing. */
  readonly values: Array<number | undefined>;
  readonly timestamps: number[];
}

export class CloudWatchService {
  private readonly alarms = new Map<string, { spec: AlarmSpec; states: Map<string, AlarmState> }>();
  private readonly transitionsLog: AlarmTransition[] = [];

  constructor(private readonly clock: VirtualClock, private readonly random: SeededRandom, public readonly store: MetricStore) {}

  public addAlarm(spec: AlarmSpec): void {
    if (!(spec.evaluationPeriods >= 1)) throw new AlarmConfigError(`alarm ${spec.alarmName} needs evaluationPeriods >= 1, got ${spec.evaluationPeriods}`);
    const n = spec.datapointsToAlarm ?? spec.evaluationPeriods;
    if (n < 1 || n > spec.evaluationPeriods) throw new AlarmConfigError(`alarm ${spec.alarmName} has datapointsToAlarm ${n} outside 1..${spec.evaluationPeriods}`);
    this.alarms.set(spec.alarmName, { spec, states: new Map() });
  }

  public alarmNames(): string[] {
    return [...this.alarms.keys()];
  }

  /** Every state change so far, in order. */
  public transitions(): AlarmTransition[] {
    return [...this.transitionsLog];
  }

  /** State of an alarm (or of one contributor, keyed by its dimensions JSON). */
  public stateOf(alarmName: string, contributor?: Dimensions): AlarmStateValue {
    return this.alarms.get(alarmName)?.states.get(contributor ? JSON.stringify(contributor) : '')?.value ?? 'INSUFFICIENT_DATA';
  }

  /**
   * Evaluate every alarm at virtual time `at` (an evaluation happens each minute). Returns the
   * transitions, each with the EventBridge event CloudWatch would send.
   */
  public evaluateAlarms(at: number): AlarmTransition[] {
    const out: AlarmTransition[] = [];
    for (const { spec, states } of this.alarms.values()) {
      const period = alarmPeriod(spec);
      const periodMs = period * 1000;
      // Only complete periods are evaluated: the range ends at the last period boundary.
      const end = Math.floor(at / periodMs) * periodMs;
      const start = end - spec.evaluationPeriods * periodMs;
      for (const series of this.alarmSeries(spec, start, end)) {
        const key = series.group ? JSON.stringify(series.group) : '';
        const prev = states.get(key) ?? { value: 'INSUFFICIENT_DATA' as AlarmStateValue, since: at, reason: 'Unchecked: Initial alarm creation' };
        const ev = evaluateSeries(spec, series, start, periodMs);
        const next = ev.state === 'RETAIN' ? prev.value : ev.state;
        if (next !== prev.value) {
          const reason = reasonText(spec, ev, next);
          const transition: AlarmTransition = {
            alarmName: spec.alarmName,
            ...(series.group ? { contributor: series.group } : {}),
            from: prev.value,
            to: next,
            at,
            reason,
            event: this.stateChangeEvent(spec, series.group, prev, { value: next, since: at, reason }, ev, period),
          };
          out.push(transition);
          this.transitionsLog.push(transition);
          states.set(key, { value: next, since: at, reason });
        } else if (!states.has(key)) {
          states.set(key, prev);
        }
      }
    }
    return out;
  }

  /** `GetMetricData` as the SDK calls it. */
  public getMetricData(input: {
    MetricDataQueries?: Array<Record<string, any>>;
    StartTime?: Date | string | number;
    EndTime?: Date | string | number;
    ScanBy?: string;
    NextToken?: string;
  }): Record<string, unknown> {
    const start = toMs(input.StartTime);
    const end = toMs(input.EndTime);
    if (!(end > start)) throw new InvalidParameterValueException({ message: `The parameter EndTime must be greater than StartTime (${start} >= ${end}).`, $metadata: { httpStatusCode: 400 } });
    const queries = input.MetricDataQueries ?? [];
    const computed = new Map<string, Series[]>();
    for (const q of queries) {
      if (q.MetricStat) {
        const ms = q.MetricStat;
        const dims: Dimensions = Object.fromEntries((ms.Metric?.Dimensions ?? []).map((d: { Name: string; Value: string }) => [d.Name, d.Value]));
        const id = { namespace: ms.Metric?.Namespace, metricName: ms.Metric?.MetricName, dimensions: dims };
        const s = this.store.statSeries(id, ms.Stat, ms.Period ?? 60, start, end);
        computed.set(q.Id, [{ label: q.Label ?? ms.Metric?.MetricName, ...s }]);
      }
    }
    for (const q of queries) {
      if (!q.Expression) continue;
      const expr: string = q.Expression;
      if (/^\s*SELECT\s/i.test(expr)) {
        computed.set(q.Id, runInsightsQuery(this.store, parseInsightsQuery(expr), q.Period ?? 60, start, end));
      } else {
        const singles = new Map<string, Series>([...computed.entries()].filter(([, v]) => v.length === 1).map(([k, v]) => [k, v[0]]));
        computed.set(q.Id, [{ ...evaluateMathExpression(expr, singles), label: q.Label ?? q.Id }]);
      }
    }
    const descending = (input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';
    const results: Array<Record<string, unknown>> = [];
    for (const q of queries) {
      if (q.ReturnData === false) continue;
      for (const s of computed.get(q.Id) ?? []) {
        const idx = s.timestamps.map((_, i) => i);
        if (descending) idx.reverse();
        results.push({
          Id: q.Id,
          Label: s.label,
          Timestamps: idx.map((i) => new Date(s.timestamps[i])),
          Values: idx.map((i) => s.values[i]),
          StatusCode: 'Complete',
        });
      }
    }
    return { MetricDataResults: results, Messages: [] };
  }

  /** `DescribeAlarms` (metric alarms only), in the API's shape. */
  public describeAlarms(input: { AlarmNames?: string[]; AlarmNamePrefix?: string }): Record<string, unknown> {
    const wanted = [...this.alarms.values()].filter(({ spec }) =>
      (!input.AlarmNames || input.AlarmNames.includes(spec.alarmName))
      && (!input.AlarmNamePrefix || spec.alarmName.startsWith(input.AlarmNamePrefix)));
    return {
      MetricAlarms: wanted.map(({ spec, states }) => ({
        AlarmName: spec.alarmName,
        AlarmArn: alarmArn(spec.alarmName),
        AlarmDescription: spec.alarmDescription,
        StateValue: states.get('')?.value ?? ([...states.values()].some((s) => s.value === 'ALARM') ? 'ALARM' : 'OK'),
        MetricName: spec.metricName,
        Namespace: spec.namespace,
        Statistic: spec.statistic,
        Dimensions: spec.dimensions ? Object.entries(spec.dimensions).map(([Name, Value]) => ({ Name, Value })) : undefined,
        Period: spec.period,
        EvaluationPeriods: spec.evaluationPeriods,
        DatapointsToAlarm: spec.datapointsToAlarm,
        Threshold: spec.threshold,
        ComparisonOperator: spec.comparisonOperator,
        TreatMissingData: spec.treatMissingData,
        Metrics: spec.metrics?.map(toApiQuery),
      })),
      CompositeAlarms: [],
    };
  }

  /** The series an alarm evaluates over [start, end): one, or one per Metrics Insights contributor. */
  private alarmSeries(spec: AlarmSpec, start: number, end: number): Series[] {
    if (spec.metricName && spec.namespace) {
      const s = this.store.statSeries({ namespace: spec.namespace, metricName: spec.metricName, dimensions: spec.dimensions ?? {} }, spec.statistic ?? 'Average', spec.period ?? 60, start, end);
      return [{ label: spec.metricName, ...s }];
    }
    const queries = spec.metrics ?? [];
    const returned = queries.find((q) => q.returnData !== false) ?? queries[queries.length - 1];
    const insights = returned?.expression && /^\s*SELECT\s/i.test(returned.expression) ? parseInsightsQuery(returned.expression) : undefined;
    const groupKeys = insights?.groupBy ?? [];
    let seriesOf: Series[];
    if (insights) {
      seriesOf = runInsightsQuery(this.store, insights, returned.period ?? 60, start, end);
    } else {
      const res = this.getMetricData({
        MetricDataQueries: queries.map(toApiQuery),
        StartTime: start,
        EndTime: end,
        ScanBy: 'TimestampAscending',
      }).MetricDataResults as Array<{ Id: string; Label: string; Timestamps: Date[]; Values: number[] }>;
      seriesOf = res
        .filter((r) => r.Id === returned?.id)
        .map((r) => ({ label: r.Label, timestamps: r.Timestamps.map((d) => d.getTime()), values: r.Values }));
    }
    if (groupKeys.length) {
      // Contributors that stopped reporting still need evaluating (missing data), so keep known ones.
      const known = [...(this.alarms.get(spec.alarmName)?.states.keys() ?? [])].filter((k) => k !== '');
      for (const k of known) {
        if (!seriesOf.some((s) => JSON.stringify(s.group) === k)) seriesOf.push({ label: k, timestamps: [], values: [], group: JSON.parse(k) });
      }
      return seriesOf;
    }
    return seriesOf.length ? seriesOf : [{ label: returned?.label ?? spec.alarmName, timestamps: [], values: [] }];
  }

  private stateChangeEvent(
    spec: AlarmSpec,
    contributor: Dimensions | undefined,
    prev: AlarmState,
    next: AlarmState,
    ev: Evaluation,
    period: number,
  ): Record<string, unknown> {
    const time = new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const cwTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
    const reasonData = JSON.stringify({
      version: '1.0',
      queryDate: cwTime(this.clock.now()),
      startDate: cwTime(ev.timestamps[0] ?? this.clock.now()),
      ...(spec.statistic ? { statistic: spec.statistic } : {}),
      period,
      recentDatapoints: ev.values.filter((v): v is number => v !== undefined),
      threshold: spec.threshold,
      evaluatedDatapoints: ev.timestamps
        .map((t, i) => ({ timestamp: cwTime(t), ...(ev.values[i] !== undefined ? { sampleCount: 1, value: ev.values[i] } : {}) }))
        .reverse(),
    });
    const metrics = spec.metrics
      ? spec.metrics.map((q) => ({
        id: q.id,
        ...(q.expression ? { expression: q.expression } : {}),
        ...(q.metricStat ? {
          metricStat: {
            metric: { namespace: q.metricStat.namespace, name: q.metricStat.metricName, dimensions: q.metricStat.dimensions },
            period: q.metricStat.period,
            stat: q.metricStat.stat,
          },
        } : {}),
        ...(q.label ? { label: q.label } : {}),
        ...(q.period ? { period: q.period } : {}),
        returnData: q.returnData ?? true,
      }))
      : [{
        id: 'm1',
        metricStat: {
          metric: { namespace: spec.namespace, name: spec.metricName, dimensions: spec.dimensions ?? {} },
          period,
          stat: spec.statistic ?? 'Average',
        },
        returnData: true,
      }];
    const detail: Record<string, unknown> = {
      alarmName: spec.alarmName,
      state: { value: next.value, reason: next.reason, reasonData, timestamp: cwTime(next.since) },
      previousState: { value: prev.value, reason: prev.reason, timestamp: cwTime(prev.since) },
      configuration: { ...(spec.alarmDescription ? { description: spec.alarmDescription } : {}), metrics },
    };
    if (contributor) {
      detail.alarmContributor = { id: this.random.uuid().replace(/-/g, '').slice(0, 16), attributes: contributor };
    }
    return {
      'version': '0',
      'id': this.random.uuid(),
      'detail-type': contributor ? 'CloudWatch Alarm Contributor State Change' : 'CloudWatch Alarm State Change',
      'source': 'aws.cloudwatch',
      'account': SIM_ACCOUNT,
      time,
      'region': SIM_REGION,
      'resources': [alarmArn(spec.alarmName)],
      detail,
    };
  }
}

/**
 * Evaluate one series over the alarm's evaluation range [start, start + M periods).
 *
 * Missing data, as CloudWatch documents it: `breaching` and `notBreaching` fill the gaps;
 * `ignore` and `missing` evaluate the datapoints that exist, `ignore` keeps the current state and
 * `missing` goes to INSUFFICIENT_DATA when none exists. ALARM needs at least DatapointsToAlarm
 * breaching datapoints among the last EvaluationPeriods.
 */
export function evaluateSeries(spec: AlarmSpec, series: { timestamps: number[]; values: number[] }, start: number, periodMs: number): Evaluation {
  const m = spec.evaluationPeriods;
  const n = spec.datapointsToAlarm ?? m;
  const treat = spec.treatMissingData ?? 'missing';
  const timestamps: number[] = [];
  const values: Array<number | undefined> = [];
  for (let i = 0; i < m; i++) {
    const t = start + i * periodMs;
    timestamps.push(t);
    const idx = series.timestamps.indexOf(t);
    values.push(idx >= 0 && Number.isFinite(series.values[idx]) ? series.values[idx] : undefined);
  }
  let breaching = 0;
  let present = 0;
  for (const v of values) {
    if (v === undefined) {
      if (treat === 'breaching') breaching++;
      continue;
    }
    present++;
    if (breaches(spec.comparisonOperator, v, spec.threshold)) breaching++;
  }
  let state: Evaluation['state'];
  if (breaching >= n) state = 'ALARM';
  else if (present === 0 && treat === 'missing') state = 'INSUFFICIENT_DATA';
  else if (present === 0 && treat === 'ignore') state = 'RETAIN';
  else state = 'OK';
  return { state, breaching, present, values, timestamps };
}

export function breaches(op: string, value: number, threshold: number): boolean {
  switch (op) {
    case 'GreaterThanThreshold': return value > threshold;
    case 'GreaterThanOrEqualToThreshold': return value >= threshold;
    case 'LessThanThreshold': return value < threshold;
    case 'LessThanOrEqualToThreshold': return value <= threshold;
    default: throw new AlarmConfigError(`unsupported comparison operator '${op}'`);
  }
}

const OP_WORDS: Record<string, string> = {
  GreaterThanThreshold: 'greater than',
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

function reasonText(spec: AlarmSpec, ev: Evaluation, to: AlarmStateValue): string {
  const n = spec.datapointsToAlarm ?? spec.evaluationPeriods;
  const fmt = (t: number) => {
    const d = new Date(t);
    const p = (x: number) => String(x).padStart(2, '0');
    return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${String(d.getUTCFullYear()).slice(2)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:00`;
  };
  const points = ev.values.map((v, i) => (v === undefined ? undefined : `${v.toFixed(1)} (${fmt(ev.timestamps[i])})`)).filter((x) => x).reverse();
  if (to === 'INSUFFICIENT_DATA') return 'Insufficient Data: no datapoints were received for the evaluation range.';
  const word = to === 'ALARM' ? 'were' : 'was not';
  return `Threshold Crossed: ${ev.breaching} out of the last ${spec.evaluationPeriods} datapoints ${word} ${OP_WORDS[spec.comparisonOperator] ?? spec.comparisonOperator} the threshold (${spec.threshold.toFixed(1)}) [${points.join(', ')}] (minimum ${n} datapoint${n === 1 ? '' : 's'} for OK -> ALARM transition).`;
}

export function alarmArn(name: string): string {
  return `arn:aws:cloudwatch:${SIM_REGION}:${SIM_ACCOUNT}:alarm:${name}`;
}

function alarmPeriod(spec: AlarmSpec): number {
  if (spec.period) return spec.period;
  const q = spec.metrics?.find((m) => m.returnData !== false) ?? spec.metrics?.[0];
  return q?.period ?? q?.metricStat?.period ?? 60;
}

function toApiQuery(q: AlarmMetricQuery): Record<string, unknown> {
  return {
    Id: q.id,
    ...(q.expression ? { Expression: q.expression } : {}),
    ...(q.metricStat ? {
      MetricStat: {
        Metric: {
          Namespace: q.metricStat.namespace,
          MetricName: q.metricStat.metricName,
          Dimensions: Object.entries(q.metricStat.dimensions).map(([Name, Value]) => ({ Name, Value })),
        },
        Period: q.metricStat.period,
        Stat: q.metricStat.stat,
      },
    } : {}),
    ...(q.period ? { Period: q.period } : {}),
    ...(q.label ? { Label: q.label } : {}),
    ReturnData: q.returnData ?? true,
  };
}

function toMs(v: Date | string | number | undefined): number {
  if (v === undefined) return NaN;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  return new Date(v).getTime();
}

export class AlarmConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlarmConfigError';
  }
}
