/**
 * What normalize asks CloudWatch about an alarm when the event alone does not say: the alarm
 * itself (`DescribeAlarms`, all three alarm types), which contributors are in ALARM
 * (`DescribeAlarmContributors`, paginated) and a value (`GetMetricData`). Read-only.
 *
 * - DescribeAlarms returns only metric alarms unless `AlarmTypes` names the others
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html:
 *   "If you omit this parameter, only metric alarms are returned"); at most 100 names a call.
 * - DescribeAlarmContributors lists the contributors of a multi-time-series or log alarm with
 *   their attributes and state reason, `NextToken` for the next page
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmContributors.html).
 */
import {
  CloudWatchClient,
  CompositeAlarm,
  DescribeAlarmContributorsCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  LogAlarm,
  MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { apiQuery, MetricQuery, MetricValueQuery } from './alarm-event';
import { registerClient } from './clients';
import { toNamedError } from './errors';
import { targetClient } from './target-clients';

registerClient('cloudWatch', (o) => new CloudWatchClient({ region: o.region, ...(o.credentials ? { credentials: o.credentials } : {}), retryMode: 'adaptive', maxAttempts: 5 }));

/** Most alarm names one DescribeAlarms call takes. */
const NAMES_PER_CALL = 100;
/** Pages read from a paginated answer before giving up (100 contributors are tracked in ALARM at most). */
const MAX_PAGES = 20;

/** An alarm as normalize needs it, whatever its type. */
export interface DescribedAlarm {
  readonly type: 'MetricAlarm' | 'CompositeAlarm' | 'LogAlarm';
  readonly alarmName: string;
  readonly alarmArn: string;
  readonly stateValue?: string;
  readonly stateReason?: string;
  readonly stateReasonData?: string;
  readonly stateUpdatedAt?: string;
  readonly threshold?: number;
  /** Metric alarms: the metric (single metric) or the queries (metric math, Metrics Insights, anomaly). */
  readonly queries: MetricQuery[];
  readonly alarmRule?: string;
}

/** One contributor in ALARM. */
export interface ContributorInAlarm {
  readonly contributorId: string;
  readonly attributes: Record<string, string>;
  readonly stateReason: string;
  readonly stateTransitionedAt?: string;
}

/**
 * Describe metric and log alarms by name; unknown names are simply absent from the answer.
 * Composite alarms are not asked for: describing them needs `cloudwatch:DescribeAlarms` on `*`
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/permissions-reference-cw.html),
 * and the workflow never needs one described (a composite's event names its children, which are
 * metric alarms).
 */
export async function describeAlarms(names: string[]): Promise<DescribedAlarm[]> {
  const out: DescribedAlarm[] = [];
  const unique = [...new Set(names)];
  for (let i = 0; i < unique.length; i += NAMES_PER_CALL) {
    const batch = unique.slice(i, i + NAMES_PER_CALL);
    let nextToken: string | undefined;
    let pages = 0;
    do {
      let answer;
      try {
        answer = await targetClient('cloudWatch').send(new DescribeAlarmsCommand({
          AlarmNames: batch,
          AlarmTypes: ['MetricAlarm', 'LogAlarm'],
          NextToken: nextToken,
        }));
      } catch (err) {
        throw toNamedError(err, `cloudwatch:DescribeAlarms for ${batch.join(', ')}`);
      }
      out.push(...(answer.MetricAlarms ?? []).map(fromMetricAlarm));
      out.push(...(answer.CompositeAlarms ?? []).map(fromCompositeAlarm));
      out.push(...(answer.LogAlarms ?? []).map(fromLogAlarm));
      nextToken = answer.NextToken;
    } while (nextToken && ++pages < MAX_PAGES);
  }
  return out;
}

/** Describe one alarm (every type); undefined when it does not exist. */
export async function describeAlarm(name: string): Promise<DescribedAlarm | undefined> {
  return (await describeAlarms([name])).find((a) => a.alarmName === name);
}

/** The contributors of `alarmName` currently in ALARM, every page. */
export async function alarmContributors(alarmName: string): Promise<ContributorInAlarm[]> {
  const out: ContributorInAlarm[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    let answer;
    try {
      answer = await targetClient('cloudWatch').send(new DescribeAlarmContributorsCommand({ AlarmName: alarmName, NextToken: nextToken }));
    } catch (err) {
      throw toNamedError(err, `cloudwatch:DescribeAlarmContributors for ${alarmName}`);
    }
    for (const c of answer.AlarmContributors ?? []) {
      if (!c.ContributorId) continue;
      out.push({
        contributorId: c.ContributorId,
        attributes: { ...(c.ContributorAttributes ?? {}) },
        stateReason: c.StateReason ?? '',
        ...(c.StateTransitionedTimestamp ? { stateTransitionedAt: new Date(c.StateTransitionedTimestamp).toISOString() } : {}),
      });
    }
    nextToken = answer.NextToken;
  } while (nextToken && ++pages < MAX_PAGES);
  return out;
}

/**
 * The latest value of one metric up to `at`, over the last `periods` periods; undefined when
 * there is none. A failure is an error (the caller decides whether the value is worth failing for).
 */
export async function latestMetricValue(query: MetricValueQuery, at: Date, periods = 5): Promise<number | undefined> {
  const period = Math.max(60, Math.round(query.periodSeconds / 60) * 60);
  let answer;
  try {
    answer = await targetClient('cloudWatch').send(new GetMetricDataCommand({
      MetricDataQueries: [{
        Id: 'value',
        MetricStat: {
          Metric: {
            Namespace: query.namespace,
            MetricName: query.metricName,
            Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })),
          },
          Period: period,
          Stat: query.stat,
        },
        ReturnData: true,
      }],
      StartTime: new Date(at.getTime() - periods * period * 1000),
      EndTime: at,
      ScanBy: 'TimestampDescending',
    }));
  } catch (err) {
    throw toNamedError(err, `cloudwatch:GetMetricData ${query.namespace}/${query.metricName}`);
  }
  const r = (answer.MetricDataResults ?? []).find((x) => x.Id === 'value');
  const values = r?.Values ?? [];
  const timestamps = r?.Timestamps ?? [];
  let best: { t: number; v: number } | undefined;
  values.forEach((v, i) => {
    const t = timestamps[i] ? new Date(timestamps[i]).getTime() : 0;
    if (Number.isFinite(v) && (!best || t > best.t)) best = { t, v };
  });
  return best?.v;
}

