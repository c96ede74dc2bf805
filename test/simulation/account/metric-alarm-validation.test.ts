import { cloudwatch, MIN, T0 } from './cw-helpers';
import { AlarmSpec } from '../../../src/simulation/account/alarm-validation';
import { parseInsightsQuery, runInsightsQueryDetailed } from '../../../src/simulation/account/metrics';

const insightsAlarm = (expression: string, over: Partial<AlarmSpec> = {}): AlarmSpec => ({
  alarmName: 'fleet-errors',
  metrics: [{ id: 'q1', expression, period: 60, returnData: true }],
  threshold: 1,
  comparisonOperator: 'GreaterThanOrEqualToThreshold',
  evaluationPeriods: 5,
  datapointsToAlarm: 2,
  treatMissingData: 'notBreaching',
  ...over,
});
const put = (spec: AlarmSpec) => () => cloudwatch().cw.addAlarm(spec);
const errors = (fn: string) => ({ namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: fn } });

describe('PutMetricAlarm checks a Metrics Insights query as documented', () => {
  test('GIVEN the old WHERE FunctionName IN (...) query THEN PutMetricAlarm rejects it with ValidationError', () => {
    const old = 'SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) WHERE FunctionName IN (\'orders\', \'thumbs\') GROUP BY FunctionName ORDER BY SUM() DESC';
    expect(put(insightsAlarm(old))).toThrow(expect.objectContaining({ name: 'ValidationError', message: expect.stringContaining('operator IN is not supported in WHERE') }));
  });

  test('GIVEN OR, LIKE, a double-quoted value or parentheses in WHERE THEN rejected', () => {
    const base = 'SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) WHERE ';
    expect(() => parseInsightsQuery(`${base}FunctionName = 'a' OR FunctionName = 'b'`)).toThrow('OR is not supported in WHERE');
    expect(() => parseInsightsQuery(`${base}FunctionName LIKE 'a%'`)).toThrow('operator LIKE is not supported');
    expect(() => parseInsightsQuery(`${base}FunctionName = "a"`)).toThrow('a label value must be in single quotes');
    expect(() => parseInsightsQuery(`${base}(FunctionName = 'a')`)).toThrow('expected a label key');
  });

  test('GIVEN a multi time series query without ORDER BY THEN PutMetricAlarm rejects it', () => {
    expect(put(insightsAlarm('SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) GROUP BY FunctionName'))).toThrow('must also have ORDER BY');
  });

  test('GIVEN LIMIT 501 THEN rejected; LIMIT 500 accepted', () => {
    const q = (n: number) => `SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) GROUP BY FunctionName ORDER BY SUM() DESC LIMIT ${n}`;
    expect(put(insightsAlarm(q(501)))).toThrow('LIMIT must be between 1 and 500, got 501');
    expect(put(insightsAlarm(q(500)))).not.toThrow();
  });

  test('GIVEN a namespace with / not in double quotes THEN rejected', () => {
    expect(() => parseInsightsQuery('SELECT SUM(Errors) FROM AWS/Lambda')).toThrow("unexpected character '/'");
  });

  test('GIVEN the documented fleet query with a tag filter THEN it parses into its parts', () => {
    expect(parseInsightsQuery('SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) WHERE tag.LambdaAutoRemediation = \'stack-1\' AND FunctionName != \'x\' GROUP BY FunctionName ORDER BY SUM() DESC LIMIT 500')).toEqual({
      func: 'SUM',
      metricName: 'Errors',
      namespace: 'AWS/Lambda',
      schemaKeys: ['FunctionName'],
      where: [{ key: 'tag.LambdaAutoRemediation', op: '=', value: 'stack-1' }, { key: 'FunctionName', op: '!=', value: 'x' }],
      groupBy: ['FunctionName'],
      orderBy: { func: 'SUM', desc: true },
      limit: 500,
    });
  });
});

