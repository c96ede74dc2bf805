/**
 * The simulated CloudWatch Logs: log groups (created by Lambda at a function's first invocation,
 * or by CreateLogGroup), `DescribeLogGroups`, `FilterLogEvents` with the real filter pattern syntax
 * and pagination, `StartQuery` / `GetQueryResults` (Logs Insights), and metric filters that turn
 * log events into metrics.
 *
 * Follows the CloudWatch Logs API reference as the AWS SDK ships it
 * (node_modules/@aws-sdk/client-cloudwatch-logs/dist-types): CreateLogGroup, DescribeLogGroups,
 * FilterLogEvents, StartQuery, GetQueryResults; and
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html for when
 * Lambda creates a function's log group.
 * Not modelled: retention, KMS keys, log classes other than STANDARD, data protection, log streams
 * as resources (DescribeLogStreams), cross-account queries, the SOURCE command, query concurrency
 * quotas, ingestion delay (events are searchable at once).
 */
import { InvalidParameterException, MalformedQueryException, ResourceAlreadyExistsException, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { VirtualClock } from '../clock';
import { SeededRandom } from '../random';
import { compileFilterPattern } from './filter-pattern';
import { discoverFields, InsightsQueryError, Row, runInsightsLogQuery } from './insights-query';
import { SIM_ACCOUNT, SIM_REGION } from './lambda-service';
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
  private readonly created = new Map<string, number>();
  /** Events the last query scanned (GetQueryResults statistics). */
  private lastScanned = 0;
  private readonly queries = new Map<string, { results: Row[]; scanned: number }>();
  private readonly metricFilters: MetricFilterSpec[] = [];
  private eventCounter = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly random: SeededRandom,
    /** The account and region of the log groups. */
    private readonly where: { account: string; region: string } = { account: SIM_ACCOUNT, region: SIM_REGION },
  ) {}

  /**
   * CreateLogGroup as the SDK calls it: "Log group names must be unique within a Region for an
   * Amazon Web Services account." (ResourceAlreadyExistsException), "Log group names can be
   * between 1 and 512 characters long.", "Log group names consist of the following characters:
   * a-z, A-Z, 0-9, '_' (underscore), '-' (hyphen), '/' (forward slash), '.' (period), and '#'
   * (number sign)", "Log group names can't start with the string aws/".
   */
  public createLogGroup(input: { logGroupName?: string }): Record<string, unknown> {
    const name = input.logGroupName ?? '';
    if (name.length < 1 || name.length > 512) throw new InvalidParameterException({ message: `log group name must be 1 to 512 characters, got ${name.length}`, $metadata: { httpStatusCode: 400 } });
    if (!/^[\w\-/.#]+$/.test(name)) throw new InvalidParameterException({ message: `log group name '${name}' has a character other than a-z, A-Z, 0-9, _, -, /, . and #`, $metadata: { httpStatusCode: 400 } });
    if (name.startsWith('aws/')) throw new InvalidParameterException({ message: `log group name '${name}' cannot start with aws/`, $metadata: { httpStatusCode: 400 } });
    if (this.groups.has(name)) throw new ResourceAlreadyExistsException({ message: 'The specified log group already exists', $metadata: { httpStatusCode: 400 } });
    this.ensureLogGroup(name);
    return {};
  }

  /**
   * Create the group unless it exists: what Lambda does at a function's first invocation ("By
   * default, CloudWatch automatically creates a log group named /aws/lambda/<function name> for
   * your function when it's first invoked."; for a custom log group "If no log group with the name
   * you entered exists, Lambda creates a new log group for your function with that name.") and
   * what a template's AWS::Logs::LogGroup does at deploy.
   */
  public ensureLogGroup(name: string): void {
    if (this.groups.has(name)) return;
    this.groups.set(name, []);
    this.created.set(name, this.clock.now());
  }

  public hasLogGroup(name: string): boolean {
    return this.groups.has(name);
  }

  /**
   * DescribeLogGroups as the SDK calls it: "logGroupNamePrefix and logGroupNamePattern are mutually
   * exclusive"; logGroupIdentifiers: "If you specify this parameter, the only other filter that you
   * can choose to specify is includeLinkedAccounts."; "The results are ASCII-sorted by log group
   * name."; limit: "If you don't specify a value, the default is up to 50 items."
   */
  public describeLogGroups(input: {
    logGroupNamePrefix?: string;
    logGroupNamePattern?: string;
    logGroupIdentifiers?: string[];
    limit?: number;
    nextToken?: string;
  } = {}): Record<string, unknown> {
    const bad = (message: string) => new InvalidParameterException({ message, $metadata: { httpStatusCode: 400 } });
    if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) throw bad('logGroupNamePrefix and logGroupNamePattern are mutually exclusive');
    if (input.logGroupIdentifiers && (input.logGroupNamePrefix !== undefined || input.logGroupNamePattern !== undefined)) throw bad('logGroupIdentifiers cannot be combined with logGroupNamePrefix or logGroupNamePattern');
    const limit = input.limit ?? 50;
    if (!(limit >= 1 && limit <= 50)) throw bad(`limit must be 1 to 50, got ${limit}`);
    const ids = input.logGroupIdentifiers?.map(groupFromIdentifier);
    const names = [...this.groups.keys()]
      .filter((n) => (input.logGroupNamePrefix === undefined || n.startsWith(input.logGroupNamePrefix))
        && (input.logGroupNamePattern === undefined || n.includes(input.logGroupNamePattern))
        && (!ids || ids.includes(n)))
      .sort();
    const from = input.nextToken ? Number(Buffer.from(input.nextToken, 'base64').toString('utf8').replace(/^groups:/, '')) : 0;
    const page = names.slice(from, from + limit);
    return {
      logGroups: page.map((n) => ({
        logGroupName: n,
        creationTime: this.created.get(n),
        metricFilterCount: this.metricFilters.filter((f) => f.logGroupName === n).length,
        // "This version of the ARN includes a trailing :* after the log group name."
        arn: `arn:aws:logs:${this.where.region}:${this.where.account}:log-group:${n}:*`,
        storedBytes: (this.groups.get(n) ?? []).reduce((x, e) => x + e.message.length, 0),
        logGroupClass: 'STANDARD',
        // "This version of the ARN doesn't include a trailing :* after the log group name."
        logGroupArn: `arn:aws:logs:${this.where.region}:${this.where.account}:log-group:${n}`,
      })),
      ...(from + limit < names.length ? { nextToken: Buffer.from(`groups:${from + limit}`).toString('base64') } : {}),
    };
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
    this.ensureLogGroup(group);
    const list = this.groups.get(group)!;
    const points: Array<{ filter: MetricFilterSpec; timestamp: number; value: number }> = [];
    const filters = this.metricFilters.filter((f) => f.logGroupName === group).map((f) => ({ f, p: compileFilterPattern(f.filterPattern) }));
    const added: SimLogEvent[] = [];
    for (const e of events) {
      this.eventCounter++;
      const ev: SimLogEvent = {
        timestamp: e.timestamp, message: e.message, logStreamName: e.logStreamName, ingestionTime: e.timestamp + 200, sequence: this.eventCounter,
      };
      added.push(ev);
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
    insertSorted(list, added);
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
    // "You must include one of these two parameters, but you can't include both."
    if ((input.logGroupName === undefined) === (input.logGroupIdentifier === undefined)) {
      throw new InvalidParameterException({ message: 'specify exactly one of logGroupName and logGroupIdentifier', $metadata: { httpStatusCode: 400 } });
    }
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
        eventId: `${String(e.timestamp).padStart(20, '0')}${String(e.sequence).padStart(20, '0')}`,
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
    // "a StartQuery operation must include ... exactly one of the following parameters:
    // logGroupName, logGroupNames, or logGroupIdentifiers" (the SOURCE command is not simulated).
    const given = [input.logGroupName, input.logGroupNames, input.logGroupIdentifiers].filter((x) => x !== undefined);
    if (given.length !== 1) throw new InvalidParameterException({ message: 'specify exactly one of logGroupName, logGroupNames and logGroupIdentifiers', $metadata: { httpStatusCode: 400 } });
    const names = [
      ...(input.logGroupName ? [input.logGroupName] : []),
      ...(input.logGroupNames ?? []),
      ...(input.logGroupIdentifiers ?? []).map(groupFromIdentifier),
    ];
    if (names.length === 0) throw new InvalidParameterException({ message: 'at least one log group is required', $metadata: { httpStatusCode: 400 } });
    const startMs = (input.startTime ?? 0) * 1000;
    const endMs = (input.endTime ?? Math.floor(this.clock.now() / 1000)) * 1000;
    const results = this.runQuery(names, startMs, endMs, input.queryString ?? '').slice(0, input.limit ?? 10000);
    const queryId = this.random.uuid();
    this.queries.set(queryId, { results, scanned: this.lastScanned });
    return { queryId };
  }

  /**
   * Run a Logs Insights query over [startMs, endMs] of the groups (StartQuery, and the scheduled
   * queries of log alarms). A group that does not exist fails the query with
   * ResourceNotFoundException; a query Logs Insights cannot parse with MalformedQueryException.
   */
  public runQuery(logGroupNames: string[], startMs: number, endMs: number, queryString: string): Row[] {
    const rows: Row[] = [];
    for (const name of logGroupNames) {
      const group = this.group(name);
      for (let i = lowerBound(group, startMs); i < group.length && group[i].timestamp <= endMs; i++) {
        const e = group[i];
        rows.push(discoverFields(e.message, e.timestamp, name, e.logStreamName, e.ingestionTime));
      }
    }
    rows.sort((a, b) => Number(b['@timestamp']) - Number(a['@timestamp']));
    this.lastScanned = rows.length;
    try {
      return runInsightsLogQuery(queryString, rows);
    } catch (err) {
      if (err instanceof InsightsQueryError) throw new MalformedQueryException({ message: err.message, $metadata: { httpStatusCode: 400 } });
      throw err;
    }
  }

  /** Throw MalformedQueryException when Logs Insights would not accept the query. */
  public validateQuery(queryString: string): void {
    try {
      runInsightsLogQuery(queryString, []);
    } catch (err) {
      if (err instanceof InsightsQueryError) throw new MalformedQueryException({ message: err.message, $metadata: { httpStatusCode: 400 } });
      throw err;
    }
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
    // FilterLogEvents / StartQuery on a missing group: ResourceNotFoundException, "The specified resource does not exist."
    if (!g) throw new ResourceNotFoundException({ message: `The specified log group does not exist: ${name}`, $metadata: { httpStatusCode: 400 } });
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

/**
 * Keep a group sorted by timestamp: each event goes after every event of the group with the same
 * or an earlier timestamp. The events of one call are ascending, and most come after the group's
 * last one; those that do not (a REPORT line of the previous minute's last invocation is later
 * than this minute's first START) are merged with the part of the group they interleave with,
 * not spliced in one by one (each splice moves the rest of a group that grows all scenario long).
 */
function insertSorted(list: SimLogEvent[], added: SimLogEvent[]): void {
  if (added.length === 0) return;
  const ascending = added.every((e, i) => i === 0 || added[i - 1].timestamp <= e.timestamp);
  if (!ascending) {
    for (const ev of added) list.splice(upperBound(list, ev.timestamp), 0, ev);
    return;
  }
  const tail = list.splice(upperBound(list, added[0].timestamp));
  let i = 0;
  for (const ev of added) {
    while (i < tail.length && tail[i].timestamp <= ev.timestamp) list.push(tail[i++]);
    list.push(ev);
  }
  while (i < tail.length) list.push(tail[i++]);
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
