/**
 * Reading the events that start the workflow. Pure: no AWS SDK. What an event alone can tell is
 * answered here; what needs CloudWatch (`DescribeAlarms`, `DescribeAlarmContributors`,
 * `GetMetricData`) is returned as a request for `alarms.ts` and normalize to fulfil.
 *
 * The shapes are the ones the CloudWatch User Guide prints, "Alarm events and EventBridge"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html),
 * copied verbatim in the shared `aws-events/` folder the tests feed:
 * - single-metric alarm: `configuration.metrics[0].metricStat`; threshold and datapoints in
 *   `state.reasonData` (a JSON string);
 * - metric-math alarm: several `metrics`, one returned expression (`returnData: true`) with a
 *   `label`; the alarm is about that expression, not about its first metric;
 * - anomaly-detection alarm: an `ANOMALY_DETECTION_BAND(m1, n)` expression; `reasonData` has
 *   `recentDatapoints`, `recentLowerThresholds`, `recentUpperThresholds` (no `threshold`);
 * - composite alarm: `configuration.alarmRule`, no `description`, the children that fired only in
 *   `reasonData.triggeringAlarms`; `state.actionsSuppressedBy` when a suppressor holds its actions;
 * - Metrics Insights (multi-time-series) alarm: an alarm-level event ("6 out of 6 time series
 *   evaluated to ALARM") and one `CloudWatch Alarm Contributor State Change` per contributor with
 *   `alarmContributor {id, attributes}` and `state {value, reason, timestamp}` only: no
 *   `reasonData`, no `previousState`, so no threshold and no value;
 * - `muteDetail {mutedByArn, muteWindowStart, muteWindowEnd}` on any of them: an alarm mute rule
 *   muted its actions (the alarm still changes state).
 * AWS documents no EventBridge event for log alarms, so a log alarm is never read from its event:
 * the event only names the alarm, and `DescribeAlarmContributors` says which functions are in ALARM.
 *
 * Besides these, the workflow starts executions itself (log alarm fan-out, re-examination after a
 * lock was released) with the shapes of `ContributorDetail` and `ReexamineDetail` in the contract.
 */
import { MalformedEventError } from './errors';
import type { AlarmEvent, ThresholdSource, ValueSource } from '../core/model';
import {
  AlarmKind,
  CONTRIBUTOR_DETAIL_TYPE,
  ContributorDetail,
  INTAKE_SOURCE,
  outcomeOf,
  PendingAlarm,
  REEXAMINE_DETAIL_TYPE,
  ReexamineDetail,
  FOLLOW_UP_DETAIL_TYPE,
  FollowUpDetail,
} from '../workflow/contract';

/** Detail types of the CloudWatch alarm events this workflow accepts. */
export const ALARM_DETAIL_TYPES = ['CloudWatch Alarm State Change', 'CloudWatch Alarm Contributor State Change'];

/**
 * Lambda metrics where a value below the anomaly band is good news, never a memory symptom: a
 * below-the-band breach on them is ignored. Other metrics keep the direction for the diagnosis.
 */
export const HIGHER_IS_WORSE_METRICS = ['Errors', 'Duration', 'Throttles', 'IteratorAge', 'ConcurrentExecutions'];

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}
function num(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}
function last<T>(xs: T[]): T | undefined {
  return xs.length > 0 ? xs[xs.length - 1] : undefined;
}

/** CloudWatch writes `+0000`; make it an ISO-8601 time JavaScript parses everywhere. */
export function toIsoTime(v: unknown, fallback: string): string {
  const s = str(v);
  if (!s) return fallback;
  const fixed = s.replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
  const d = new Date(fixed);
  return Number.isNaN(d.getTime()) ? fallback : d.toISOString();
}

/** The alarm an event is about, as far as the event says. */
export interface AlarmRef {
  readonly alarmName: string;
  readonly alarmArn: string;
  /** When the alarm (or contributor) changed state, ISO-8601. */
  readonly stateChangeTime: string;
  readonly stateValue: string;
  /** CloudWatch's own text; bounded so a huge composite reason cannot bloat the state. */
  readonly stateReason: string;
  /** `UNKNOWN` when the event has no previous state (contributor events). */
  readonly previousState: string;
}

