import { AlarmSpec, CloudWatchService, evaluateSeries } from '../../../src/simulation/account/cloudwatch-service';
import { MetricStore } from '../../../src/simulation/account/metrics';
import { VirtualClock } from '../../../src/simulation/clock';
import { SeededRandom } from '../../../src/simulation/random';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const MIN = 60_000;
const errors = { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'orders' } };
const alarm = (over: Partial<AlarmSpec> = {}): AlarmSpec => ({
  alarmName: 'orders-errors',
  namespace: 'AWS/Lambda',
  metricName: 'Errors',
  dimensions: { FunctionName: 'orders' },
  statistic: 'Sum',
  period: 60,
  threshold: 1,
  comparisonOperator: 'GreaterThanOrEqualToThreshold',
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  treatMissingData: 'missing',
  ...over,
});
/** A series over 3 periods starting at T0: undefined = missing datapoint. */
const series = (vals: Array<number | undefined>) => ({
  timestamps: vals.map((_, i) => T0 + i * MIN).filter((_, i) => vals[i] !== undefined),
  values: vals.filter((v): v is number => v !== undefined),
});

describe('alarm evaluation', () => {
  test('GIVEN 2 of 3 datapoints breaching WHEN datapointsToAlarm is 2 THEN ALARM', () => {
    expect(evaluateSeries(alarm(), series([0, 3, 5]), T0, MIN).state).toBe('ALARM');
  });

  test('GIVEN 1 of 3 breaching WHEN datapointsToAlarm is 2 THEN OK', () => {
    expect(evaluateSeries(alarm(), series([0, 0, 5]), T0, MIN).state).toBe('OK');
  });

  test('GIVEN no data WHEN treatMissingData missing THEN INSUFFICIENT_DATA; ignore retains; notBreaching OK; breaching ALARM', () => {
    const none = series([undefined, undefined, undefined]);
    expect(evaluateSeries(alarm({ treatMissingData: 'missing' }), none, T0, MIN).state).toBe('INSUFFICIENT_DATA');
    expect(evaluateSeries(alarm({ treatMissingData: 'ignore' }), none, T0, MIN).state).toBe('RETAIN');
    expect(evaluateSeries(alarm({ treatMissingData: 'notBreaching' }), none, T0, MIN).state).toBe('OK');
    expect(evaluateSeries(alarm({ treatMissingData: 'breaching' }), none, T0, MIN).state).toBe('ALARM');
  });

  test('GIVEN one breaching point and gaps WHEN missing counts as breaching THEN ALARM, as not breaching THEN OK', () => {
    const gaps = series([undefined, 4, undefined]);
    expect(evaluateSeries(alarm({ treatMissingData: 'breaching' }), gaps, T0, MIN).breaching).toBe(3);
    expect(evaluateSeries(alarm({ treatMissingData: 'notBreaching' }), gaps, T0, MIN).state).toBe('OK');
    expect(evaluateSeries(alarm({ treatMissingData: 'missing' }), gaps, T0, MIN).state).toBe('OK');
  });

  test('GIVEN errors in the store WHEN evaluated each minute THEN one OK then one ALARM transition with a real-shaped event', () => {
    const clock = new VirtualClock(T0);
    const store = new MetricStore();
    const cw = new CloudWatchService(clock, new SeededRandom(1), store);
    cw.addAlarm(alarm());
    for (let m = 0; m < 6; m++) store.put(errors, T0 + m * MIN + 5000, m >= 3 ? 4 : 0);
    const transitions = [];
    for (let m = 1; m <= 6; m++) {
      clock.advanceTo(T0 + m * MIN);
      transitions.push(...cw.evaluateAlarms(T0 + m * MIN));
    }
    expect(transitions.map((t) => `${t.from}->${t.to}@${(t.at - T0) / MIN}`)).toEqual(['INSUFFICIENT_DATA->OK@1', 'OK->ALARM@5']);
    const ev = transitions[1].event as any;
    expect(ev['detail-type']).toBe('CloudWatch Alarm State Change');
    expect(ev.source).toBe('aws.cloudwatch');
    expect(ev.resources).toEqual(['arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-errors']);
    expect(ev.detail.state.value).toBe('ALARM');
    expect(ev.detail.previousState.value).toBe('OK');
    expect(ev.detail.state.timestamp).toBe('2026-11-28T12:05:00.000+0000');
    expect(ev.detail.configuration.metrics[0].metricStat).toEqual({
      metric: { namespace: 'AWS/Lambda', name: 'Errors', dimensions: { FunctionName: 'orders' } },
      period: 60,
      stat: 'Sum',
    });
    expect(JSON.parse(ev.detail.state.reasonData).recentDatapoints).toEqual([0, 4, 4]);
    expect(ev.detail.state.reason).toBe('Threshold Crossed: 2 out of the last 3 datapoints [4.0 (28/11/26 12:04:00), 4.0 (28/11/26 12:03:00)] were greater than or equal to the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition).');
  });

  test('GIVEN a multi time series Metrics Insights alarm WHEN one function errors THEN a contributor event names only that function', () => {
    const clock = new VirtualClock(T0);
    const store = new MetricStore();
    const cw = new CloudWatchService(clock, new SeededRandom(1), store);
    cw.addAlarm({
      alarmName: 'lar-Errors-1',
      metrics: [{ id: 'expr_1', expression: 'SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) WHERE FunctionName != \'other\' GROUP BY FunctionName ORDER BY SUM() DESC', period: 60, returnData: true }],
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
    });
    for (let m = 0; m < 4; m++) {
      store.put(errors, T0 + m * MIN, m >= 2 ? 3 : 0);
      store.put({ ...errors, dimensions: { FunctionName: 'thumbs' } }, T0 + m * MIN, 0);
      store.put({ ...errors, dimensions: { FunctionName: 'other' } }, T0 + m * MIN, 9);
    }
    clock.advanceTo(T0 + 4 * MIN);
    const alarms = cw.evaluateAlarms(T0 + 4 * MIN).filter((t) => t.to === 'ALARM' && t.contributor);
    expect(alarms).toHaveLength(1);
    const ev = alarms[0].event as any;
    expect(ev['detail-type']).toBe('CloudWatch Alarm Contributor State Change');
    expect(ev.detail.alarmContributor.attributes).toEqual({ FunctionName: 'orders' });
    expect(cw.stateOf('lar-Errors-1', { FunctionName: 'thumbs' })).toBe('OK');
  });

  test('GIVEN GetMetricData with MetricStat and math WHEN queried THEN per-period stats, newest first', () => {
    const clock = new VirtualClock(T0);
    const store = new MetricStore();
    const cw = new CloudWatchService(clock, new SeededRandom(1), store);
    for (const [i, v] of [100, 200, 300].entries()) store.put({ ...errors, metricName: 'Duration' }, T0 + 1000 * i, v);
    store.put({ ...errors, metricName: 'Duration' }, T0 + MIN, 50);
    for (let i = 0; i < 4; i++) store.put({ ...errors, metricName: 'Invocations' }, T0 + i, 1);
    const out = cw.getMetricData({
      StartTime: new Date(T0),
      EndTime: new Date(T0 + 2 * MIN),
      MetricDataQueries: [
        { Id: 'max', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Duration', Dimensions: [{ Name: 'FunctionName', Value: 'orders' }] }, Period: 60, Stat: 'Maximum' } },
        { Id: 'p50', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Duration', Dimensions: [{ Name: 'FunctionName', Value: 'orders' }] }, Period: 120, Stat: 'p50' } },
        { Id: 'inv', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: 'orders' }] }, Period: 60, Stat: 'Sum' }, ReturnData: false },
        { Id: 'perInv', Expression: 'max / inv' },
      ],
    }) as any;
    const byId = Object.fromEntries(out.MetricDataResults.map((r: any) => [r.Id, r]));
    expect(byId.max.Values).toEqual([50, 300]);
    expect(byId.max.Timestamps.map((d: Date) => d.getTime())).toEqual([T0 + MIN, T0]);
    expect(byId.p50.Values).toEqual([100]);
    expect(byId.inv).toBeUndefined();
    expect(byId.perInv.Values).toEqual([75]);
  });

  test('fails when datapointsToAlarm exceeds evaluationPeriods', () => {
    const cw = new CloudWatchService(new VirtualClock(T0), new SeededRandom(1), new MetricStore());
    expect(() => cw.addAlarm(alarm({ datapointsToAlarm: 4 }))).toThrow('alarm orders-errors: DatapointsToAlarm 4 must be between 1 and EvaluationPeriods (3)');
  });
});
