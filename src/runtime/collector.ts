/**
 * The evidence collector shared by the collect handler and the operator CLI: metric series from
 * `GetMetricData`, REPORT and error lines from CloudWatch Logs (bounded in events and bytes), and
 * the function's configuration with environment variables and every other secret-bearing field
 * dropped at the source, and credentials in log text masked (`core/logs/mask.ts`). Read-only.
 *
 * Partial failures (metrics or logs) continue with what was collected and are marked incomplete;
 * without the configuration nothing can be sized, so its failure is a named error.
 */
import { CloudWatchClient, GetMetricDataCommand, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { client, registerClient } from './clients';
import { toNamedError } from './errors';
import { readFunctionConfig, SafeFunctionConfig } from './function-config';

export { readFunctionConfig, toSafeConfig } from './function-config';
export type { SafeFunctionConfig } from './function-config';
import { maskSecrets } from '../core/logs/mask';
import type { AlarmDetails, DiagnosisRequest, LogRecord, TimedValue } from '../core/model';

registerClient('cloudWatch', (o) => new CloudWatchClient({ region: o.region, retryMode: 'adaptive', maxAttempts: 5 }));
registerClient('logs', (o) => new CloudWatchLogsClient({ region: o.region, retryMode: 'adaptive', maxAttempts: 5 }));

/** What to collect. */
export interface CollectRequest {
  readonly functionName: string;
  readonly qualifier?: string;
  readonly alarmDetails: AlarmDetails;
  /** When the alarm fired (ISO-8601). */
  readonly alarmTime: string;
  /** Start of the window. */
  readonly windowStart: Date;
  /** End of the window (now). */
  readonly windowEnd: Date;
  readonly maxLogEvents: number;
  readonly maxLogBytes: number;
}

/** What was collected. */
export interface CollectedEvidence {
  readonly request: DiagnosisRequest;
  readonly config: SafeFunctionConfig;
  readonly logEventCount: number;
  readonly metricPointCount: number;
  readonly incompleteReasons: string[];
  /** True when the logs were cut to the bounds (the newest lines were kept; not "incomplete"). */
  readonly logsTruncated: boolean;
}

/** Lambda metrics collected for the diagnosis, by series name -> (metric, statistic). */
const SERIES: ReadonlyArray<{ id: string; name: string; metric: string; stat: string }> = [
  { id: 'invocations', name: 'Invocations', metric: 'Invocations', stat: 'Sum' },
  { id: 'errors', name: 'Errors', metric: 'Errors', stat: 'Sum' },
  { id: 'duration', name: 'Duration', metric: 'Duration', stat: 'Average' },
  { id: 'durationp50', name: 'DurationP50', metric: 'Duration', stat: 'p50' },
  { id: 'durationp99', name: 'DurationP99', metric: 'Duration', stat: 'p99' },
  { id: 'durationmax', name: 'DurationMax', metric: 'Duration', stat: 'Maximum' },
  { id: 'throttles', name: 'Throttles', metric: 'Throttles', stat: 'Sum' },
  { id: 'concurrent', name: 'ConcurrentExecutions', metric: 'ConcurrentExecutions', stat: 'Maximum' },
  // Stream consumers only (Kinesis, DynamoDB streams): no points for other functions.
  { id: 'iteratorage', name: 'IteratorAge', metric: 'IteratorAge', stat: 'Maximum' },
];

/** The statistic an alarm on this Lambda metric most likely uses. */
function alarmStat(metricName: string): string {
  return ['Duration', 'ConcurrentExecutions', 'IteratorAge'].includes(metricName) ? 'Maximum' : 'Sum';
}

/**
 * A CloudWatch Logs filter pattern matching START and REPORT lines (text and JSON), timeouts,
 * kills and error lines in the common spellings. Terms are OR-ed (`?`). START lines are kept
 * because they open an invocation: runtime lines without a request id (a Java or Python
 * out-of-memory error) are tied to the invocation the last START opened.
 */
export const LOG_FILTER_PATTERN = [
  '"START RequestId"', 'REPORT', '"platform.start"', '"platform.report"', '"platform.initReport"', 'INIT_REPORT', '"Task timed out"', '"signal: killed"',
  '"Runtime.ExitError"', '"Runtime.OutOfMemory"', '"Process exited"', 'ERROR', 'Error', 'error', 'Exception',
  'FATAL', 'MemoryError', 'OutOfMemory', 'heap', '"out of memory"', 'Traceback', 'panic',
].map((t) => `?${t}`).join(' ');

/** Longest log message kept; longer ones are cut (stack traces can be huge). */
const MAX_MESSAGE_CHARS = 2048;
/** Pages read at most per collection, so a chatty function cannot blow the time budget. */
const MAX_LOG_PAGES = 10;

/** Collect metric series. Returns the alarm series, the other series and a failure reason if any. */
export async function collectMetrics(
  functionName: string, qualifier: string | undefined, alarmMetric: string, start: Date, end: Date,
): Promise<{ metrics: TimedValue[]; series: Record<string, TimedValue[]>; points: number; problem?: string }> {
  const dims = [{ Name: 'FunctionName', Value: functionName }, ...(qualifier ? [{ Name: 'Resource', Value: `${functionName}:${qualifier}` }] : [])];
  const lambdaMetric = SERIES.some((s) => s.metric === alarmMetric) || ['IteratorAge', 'AsyncEventAge'].includes(alarmMetric);
  const alarmSeriesMetric = lambdaMetric ? alarmMetric : 'Errors';
  const queries: MetricDataQuery[] = [
    { Id: 'alarm', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: alarmSeriesMetric, Dimensions: dims }, Period: 60, Stat: alarmStat(alarmSeriesMetric) }, ReturnData: true },
    ...SERIES.map((s) => ({ Id: s.id, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: s.metric, Dimensions: dims }, Period: 60, Stat: s.stat }, ReturnData: true })),
  ];
  const byId = new Map<string, TimedValue[]>();
  let points = 0;
  let problem: string | undefined;
  try {
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await client('cloudWatch').send(new GetMetricDataCommand({
        MetricDataQueries: queries, StartTime: start, EndTime: end, ScanBy: 'TimestampAscending', NextToken: nextToken,
      }));
      for (const r of out.MetricDataResults ?? []) {
        const list = byId.get(r.Id ?? '') ?? [];
        (r.Timestamps ?? []).forEach((t, i) => {
          const v = r.Values?.[i];
          if (v !== undefined && Number.isFinite(v)) list.push({ timestamp: new Date(t).toISOString(), value: v });
        });
        byId.set(r.Id ?? '', list);
      }
      nextToken = out.NextToken;
      pages++;
    } while (nextToken && pages < 10);
  } catch (err) {
    const named = toNamedError(err, `cloudwatch:GetMetricData for ${functionName}`);
    problem = `metrics unavailable: ${named.name}: ${named.message}`;
  }
  const sort = (l: TimedValue[]) => [...l].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  const series: Record<string, TimedValue[]> = {};
  for (const s of SERIES) {
    const l = sort(byId.get(s.id) ?? []);
    points += l.length;
    if (l.length > 0) series[s.name] = l;
  }
  const metrics = sort(byId.get('alarm') ?? []);
  points += metrics.length;
  return { metrics, series, points, ...(problem ? { problem } : {}) };
}