/** A `GetMetricData` query that reads the alarm's value for one function. */
export interface MetricValueQuery {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  /** `Sum`, `Average`, `Maximum`, `Minimum`, `SampleCount` or a percentile such as `p99`. */
  readonly stat: string;
  readonly periodSeconds: number;
}

/** The function an alarm is about and what is known of its threshold and value. */
export interface AlarmTarget {
  readonly functionName: string;
  /** Alias or version (`Resource` dimension `name:qualifier`). */
  readonly qualifier?: string;
  readonly alarmKind: AlarmKind;
  /** The metric, or for metric math the returned expression's label (else the expression). */
  readonly metricName: string;
  readonly threshold?: number;
  readonly thresholdSource: ThresholdSource;
  readonly currentValue?: number;
  readonly valueSource: ValueSource;
  readonly direction?: 'ABOVE' | 'BELOW';
  readonly contributorId?: string;
  /** How to read the value with `GetMetricData` when the event has none. */
  readonly valueQuery?: MetricValueQuery;
}

/** What the event says, and what is left to look up. */
export type ParsedIntake =
  /** Nothing to do, and why. */
  | { readonly kind: 'ignored'; readonly reason: string; readonly alarmName?: string; readonly alarmKind?: AlarmKind; readonly functionName?: string; readonly qualifier?: string }
  /** The alarm's actions are muted or suppressed: no change. */
  | { readonly kind: 'suppressed'; readonly reason: string; readonly alarm: AlarmRef; readonly alarmKind?: AlarmKind; readonly functionName?: string; readonly qualifier?: string }
  /** The event names the function (threshold or value may still be unknown). */
  | { readonly kind: 'target'; readonly alarm: AlarmRef; readonly target: AlarmTarget }
  /** Ask `DescribeAlarms` what the alarm is (a log alarm, or a shape the event does not show). */
  | { readonly kind: 'lookupAlarm'; readonly alarm: AlarmRef; readonly contributorId?: string; readonly why: string }
  /** A composite alarm: its children that fired, by name, to resolve with `DescribeAlarms`. */
  | { readonly kind: 'composite'; readonly alarm: AlarmRef; readonly childAlarmNames: string[] }
  /** A further contributor of a log alarm, started by another execution. */
  | { readonly kind: 'contributor'; readonly detail: ContributorDetail }
  /** Re-examine a function after its lock was released. */
  | { readonly kind: 'reexamine'; readonly detail: ReexamineDetail }
  /** Look at a function again after a review or no-action outcome, while its alarm stays in ALARM. */
  | { readonly kind: 'followUp'; readonly detail: FollowUpDetail };

/** Options of {@link parseIntake}. */
export interface ParseOptions {
  /** Name prefix of the memory log alarms (`<prefix>-mem-`). */
  readonly logAlarmPrefix?: string;
}

/**
 * Read `event`. Throws {@link MalformedEventError} when it is neither an alarm state change nor
 * one of the workflow's own inputs; everything well formed gets a verdict or a lookup.
 */