function iso(d: Date | undefined): string | undefined {
  return d ? new Date(d).toISOString() : undefined;
}

function fromMetricAlarm(a: MetricAlarm): DescribedAlarm {
  const queries: MetricQuery[] = a.Metrics && a.Metrics.length > 0
    ? a.Metrics.map(apiQuery)
    : [apiQuery({
      Id: 'm1',
      ReturnData: true,
      MetricStat: {
        Metric: { Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions },
        Stat: a.Statistic ?? a.ExtendedStatistic,
        Period: a.Period,
      },
    })];
  return {
    type: 'MetricAlarm',
    alarmName: a.AlarmName ?? '',
    alarmArn: a.AlarmArn ?? a.AlarmName ?? '',
    stateValue: a.StateValue,
    stateReason: a.StateReason,
    stateReasonData: a.StateReasonData,
    stateUpdatedAt: iso(a.StateUpdatedTimestamp),
    ...(a.Threshold !== undefined ? { threshold: a.Threshold } : {}),
    queries,
  };
}

function fromCompositeAlarm(a: CompositeAlarm): DescribedAlarm {
  return {
    type: 'CompositeAlarm',
    alarmName: a.AlarmName ?? '',
    alarmArn: a.AlarmArn ?? a.AlarmName ?? '',
    stateValue: a.StateValue,
    stateReason: a.StateReason,
    stateReasonData: a.StateReasonData,
    stateUpdatedAt: iso(a.StateUpdatedTimestamp),
    queries: [],
    alarmRule: a.AlarmRule,
  };
}

function fromLogAlarm(a: LogAlarm): DescribedAlarm {
  return {
    type: 'LogAlarm',
    alarmName: a.AlarmName ?? '',
    alarmArn: a.AlarmArn ?? a.AlarmName ?? '',
    stateValue: a.StateValue,
    stateReason: a.StateReason,
    stateReasonData: a.StateReasonData,
    stateUpdatedAt: iso(a.StateUpdatedTimestamp),
    ...(a.Threshold !== undefined ? { threshold: a.Threshold } : {}),
    queries: [],
  };
}
