import { normalizeAlarmEvent, toIsoTime } from '../../src/runtime/alarm-event';

const NOW = new Date('2026-11-20T11:00:00.000Z');

function event(detail: Record<string, unknown>, detailType = 'CloudWatch Alarm State Change') {
  return {
    'id': 'e-1',
    'detail-type': detailType,
    'source': 'aws.cloudwatch',
    'time': '2026-11-20T10:48:00Z',
    'resources': ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:a'],
    detail,
  };
}
const ALARM_STATE = { value: 'ALARM', reason: 'r', timestamp: '2026-11-20T10:48:00.000+0000' };

describe('normalizeAlarmEvent', () => {
  test('a metric-math alarm names the function through the metric inside the expression', () => {
    // GIVEN an alarm on m2/m1 (errors per invocation)
    const n = normalizeAlarmEvent(event({
      alarmName: 'orders-error-rate',
      state: ALARM_STATE,
      configuration: {
        metrics: [
          { id: 'e1', expression: 'm2/m1', label: 'rate', returnData: true },
          { id: 'm1', metricStat: { metric: { namespace: 'AWS/Lambda', name: 'Invocations', dimensions: { FunctionName: 'orders' } }, period: 60, stat: 'Sum' }, returnData: false },
          { id: 'm2', metricStat: { metric: { namespace: 'AWS/Lambda', name: 'Errors', dimensions: { FunctionName: 'orders' } }, period: 60, stat: 'Sum' }, returnData: false },
        ],
      },
    }), NOW);
    expect(n.kind).toBe('accepted');
    expect(n.output.alarmKind).toBe('METRIC_MATH');
    expect(n.output.functionName).toBe('orders');
  });

  test('a Metrics Insights GROUP BY FunctionName alarm names the function in the contributor', () => {
    const n = normalizeAlarmEvent(event({
      alarmName: 'fleet-errors',
      state: ALARM_STATE,
      alarmContributor: { id: 'c0ffee', attributes: { FunctionName: 'thumbnail' } },
      configuration: { metrics: [{ id: 'q1', expression: 'SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) GROUP BY FunctionName', period: 60, returnData: true }] },
    }, 'CloudWatch Alarm Contributor State Change'), NOW);
    expect(n.kind).toBe('accepted');
    expect(n.output).toMatchObject({ alarmKind: 'METRICS_INSIGHTS', functionName: 'thumbnail' });
    expect(n.output.alarmEvent?.metricName).toBe('Errors');
    expect(n.output.alarmEvent?.alarmId).toBe('arn:aws:cloudwatch:us-east-1:123456789012:alarm:a#c0ffee');
  });

  test('a composite alarm names the function in its description', () => {
    const n = normalizeAlarmEvent(event({
      alarmName: 'orders-composite',
      state: ALARM_STATE,
      configuration: { alarmRule: 'ALARM(orders-errors) OR ALARM(orders-duration)', description: 'memory trouble FunctionName=orders:live' },
    }), NOW);
    expect(n.output).toMatchObject({ alarmKind: 'COMPOSITE', functionName: 'orders', qualifier: 'live' });
  });

  test('a composite alarm that names no function is ignored, not dropped silently', () => {
    const n = normalizeAlarmEvent(event({ alarmName: 'x', state: ALARM_STATE, configuration: { alarmRule: 'ALARM(a)' } }), NOW);
    expect(n.output).toEqual({ status: 'IGNORED', reason: 'alarm x names no Lambda function', alarmKind: 'COMPOSITE' });
  });

  test('the Resource dimension gives the alias the alarm watched', () => {
    const n = normalizeAlarmEvent(event({
      alarmName: 'orders-live-errors',
      state: ALARM_STATE,
      configuration: { metrics: [{ id: 'm', metricStat: { metric: { namespace: 'AWS/Lambda', name: 'Errors', dimensions: { FunctionName: 'orders', Resource: 'orders:live' } } } }] },
    }), NOW);
    expect(n.output).toMatchObject({ functionName: 'orders', qualifier: 'live' });
  });

  test('a garbled reasonData only loses threshold and value', () => {
    const n = normalizeAlarmEvent(event({
      alarmName: 'a',
      state: { ...ALARM_STATE, reasonData: '{not json' },
      configuration: { metrics: [{ id: 'm', metricStat: { metric: { name: 'Errors', dimensions: { FunctionName: 'orders' } } } }] },
    }), NOW);
    expect(n.output.alarmEvent).toMatchObject({ threshold: 0, currentValue: 0, functionName: 'orders' });
  });

  test('fails when the event is null', () => {
    expect(() => normalizeAlarmEvent(null, NOW)).toThrow('event must be a json object, got null');
  });

  test('CloudWatch +0000 times become ISO-8601', () => {
    expect(toIsoTime('2019-10-01T13:56:40.987+0000', 'x')).toBe('2019-10-01T13:56:40.987Z');
    expect(toIsoTime('garbage', 'fallback')).toBe('fallback');
  });
});
