import { compileFilterPattern } from '../../../src/simulation/account/filter-pattern';
import { LogsService } from '../../../src/simulation/account/logs-service';
import { VirtualClock } from '../../../src/simulation/clock';
import { SeededRandom } from '../../../src/simulation/random';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const REPORT = 'REPORT RequestId: 1f2642aa-dcde-4204-83b3-0f66110e2cb6\tDuration: 1144.53 ms\tBilled Duration: 1145 ms\tMemory Size: 256 MB\tMax Memory Used: 250 MB\t';
const KILL = 'RequestId: 1f2642aa-dcde-4204-83b3-0f66110e2cb6 Error: Runtime exited with error: signal: killed\nRuntime.ExitError';

describe('filter patterns', () => {
  test('GIVEN term patterns THEN all terms, ?alternatives, -exclusions and quoted phrases behave as CloudWatch Logs', () => {
    expect(compileFilterPattern('REPORT RequestId').matches(REPORT)).toBe(true);
    expect(compileFilterPattern('?REPORT ?"Task timed out"').matches(KILL)).toBe(false);
    expect(compileFilterPattern('?REPORT ?"signal: killed"').matches(KILL)).toBe(true);
    expect(compileFilterPattern('RequestId -REPORT').matches(REPORT)).toBe(false);
    expect(compileFilterPattern('report').matches(REPORT)).toBe(false); // case-sensitive
  });

  test('GIVEN a JSON pattern THEN fields compare with wildcards and numbers', () => {
    const line = JSON.stringify({ type: 'platform.report', record: { metrics: { maxMemoryUsedMB: 250 }, status: 'error' } });
    expect(compileFilterPattern('{ $.type = "platform.report" }').matches(line)).toBe(true);
    expect(compileFilterPattern('{ $.type = "platform.*" && $.record.metrics.maxMemoryUsedMB > 200 }').matches(line)).toBe(true);
    expect(compileFilterPattern('{ $.record.status = "success" }').matches(line)).toBe(false);
    expect(compileFilterPattern('{ $.type = "platform.report" }').matches(REPORT)).toBe(false);
  });

  test('GIVEN a space-delimited REPORT pattern THEN named fields extract the numbers', () => {
    const p = compileFilterPattern('[type=REPORT, ..., label1=Max, label2=Memory, label3="Used:", used, unit=MB]');
    expect(p.extract(REPORT)).toMatchObject({ type: 'REPORT', used: 250 });
    expect(p.matches(KILL)).toBe(false);
  });
});