export function parseIntake(event: unknown, now: Date, options: ParseOptions = {}): ParsedIntake {
  const e = obj(event);
  if (!e) throw new MalformedEventError(`event must be a json object, got ${event === null ? 'null' : typeof event}`);
  const detailType = str(e['detail-type']);
  if (e.source === INTAKE_SOURCE && (detailType === CONTRIBUTOR_DETAIL_TYPE || detailType === REEXAMINE_DETAIL_TYPE)) {
    return detailType === CONTRIBUTOR_DETAIL_TYPE
      ? { kind: 'contributor', detail: contributorDetail(e.detail) }
      : { kind: 'reexamine', detail: reexamineDetail(e.detail) };
  }
  if (e.source === INTAKE_SOURCE && detailType === FOLLOW_UP_DETAIL_TYPE) return { kind: 'followUp', detail: followUpDetail(e.detail) };
  if (!detailType || !ALARM_DETAIL_TYPES.includes(detailType)) {
    const accepted = [...ALARM_DETAIL_TYPES, CONTRIBUTOR_DETAIL_TYPE, REEXAMINE_DETAIL_TYPE, FOLLOW_UP_DETAIL_TYPE];
    throw new MalformedEventError(`event detail-type must be one of ${accepted.join(', ')}, got '${String(e['detail-type'])}'`);
  }
  const detail = obj(e.detail);
  const alarmName = str(detail?.alarmName);
  const state = obj(detail?.state);
  const stateValue = str(state?.value);
  if (!detail || !alarmName || !state || !stateValue) {
    throw new MalformedEventError(`alarm event '${String(e.id ?? '?')}' lacks detail.alarmName or detail.state.value`);
  }
  if (stateValue !== 'ALARM') {
    return { kind: 'ignored', reason: `alarm ${alarmName} went to ${stateValue}, not ALARM`, alarmName };
  }
  const resources = Array.isArray(e.resources) ? e.resources.filter((r): r is string => typeof r === 'string') : [];
  const alarm: AlarmRef = {
    alarmName,
    alarmArn: resources[0] ?? alarmName,
    stateChangeTime: toIsoTime(state.timestamp ?? e.time, now.toISOString()),
    stateValue,
    stateReason: (str(state.reason) ?? '').slice(0, 1000),
    previousState: str(obj(detail.previousState)?.value) ?? 'UNKNOWN',
  };
  const config = obj(detail.configuration) ?? {};
  const metrics = Array.isArray(config.metrics) ? config.metrics.map(eventQuery) : [];
  const reasonData = parseReasonData(state.reasonData);
  const contributor = obj(detail.alarmContributor);
  const contributorId = str(contributor?.id);
  const attributes = obj(contributor?.attributes) ?? {};

  // Muted or suppressed: the operator (or a suppressor alarm) said "not now", whatever the alarm is.
  const held = heldReason(alarmName, detail, state, alarm.stateChangeTime);
  if (held) {
    const known = metrics.length > 0 ? targetFromQueries(metrics, reasonData, alarm) : undefined;
    return {
      kind: 'suppressed',
      reason: held,
      alarm,
      ...(str(config.alarmRule) ? { alarmKind: 'COMPOSITE' as const } : {}),
      ...(known && 'target' in known ? { alarmKind: known.target.alarmKind, functionName: known.target.functionName, qualifier: known.target.qualifier } : {}),
    };
  }

  if (options.logAlarmPrefix && alarmName.startsWith(options.logAlarmPrefix)) {
    return { kind: 'lookupAlarm', alarm, ...(contributorId ? { contributorId } : {}), why: `log alarm (name starts with ${options.logAlarmPrefix})` };
  }

  if (contributor) {
    if (!contributorId) throw new MalformedEventError(`contributor event of alarm ${alarmName} lacks detail.alarmContributor.id`);
    const fn = str(attributes.FunctionName);
    if (fn && metrics.length > 0) {
      const split = splitResource(fn);
      const query = insightsQuery(metrics);
      const value = valueFromStateReason(alarm.stateReason);
      return {
        kind: 'target',
        alarm,
        target: {
          functionName: split.functionName,
          ...(split.qualifier ? { qualifier: split.qualifier } : {}),
          alarmKind: 'METRICS_INSIGHTS',
          metricName: query?.metricName ?? labelOrExpression(metrics) ?? 'Unknown',
          // Contributor events carry no threshold: normalize reads it from the alarm.
          thresholdSource: 'unknown',
          ...(value !== undefined ? { currentValue: value, valueSource: 'stateReason' as const } : { valueSource: 'unknown' as const }),
          contributorId,
          ...(query ? { valueQuery: { ...query, dimensions: { FunctionName: split.functionName } } } : {}),
        },
      };
    }
    if (fn || str(attributes.logGroup) || metrics.length === 0) {
      // No metrics in the configuration (a log alarm's event shape is undocumented): ask the alarm.
      return { kind: 'lookupAlarm', alarm, contributorId, why: 'contributor of an alarm the event does not describe' };
    }
    const names = Object.keys(attributes).join(', ') || 'none';
    return { kind: 'ignored', reason: `contributor ${contributorId} of alarm ${alarmName} names no Lambda function (attributes: ${names})`, alarmName, alarmKind: 'METRICS_INSIGHTS' };
  }

  if (str(config.alarmRule)) {
    const triggering = Array.isArray(reasonData.triggeringAlarms) ? reasonData.triggeringAlarms : [];
    const children = [...new Set(triggering.map((t) => alarmNameOfArn(str(obj(t)?.arn))).filter((n): n is string => n !== undefined))];
    if (children.length === 0) {
      return { kind: 'ignored', reason: `composite alarm ${alarmName} names no triggering alarm in its reasonData`, alarmName, alarmKind: 'COMPOSITE' };
    }
    return { kind: 'composite', alarm, childAlarmNames: children };
  }

  if (metrics.length === 0) {
    return { kind: 'lookupAlarm', alarm, why: 'the event carries no metrics (a log alarm, or a shape AWS does not document)' };
  }
  const query = metrics.find((m) => m.expression && isInsightsQuery(m.expression));
  if (query && /\bGROUP\s+BY\b/i.test(query.expression!)) {
    return {
      kind: 'ignored',
      reason: `alarm-level event of the multi-time-series alarm ${alarmName}: each contributor in ALARM has its own event`,
      alarmName,
      alarmKind: 'METRICS_INSIGHTS',
    };
  }
  const found = targetFromQueries(metrics, reasonData, alarm);
  if ('ignored' in found) return { kind: 'ignored', reason: found.ignored, alarmName, alarmKind: found.alarmKind };
  return { kind: 'target', alarm, target: found.target };
}

