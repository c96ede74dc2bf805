/**
 * The evidence collector shared by the collect handler and the operator CLI: metric series from
 * `GetMetricData`, REPORT and error lines from CloudWatch Logs (bounded in events and bytes), and
 * the function's configuration with environment variables and every other secret-bearing field
 * dropped at the source, and credentials in log text masked (`core/logs/mask.ts`). Read-only.
 *
 * Partial failures (metrics or logs) continue with what was collected and are marked incomplete,
 * as are logs cut to the bounds (a busy function's window is read newest first and its older part
 * sampled: `collectLogs`); without the configuration nothing can be sized, so its failure is a
 * named error.
 */
import { CloudWatchClient, GetMetricDataCommand, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { registerClient } from './clients';
import { toNamedError } from './errors';
import { readFunctionConfig, SafeFunctionConfig } from './function-config';
import { targetClient } from './target-clients';

export { readFunctionConfig, toSafeConfig } from './function-config';
export type { SafeFunctionConfig } from './function-config';
import { maskSecrets } from '../core/logs/mask';
import type { AlarmDetails, DiagnosisRequest, LogRecord, TimedValue } from '../core/model';

registerClient('cloudWatch', (o) => new CloudWatchClient({ region: o.region, ...(o.credentials ? { credentials: o.credentials } : {}), retryMode: 'adaptive', maxAttempts: 5 }));
registerClient('logs', (o) => new CloudWatchLogsClient({ region: o.region, ...(o.credentials ? { credentials: o.credentials } : {}), retryMode: 'adaptive', maxAttempts: 5 }));

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
  /**
   * True when the logs were cut to the bounds (the window read newest first, the older part
   * sampled: `incompleteReasons` says so) or a long message was shortened.
   */
  readonly logsTruncated: boolean;
  /** What the log read covered. */
  readonly logCoverage: LogCoverage;
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

/** Invocations and errors of each version an alias ran, over a window. */
export interface VersionCounts {
  readonly invocations: number;
  readonly errors: number;
}

/**
 * `Invocations` and `Errors` of alias invocations by the version that ran them: Lambda publishes
 * them with the dimensions FunctionName, Resource (`<name>:<alias>`) and ExecutedVersion ("view
 * metrics by the version of the function that executed; only applies to alias invocations",
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html). Lambda sends no
 * datapoint for a minute without invocations, so a missing series counts as zero.
 */
export async function collectVersionCounts(
  functionName: string, alias: string, versions: readonly string[], start: Date, end: Date,
): Promise<{ counts: Record<string, VersionCounts>; problem?: string }> {
  const queries: MetricDataQuery[] = versions.flatMap((v, i) => (['Invocations', 'Errors'] as const).map((metric) => ({
    Id: `${metric.toLowerCase()}${i}`,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [
          { Name: 'FunctionName', Value: functionName },
          { Name: 'Resource', Value: `${functionName}:${alias}` },
          { Name: 'ExecutedVersion', Value: v },
        ],
      },
      Period: 60,
      Stat: 'Sum',
    },
    ReturnData: true,
  })));
  const sums = new Map<string, number>();
  try {
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await targetClient('cloudWatch').send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end, NextToken: nextToken }));
      for (const r of out.MetricDataResults ?? []) {
        const total = (r.Values ?? []).filter((x) => Number.isFinite(x)).reduce((a, x) => a + x, 0);
        sums.set(r.Id ?? '', (sums.get(r.Id ?? '') ?? 0) + total);
      }
      nextToken = out.NextToken;
      pages++;
    } while (nextToken && pages < 10);
  } catch (err) {
    const named = toNamedError(err, `cloudwatch:GetMetricData for ${functionName}:${alias}`);
    return { counts: {}, problem: `metrics unavailable: ${named.name}: ${named.message}` };
  }
  const counts: Record<string, VersionCounts> = {};
  versions.forEach((v, i) => {
    counts[v] = { invocations: sums.get(`invocations${i}`) ?? 0, errors: sums.get(`errors${i}`) ?? 0 };
  });
  return { counts };
}

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
      const out = await targetClient('cloudWatch').send(new GetMetricDataCommand({
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

/** Longest log message kept; longer ones are cut (stack traces can be huge). */
const MAX_MESSAGE_CHARS = 2048;
/**
 * FilterLogEvents calls per collection at most, so a chatty function cannot blow the handler's
 * time budget (90 s). FilterLogEvents returns events oldest first within the asked time range
 * and has no newest-first order, so the reader asks for short ranges itself, newest first.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
 */
const MAX_LOG_CALLS = 24;
/** Share of the event and byte bounds kept for a sample of the older part of the window, when it cannot be read whole. */
const SAMPLE_SHARE = 0.2;
/** Spans the older part is sampled in (each one short and contiguous, so an invocation's START and REPORT stay together). */
const SAMPLE_SPANS = 6;
/** Fewest events a sample span is worth reading for. */
const MIN_SAMPLE_EVENTS = 4;
/** The first newest-first slice, ms; it doubles while slices come back small and halves when one overflows. */
const FIRST_SLICE_MS = 60_000;
/** The shortest slice: below it the newest events that fit are kept even from an overflowing slice. */
const MIN_SLICE_MS = 5_000;
/** Bytes counted per event beyond its message (timestamp, framing in the stored evidence). */
const EVENT_OVERHEAD_BYTES = 32;

/** What the log read covered, for the evidence's incompleteness reason and the collect summary. */
export interface LogCoverage {
  /** Start of the part of the window read in full, newest first (ISO-8601); the window end is the end. */
  readonly fullFrom?: string;
  /** Events kept from the part read in full. */
  readonly fullEvents: number;
  /** Events kept from the samples of the older part. */
  readonly sampledEvents: number;
  /** Sample spans read in the older part. */
  readonly sampledSpans: number;
  /** FilterLogEvents calls made. */
  readonly calls: number;
}

/** One event as read, before it is kept. */
interface ReadEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
  readonly bytes: number;
}

/** What one time range returned. */
interface RangeRead {
  readonly events: ReadEvent[];
  /** True when the range was read to its end (no nextToken left). */
  readonly complete: boolean;
  readonly calls: number;
  readonly bytes: number;
}

/**
 * Read REPORT and error lines of the alarm window, newest first: the lines around the alarm are
 * what the diagnosis needs, and a busy function writes more of them in 30 minutes than the bounds
 * hold. A quiet window is read with one range; a busy one in slices walking back from the end,
 * each read in full, until the bounds are nearly used; the rest (`SAMPLE_SHARE` of the bounds)
 * goes to short spans spread over the older part, so the earlier failure rate and memory trend
 * are sampled, not missing. When the window could not be read whole, `cut` says which part was
 * read in full and what was sampled: evidence built from it is incomplete, as it is. `problem` is
 * a failed read (what was read before it is kept).
 */
export async function collectLogs(
  logGroup: string, start: Date, end: Date, maxEvents: number, maxBytes: number,
): Promise<{ logs: LogRecord[]; problem?: string; cut?: string; truncated: boolean; coverage: LogCoverage }> {
  const startMs = start.getTime();
  const endMs = end.getTime();
  const kept = new Map<string, ReadEvent>();
  let keptBytes = 0;
  let calls = 0;
  let cutMessages = false;
  let failure: string | undefined;
  const keep = (events: readonly ReadEvent[]) => {
    for (const e of events) {
      if (kept.has(e.id)) continue;
      kept.set(e.id, e);
      keptBytes += e.bytes;
    }
  };

  /** Read one time range (both ends inclusive, as FilterLogEvents takes them), at most `cap` events. */
  const readRange = async (from: number, to: number, cap: number, pageLimit: number, maxCalls: number): Promise<RangeRead> => {
    const events: ReadEvent[] = [];
    let bytes = 0;
    let nextToken: string | undefined;
    let used = 0;
    do {
      const out = await targetClient('logs').send(new FilterLogEventsCommand({
        logGroupName: logGroup,
        startTime: from,
        endTime: to,
        filterPattern: LOG_FILTER_PATTERN,
        nextToken,
        limit: Math.max(1, Math.min(10000, pageLimit)),
      }));
      used++;
      for (const ev of out.events ?? []) {
        if (ev.message === undefined) continue;
        const timestamp = ev.timestamp ?? from;
        // Credentials the function printed are masked here, before the text reaches the evidence
        // record, the prompt, a notification or a log: every reader of log text comes through here.
        let message = maskSecrets(ev.message.replace(/\n+$/, ''));
        if (message.length > MAX_MESSAGE_CHARS) {
          message = message.slice(0, MAX_MESSAGE_CHARS);
          cutMessages = true;
        }
        const size = Buffer.byteLength(message, 'utf8') + EVENT_OVERHEAD_BYTES;
        events.push({ id: ev.eventId ?? `${timestamp}:${ev.logStreamName ?? ''}:${message}`, timestamp, message, bytes: size });
        bytes += size;
      }
      nextToken = out.nextToken;
    } while (nextToken && events.length <= cap && used < maxCalls);
    return { events, complete: !nextToken, calls: used, bytes };
  };

  let fullFrom: number | undefined;
  let fullEvents = 0;
  let sampledEvents = 0;
  let sampledSpans = 0;
  try {
    // 1. A quiet window fits the bounds: one range, read whole.
    const whole = await readRange(startMs, endMs, maxEvents, maxEvents + 1, 2);
    calls += whole.calls;
    if (whole.complete && whole.events.length <= maxEvents && whole.bytes <= maxBytes) {
      keep(whole.events);
      fullFrom = startMs;
      fullEvents = whole.events.length;
    } else {
      // 2. Newest first, in slices, until all but the sample's share of the bounds is used.
      const reserve = maxEvents * SAMPLE_SHARE >= SAMPLE_SPANS * MIN_SAMPLE_EVENTS ? SAMPLE_SHARE : 0;
      const denseEvents = Math.floor(maxEvents * (1 - reserve));
      const denseBytes = Math.floor(maxBytes * (1 - reserve));
      let cursor = endMs;
      let slice = FIRST_SLICE_MS;
      while (cursor >= startMs && calls < MAX_LOG_CALLS - (reserve > 0 ? SAMPLE_SPANS : 0)) {
        const from = Math.max(startMs, cursor - slice + 1);
        const leftEvents = denseEvents - kept.size;
        const leftBytes = denseBytes - keptBytes;
        if (leftEvents <= 0 || leftBytes <= 0) break;
        const r = await readRange(from, cursor, leftEvents, leftEvents + 1, MAX_LOG_CALLS - calls);
        calls += r.calls;
        const fits = r.complete && r.events.length <= leftEvents && r.bytes <= leftBytes;
        if (!fits && cursor - from + 1 > MIN_SLICE_MS) {
          // Too much for what is left: read the newer half again instead.
          slice = Math.max(MIN_SLICE_MS, Math.ceil(slice / 2));
          continue;
        }
        if (!fits) {
          // Even the shortest slice overflows: keep its newest events that fit, and stop.
          const newest = [...r.events].sort((a, b) => b.timestamp - a.timestamp);
          let n = 0;
          let b = 0;
          for (const e of newest) {
            if (n + 1 > leftEvents || b + e.bytes > leftBytes) break;
            n++;
            b += e.bytes;
          }
          keep(newest.slice(0, n));
          fullFrom = newest[n - 1]?.timestamp ?? cursor + 1;
          break;
        }
        keep(r.events);
        fullFrom = from;
        cursor = from - 1;
        if (r.events.length * 4 < denseEvents - kept.size) slice *= 2;
      }
      fullEvents = kept.size;
      // 3. A sample of what is older than the part read in full.
      const olderEnd = (fullFrom ?? endMs + 1) - 1;
      if (olderEnd >= startMs && reserve > 0) {
        const spans = Math.min(SAMPLE_SPANS, MAX_LOG_CALLS - calls);
        const perSpan = Math.floor((maxEvents - kept.size) / Math.max(1, spans));
        const perSpanBytes = Math.floor((maxBytes - keptBytes) / Math.max(1, spans));
        const fullMs = Math.max(1, endMs - (fullFrom ?? endMs));
        // As long as the events of one span take at the rate of the part read in full, at least a second.
        const spanMs = Math.max(1000, Math.ceil(fullMs * perSpan / Math.max(1, fullEvents)));
        const olderMs = olderEnd - startMs + 1;
        for (let k = 0; k < spans && perSpan >= MIN_SAMPLE_EVENTS; k++) {
          const centre = startMs + Math.floor(((k + 0.5) * olderMs) / spans);
          const from = Math.max(startMs, centre - Math.floor(spanMs / 2));
          const to = Math.min(olderEnd, from + spanMs - 1);
          const r = await readRange(from, to, perSpan, perSpan, 1);
          calls += r.calls;
          let n = 0;
          let b = 0;
          const take: ReadEvent[] = [];
          for (const e of r.events) {
            if (n + 1 > perSpan || b + e.bytes > perSpanBytes) break;
            take.push(e);
            n++;
            b += e.bytes;
          }
          const before = kept.size;
          keep(take);
          sampledEvents += kept.size - before;
          sampledSpans++;
        }
      }
    }
  } catch (err) {
    const named = toNamedError(err, `logs:FilterLogEvents on ${logGroup}`);
    // A function that never logged has no log group yet: that is "no logs", not a failure.
    if ((err as { name?: string })?.name === 'ResourceNotFoundException') {
      failure = `log group ${logGroup} does not exist`;
    } else {
      failure = `logs unavailable: ${named.name}: ${named.message}`;
    }
  }

  const logs = [...kept.values()]
    .sort((a, b) => a.timestamp - b.timestamp)
    .map((e) => ({ timestamp: new Date(e.timestamp).toISOString(), message: e.message }));
  const coverage: LogCoverage = {
    ...(fullFrom !== undefined ? { fullFrom: new Date(Math.max(startMs, fullFrom)).toISOString() } : {}),
    fullEvents,
    sampledEvents,
    sampledSpans,
    calls,
  };
  const readWhole = failure === undefined && fullFrom !== undefined && fullFrom <= startMs;
  const cut = failure === undefined && !readWhole ? coverageReason(coverage, startMs, endMs, maxEvents, maxBytes) : undefined;
  return { logs, truncated: cutMessages || !readWhole, coverage, ...(failure ? { problem: failure } : {}), ...(cut ? { cut } : {}) };
}

/** Why the logs are incomplete: which part of the window was read in full and what was sampled. */
function coverageReason(c: LogCoverage, startMs: number, endMs: number, maxEvents: number, maxBytes: number): string {
  const minutes = (ms: number) => `${Math.round(ms / 6000) / 10}`;
  const windowMinutes = minutes(endMs - startMs);
  const fullMs = c.fullFrom ? endMs - Date.parse(c.fullFrom) : 0;
  const sampled = c.sampledSpans > 0
    ? `; ${c.sampledEvents} events sampled from ${c.sampledSpans} short spans of the older ${minutes(endMs - startMs - fullMs)} minutes`
    : `; the older ${minutes(endMs - startMs - fullMs)} minutes were not read`;
  return `logs cut to the bounds (${maxEvents} events, ${maxBytes} bytes): the newest ${minutes(fullMs)} of ${windowMinutes} minutes read in full (${c.fullEvents} events)${sampled}`;
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
  if (l.cut) incompleteReasons.push(l.cut);
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
  return {
    request, config, logEventCount: l.logs.length, metricPointCount: m.points, incompleteReasons, logsTruncated: l.truncated, logCoverage: l.coverage,
  };
}