describe('CloudWatch Logs', () => {
  const logs = () => {
    const svc = new LogsService(new VirtualClock(T0 + 3600_000), new SeededRandom(1));
    const events = [];
    for (let i = 0; i < 7000; i++) events.push({ timestamp: T0 + i * 100, message: i % 2 ? REPORT : `START RequestId: r${i} Version: $LATEST`, logStreamName: 's1' });
    svc.append('/aws/lambda/orders', events);
    return svc;
  };

  test('GIVEN 7,000 events WHEN FilterLogEvents pages with nextToken THEN every matching event exactly once', () => {
    const svc = logs();
    let token: string | undefined;
    let total = 0;
    let pages = 0;
    do {
      const page = svc.filterLogEvents({ logGroupName: '/aws/lambda/orders', filterPattern: 'REPORT', startTime: T0, nextToken: token }) as any;
      total += page.events.length;
      token = page.nextToken;
      pages++;
    } while (token);
    expect(total).toBe(3500);
    expect(pages).toBe(2);
  });

  test('GIVEN a minute whose first events are earlier than the last minute\'s last ones THEN the group stays in time order, equal times in arrival order, ids unique', () => {
    const svc = new LogsService(new VirtualClock(T0 + 3600_000), new SeededRandom(1));
    const at = (ms: number, message: string) => ({ timestamp: T0 + ms, message, logStreamName: 's' });
    svc.append('/aws/lambda/orders', [at(0, 'a'), at(59_000, 'b'), at(61_000, 'c'), at(62_000, 'd')]);
    svc.append('/aws/lambda/orders', [at(60_000, 'e'), at(61_000, 'f'), at(63_000, 'g')]);
    // Out of order within one call (not what the account sends): each event still finds its place.
    svc.append('/aws/lambda/orders', [at(64_000, 'h'), at(1_000, 'i')]);
    const out = svc.filterLogEvents({ logGroupName: '/aws/lambda/orders' }) as any;
    expect(out.events.map((e: any) => e.message)).toEqual(['a', 'i', 'b', 'e', 'c', 'f', 'd', 'g', 'h']);
    expect(new Set(out.events.map((e: any) => e.eventId)).size).toBe(9);
  });

  test('GIVEN a time window and limit WHEN filtered THEN only events inside, at most limit', () => {
    const out = logs().filterLogEvents({ logGroupName: '/aws/lambda/orders', startTime: T0 + 1000, endTime: T0 + 1999, limit: 5 }) as any;
    expect(out.events.map((e: any) => e.timestamp)).toEqual([T0 + 1000, T0 + 1100, T0 + 1200, T0 + 1300, T0 + 1400]);
  });

  test('GIVEN the memory alarm query WHEN run by Logs Insights THEN utilisation from @maxMemoryUsed / @memorySize per log group', async () => {
    const svc = logs();
    const { queryId } = svc.startQuery({
      logGroupIdentifiers: ['/aws/lambda/orders'],
      startTime: T0 / 1000,
      endTime: T0 / 1000 + 600,
      queryString: 'filter @type = "REPORT" | fields @log, 100 * @maxMemoryUsed / @memorySize as memoryUtilization | stats max(memoryUtilization) as peak, count(*) as n by @log',
    }) as any;
    const out = svc.getQueryResults({ queryId }) as any;
    expect(out.status).toBe('Complete');
    expect(out.results).toEqual([[
      { field: '@log', value: '123456789012:/aws/lambda/orders' },
      { field: 'peak', value: String(100 * 250 / 256) },
      { field: 'n', value: '3000' },
    ]]);
  });

  test('GIVEN parse with named groups, sort and limit THEN the newest parsed values', () => {
    const svc = logs();
    const { queryId } = svc.startQuery({
      logGroupName: '/aws/lambda/orders',
      startTime: T0 / 1000,
      endTime: T0 / 1000 + 3600,
      queryString: 'fields @timestamp, @message | filter @message like /^REPORT/ | parse @message /Max Memory Used: (?<used>\\d+) MB/ | sort @timestamp desc | limit 2 | display @timestamp, used',
    }) as any;
    const out = svc.getQueryResults({ queryId }) as any;
    expect(out.results).toEqual([
      [{ field: '@timestamp', value: '2026-11-28 12:11:39.900' }, { field: 'used', value: '250' }],
      [{ field: '@timestamp', value: '2026-11-28 12:11:39.700' }, { field: 'used', value: '250' }],
    ]);
  });

  test('fails when the log group does not exist: FilterLogEvents and StartQuery give ResourceNotFoundException', () => {
    expect(() => logs().filterLogEvents({ logGroupName: '/aws/lambda/nope' })).toThrow(expect.objectContaining({ name: 'ResourceNotFoundException' }));
    expect(() => logs().startQuery({ logGroupIdentifiers: ['/aws/lambda/orders', '/aws/lambda/nope'], queryString: 'fields @message' })).toThrow(expect.objectContaining({ name: 'ResourceNotFoundException', message: expect.stringContaining('/aws/lambda/nope') }));
  });

  test('GIVEN both logGroupName and logGroupNames THEN StartQuery is rejected ("exactly one of the following parameters")', () => {
    expect(() => logs().startQuery({ logGroupName: '/aws/lambda/orders', logGroupNames: ['/aws/lambda/orders'], queryString: 'fields @message' })).toThrow(expect.objectContaining({ name: 'InvalidParameterException' }));
    expect(() => logs().filterLogEvents({ logGroupName: '/aws/lambda/orders', logGroupIdentifier: '/aws/lambda/orders' })).toThrow(expect.objectContaining({ name: 'InvalidParameterException' }));
  });

  test('GIVEN an unknown command or function THEN StartQuery fails with MalformedQueryException', () => {
    expect(() => logs().startQuery({ logGroupName: '/aws/lambda/orders', queryString: 'fields @message | explode @message' })).toThrow(expect.objectContaining({ name: 'MalformedQueryException' }));
    expect(() => logs().startQuery({ logGroupName: '/aws/lambda/orders', queryString: 'fields nosuch(@message) as x' })).toThrow(expect.objectContaining({ name: 'MalformedQueryException' }));
  });

  test('GIVEN parse @log "*:*" THEN the account and the whole log group name; JSON fields by dotted path', () => {
    const svc = logs();
    svc.append('/custom/json-fn', [{ timestamp: T0 + 10, message: JSON.stringify({ type: 'platform.report', record: { metrics: { maxMemoryUsedMB: 480, memorySizeMB: 512 } } }), logStreamName: 's' }]);
    const { queryId } = svc.startQuery({
      logGroupNames: ['/aws/lambda/orders', '/custom/json-fn'],
      startTime: T0 / 1000,
      endTime: T0 / 1000 + 3600,
      queryString: 'filter @type = "REPORT" or type = "platform.report" | parse @log "*:*" as account, logGroup | fields coalesce(@maxMemoryUsed / @memorySize, record.metrics.maxMemoryUsedMB / record.metrics.memorySizeMB) * 100 as pct | stats max(pct) as peak by account, logGroup',
    }) as any;
    const rows = (svc.getQueryResults({ queryId }) as any).results.map((r: any[]) => Object.fromEntries(r.map((f) => [f.field, f.value])));
    expect(rows).toEqual(expect.arrayContaining([
      { account: '123456789012', logGroup: '/aws/lambda/orders', peak: String(100 * 250 / 256) },
      { account: '123456789012', logGroup: '/custom/json-fn', peak: String(100 * 480 / 512) },
    ]));
  });
});