/** Why the alarm's actions are held back, or undefined when they are not. */
function heldReason(alarmName: string, detail: Json, state: Json, stateChangeTime: string): string | undefined {
  const suppressedBy = str(state.actionsSuppressedBy);
  if (suppressedBy) {
    return `actions of alarm ${alarmName} are suppressed (${suppressedBy}${str(state.actionsSuppressedReason) ? `: ${str(state.actionsSuppressedReason)}` : ''}); no change while suppressed`;
  }
  const mute = obj(detail.muteDetail);
  if (mute && muteCovers(mute, stateChangeTime)) {
    return `actions of alarm ${alarmName} are muted by ${str(mute.mutedByArn) ?? 'an alarm mute rule'} until ${toIsoTime(mute.muteWindowEnd, '?')}; no change while muted`;
  }
  return undefined;
}

/**
 * Whether a `muteDetail` window covers the state change. A mute rule mutes the alarm's actions
 * only within its window (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-alarmmuterule.html).
 */
export function muteCovers(mute: Json, stateChangeTime: string): boolean {
  const at = Date.parse(stateChangeTime);
  const start = Date.parse(toIsoTime(mute.muteWindowStart, ''));
  const end = Date.parse(toIsoTime(mute.muteWindowEnd, ''));
  if (!Number.isFinite(at)) return false;
  // A window without an end (or start) is open on that side.
  return (!Number.isFinite(start) || start <= at) && (!Number.isFinite(end) || at <= end);
}

function parseReasonData(raw: unknown): Json {
  const s = str(raw);
  if (!s) return {};
  try {
    return obj(JSON.parse(s)) ?? {};
  } catch {
    // reasonData is informational; a garbled one only loses threshold and value.
    return {};
  }
}

/** One metric of an alarm, from the event (`metricStat.metric.name`) or the API (`MetricStat.Metric.MetricName`). */
export interface MetricQuery {
  readonly id?: string;
  readonly expression?: string;
  readonly label?: string;
  readonly returnData?: boolean;
  readonly metric?: { readonly namespace?: string; readonly name?: string; readonly dimensions: Record<string, string> };
  readonly stat?: string;
  readonly periodSeconds?: number;
}