describe('PutMetricAlarm checks the alarm as documented', () => {
  const single: AlarmSpec = {
    alarmName: 'orders-errors',
    namespace: 'AWS/Lambda',
    metricName: 'Errors',
    dimensions: { FunctionName: 'orders' },
    statistic: 'Sum',
    period: 60,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    evaluationPeriods: 5,
  };

  test('GIVEN a Period that is not 10, 20, 30 or a multiple of 60 THEN rejected', () => {
    expect(put({ ...single, period: 45 })).toThrow('Period must be 10, 20, 30 or a multiple of 60, got 45');
  });

  test('GIVEN Period x EvaluationPeriods above one day for a period under an hour THEN rejected', () => {
    expect(put({ ...single, period: 60, evaluationPeriods: 1441, datapointsToAlarm: 1 })).toThrow('more than 86,400');
  });

  test('GIVEN EvaluationPeriods 0 or DatapointsToAlarm above it THEN rejected', () => {
    expect(put({ ...single, evaluationPeriods: 0 })).toThrow('EvaluationPeriods must be an integer of at least 1');
    expect(put({ ...single, datapointsToAlarm: 6 })).toThrow('DatapointsToAlarm 6 must be between 1 and EvaluationPeriods (5)');
  });

  test('GIVEN Metrics with two ReturnData true, more than 10 MetricStat, or both Expression and MetricStat THEN rejected', () => {
    const stat = { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: {}, period: 60, stat: 'Sum' };
    const base = { alarmName: 'math', threshold: 1, comparisonOperator: 'GreaterThanThreshold', evaluationPeriods: 1 };
    expect(put({ ...base, metrics: [{ id: 'm1', metricStat: stat }, { id: 'm2', metricStat: stat }] })).toThrow('exactly one query of Metrics must have ReturnData true, got 2');
    const eleven = Array.from({ length: 11 }, (_, i) => ({ id: `m${i}`, metricStat: stat, returnData: false }));
    expect(put({ ...base, metrics: [...eleven, { id: 'e1', expression: 'm1', returnData: true }] })).toThrow('at most 10 queries may contain MetricStat, got 11');
    expect(put({ ...base, metrics: [{ id: 'm1', metricStat: stat, expression: 'm1' }] })).toThrow('must have either Expression or MetricStat, not both');
    expect(put({ ...base, metrics: [{ id: 'M1', metricStat: stat }] })).toThrow("metric query id 'M1' must start with a lowercase letter");
  });

  test('GIVEN Metrics together with MetricName, or a band operator without anomaly detection THEN rejected', () => {
    expect(put({ ...single, metrics: [{ id: 'e1', expression: 'SELECT SUM(Errors) FROM "AWS/Lambda"' }] })).toThrow('Metrics cannot be combined with');
    expect(put({ ...single, comparisonOperator: 'GreaterThanUpperThreshold' })).toThrow('used only for alarms based on anomaly detection models');
  });

  test('GIVEN an anomaly alarm with a Threshold, or a ThresholdMetricId naming no band THEN rejected', () => {
    const metrics = [
      { id: 'm1', metricStat: { namespace: 'AWS/Lambda', metricName: 'Duration', dimensions: { FunctionName: 'orders' }, period: 300, stat: 'Average' }, returnData: true },
      { id: 'ad1', expression: 'ANOMALY_DETECTION_BAND(m1, 3)', returnData: true },
    ];
    const band = { alarmName: 'band', metrics, thresholdMetricId: 'ad1', comparisonOperator: 'GreaterThanUpperThreshold', evaluationPeriods: 5, datapointsToAlarm: 3 };
    expect(put(band)).not.toThrow();
    expect(put({ ...band, threshold: 1 })).toThrow('Threshold cannot be set on an anomaly detection alarm');
    expect(put({ ...band, thresholdMetricId: 'm1' })).toThrow("ThresholdMetricId 'm1' must name an ANOMALY_DETECTION_BAND");
  });

  test('GIVEN 200 Metrics Insights alarms THEN the 201st fails with LimitExceededFault', () => {
    const { cw } = cloudwatch();
    for (let i = 0; i < 200; i++) cw.addAlarm(insightsAlarm('SELECT SUM(Errors) FROM "AWS/Lambda"', { alarmName: `a${i}` }));
    expect(() => cw.addAlarm(insightsAlarm('SELECT SUM(Errors) FROM "AWS/Lambda"', { alarmName: 'a200' }))).toThrow(expect.objectContaining({ name: 'LimitExceededFault' }));
  });
});

