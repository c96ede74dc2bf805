/**
 * The simulated CloudWatch Logs: log groups of the target functions, `FilterLogEvents` with the
 * real filter pattern syntax and pagination, `StartQuery` / `GetQueryResults` (Logs Insights),
 * and metric filters that turn log events into metrics.
 */
import { InvalidParameterException, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { VirtualClock } from '../clock';
import { SeededRandom } from '../random';
import { compileFilterPattern } from './filter-pattern';
import { discoverFields, Row, runInsightsLogQuery } from './insights-query';
import { SimLogEvent } from './log-format';

/** A metric filter (AWS::Logs::MetricFilter). */
export interface MetricFilterSpec {
  readonly logGroupName: string;
  readonly filterPattern: string;
  readonly metricNamespace: string;
  readonly metricName: string;
  /** `1`, `$field` (space-delimited) or `$.path` (JSON). */
  readonly metricValue: string;
  readonly dimensions?: Record<string, string>;
}

export class LogsService {
  private readonly groups = new Map<string, SimLogEvent[]>();
  private readonly queries = new Map<string, { results: Row[]; scanned: number }>();
  private readonly metricFilters: MetricFilterSpec[] = [];
  private eventCounter = 0;

  constructor(private readonly clock: VirtualClock, private readonly random: SeededRandom) {}

  public createLogGroup(name: string): void {
    if (!this.groups.has(name)) this.groups.set(name, []);
  }

  public addMetricFilter(spec: MetricFilterSpec): void {
    this.metricFilters.push(spec);
  }

  public filters(): MetricFilterSpec[] {
    return [...this.metricFilters];
  }

  /** Append events (timestamps ascending within a call) and return metric-filter datapoints. */
  public append(
    group: string,
    events: Array<{ timestamp: number; message: string; logStreamName: string }>,
  ): Array<{ filter: MetricFilterSpec; timestamp: number; value: number }> {
    this.createLogGroup(group);
    const list = this.groups.get(group)!;
    const points: Array<{ filter: MetricFilterSpec; timestamp: number; value: number }> = [];
    const filters = this.metricFilters.filter((f) => f.logGroupName === group).map((f) => ({ f, p: compileFilterPattern(f.filterPattern) }));
    for (const e of events) {
      this.eventCounter++;
      const ev: SimLogEvent = {
        ...e,
        ingestionTime: e.timestamp + 200,
        eventId: `${String(e.timestamp).padStart(20, '0')}${String(this.eventCounter).padStart(20, '0')}`.slice(0, 56),
      };
      // Keep the group sorted by timestamp (events of one minute arrive in order).
      if (list.length === 0 || list[list.length - 1].timestamp <= ev.timestamp) list.push(ev);
      else list.splice(upperBound(list, ev.timestamp), 0, ev);
      for (const { f, p } of filters) {
        const fields = p.extract(e.message);
        if (!fields) continue;
        let value: number;
        if (f.metricValue.startsWith('$.')) value = Number((fields as Record<string, unknown>)[f.metricValue]);
        else if (f.metricValue.startsWith('$')) value = Number(fields[f.metricValue.slice(1)]);
        else value = Number(f.metricValue);
        if (Number.isFinite(value)) points.push({ filter: f, timestamp: e.timestamp, value });
      }
    }
    return points;
  }

  public filterLogEvents(input: {
    logGroupName?: string;
    logGroupIdentifier?: string;
    logStreamNames?: string[];
    logStreamNamePrefix?: string;
    startTime?: number;
    endTime?: number;
    filterPattern?: string;
    limit?: number;
    nextToken?: string;
  }): Record<string, unknown> {
    const group = this.group(input.logGroupName ?? groupFromIdentifier(input.logGroupIdentifier));
    const limit = Math.min(input.limit ?? 10000, 10000);
    if (limit < 1) throw new InvalidParameterException({ message: `limit must be at least 1, got ${limit}`, $metadata: { httpStatusCode: 400 } });
    const pattern = compileFilterPattern(input.filterPattern);
    const start = input.startTime ?? 0;
    const end = input.endTime ?? Number.MAX_SAFE_INTEGER;
    let i = input.nextToken ? Number(Buffer.from(input.nextToken, 'base64').toString('utf8').split(':')[1]) : lowerBound(group, start);
    const events: SimLogEvent[] = [];
    // Like the service, a page scans a bounded slice of events and may come back short or empty
    // with a nextToken; callers must follow nextToken.
    const scanBudget = 5000;
    let scanned = 0;
    for (; i < group.length && group[i].timestamp <= end && events.length < limit && scanned < scanBudget; i++, scanned++) {
      const e = group[i];
      if (input.logStreamNames && !input.logStreamNames.includes(e.logStreamName)) continue;
      if (input.logStreamNamePrefix && !e.logStreamName.startsWith(input.logStreamNamePrefix)) continue;
      if (pattern.matches(e.message)) events.push(e);
    }
    const more = i < group.length && group[i].timestamp <= end;
    return {
      events: events.map((e) => ({
        logStreamName: e.logStreamName,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime,
        eventId: e.eventId,
      })),
      searchedLogStreams: [],
      ...(more ? { nextToken: Buffer.from(`page:${i}`).toString('base64') } : {}),
    };
  }

  public startQuery(input: {
    logGroupName?: string;
    logGroupNames?: string[];
    logGroupIdentifiers?: string[];
    startTime?: number;
    endTime?: number;
    queryString?: string;
    limit?: number;
  }): Record<string, unknown> {
    const names = [
      ...(input.logGroupName ? [input.logGroupName] : []),
      ...(input.logGroupNames ?? []),
      ...(input.logGroupIdentifiers ?? []).map(groupFromIdentifier),
    ];
    if (names.length === 0) throw new InvalidParameterException({ message: 'at least one log group is required', $metadata: { httpStatusCode: 400 } });
    const startMs = (input.startTime ?? 0) * 1000;
    const endMs = (input.endTime ?? Math.floor(this.clock.now() / 1000)) * 1000;
    const rows: Row[] = [];
    for (const name of names) {
      const group = this.group(name);
      for (let i = lowerBound(group, startMs); i < group.length && group[i].timestamp <= endMs; i++) {
        const e = group[i];
        rows.push(discoverFields(e.message, e.timestamp, name, e.logStreamName));
      }
    }
    rows.sort((a, b) => Number(b['@timestamp']) - Number(a['@timestamp']));
    const results = runInsightsLogQuery(input.queryString ?? '', rows).slice(0, input.limit ?? 10000);
    const queryId = this.random.uuid();
    this.queries.set(queryId, { results, scanned: rows.length });
    return { queryId };
  }

  public getQueryResults(input: { queryId?: string }): Record<string, unknown> {
    const q = input.queryId ? this.queries.get(input.queryId) : undefined;
    if (!q) throw new ResourceNotFoundException({ message: `query ${input.queryId} does not exist`, $metadata: { httpStatusCode: 400 } });
    return {
      status: 'Complete',
      results: q.results.map((row) => Object.entries(row).filter(([, v]) => v !== undefined).map(([field, value]) => ({
        field,
        value: field === '@timestamp' ? isoNoZone(Number(value)) : String(value),
      }))),
      statistics: { recordsMatched: q.results.length, recordsScanned: q.scanned, bytesScanned: q.scanned * 200 },
    };
  }

  /** All events of a group (tests, the report). */
  public events(group: string): SimLogEvent[] {
    return [...(this.groups.get(group) ?? [])];
  }

  private group(name: string): SimLogEvent[] {
    const g = this.groups.get(name);
    if (!g) throw new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: { httpStatusCode: 400 } });
    return g;
  }
}

/** Logs Insights prints `@timestamp` as `2026-11-28 12:00:00.000`. */
function isoNoZone(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function groupFromIdentifier(id: string | undefined): string {
  if (!id) return '';
  const m = /^arn:[^:]+:logs:[^:]*:\d*:log-group:([^:]+)(?::\*)?$/.exec(id);
  return m ? m[1] : id;
}

function lowerBound(list: SimLogEvent[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (list[mid].timestamp < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(list: SimLogEvent[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (list[mid].timestamp <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