function eventQuery(m: unknown): MetricQuery {
  const q = obj(m) ?? {};
  const ms = obj(q.metricStat);
  const metric = obj(ms?.metric);
  const dims: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(metric?.dimensions) ?? {})) if (typeof v === 'string') dims[k] = v;
  return {
    id: str(q.id),
    expression: str(q.expression),
    label: str(q.label),
    returnData: typeof q.returnData === 'boolean' ? q.returnData : undefined,
    ...(metric ? { metric: { namespace: str(metric.namespace), name: str(metric.name), dimensions: dims } } : {}),
    stat: str(ms?.stat),
    periodSeconds: num(ms?.period) ?? num(q.period),
  };
}

/** The API's `MetricDataQuery` (DescribeAlarms `Metrics`) as a {@link MetricQuery}. */
export function apiQuery(m: {
  Id?: string;
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
  Period?: number;
  MetricStat?: {
    Metric?: { Namespace?: string; MetricName?: string; Dimensions?: Array<{ Name?: string; Value?: string }> };
    Stat?: string;
    Period?: number;
  };
}): MetricQuery {
  const metric = m.MetricStat?.Metric;
  return {
    id: m.Id,
    expression: m.Expression,
    label: m.Label,
    returnData: m.ReturnData,
    ...(metric ? { metric: { namespace: metric.Namespace, name: metric.MetricName, dimensions: dimensionMap(metric.Dimensions) } } : {}),
    stat: m.MetricStat?.Stat,
    periodSeconds: m.MetricStat?.Period ?? m.Period,
  };
}

/** `[{Name, Value}]` as a map. */
export function dimensionMap(dims: Array<{ Name?: string; Value?: string }> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of dims ?? []) if (d.Name && d.Value !== undefined) out[d.Name] = d.Value;
  return out;
}

/** `name:qualifier`, `name`, or a function ARN with an optional qualifier. */
export function splitResource(resource: string): { functionName: string; qualifier?: string } {
  const arn = resource.match(/^arn:[^:]+:lambda:[^:]*:\d*:function:([^:]+)(?::(.+))?$/);
  if (arn) return { functionName: arn[1], ...(arn[2] ? { qualifier: arn[2] } : {}) };
  const [name, qualifier] = resource.split(':');
  return { functionName: name, ...(qualifier ? { qualifier } : {}) };
}

/** The function (and qualifier) one metric's dimensions name, if any. */
function functionOfDimensions(dims: Record<string, string>): { functionName: string; qualifier?: string } | undefined {
  const fn = str(dims.FunctionName);
  const resource = str(dims.Resource);
  if (!fn) return resource ? splitResource(resource) : undefined;
  const split = resource ? splitResource(resource) : undefined;
  return { functionName: fn, ...(split && split.functionName === fn && split.qualifier ? { qualifier: split.qualifier } : {}) };
}

