import { MIN, T0 } from './cw-helpers';
import { LogAlarmSpec } from '../../../src/simulation/account/alarm-validation';
import { IamRequest, CloudWatchService } from '../../../src/simulation/account/cloudwatch-service';
import { LogsService } from '../../../src/simulation/account/logs-service';
import { MetricStore } from '../../../src/simulation/account/metrics';
import { VirtualClock } from '../../../src/simulation/clock';
import { SeededRandom } from '../../../src/simulation/random';

const ROLE = 'arn:aws:iam::123456789012:role/memory-query';
const arn = (g: string) => `arn:aws:logs:us-east-1:123456789012:log-group:${g}:*`;

/** The memory query of the PLAN: text REPORT lines and JSON platform.report records, per log group. */
const memoryAlarm = (groups: string[], over: Partial<LogAlarmSpec> = {}): LogAlarmSpec => ({
  alarmName: 'lar-mem-1',
  alarmDescription: 'memory used >= 90 % of memory size',
  queryString: [
    'filter @type = "REPORT" or type = "platform.report"',
    'parse @log "*:*" as account, logGroup',
    'fields coalesce(@maxMemoryUsed / @memorySize, record.metrics.maxMemoryUsedMB / record.metrics.memorySizeMB) * 100 as memoryUtilization',
  ].join(' | '),
  aggregationExpression: 'max(memoryUtilization) by logGroup',
  logGroupIdentifiers: groups,
  scheduleExpression: 'rate(5 minutes)',
  startTimeOffset: 360,
  endTimeOffset: 60,
  scheduledQueryRoleArn: ROLE,
  queryResultsToEvaluate: 1,
  queryResultsToAlarm: 1,
  threshold: 90,
  comparisonOperator: 'GreaterThanOrEqualToThreshold',
  treatMissingData: 'notBreaching',
  ...over,
});

const report = (used: number, size = 256) => `REPORT RequestId: 1f2642aa\tDuration: 10.00 ms\tBilled Duration: 10 ms\tMemory Size: ${size} MB\tMax Memory Used: ${used} MB\t`;
const jsonReport = (used: number, size = 512) => JSON.stringify({ time: '2026-11-28T12:00:00.000Z', type: 'platform.report', record: { requestId: 'r', metrics: { durationMs: 10, billedDurationMs: 10, memorySizeMB: size, maxMemoryUsedMB: used }, status: 'success' } });

/** A test grant list: exactly these (action, resource) pairs are allowed for ROLE. */
function grants(allowed: Array<[string, string]>) {
  const calls: IamRequest[] = [];
  const authorize = async (req: IamRequest) => {
    calls.push(req);
    const ok = req.principalArn === ROLE && allowed.some(([a, r]) => a === req.action && (r === req.resource || r === '*'));
    return { allowed: ok, result: ok ? 'Allowed' : 'ImplicitlyDenied' };
  };
  return { authorize, calls };
}
const fullGrant = (groups: string[]): Array<[string, string]> => [
  ['logs:DescribeLogGroups', '*'], ['logs:StopQuery', '*'],
  ...groups.flatMap((g): Array<[string, string]> => [['logs:StartQuery', arn(g)], ['logs:GetQueryResults', arn(g)]]),
];

function world(allowed?: Array<[string, string]>) {
  const clock = new VirtualClock(T0);
  const random = new SeededRandom(1);
  const logs = new LogsService(clock, random);
  const g = allowed ? grants(allowed) : undefined;
  const cw = new CloudWatchService(clock, random, new MetricStore(), { logs, authorize: g?.authorize });
  const runTo = (minutes: number) => {
    const out = [];
    while (clock.now() < T0 + minutes * MIN) {
      clock.advanceTo(clock.now() + MIN);
      out.push(...cw.evaluateAlarms(clock.now()));
    }
    return out;
  };
  const write = (group: string, minute: number, message: string) => logs.append(group, [{ timestamp: T0 + minute * MIN + 1000, message, logStreamName: 's' }]);
  return { clock, logs, cw, runTo, write, calls: g?.calls };
}