/**
 * Collect REPORT and error lines, newest kept when over the bounds. Returns the lines and a
 * reason when the read failed or was cut.
 */
export async function collectLogs(
  logGroup: string, start: Date, end: Date, maxEvents: number, maxBytes: number,
): Promise<{ logs: LogRecord[]; problem?: string; truncated: boolean }> {
  const kept: LogRecord[] = [];
  let problem: string | undefined;
  let truncated = false;
  try {
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await client('logs').send(new FilterLogEventsCommand({
        logGroupName: logGroup,
        startTime: start.getTime(),
        endTime: end.getTime(),
        filterPattern: LOG_FILTER_PATTERN,
        nextToken,
        limit: Math.min(10000, maxEvents),
      }));
      for (const ev of out.events ?? []) {
        if (ev.message === undefined) continue;
        // Credentials the function printed are masked here, before the text reaches the evidence
        // record, the prompt, a notification or a log: every reader of log text comes through here.
        let message = maskSecrets(ev.message.replace(/\n+$/, ''));
        if (message.length > MAX_MESSAGE_CHARS) {
          message = message.slice(0, MAX_MESSAGE_CHARS);
          truncated = true;
        }
        kept.push({ timestamp: new Date(ev.timestamp ?? start.getTime()).toISOString(), message });
      }
      nextToken = out.nextToken;
      pages++;
      if (nextToken && pages >= MAX_LOG_PAGES) truncated = true;
    } while (nextToken && pages < MAX_LOG_PAGES);
  } catch (err) {
    const named = toNamedError(err, `logs:FilterLogEvents on ${logGroup}`);
    // A function that never logged has no log group yet: that is "no logs", not a failure.
    if ((err as { name?: string })?.name === 'ResourceNotFoundException') {
      problem = `log group ${logGroup} does not exist`;
    } else {
      problem = `logs unavailable: ${named.name}: ${named.message}`;
    }
  }
  // Newest first within the bounds: the lines around the alarm matter most.
  kept.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  const bounded: LogRecord[] = [];
  let bytes = 0;
  for (let i = kept.length - 1; i >= 0; i--) {
    const size = Buffer.byteLength(kept[i].message, 'utf8') + 32;
    if (bounded.length >= maxEvents || bytes + size > maxBytes) {
      truncated = true;
      break;
    }
    bounded.push(kept[i]);
    bytes += size;
  }
  bounded.reverse();
  return { logs: bounded, truncated, ...(problem ? { problem } : {}) };
}

/** Collect everything for one diagnosis. */
export async function collectEvidence(req: CollectRequest): Promise<CollectedEvidence> {
  const config = await readFunctionConfig(req.functionName, req.qualifier);
  const [m, l] = await Promise.all([
    collectMetrics(req.functionName, req.qualifier, req.alarmDetails.metricName, req.windowStart, req.windowEnd),
    collectLogs(config.logGroup, req.windowStart, req.windowEnd, req.maxLogEvents, req.maxLogBytes),
  ]);
  const incompleteReasons: string[] = [];
  if (m.problem) incompleteReasons.push(m.problem);
  if (l.problem) incompleteReasons.push(l.problem);
  const request: DiagnosisRequest = {
    functionName: req.functionName,
    alarmDetails: req.alarmDetails,
    metrics: m.metrics,
    logs: l.logs,
    functionConfig: config.summary,
    metricSeries: m.series,
    alarmTime: req.alarmTime,
    incomplete: incompleteReasons.length > 0,
    ...(incompleteReasons.length > 0 ? { incompleteReasons } : {}),
  };
  return { request, config, logEventCount: l.logs.length, metricPointCount: m.points, incompleteReasons, logsTruncated: l.truncated };
}