const ANOMALY_BAND = /ANOMALY_DETECTION_BAND\s*\(\s*([A-Za-z0-9_]+)/i;

function isInsightsQuery(expression: string): boolean {
  return /^\s*SELECT\b/i.test(expression);
}

/** The returned expression's label, else its text. */
function labelOrExpression(queries: MetricQuery[]): string | undefined {
  const returned = queries.find((q) => q.expression && q.returnData !== false);
  return returned ? returned.label ?? returned.expression : undefined;
}

/**
 * The function and numbers of a metric, metric-math or anomaly-detection alarm, from its metric
 * queries and the `reasonData` of the state change. `alarm.stateReason` backs up a missing
 * `reasonData`.
 */
export function targetFromQueries(
  queries: MetricQuery[], reasonData: Json, alarm: Pick<AlarmRef, 'alarmName' | 'stateReason'>,
): { target: AlarmTarget } | { ignored: string; alarmKind: AlarmKind } {
  const datapoints = numbers(reasonData.recentDatapoints);
  const band = queries.find((q) => q.expression && ANOMALY_BAND.test(q.expression));
  if (band) {
    const bandOf = band.expression!.match(ANOMALY_BAND)![1];
    const watched = queries.find((q) => q.id === bandOf && q.metric);
    const fn = watched?.metric ? functionOfDimensions(watched.metric.dimensions) : undefined;
    if (!fn) return { ignored: `anomaly alarm ${alarm.alarmName} watches no Lambda function (${describeMetric(watched)})`, alarmKind: 'ANOMALY_DETECTION' };
    const metricName = watched!.metric!.name ?? 'Unknown';
    const value = last(datapoints);
    const lower = last(numbers(reasonData.recentLowerThresholds));
    const upper = last(numbers(reasonData.recentUpperThresholds));
    const direction = value === undefined ? undefined
      : lower !== undefined && value < lower ? 'BELOW' as const
        : upper !== undefined && value > upper ? 'ABOVE' as const : undefined;
    if (direction === 'BELOW' && HIGHER_IS_WORSE_METRICS.includes(metricName)) {
      return {
        ignored: `anomaly alarm ${alarm.alarmName}: ${metricName} of ${fn.functionName} is ${value} (below the expected band, lower bound ${lower}); less ${metricName} is not a memory problem`,
        alarmKind: 'ANOMALY_DETECTION',
      };
    }
    return {
      target: {
        ...fn,
        alarmKind: 'ANOMALY_DETECTION',
        metricName,
        ...(upper !== undefined ? { threshold: upper, thresholdSource: 'anomalyBand' as const } : { thresholdSource: 'unknown' as const }),
        ...(value !== undefined ? { currentValue: value, valueSource: 'reasonData' as const } : { valueSource: 'unknown' as const }),
        ...(direction ? { direction } : {}),
      },
    };
  }

  const withMetric = queries.filter((q) => q.metric);
  const isMath = queries.some((q) => q.expression);
  const alarmKind: AlarmKind = isMath ? 'METRIC_MATH' : 'METRIC';
  const functions = new Map<string, { functionName: string; qualifier?: string }>();
  for (const q of withMetric) {
    const fn = functionOfDimensions(q.metric!.dimensions);
    if (fn) functions.set(`${fn.functionName}:${fn.qualifier ?? ''}`, fn);
  }
  const names = [...new Set([...functions.values()].map((f) => f.functionName))];
  if (names.length === 0) {
    return { ignored: `alarm ${alarm.alarmName} names no Lambda function (${withMetric.map(describeMetric).join('; ') || 'no metric'})`, alarmKind };
  }
  if (names.length > 1) {
    return { ignored: `alarm ${alarm.alarmName} combines the metrics of several functions (${names.join(', ')}); one execution handles one function`, alarmKind };
  }
  const fn = [...functions.values()][0];
  const single = !isMath ? withMetric[0] : undefined;
  const metricName = isMath ? labelOrExpression(queries) ?? 'Unknown' : single?.metric?.name ?? 'Unknown';
  let threshold = num(reasonData.threshold);
  let thresholdSource: ThresholdSource = threshold !== undefined ? 'reasonData' : 'unknown';
  if (threshold === undefined) {
    threshold = thresholdFromStateReason(alarm.stateReason);
    if (threshold !== undefined) thresholdSource = 'stateReason';
  }
  let value = last(datapoints);
  let valueSource: ValueSource = value !== undefined ? 'reasonData' : 'unknown';
  if (value === undefined) {
    value = valueFromStateReason(alarm.stateReason);
    if (value !== undefined) valueSource = 'stateReason';
  }
  const m = single?.metric;
  return {
    target: {
      ...fn,
      alarmKind,
      metricName,
      ...(threshold !== undefined ? { threshold } : {}),
      thresholdSource,
      ...(value !== undefined ? { currentValue: value } : {}),
      valueSource,
      ...(m?.namespace && m.name && single?.stat ? {
        valueQuery: {
          namespace: m.namespace, metricName: m.name, dimensions: m.dimensions, stat: single.stat, periodSeconds: single.periodSeconds ?? 60,
        },
      } : {}),
    },
  };
}

function describeMetric(q: MetricQuery | undefined): string {
  if (!q?.metric) return 'no metric';
  const dims = Object.entries(q.metric.dimensions).map(([k, v]) => `${k}=${v}`).join(',');
  return `${q.metric.namespace ?? '?'}/${q.metric.name ?? '?'}${dims ? ` ${dims}` : ''}`;
}

function numbers(v: unknown): number[] {
  return Array.isArray(v) ? v.map(num).filter((n): n is number => n !== undefined) : [];
}

const STATS: Record<string, string> = { SUM: 'Sum', AVG: 'Average', MAX: 'Maximum', MIN: 'Minimum', COUNT: 'SampleCount' };

/**
 * The metric a Metrics Insights alarm selects, as a per-function `GetMetricData` query:
 * `SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) ...` or `FROM "AWS/Lambda"`
 * (grammar: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html).
 */
export function insightsQuery(queries: MetricQuery[]): Omit<MetricValueQuery, 'dimensions'> | undefined {
  for (const q of queries) {
    const m = q.expression?.match(/^\s*SELECT\s+(SUM|AVG|MAX|MIN|COUNT)\s*\(\s*"?([A-Za-z0-9_.\-]+)"?\s*\)\s+FROM\s+(?:SCHEMA\s*\(\s*)?"?([A-Za-z0-9_./\-]+)"?/i);
    if (m) return { stat: STATS[m[1].toUpperCase()], metricName: m[2], namespace: m[3], periodSeconds: q.periodSeconds ?? 60 };
  }
  return undefined;
}

/**
 * The value in a CloudWatch state reason: the contributor form "The most recent datapoint which
 * crossed the threshold: [0.0 (01/12/25 13:34:00)]", or the last datapoint of the classic form
 * "1 out of the last 1 datapoints [99.5 (02/10/19 16:59:00)] was greater than ...".
 */
export function valueFromStateReason(reason: string): number | undefined {
  const recent = reason.match(/most recent datapoint which crossed the threshold:\s*\[\s*(-?[\d.]+(?:[eE][-+]?\d+)?)\s*\(/i);
  if (recent) return num(recent[1]);
  const classic = reason.match(/datapoints?\s*\[([^\]]*)\]/i);
  if (classic) {
    const values = [...classic[1].matchAll(/(-?[\d.]+(?:[eE][-+]?\d+)?)\s*\(/g)].map((x) => num(x[1])).filter((n): n is number => n !== undefined);
    return last(values);
  }
  return undefined;
}

/** The threshold in a CloudWatch state reason ("... the threshold (1.0)"). */
export function thresholdFromStateReason(reason: string): number | undefined {
  const m = reason.match(/the threshold \((-?[\d.]+(?:[eE][-+]?\d+)?)\)/i);
  return m ? num(m[1]) : undefined;
}

/** `arn:aws:cloudwatch:<region>:<account>:alarm:<name>` → `<name>` (names may contain `:`). */
export function alarmNameOfArn(arn: string | undefined): string | undefined {
  const m = arn?.match(/^arn:[^:]+:cloudwatch:[^:]*:[^:]*:alarm:(.+)$/);
  return m ? m[1] : undefined;
}

/**
 * The function a log alarm contributor stands for: the attribute `FunctionName`, or the
 * attribute `logGroup` (`/aws/lambda/<name>`, or a custom log group through `logGroupFunctions`).
 */
export function functionOfContributor(
  attributes: Record<string, string>, logGroupFunctions: Record<string, string> = {},
): string | undefined {
  if (str(attributes.FunctionName)) return splitResource(attributes.FunctionName).functionName;
  const group = str(attributes.logGroup);
  if (!group) return undefined;
  // `@log` is `<account>:<log group name>`; the query keeps the name, but accept both.
  const name = group.replace(/^\d{12}:/, '');
  if (logGroupFunctions[name]) return logGroupFunctions[name];
  const m = name.match(/^\/aws\/lambda\/([A-Za-z0-9_-]{1,64})$/);
  return m ? m[1] : undefined;
}

/** The seed's alarm event for a target. */
export function toAlarmEvent(alarm: AlarmRef, target: AlarmTarget): AlarmEvent {
  return {
    alarmId: target.contributorId ? `${alarm.alarmArn}#${target.contributorId}` : alarm.alarmArn,
    alarmName: alarm.alarmName,
    functionName: target.functionName,
    metricName: target.metricName,
    ...(target.threshold !== undefined ? { threshold: target.threshold } : {}),
    thresholdSource: target.threshold !== undefined ? target.thresholdSource : 'unknown',
    ...(target.currentValue !== undefined ? { currentValue: target.currentValue } : {}),
    valueSource: target.currentValue !== undefined ? target.valueSource : 'unknown',
    ...(target.direction ? { direction: target.direction } : {}),
    stateChangeTime: alarm.stateChangeTime,
    previousState: alarm.previousState,
    currentState: alarm.stateValue,
    stateReason: alarm.stateReason,
  };
}

function contributorDetail(v: unknown): ContributorDetail {
  const d = obj(v);
  const fields = ['alarmName', 'functionName', 'contributorId', 'stateTimestamp'] as const;
  const missing = fields.filter((f) => !str(d?.[f]));
  if (!d || missing.length > 0) throw new MalformedEventError(`${CONTRIBUTOR_DETAIL_TYPE} input lacks detail.${missing.join(', detail.') || 'alarmName'}`);
  return {
    alarmName: str(d.alarmName)!,
    functionName: str(d.functionName)!,
    contributorId: str(d.contributorId)!,
    reason: (str(d.reason) ?? '').slice(0, 1000),
    stateTimestamp: str(d.stateTimestamp)!,
  };
}

function reexamineDetail(v: unknown): ReexamineDetail {
  const d = obj(v);
  const alarms: PendingAlarm[] = (Array.isArray(d?.alarms) ? d!.alarms : [])
    .map((a) => obj(a))
    .filter((a): a is Json => !!a && !!str(a.alarmName))
    .map((a) => ({ alarmName: str(a.alarmName)!, ...(str(a.contributorId) ? { contributorId: str(a.contributorId)! } : {}) }));
  if (!d || !str(d.functionName) || alarms.length === 0) {
    throw new MalformedEventError(`${REEXAMINE_DETAIL_TYPE} input needs detail.functionName and at least one detail.alarms[].alarmName`);
  }
  const previousOutcome = outcomeOf(d.previousOutcome);
  return {
    functionName: str(d.functionName)!,
    alarms,
    previousExecutionId: str(d.previousExecutionId) ?? 'unknown',
    // Only an outcome this workflow knows; anything else is as if none was said.
    ...(previousOutcome ? { previousOutcome } : {}),
    reason: (str(d.reason) ?? '').slice(0, 500),
  };
}

function followUpDetail(v: unknown): FollowUpDetail {
  const d = obj(v);
  const base = reexamineDetail(v);
  const round = d?.round;
  const wait = d?.waitSeconds;
  const b = obj(d?.baseline);
  if (typeof round !== 'number' || !Number.isInteger(round) || round < 1 || typeof wait !== 'number' || !(wait >= 0) || !b || !str(b.at) || !str(b.action)) {
    throw new MalformedEventError(`${FOLLOW_UP_DETAIL_TYPE} input needs detail.round (a whole number from 1), detail.waitSeconds and detail.baseline.at / .action`);
  }
  const count = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : undefined);
  return {
    functionName: base.functionName,
    alarms: base.alarms,
    previousExecutionId: base.previousExecutionId,
    round,
    waitSeconds: wait,
    baseline: {
      at: str(b.at)!,
      action: str(b.action)!,
      ...(str(b.category) ? { category: str(b.category)! } : {}),
      ...(count(b.memoryFailures) !== undefined ? { memoryFailures: count(b.memoryFailures)! } : {}),
      ...(count(b.invocations) !== undefined ? { invocations: count(b.invocations)! } : {}),
    },
  };
}

/** Evaluation periods hinted by the event (number of recent datapoints), at least 1. */
export function evaluationPeriodsOf(event: unknown): number {
  const state = obj(obj(obj(event)?.detail)?.state);
  try {
    const rd = obj(JSON.parse(str(state?.reasonData) ?? '{}'));
    const n = Array.isArray(rd?.recentDatapoints) ? rd!.recentDatapoints.length : 0;
    return Math.max(1, n);
  } catch {
    return 1;
  }
}