describe('PutLogAlarm checks', () => {
  const put = (spec: LogAlarmSpec) => () => world().cw.addLogAlarm(spec);

  test('GIVEN 51 log groups THEN rejected ("The list must contain between 1 and 50 entries."); 50 accepted', () => {
    const groups = (n: number) => Array.from({ length: n }, (_, i) => `/aws/lambda/fn-${i}`);
    expect(put(memoryAlarm(groups(51)))).toThrow(expect.objectContaining({ name: 'ValidationError', message: expect.stringContaining('LogGroupIdentifiers must list 1 to 50 log groups, got 51') }));
    expect(put(memoryAlarm(groups(50)))).not.toThrow();
    expect(put(memoryAlarm([]))).toThrow('got 0');
  });

  test('GIVEN QueryResultsToAlarm above QueryResultsToEvaluate, or QueryResultsToEvaluate 101 THEN rejected', () => {
    expect(put(memoryAlarm(['/g'], { queryResultsToEvaluate: 2, queryResultsToAlarm: 3 }))).toThrow('QueryResultsToAlarm 3 must be between 1 and QueryResultsToEvaluate (2)');
    expect(put(memoryAlarm(['/g'], { queryResultsToEvaluate: 101, queryResultsToAlarm: 1 }))).toThrow('QueryResultsToEvaluate must be 1 to 100, got 101');
  });

  test('GIVEN a cron schedule, EndTimeOffset >= StartTimeOffset, or a band operator THEN rejected', () => {
    expect(put(memoryAlarm(['/g'], { scheduleExpression: 'cron(0/5 * * * ? *)' }))).toThrow('ScheduleExpression must be a rate() expression');
    expect(put(memoryAlarm(['/g'], { startTimeOffset: 300, endTimeOffset: 300 }))).toThrow('EndTimeOffset (300) must be less than StartTimeOffset (300)');
    expect(put(memoryAlarm(['/g'], { comparisonOperator: 'GreaterThanUpperThreshold' }))).toThrow('ComparisonOperator must be one of');
  });

  test('GIVEN six by-fields, an unknown command or an unknown function THEN rejected', () => {
    expect(put(memoryAlarm(['/g'], { aggregationExpression: 'max(x) by a, b, c, d, e, f' }))).toThrow('at most 5 fields, got 6');
    expect(put(memoryAlarm(['/g'], { queryString: 'filter @type = "REPORT" | frobnicate x' }))).toThrow("unsupported logs insights command 'frobnicate'");
    expect(put(memoryAlarm(['/g'], { queryString: 'fields nosuchfn(@message) as x' }))).toThrow("unsupported logs insights function 'nosuchfn'");
    expect(put(memoryAlarm(['/g'], { aggregationExpression: 'median(x) by a' }))).toThrow("unsupported stats function 'median'");
  });
});