describe('log groups', () => {
  const svc = () => new LogsService(new VirtualClock(T0), new SeededRandom(1));

  test('GIVEN CreateLogGroup twice THEN ResourceAlreadyExistsException; a name starting with aws/ is invalid', () => {
    const s = svc();
    s.createLogGroup({ logGroupName: '/custom/orders' });
    expect(() => s.createLogGroup({ logGroupName: '/custom/orders' })).toThrow(expect.objectContaining({ name: 'ResourceAlreadyExistsException' }));
    expect(() => s.createLogGroup({ logGroupName: 'aws/orders' })).toThrow(expect.objectContaining({ name: 'InvalidParameterException' }));
    expect(() => s.createLogGroup({ logGroupName: '/bad name' })).toThrow(expect.objectContaining({ name: 'InvalidParameterException' }));
  });

  test('GIVEN log groups THEN DescribeLogGroups filters by prefix or identifiers, sorted, with both ARN forms', () => {
    const s = svc();
    for (const g of ['/aws/lambda/b', '/aws/lambda/a', '/custom/c']) s.createLogGroup({ logGroupName: g });
    expect((s.describeLogGroups({ logGroupNamePrefix: '/aws/lambda/' }) as any).logGroups.map((g: any) => g.logGroupName)).toEqual(['/aws/lambda/a', '/aws/lambda/b']);
    const byId = (s.describeLogGroups({ logGroupIdentifiers: ['/custom/c', '/custom/missing'] }) as any).logGroups;
    expect(byId).toEqual([expect.objectContaining({
      logGroupName: '/custom/c',
      arn: 'arn:aws:logs:us-east-1:123456789012:log-group:/custom/c:*',
      logGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/custom/c',
      creationTime: T0,
    })]);
    expect(() => s.describeLogGroups({ logGroupNamePrefix: '/a', logGroupNamePattern: 'x' })).toThrow(expect.objectContaining({ name: 'InvalidParameterException' }));
    const page = s.describeLogGroups({ limit: 2 }) as any;
    expect(page.logGroups).toHaveLength(2);
    expect((s.describeLogGroups({ limit: 2, nextToken: page.nextToken }) as any).logGroups.map((g: any) => g.logGroupName)).toEqual(['/custom/c']);
  });
});
