/**
 * Normalize an EventBridge alarm state-change event into the seed's alarm event model. Pure.
 *
 * Shapes handled:
 * - single-metric alarms on `AWS/Lambda` (dimension `FunctionName`, optionally `Resource`
 *   `name:alias` which gives the qualifier);
 * - metric-math alarms: the function comes from the first metric of the expression that names one;
 * - Metrics Insights alarms (`SELECT MAX(Errors) FROM "AWS/Lambda" GROUP BY FunctionName`): the
 *   per-contributor event names the function in the contributor's attributes;
 * - composite alarms: the function is named in the alarm description as `FunctionName=<name>`
 *   (the monitoring construct writes it there), or in the alarm rule's child alarm names
 *   when one of them is a metric alarm event forwarded with its configuration.
 */
import { MalformedEventError } from './errors';
import type { AlarmEvent } from '../core/model';
import type { NormalizeOutput } from '../workflow/contract';

/** Detail types of the alarm events this workflow accepts. */
export const ALARM_DETAIL_TYPES = ['CloudWatch Alarm State Change', 'CloudWatch Alarm Contributor State Change'];

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}
function num(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** CloudWatch writes `+0000`; make it an ISO-8601 time JavaScript parses everywhere. */
export function toIsoTime(v: unknown, fallback: string): string {
  const s = str(v);
  if (!s) return fallback;
  const fixed = s.replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
  const d = new Date(fixed);
  return Number.isNaN(d.getTime()) ? fallback : d.toISOString();
}

interface FunctionTarget {
  functionName: string;
  qualifier?: string;
  metricName: string;
}

/** `name:alias` or `name` (the Resource dimension); a full ARN is reduced to the name. */
function splitResource(resource: string): { functionName: string; qualifier?: string } {
  const arn = resource.match(/^arn:[^:]+:lambda:[^:]*:\d*:function:([^:]+)(?::(.+))?$/);
  if (arn) return { functionName: arn[1], qualifier: arn[2] };
  const [name, qualifier] = resource.split(':');
  return { functionName: name, qualifier: qualifier || undefined };
}

function fromMetrics(metrics: unknown[]): FunctionTarget | undefined {
  for (const m of metrics) {
    const metric = obj(obj(obj(m)?.metricStat)?.metric);
    const dims = obj(metric?.dimensions);
    const fn = str(dims?.FunctionName);
    if (fn) {
      const resource = str(dims?.Resource);
      const split = resource ? splitResource(resource) : { functionName: fn };
      return {
        functionName: fn,
        qualifier: split.functionName === fn ? split.qualifier : undefined,
        metricName: str(metric?.name) ?? 'Unknown',
      };
    }
  }
  return undefined;
}

function insightsMetricName(metrics: unknown[]): string | undefined {
  for (const m of metrics) {
    const expr = str(obj(m)?.expression);
    const match = expr?.match(/SELECT\s+\w+\s*\(\s*"?([A-Za-z][\w.]*)"?\s*\)/i);
    if (match) return match[1];
  }
  return undefined;
}

function contributorAttributes(detail: Json): Json | undefined {
  for (const key of ['alarmContributor', 'contributor']) {
    const c = obj(detail[key]);
    const attrs = obj(c?.attributes) ?? obj(c?.contributorAttributes);
    if (attrs) return attrs;
  }
  return undefined;
}

/** Result of normalizing: either a target to accept (lock not yet taken) or an IGNORED verdict. */
export type NormalizedAlarm =
  | { readonly kind: 'accepted'; readonly output: NormalizeOutput & { alarmEvent: AlarmEvent; functionName: string } }
  | { readonly kind: 'ignored'; readonly output: NormalizeOutput };

/**
 * Normalize `event`. Throws {@link MalformedEventError} when it is not an alarm state change at
 * all; returns IGNORED for well-formed events this workflow does not act on.
 */
export function normalizeAlarmEvent(event: unknown, now: Date): NormalizedAlarm {
  const e = obj(event);
  if (!e) throw new MalformedEventError(`event must be a json object, got ${event === null ? 'null' : typeof event}`);
  const detailType = str(e['detail-type']);
  if (!detailType || !ALARM_DETAIL_TYPES.includes(detailType)) {
    throw new MalformedEventError(`event detail-type must be one of ${ALARM_DETAIL_TYPES.join(', ')}, got '${String(e['detail-type'])}'`);
  }
  const detail = obj(e.detail);
  const alarmName = str(detail?.alarmName);
  const state = obj(detail?.state);
  const stateValue = str(state?.value);
  if (!detail || !alarmName || !state || !stateValue) {
    throw new MalformedEventError(`alarm event '${String(e.id ?? '?')}' lacks detail.alarmName or detail.state.value`);
  }
  if (stateValue !== 'ALARM') {
    return { kind: 'ignored', output: { status: 'IGNORED', reason: `alarm ${alarmName} went to ${stateValue}, not ALARM` } };
  }
  const config = obj(detail.configuration) ?? {};
  const metrics = Array.isArray(config.metrics) ? config.metrics : [];
  const resources = Array.isArray(e.resources) ? e.resources.filter((r): r is string => typeof r === 'string') : [];
  const alarmArn = resources[0] ?? alarmName;

  let target: FunctionTarget | undefined;
  let alarmKind: NonNullable<NormalizeOutput['alarmKind']>;
  const attrs = contributorAttributes(detail);
  if (attrs && str(attrs.FunctionName)) {
    alarmKind = 'METRICS_INSIGHTS';
    target = { ...splitResource(str(attrs.FunctionName)!), metricName: insightsMetricName(metrics) ?? 'Unknown' };
  } else if (str(config.alarmRule)) {
    alarmKind = 'COMPOSITE';
    const desc = `${str(config.description) ?? ''} ${alarmName}`;
    const named = desc.match(/FunctionName=([A-Za-z0-9_-]+(?::[A-Za-z0-9_$-]+)?)/);
    if (named) target = { ...splitResource(named[1]), metricName: 'Composite' };
  } else {
    alarmKind = metrics.some((m) => str(obj(m)?.expression)) ? 'METRIC_MATH' : 'METRIC';
    if (alarmKind === 'METRIC_MATH' && insightsMetricName(metrics)) alarmKind = 'METRICS_INSIGHTS';
    target = fromMetrics(metrics);
  }
  if (!target) {
    return { kind: 'ignored', output: { status: 'IGNORED', reason: `alarm ${alarmName} names no Lambda function`, alarmKind } };
  }

  let reasonData: Json = {};
  const rawReasonData = str(state.reasonData);
  if (rawReasonData) {
    try {
      reasonData = obj(JSON.parse(rawReasonData)) ?? {};
    } catch {
      // reasonData is informational; a garbled one only loses threshold and current value.
    }
  }
  const recent = Array.isArray(reasonData.recentDatapoints) ? reasonData.recentDatapoints.map(num).filter((n): n is number => n !== undefined) : [];
  const contributorId = str(obj(detail.alarmContributor)?.id) ?? str(obj(detail.alarmContributor)?.contributorId);
  const alarmEvent: AlarmEvent = {
    alarmId: contributorId ? `${alarmArn}#${contributorId}` : alarmArn,
    alarmName,
    functionName: target.functionName,
    metricName: target.metricName,
    threshold: num(reasonData.threshold) ?? 0,
    currentValue: recent.length > 0 ? recent[recent.length - 1] : 0,
    stateChangeTime: toIsoTime(state.timestamp ?? e.time, now.toISOString()),
    previousState: str(obj(detail.previousState)?.value) ?? 'UNKNOWN',
    currentState: stateValue,
    // Alarm reasons are CloudWatch's own text; bounded so a huge composite reason cannot bloat the state.
    stateReason: (str(state.reason) ?? '').slice(0, 1000),
  };
  return {
    kind: 'accepted',
    output: {
      status: 'ACCEPTED',
      reason: `alarm ${alarmName} (${alarmKind}) on ${target.functionName}`,
      functionName: target.functionName,
      qualifier: target.qualifier,
      alarmEvent,
      alarmKind,
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