describe('log alarms as simulated', () => {
  const groups = ['/aws/lambda/orders', '/custom/thumbs'];

  test('GIVEN text and JSON REPORT records WHEN one function nears its memory THEN only its contributor alarms, on the schedule', async () => {
    const w = world(fullGrant(groups));
    for (const g of groups) w.logs.ensureLogGroup(g);
    w.cw.addLogAlarm(memoryAlarm(groups));
    await w.cw.authorizeLogAlarms();
    w.write('/aws/lambda/orders', 1, report(250));
    w.write('/custom/thumbs', 1, jsonReport(100));
    const t = w.runTo(5);
    expect(t.map((x) => `${(x.at - T0) / MIN} ${x.contributor?.logGroup ?? 'alarm'} ${x.to}`)).toEqual(['5 /aws/lambda/orders ALARM', '5 /custom/thumbs OK', '5 alarm ALARM']);
    expect(t[0].event).toMatchObject({ 'detail-type': 'CloudWatch Alarm Contributor State Change', 'detail': { alarmContributor: { attributes: { logGroup: '/aws/lambda/orders' } } } });
    expect(w.cw.stateOf('lar-mem-1', { logGroup: '/custom/thumbs' })).toBe('OK');
    const c = w.cw.describeAlarmContributors({ AlarmName: 'lar-mem-1' }) as any;
    expect(c.AlarmContributors).toEqual([{ ContributorId: expect.stringMatching(/^[0-9a-f]{16}$/), ContributorAttributes: { logGroup: '/aws/lambda/orders' }, StateReason: expect.stringContaining('greater than or equal to the threshold (90.0)'), StateTransitionedTimestamp: new Date(T0 + 5 * MIN) }]);
    // The query window is [now - 360 s, now - 60 s]: a REPORT in the last minute is read at the next run.
    w.write('/custom/thumbs', 9, jsonReport(500));
    // No REPORT in the window: the contributors disappear (orders back to OK), no result is treated as not breaching.
    expect(w.runTo(10).map((x) => `${x.contributor?.logGroup ?? 'alarm'} ${x.to}`)).toEqual(['/aws/lambda/orders OK', 'alarm OK']);
    expect(w.runTo(15).map((x) => `${x.contributor?.logGroup ?? 'alarm'} ${x.to}`)).toEqual(['/custom/thumbs ALARM', 'alarm ALARM']);
  });

  test('GIVEN DescribeAlarms WHEN AlarmTypes is omitted THEN no log alarms; with LogAlarm THEN the LogAlarms list in the API shape', async () => {
    const w = world(fullGrant(groups));
    w.cw.addLogAlarm(memoryAlarm(groups));
    expect(w.cw.describeAlarms({ AlarmNames: ['lar-mem-1'] })).toEqual({ MetricAlarms: [] });
    const d = w.cw.describeAlarms({ AlarmNames: ['lar-mem-1'], AlarmTypes: ['LogAlarm'] }) as any;
    expect(d.LogAlarms[0]).toMatchObject({
      AlarmName: 'lar-mem-1',
      StateValue: 'INSUFFICIENT_DATA',
      QueryResultsToEvaluate: 1,
      QueryResultsToAlarm: 1,
      Threshold: 90,
      ScheduledQueryConfiguration: { LogGroupIdentifiers: groups, AggregationExpression: 'max(memoryUtilization) by logGroup', ScheduleConfiguration: { ScheduleExpression: 'rate(5 minutes)', StartTimeOffset: 360, EndTimeOffset: 60 } },
    });
  });

  test('GIVEN a query role without logs:DescribeLogGroups THEN every execution fails: INSUFFICIENT_DATA with EvaluationState EVALUATION_ERROR', async () => {
    const w = world(fullGrant(groups).filter(([a]) => a !== 'logs:DescribeLogGroups'));
    for (const g of groups) w.logs.ensureLogGroup(g);
    w.cw.addLogAlarm(memoryAlarm(groups, { treatMissingData: 'notBreaching' }));
    await w.cw.authorizeLogAlarms();
    w.write('/aws/lambda/orders', 1, report(256));
    const t = w.runTo(10);
    expect(t).toEqual([]);
    const d = (w.cw.describeAlarms({ AlarmTypes: ['LogAlarm'] }) as any).LogAlarms[0];
    expect(d.StateValue).toBe('INSUFFICIENT_DATA');
    expect(d.EvaluationState).toBe('EVALUATION_ERROR');
    expect(d.StateReason).toContain(`AccessDeniedException: ${ROLE} is not authorized to perform logs:DescribeLogGroups on *`);
    expect(w.calls!.map((c) => `${c.action} ${c.resource}`)).toEqual([
      'logs:DescribeLogGroups *',
      `logs:StartQuery ${arn('/aws/lambda/orders')}`, `logs:StartQuery ${arn('/custom/thumbs')}`,
      `logs:GetQueryResults ${arn('/aws/lambda/orders')}`, `logs:GetQueryResults ${arn('/custom/thumbs')}`,
      'logs:StopQuery *',
    ]);
  });

  test('GIVEN one of two log groups missing THEN the whole execution fails (no contributor from the other group) until the group exists', async () => {
    const w = world(fullGrant(groups));
    w.logs.ensureLogGroup('/aws/lambda/orders');
    w.cw.addLogAlarm(memoryAlarm(groups));
    await w.cw.authorizeLogAlarms();
    w.write('/aws/lambda/orders', 1, report(256));
    expect(w.runTo(5)).toEqual([]);
    const d = (w.cw.describeAlarms({ AlarmTypes: ['LogAlarm'] }) as any).LogAlarms[0];
    expect([d.StateValue, d.EvaluationState]).toEqual(['INSUFFICIENT_DATA', 'EVALUATION_ERROR']);
    expect(d.StateReason).toContain('log group /custom/thumbs does not exist');
    // The function with the custom log group runs for the first time: Lambda creates its group.
    w.write('/custom/thumbs', 6, jsonReport(10));
    w.write('/aws/lambda/orders', 6, report(256));
    expect(w.runTo(10).map((x) => `${x.contributor?.logGroup ?? 'alarm'} ${x.to}`)).toEqual(['/aws/lambda/orders ALARM', '/custom/thumbs OK', 'alarm ALARM']);
    expect((w.cw.describeAlarms({ AlarmTypes: ['LogAlarm'] }) as any).LogAlarms[0].EvaluationState).toBeUndefined();
  });

  test('GIVEN 2 of 3 query results to alarm THEN one breaching run is not enough', async () => {
    const w = world();
    w.logs.ensureLogGroup('/aws/lambda/orders');
    w.cw.addLogAlarm(memoryAlarm(['/aws/lambda/orders'], { queryResultsToEvaluate: 3, queryResultsToAlarm: 2, startTimeOffset: 300, endTimeOffset: 0 }));
    w.write('/aws/lambda/orders', 1, report(250));
    w.write('/aws/lambda/orders', 6, report(100));
    w.write('/aws/lambda/orders', 11, report(250));
    const t = w.runTo(15);
    expect(t.filter((x) => x.contributor).map((x) => `${(x.at - T0) / MIN} ${x.to}`)).toEqual(['5 OK', '15 ALARM']);
  });
});