describe('Metrics Insights results and limits', () => {
  test('GIVEN a tag filter THEN only series of functions carrying the tag are returned', () => {
    const { store } = cloudwatch();
    for (const fn of ['a', 'b', 'c']) store.put(errors(fn), T0, 1);
    const tags: Record<string, Record<string, string>> = { a: { team: 'x' }, b: { team: 'y' } };
    const res = runInsightsQueryDetailed(store, parseInsightsQuery('SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) WHERE tag.team = \'x\' GROUP BY FunctionName ORDER BY SUM() DESC'), 60, T0, T0 + MIN, (m) => tags[m.dimensions.FunctionName]);
    expect(res.series.map((s) => s.group)).toEqual([{ FunctionName: 'a' }]);
  });

  test('GIVEN 501 series THEN the 500 highest by ORDER BY are returned and the result is partial', () => {
    const { store } = cloudwatch();
    for (let i = 0; i < 501; i++) store.put(errors(`fn-${i}`), T0, i);
    const res = runInsightsQueryDetailed(store, parseInsightsQuery('SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) GROUP BY FunctionName ORDER BY MAX() DESC'), 60, T0, T0 + MIN);
    expect(res.series).toHaveLength(500);
    expect(res.partialData).toBe(true);
    expect(res.series[0].group).toEqual({ FunctionName: 'fn-500' });
    expect(res.series.some((s) => s.group!.FunctionName === 'fn-0')).toBe(false);
  });

  test('GIVEN more than 10,000 matched metrics THEN only 10,000 are processed and the result is partial', () => {
    const { store } = cloudwatch();
    for (let i = 0; i < 10_001; i++) store.put({ namespace: 'App', metricName: 'Hits', dimensions: { Id: String(i) } }, T0, 1);
    const res = runInsightsQueryDetailed(store, parseInsightsQuery('SELECT SUM(Hits) FROM App'), 60, T0, T0 + MIN);
    expect(res.matchedMetrics).toBe(10_001);
    expect(res.series[0].values).toEqual([10_000]);
    expect(res.partialData).toBe(true);
  });

  test('GIVEN more than 100 contributors breaching THEN 100 are in ALARM and the reason says 100+', () => {
    const { cw, store, runTo } = cloudwatch();
    cw.addAlarm(insightsAlarm('SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) GROUP BY FunctionName ORDER BY SUM() DESC', { evaluationPeriods: 1, datapointsToAlarm: 1 }));
    for (let i = 0; i < 120; i++) store.put(errors(`fn-${i}`), T0, 5);
    runTo(1);
    const d = cw.describeAlarms({ AlarmNames: ['fleet-errors'] }) as any;
    expect(d.MetricAlarms[0].StateValue).toBe('ALARM');
    expect(d.MetricAlarms[0].StateReason).toBe('100+ time series evaluated to ALARM');
    const contributors = cw.describeAlarmContributors({ AlarmName: 'fleet-errors' }) as any;
    expect(contributors.AlarmContributors).toHaveLength(100);
    expect(contributors.NextToken).toBeUndefined();
  });

  test('GIVEN a contributor in ALARM WHEN the query stops returning it THEN it goes to OK whatever the missing-data setting', () => {
    const { cw, store, runTo } = cloudwatch();
    cw.addAlarm(insightsAlarm('SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) GROUP BY FunctionName ORDER BY SUM() DESC', { evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: 'breaching' }));
    store.put(errors('orders'), T0, 3);
    expect(runTo(1).map((t) => `${t.contributor?.FunctionName ?? 'alarm'}:${t.to}`)).toEqual(['orders:ALARM', 'alarm:ALARM']);
    expect(runTo(2).map((t) => `${t.contributor?.FunctionName ?? 'alarm'}:${t.to}`)).toEqual(['orders:OK']);
    expect(cw.describeAlarmContributors({ AlarmName: 'fleet-errors' })).toEqual({ AlarmContributors: [] });
  });

  test('GIVEN a Metrics Insights alarm THEN data older than 3 hours is not evaluated', () => {
    const { cw, store, runTo } = cloudwatch();
    cw.addAlarm(insightsAlarm('SELECT MAX(Errors) FROM "AWS/Lambda"', { period: undefined, metrics: [{ id: 'q1', expression: 'SELECT MAX(Errors) FROM "AWS/Lambda"', period: 3600, returnData: true }], evaluationPeriods: 4, datapointsToAlarm: 1 }));
    store.put(errors('orders'), T0 + 30 * MIN, 9);
    // At 4 h the evaluation range [0 h, 4 h) still holds the breach, but only the last 3 hours count.
    const t = runTo(240);
    expect(t.filter((x) => x.to === 'ALARM').map((x) => (x.at - T0) / MIN)).toEqual([60]);
    expect(cw.stateOf('fleet-errors')).toBe('OK');
  });
});
